"""What a person typed in the participant search, read as what they meant: a date of birth,
a phone number in any format, (part of) a Medicaid or member ID, or a name as "Last, First"
or first and last in either order. Pure functions: `selectors.search` turns the reading into
one database query, and the tests try them on generated input."""

import datetime
import re
from dataclasses import dataclass

_DATE_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y"]
# What people put around the digits of a phone number: "(512) 555-0134", "+1 512.555.0134".
_PHONE_PUNCTUATION = re.compile(r"[\s().+-]")
_PHONE_SHAPE = re.compile(r"^[\d\s().+-]+$")
# Fewer digits than this could be a part of anything (a house number, a year): not a phone.
PHONE_MIN_DIGITS = 7
# A member ID has a digit and is letters, digits and hyphens ("TX-0042", "123456789").
_MEMBER_ID_SHAPE = re.compile(r"^[A-Za-z-]*\d[\dA-Za-z-]*$")


def phone_digits(text: str) -> str:
    """The digits of a US phone number without the country code: what the `phone_digits`
    column stores and what a phone search compares with."""
    digits = re.sub(r"\D", "", text or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits


@dataclass(frozen=True)
class Query:
    date: datetime.date | None = None
    phone: str = ""  # digits
    member_id: str = ""  # part of one
    last: tuple[str, ...] = ()  # words of the last name ("Last, First")
    first: tuple[str, ...] = ()  # words of the first or preferred name ("Last, First")
    words: tuple[str, ...] = ()  # each in the first, last or preferred name, in any order

    @property
    def is_empty(self) -> bool:
        return self == Query()


def as_date(text: str) -> datetime.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar date, no time)
        except ValueError:
            continue
    return None


def parse(text: str) -> Query:
    # A NUL can't be in a PostgreSQL string literal: left in, a pasted one would be a 500.
    text = " ".join(text.replace("\x00", " ").split())
    if not text:
        return Query()
    day = as_date(text)
    if day:
        return Query(date=day)
    if _PHONE_SHAPE.match(text) and len(re.sub(r"\D", "", text)) >= PHONE_MIN_DIGITS:
        digits = phone_digits(text)
        # Nine digits typed plainly are as likely a Medicaid ID (Texas and Connecticut IDs are 9).
        member = digits if _PHONE_PUNCTUATION.sub("", text) == text else ""
        return Query(phone=digits, member_id=member)
    if _MEMBER_ID_SHAPE.match(text):
        return Query(member_id=text)
    if "," in text:
        last, _, first = text.partition(",")
        return Query(last=tuple(last.split()), first=tuple(first.replace(",", " ").split()))
    return Query(words=tuple(text.split()))
