"""Eligibility responses (271, 005010X279A1): read with pyx12's segment reader (never by
splitting the text), matched to our inquiries, and written on the coverages they speak for.

pyx12 has no 5010 271 map (see inquiry.py), so a file is refused when pyx12's reader finds it
malformed (envelope, counts, HL tree) or when it is not a 005010X279A1 271; a refused file
changes nothing. What each subscriber's answer means, precisely and conservatively:
- EB01 1-5 (active coverage) -> active; EB01 6-8 (inactive) -> inactive, with the code's words.
- Both in one answer: inactive, and the detail says both (a clerk looks before anything bills).
- No EB01 status but an AAA rejection (72 invalid member ID, 75 subscriber not found, 42 unable
  to respond...) -> "could not be checked" with the payer's reason: a rejected inquiry is not a
  report that the coverage is inactive, so it holds no note.
"""

import datetime
import io
from dataclasses import dataclass, field

import pyx12.x12file
from django.core.exceptions import ValidationError

from participants.models import Coverage

from .codes import ACTIVE_CODES, INACTIVE_CODES, NO_ANSWER_CODES, eb_text, reject_text

VERSION = "005010X279A1"
OTHER_KINDS = {
    "270": "an eligibility inquiry (270), not the payer's response",
    "835": "a remittance advice (835)",
    "837": "a claim file (837)",
    "999": "an acknowledgment (999)",
    "277": "a claim status response (277)",
}
Status = Coverage.Eligibility


class ResponseError(ValidationError):
    """The file is not a 271 we can read; nothing was imported. One message per problem."""


@dataclass
class Answer:
    """One subscriber loop (2000C) of a 271."""

    position: int
    traces: list[str] = field(default_factory=list)  # TRN*2: our TRN*1 echoed
    member_id: str = ""
    benefits: list[str] = field(default_factory=list)  # EB01 codes, in order
    rejections: list[str] = field(default_factory=list)  # AAA in loops 2100C and 2110C, in words

    def verdict(self, file_rejections: list[str]) -> tuple[str, str]:
        """(status, detail): what the payer said about this subscriber."""
        active = list(dict.fromkeys(c for c in self.benefits if c in ACTIVE_CODES))
        inactive = list(dict.fromkeys(c for c in self.benefits if c in INACTIVE_CODES))
        if inactive:
            detail = "; ".join(eb_text(c) for c in inactive)
            if active:  # conservative: held until someone reads the payer's answer
                detail += " (the response also reports " + "; ".join(eb_text(c) for c in active) + ")"
            return Status.INACTIVE, detail
        if active:
            return Status.ACTIVE, "; ".join(eb_text(c) for c in active)
        if self.rejections or file_rejections:
            return Status.NOT_VERIFIED, "; ".join(self.rejections or file_rejections)
        other = [c for c in self.benefits if c in NO_ANSWER_CODES]
        return Status.NOT_VERIFIED, eb_text(other[0]) if other else "The response says neither active nor inactive."


@dataclass
class Read271:
    sender_id: str = ""
    control_number: str = ""
    responded_on: datetime.date | None = None
    payer_identifier: str = ""  # NM109 of the information source (2100A)
    rejections: list[str] = field(default_factory=list)  # AAA in loops 2000A-2100B: the whole inquiry
    answers: list[Answer] = field(default_factory=list)


def _value(segment, position: int) -> str:
    return (segment.get_value(f"{position:02d}") or "").strip()


def read_271(text: str) -> Read271:
    """The file's answers, or ResponseError saying why it can't be read."""
    try:
        reader = pyx12.x12file.X12Reader(io.StringIO(text))
        segments = list(reader)
        reader.cleanup()
    except Exception as exc:  # pyx12 raises X12Error, and plain errors on unreadable input
        raise ResponseError([f"This is not an X12 file pyx12 can read: {exc}"]) from exc
    kinds = {_value(s, 1) for s in segments if s.get_seg_id() == "ST"}
    if not kinds:
        raise ResponseError(["The file holds no transaction (no ST segment)."])
    if kinds != {"271"}:
        found = ", ".join(OTHER_KINDS.get(kind, f"a {kind} transaction") for kind in sorted(kinds - {"271"}))
        raise ResponseError([f"This file is {found}, not a 271 eligibility response."])
    problems = [f"pyx12: {error[2]}" for error in reader.pop_errors()]
    versions = {_value(s, 8) for s in segments if s.get_seg_id() == "GS"}
    if versions != {VERSION}:
        problems.append(f"This 271 is version {', '.join(sorted(versions))}; only {VERSION} is read.")
    if problems:
        raise ResponseError(problems)
    return _walk(segments)


def _walk(segments) -> Read271:
    read, level, current = Read271(), "", None
    problems = []
    for segment in segments:
        tag = segment.get_seg_id()
        if tag == "ISA":
            read.sender_id, read.control_number = _value(segment, 6), _value(segment, 13)
        elif tag == "BHT" and read.responded_on is None:
            read.responded_on = _date(_value(segment, 4), problems)
        elif tag in ("ST", "SE"):
            level, current = "", None
        elif tag == "HL":
            # 20 source (payer), 21 receiver (us), 22 subscriber, 23 dependent: we ask about
            # subscribers only, so a dependent loop's contents are not ours to read.
            level = _value(segment, 3)
            current = Answer(position=len(read.answers) + 1) if level == "22" else None
            if current:
                read.answers.append(current)
        elif tag == "NM1" and level == "20" and not read.payer_identifier:
            read.payer_identifier = _value(segment, 9)
        elif current and tag == "NM1" and _value(segment, 1) == "IL":
            current.member_id = _value(segment, 9)
        elif current and tag == "TRN" and _value(segment, 1) == "2":
            current.traces.append(_value(segment, 2))
        elif current and tag == "EB":
            current.benefits.append(_value(segment, 1))
        elif tag == "AAA" and level in ("20", "21", "22"):
            text = reject_text(_value(segment, 3), _value(segment, 4))
            (current.rejections if current else read.rejections).append(text)
    problems += [f"Subscriber {a.position} has no member ID (NM1*IL)." for a in read.answers if not a.member_id]
    if read.responded_on is None and not problems:
        problems.append("The file has no BHT segment with the date of the response.")
    if problems:
        raise ResponseError(problems)
    return read


def _date(text: str, problems: list[str]) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(text, "%Y%m%d").date()  # noqa: DTZ007 (a calendar date)
    except ValueError:
        problems.append(f"BHT04 {text!r} is not a date (CCYYMMDD).")
        return None
