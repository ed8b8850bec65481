"""ANSI X12 837P (005010X222A1) for a claim batch, and the checks pyx12 does not make.

Separators: * between elements, : between components, ^ for repetitions, ~ after each
segment. None of them may appear inside data, so every value is cleaned before it is written.
"""

import re
from decimal import Decimal

from django.utils import timezone

from programs.validators import validate_npi

ELEMENT, COMPONENT, REPETITION, SEGMENT = "*", ":", "^", "~"
_SEPARATORS = re.compile(r"[*:^~\r\n]")
MAX_LINES_PER_CLAIM = 50  # 837P loop 2400 repeats at most 50 times per claim


class ExportError(Exception):
    """The batch can't be written as a valid 837P; the message says what to fix."""


def clean(value, *, upper: bool = True) -> str:
    text = _SEPARATORS.sub(" ", str(value or "")).strip()
    text = re.sub(r"\s+", " ", text)
    return text.upper() if upper else text


def money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}".rstrip("0").rstrip(".") if value % 1 else f"{int(value)}"


def _seg(*elements) -> str:
    while elements and elements[-1] == "":
        elements = elements[:-1]
    return ELEMENT.join(str(e) for e in elements)


def build_837p(batch, identity, *, control_number: int, now=None) -> str:
    now = now or timezone.localtime()
    if not batch.claims.exists():
        raise ExportError("The batch has no claims.")
    payer = batch.payer
    if not clean(payer.payer_id):
        raise ExportError(f"{payer} has no payer ID; add it under Payers in the admin.")
    header = [
        _seg(
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            "ZZ",
            clean(identity.submitter_id).ljust(15),
            "ZZ",
            clean(identity.receiver_id).ljust(15),
            now.strftime("%y%m%d"),
            now.strftime("%H%M"),
            REPETITION,
            "00501",
            f"{control_number:09d}",
            "0",
            identity.usage,
            COMPONENT,
        ),  # fmt: skip
        _seg(
            "GS",
            "HC",
            clean(identity.submitter_id),
            clean(identity.receiver_id),
            now.strftime("%Y%m%d"),
            now.strftime("%H%M"),
            control_number,
            "X",
            "005010X222A1",
        ),  # fmt: skip
    ]
    body = [
        _seg("ST", "837", "0001", "005010X222A1"),
        _seg("BHT", "0019", "00", f"B{batch.pk}", now.strftime("%Y%m%d"), now.strftime("%H%M"), "CH"),
        _seg("NM1", "41", "2", clean(identity.legal_name)[:60], "", "", "", "", "46", clean(identity.submitter_id)),
        _seg("PER", "IC", clean(identity.contact_name)[:60], "TE", identity.contact_phone),
        _seg("NM1", "40", "2", clean(identity.receiver_name)[:60], "", "", "", "", "46", clean(identity.receiver_id)),
        _seg("HL", "1", "", "20", "1"),
        _seg("PRV", "BI", "PXC", clean(identity.taxonomy_code)),
        _seg("NM1", "85", "2", clean(identity.legal_name)[:60], "", "", "", "", "XX", identity.npi),
        _seg("N3", clean(identity.address_line1)[:55]),
        _seg("N4", clean(identity.city)[:30], clean(identity.state), identity.zip_digits),
        _seg("REF", "EI", re.sub(r"\D", "", identity.tax_id)),
    ]
    hl = 1
    for claim in batch.claims.select_related("participant", "original").prefetch_related("lines"):
        hl += 1
        p = claim.participant
        lines = list(claim.lines.all())
        total = sum((line.charge for line in lines), Decimal(0))
        body += [
            _seg("HL", hl, "1", "22", "0"),
            _seg("SBR", "P", "18", "", "", "", "", "", "", "MC"),
            _seg(
                "NM1",
                "IL",
                "1",
                clean(p.last_name)[:60],
                clean(p.first_name)[:35],
                "",
                "",
                "",
                "MI",
                clean(claim.member_id),
            ),
            _seg("N3", clean(p.address_line1)[:55]),
            _seg("N4", clean(p.city)[:30], clean(p.state), re.sub(r"\D", "", p.zip_code)),
            _seg("DMG", "D8", p.date_of_birth.strftime("%Y%m%d"), p.sex_for_claims),
            _seg("NM1", "PR", "2", clean(payer.name)[:60], "", "", "", "", "PI", clean(payer.payer_id)),
            _seg(
                "CLM",
                claim.claim_number,
                money(total),
                "",
                "",
                COMPONENT.join([lines[0].place_of_service, "B", claim.frequency]),
                "Y",
                "A",
                "Y",
                "Y",
            ),  # fmt: skip
        ]
        if claim.original_id:
            body.append(_seg("REF", "F8", claim.original.claim_number))
        codes = [clean(code).replace(".", "") for code in claim.diagnosis_codes[:12]]
        qualifiers = ["ABK"] + ["ABF"] * (len(codes) - 1)
        body.append(_seg("HI", *[f"{q}{COMPONENT}{c}" for q, c in zip(qualifiers, codes, strict=True)]))
        for number, line in enumerate(lines, start=1):
            procedure = COMPONENT.join(["HC", line.hcpcs, *line.modifiers])
            body += [
                _seg("LX", number),
                _seg("SV1", procedure, money(line.charge), "UN", line.units, "", "", line.diagnosis_pointer),
                _seg("DTP", "472", "D8", line.service_date.strftime("%Y%m%d")),
            ]
    body.append(_seg("SE", len(body) + 1, "0001"))
    trailer = [_seg("GE", "1", control_number), _seg("IEA", "1", f"{control_number:09d}")]
    text = SEGMENT.join(header + body + trailer) + SEGMENT + "\n"
    check_837p(text, batch=batch, identity=identity)
    return text


