# What someone who wants to rewrite the evidence would try, on both audit tables: each must be
# refused by the database (audit.models.append_only). Whom a row is about is evidence too.
TAMPERING_SQL = (
    "UPDATE audit_auditevent SET actor_label = 'forged'",
    "DELETE FROM audit_auditevent",
    "TRUNCATE audit_auditevent CASCADE",
    "UPDATE audit_auditsubject SET participant_id = 8",
    "DELETE FROM audit_auditsubject",
    "TRUNCATE audit_auditsubject",
)


def subject_ids(event) -> list[int]:
    """The participants an audit row is about, in order."""
    return sorted(event.subjects.values_list("participant_id", flat=True))
