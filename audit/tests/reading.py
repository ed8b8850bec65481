def subject_ids(event) -> list[int]:
    """The participants an audit row is about, in order."""
    return sorted(event.subjects.values_list("participant_id", flat=True))
