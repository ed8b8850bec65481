"""Limits on what people type, defined once for every app: how long a free text may be, which
dates are plausible, and how ids posted in a list are read. It lives in the leftmost app so
that every model and form can use it; it knows nothing of any of them.

Why limits at all: PostgreSQL takes a 100 KB "narrative" or the year 9999 without a murmur,
and then a claim, a report or a page breaks on it later, far from where it was typed. A NUL
byte can't be stored at all (PostgreSQL rejects it in text), so it is refused at the field,
with a message, never left to become a 500."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

# Free text, by what it holds. A session narrative field of 5,000 characters is about two
# typed pages: more than any payer's documentation standard asks for one field.
NARRATIVE_MAX = 5000  # session note fields, plan strengths and needs, goals, addenda
COMMENT_MAX = 2000  # review comments, discharge and follow-up notes, supervision notes

# Dates. Nobody we serve or record was born or did anything before 1900; nothing is planned
# more than ten years ahead (certifications run two years, consents one, plans a year).
EARLIEST_DATE = datetime.date(1900, 1, 1)
YEARS_AHEAD = 10

# Ids posted as a list (rows of a form, notes ticked in a queue): more than this is not a
# person's doing, and past it nothing is looked at.
IDS_MAX = 1000


def text_limit(max_length: int) -> dict:
    """Keyword arguments for a model TextField: its form field gets max_length (and the
    browser's maxlength), and full_clean() enforces it and refuses NUL for services called
    from tasks and commands, where no form stands in front. The NUL rule is Django's
    ProhibitNullCharactersValidator, the one every form CharField already carries, so a
    person sees the same message from a form and from a model."""
    return {"max_length": max_length, "validators": [MaxLengthValidator(max_length), ProhibitNullCharactersValidator()]}


def latest_date(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def plausible_date(value: datetime.date | None) -> None:
    """Every date a person types: from 1900 to ten years ahead. Domain rules (no future date
    of birth, a review not before its plan) are checked where the record is."""
    if value is None:
        return
    if value < EARLIEST_DATE:
        raise ValidationError("Check the year: dates before 1900 are not accepted.", code="date_too_early")
    if value > latest_date():
        raise ValidationError(
            f"Check the year: dates more than {YEARS_AHEAD} years ahead are not accepted.", code="date_too_late"
        )


def whole_number(value: str | None) -> int | None:
    """A posted id, or None (never trusted: whoever uses it checks it). ASCII digits that fit a
    database integer only: str.isdigit() is true of "²", which int() refuses (a 500)."""
    if value and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    return None


def whole_numbers(values: list[str], limit: int = IDS_MAX) -> list[int]:
    """The ids among posted values, the first `limit` of them looked at."""
    return [n for n in map(whole_number, values[:limit]) if n is not None]


def local_path(value: str | None, *, host: str, https: bool) -> str:
    """A posted "next" address when it is a path on this site, else "". A bare word is no
    address: redirect() would take it for a view name and fail (a 500)."""
    value = value or ""
    if value.startswith("/") and url_has_allowed_host_and_scheme(value, allowed_hosts={host}, require_https=https):
        return value
    return ""
