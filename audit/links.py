"""Links to a record's page by id, many at a time (billing's holds, a timeline, long lists)."""

from django.urls import get_script_prefix, get_urlconf, reverse

# An id no row has (the largest integer primary key): reversed once, then cut where it stands.
_STAND_IN_ID = str(2**31 - 1)
_url_parts: dict[tuple, list[str]] = {}


def url_for(name: str, pk: int) -> str:
    """reverse(name, args=[pk]), from the URL reversed once with a stand-in id (per name,
    script prefix and URL conf): assessing every unbilled note links holds to the participant,
    the note or the specialist, and reverse() per hold cost more than every rule of a note."""
    key = (name, get_script_prefix(), get_urlconf())
    parts = _url_parts.get(key)
    if parts is None:
        parts = _url_parts[key] = reverse(name, args=[_STAND_IN_ID]).split(_STAND_IN_ID)
    return str(pk).join(parts) if len(parts) == 2 else reverse(name, args=[pk])
