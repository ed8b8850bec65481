"""Tests validate exactly as an export does (`billing.validation`: pyx12 and our own checks),
and read an 837P and its CSV back line by line."""

import csv
import io
from decimal import Decimal

from billing.validation import pyx12_errors, validate_837p

__all__ = [
    "assert_valid",
    "envelope",
    "lines_of_837",
    "lines_of_csv",
    "pyx12_errors",
    "with_an_unknown_filing_indicator",
]


def assert_valid(text: str) -> None:
    """The file passes pyx12 and every check of ours, as each export must."""
    assert validate_837p(text) == []


def with_an_unknown_filing_indicator(text: str) -> str:
    """SBR09 (the claim filing indicator) not a code of its list: our checks pass the file,
    pyx12 does not, as it would catch a writer's bug (mark the test `pyx12_rejects`)."""
    assert "*******MC~" in text
    return text.replace("*******MC~", "*******QQ~")


def lines_of_837(text):
    """(claim, date, procedure, units, charge, place) per SV1; the place is SV105 or else CLM05-1."""
    rows, claim, claim_place, line = [], None, None, None
    for segment in text.strip().rstrip("~").split("~"):
        e = segment.split("*")
        if e[0] == "CLM":
            claim, claim_place = e[1], e[5].split(":")[0]
        elif e[0] == "SV1":
            line = [claim, None, e[1].removeprefix("HC:").replace(":", " "), e[4], Decimal(e[2]), e[5] or claim_place]
        elif e[0] == "DTP" and e[1] == "472":
            line[1] = e[3]
            rows.append(tuple(line))
    return rows


def lines_of_csv(text):
    rows = list(csv.DictReader(io.StringIO(text)))
    return [
        (
            r["claim"],
            r["service_date"].replace("-", ""),
            f"{r['hcpcs']} {r['modifiers']}".strip(),
            r["units"],
            Decimal(r["charge"]),
            r["place_of_service"],
        )  # fmt: skip
        for r in rows
    ]


def envelope(text):
    segments = text.split("~")
    isa, gs = segments[0].split("*"), segments[1].split("*")
    receiver = next(s for s in segments if s.startswith("NM1*40*"))
    return isa[8], isa[15], gs[3], receiver