def check_837p(text: str, *, batch=None, identity=None) -> None:
    """Our own checks, on the finished file. Raises ExportError naming the first problem."""
    segments = [s for s in text.strip().split(SEGMENT) if s]
    if identity is not None:
        try:
            validate_npi(identity.npi)
        except Exception as exc:
            raise ExportError(f"The billing provider NPI {identity.npi} fails its check digit.") from exc
        if len(identity.zip_digits) != 9:
            raise ExportError("The billing provider's ZIP code must have 9 digits.")
    isa = segments[0]
    if len(isa) != 105 or isa[-1] != COMPONENT:
        raise ExportError("The ISA segment is not 106 characters with its separators in place.")
    st = next(i for i, s in enumerate(segments) if s.startswith("ST*"))
    se = next(i for i, s in enumerate(segments) if s.startswith("SE*"))
    if int(segments[se].split(ELEMENT)[1]) != se - st + 1:
        raise ExportError("SE01 does not match the number of segments in the transaction.")
    claim_total, line_total, lines_in_claim = None, Decimal(0), 0

    def close_claim():
        if claim_total is not None and claim_total != line_total:
            raise ExportError(f"A claim total {claim_total} differs from the sum of its lines {line_total}.")

    for segment in segments:
        elements = segment.split(ELEMENT)
        if elements[0] == "CLM":
            close_claim()
            claim_total, line_total, lines_in_claim = Decimal(elements[2]), Decimal(0), 0
            frequency = elements[5].split(COMPONENT)[2]
            if frequency not in ("1", "7", "8"):
                raise ExportError(f"Claim frequency code {frequency} is not 1, 7 or 8.")
        elif elements[0] == "SV1":
            line_total += Decimal(elements[2])
            lines_in_claim += 1
            if lines_in_claim > MAX_LINES_PER_CLAIM:
                raise ExportError(f"A claim has more than {MAX_LINES_PER_CLAIM} lines.")
        elif elements[0] in ("SE", "GE"):
            close_claim()
            claim_total = None
        if elements[0] != "ISA" and any(REPETITION in e for e in elements):
            raise ExportError(f"A {elements[0]} segment contains the repetition separator.")
