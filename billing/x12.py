"""ANSI X12 837P (005010X222A1) for a claim batch. `validation` reads every file back.

Separators: * between elements, : between components, ^ for repetitions, ~ after each
segment. None of them may appear inside data, so every value is cleaned before it is written.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from anyascii import anyascii
from django.utils import timezone

from .export_rows import claim_rows
from .models import AdjustmentGroup

ELEMENT, COMPONENT, REPETITION, SEGMENT = "*", ":", "^", "~"
_SEPARATORS = re.compile(r"[*:^~\r\n]")
# Outside the X12 basic character set (A-Z, 0-9, space and ! " & ' ( ) * + , - . / : ; ? =). The
# basic set is the one every receiver must accept (X12.6, the 5010 implementation guides' appendix
# on character sets); the extended set (lower case, @ and others) only by agreement, which we
# have with no payer, so we keep to the basic set: the conservative reading.
_OUTSIDE_BASIC = re.compile(r"""[^A-Z0-9!"&'()*+,\-./:;?= ]""")
# A value clean() would leave as it is once upper case: basic characters but the separators,
# single spaces between words. Most names, IDs and codes are; they skip the three substitutions.
_ALREADY_CLEAN = re.compile(r"""[A-Z0-9!"&'()+,\-./;?=]+(?: [A-Z0-9!"&'()+,\-./;?=]+)*""")
_SPACES = re.compile(r"\s+")
MAX_LINES_PER_CLAIM = 50  # 837P loop 2400 repeats at most 50 times per claim


@dataclass(frozen=True)
class Problem:
    """Something that keeps a file from being sent: in a claim (its CLM01), or "" for the file."""

    claim: str
    message: str


class ExportError(Exception):
    """The batch can't be written as a valid 837P. Raised with one message, or with the
    problems found (each tied to its claim); the message says what to fix."""

    def __init__(self, problems: "str | list[Problem]"):
        self.problems = [Problem("", problems)] if isinstance(problems, str) else list(problems)
        super().__init__(" ".join(f"{p.claim}: {p.message}" if p.claim else p.message for p in self.problems))


def clean(value, max_length: int | None = None) -> str:
    """A value as the 837P may carry it: transliterated to ASCII (José Núñez -> JOSE NUNEZ), upper
    case, separators turned into spaces, anything still outside the basic character set dropped.
    Only the file is changed: pages and the CSV keep the original spelling."""
    text = anyascii(str(value or "")).upper()
    if not _ALREADY_CLEAN.fullmatch(text):
        text = _SPACES.sub(" ", _OUTSIDE_BASIC.sub("", _SEPARATORS.sub(" ", text))).strip()
    return text[:max_length].rstrip() if max_length else text


def money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}".rstrip("0").rstrip(".") if value % 1 else f"{int(value)}"


def _seg(*elements) -> str:
    while elements and elements[-1] == "":
        elements = elements[:-1]
    return ELEMENT.join(str(e) for e in elements)


def build_837p(batch, identity, *, control_number: int, now=None, claims=None) -> str:
    """The batch's 837P, from its rows (export_rows.claim_rows, read here unless given)."""
    now = now or timezone.localtime()
    claims = claim_rows(batch) if claims is None else claims
    if not claims:
        raise ExportError("The batch has no claims.")
    payer = batch.payer
    if not clean(payer.payer_id):
        raise ExportError(f"{payer} has no payer ID; add it under Payers in the admin.")
    # Each payer has its own receiver (the payer or its clearinghouse) and usage indicator
    # (DESIGN.md, "Rules that matter"): the envelope and loop 1000B come from the batch's payer.
    receiver_id, receiver_name = clean(payer.receiver_id), clean(payer.receiver_name, 60)
    if not (receiver_id and receiver_name):
        raise ExportError(
            f"{payer} has no receiver ID or receiver name (its EDI receiver or clearinghouse); "
            "add them under Payers in the admin."
        )
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
            receiver_id.ljust(15),
            now.strftime("%y%m%d"),
            now.strftime("%H%M"),
            REPETITION,
            "00501",
            f"{control_number:09d}",
            "0",
            payer.usage,
            COMPONENT,
        ),  # fmt: skip
        _seg(
            "GS",
            "HC",
            clean(identity.submitter_id),
            receiver_id,
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
        _seg("NM1", "41", "2", clean(identity.legal_name, 60), "", "", "", "", "46", clean(identity.submitter_id)),
        _seg("PER", "IC", clean(identity.contact_name, 60), "TE", identity.contact_phone),
        _seg("NM1", "40", "2", receiver_name, "", "", "", "", "46", receiver_id),
        _seg("HL", "1", "", "20", "1"),
        _seg("PRV", "BI", "PXC", clean(identity.taxonomy_code)),
        _seg("NM1", "85", "2", clean(identity.legal_name, 60), "", "", "", "", "XX", identity.npi),
        _seg("N3", clean(identity.address_line1, 55)),
        _seg("N4", clean(identity.city, 30), clean(identity.state), identity.zip_digits),
        _seg("REF", "EI", re.sub(r"\D", "", identity.tax_id)),
    ]
    # Each secondary line comes with the adjudication version it was billed with (ClaimLine.primary_adjudication).
    problems: list[Problem] = []
    for hl, claim in enumerate(claims, start=2):
        body += _claim(claim, payer, hl, problems)
    if problems:
        raise ExportError(problems)
    body.append(_seg("SE", len(body) + 1, "0001"))
    trailer = [_seg("GE", "1", control_number), _seg("IEA", "1", f"{control_number:09d}")]
    return SEGMENT.join(header + body + trailer) + SEGMENT + "\n"


def _claim(claim, payer, hl: int, problems: list[Problem]) -> list[str]:
    """Loops 2000B to 2400 of one claim; what can't be written is added to `problems`. A claim
    billing Medicaid as secondary says so in SBR01 (S) and carries the other payer's adjudication."""
    p = claim.participant
    lines = claim.lines
    total = sum((line.charge for line in lines), Decimal(0))
    # CLM05-1 is the first line's place of service; a line delivered elsewhere says where in
    # SV105, which 005010X222A1 requires "when different than the value in CLM05-1" (loop 2400).
    place = lines[0].place_of_service
    segments = [
        _seg("HL", hl, "1", "22", "0"),
        _seg("SBR", "S" if claim.other_coverage_id else "P", "18", "", "", "", "", "", "", "MC"),
        _seg("NM1", "IL", "1", clean(p.last_name, 60), clean(p.first_name, 35), "", "", "", "MI",
             clean(claim.member_id)),
        _seg("N3", clean(p.address_line1, 55)),
        _seg("N4", clean(p.city, 30), clean(p.state), re.sub(r"\D", "", p.zip_code)),
        _seg("DMG", "D8", p.date_of_birth.strftime("%Y%m%d"), p.sex_for_claims),
        _seg("NM1", "PR", "2", clean(payer.name, 60), "", "", "", "", "PI", clean(payer.payer_id)),
        _seg("CLM", claim.claim_number, money(total), "", "", COMPONENT.join([place, "B", claim.frequency]),
             "Y", "A", "Y", "Y"),
    ]  # fmt: skip
    if claim.authorization_id:  # the prior authorization: REF*G1 in loop 2300 (billing-rules.md "On the claim")
        segments.append(_seg("REF", "G1", clean(claim.authorization.number, 50)))
    if claim.original_id:  # a replacement or void names the payer's claim number, not ours
        if claim.original.payer_claim_number:
            segments.append(_seg("REF", "F8", clean(claim.original.payer_claim_number, 50)))
        else:
            problems.append(
                Problem(claim.claim_number, f"{claim.original.claim_number} has no payer's claim number for REF*F8.")
            )
    codes = [c for c in (clean(code).replace(".", "") for code in claim.diagnosis_codes[:12]) if c]
    if codes:  # without one, pyx12 reports the missing HI against this claim
        qualifiers = ["ABK"] + ["ABF"] * (len(codes) - 1)
        segments.append(_seg("HI", *[f"{q}{COMPONENT}{c}" for q, c in zip(qualifiers, codes, strict=True)]))
    if payer.requires_rendering_provider:
        segments += _rendering_provider(claim, payer, problems)
    other_payer_id = ""
    if claim.other_coverage_id:
        other_payer_id = clean(claim.other_coverage.payer.payer_id)
        segments += _other_payer(claim, lines, other_payer_id, problems)
    for number, line in enumerate(lines, start=1):
        procedure = COMPONENT.join(["HC", line.hcpcs, *line.modifiers])
        line_place = line.place_of_service if line.place_of_service != place else ""
        segments += [
            _seg("LX", number),
            _seg("SV1", procedure, money(line.charge), "UN", line.units, line_place, "", line.diagnosis_pointer),
            _seg("DTP", "472", "D8", line.service_date.strftime("%Y%m%d")),
        ]
        if claim.other_coverage_id and line.primary_adjudication_id:
            segments += _line_adjudication(line, line.primary_adjudication, other_payer_id)
    return segments


def _other_payer(claim, lines, payer_id: str, problems: list[Problem]) -> list[str]:
    """Loops 2320 (the other subscriber), 2330A (its insured, the participant: SBR02 18, self)
    and 2330B (the other payer) of a secondary claim. Each note was adjudicated by the other payer
    line by line, so its adjustments go on the lines (loop 2430), none at the claim level: an
    amount is reported at one level only. AMT*D, the other payer's payment, is the sum of the
    lines' SVD02, as the TR3's balancing asks when line payments are sent (X12 RFIs 524, 1294).

    Every figure comes from the adjudication version each line was billed with, never the one
    current now: a void must repeat what the claim it voids said, even after a correction.
    SBR02 18 (self) is right only for a participant who holds the other plan; a minor, usually on a
    parent's plan, is held before billing (secondary.coordinate) until the policyholder is recorded."""
    other, p = claim.other_coverage, claim.participant
    found = [line.primary_adjudication for line in lines]
    if None in found or any(a.coverage_id != claim.other_coverage_id for a in found):
        problems.append(Problem(claim.claim_number, f"{other.payer}'s adjudication of every line must be on file."))
        return []
    if len({(a.claim_number, a.filing_indicator) for a in found}) > 1:
        problems.append(Problem(claim.claim_number, f"The lines were adjudicated on different {other.payer} claims."))
        return []
    if not payer_id:
        problems.append(Problem(claim.claim_number, f"{other.payer} has no payer ID for loop 2330B."))
        return []
    first = found[0]
    segments = [
        _seg("SBR", "P", "18", "", "", "", "", "", "", first.filing_indicator),
        _seg("AMT", "D", money(sum((a.paid for a in found), Decimal(0)))),
        _seg("OI", "", "", "Y", "", "", "Y"),  # benefits assigned and release of information, as CLM08-09
        _seg("NM1", "IL", "1", clean(p.last_name, 60), clean(p.first_name, 35), "", "", "", "MI",
             clean(other.member_id)),
        _seg("N3", clean(p.address_line1, 55)),
        _seg("N4", clean(p.city, 30), clean(p.state), re.sub(r"\D", "", p.zip_code)),
        _seg("NM1", "PR", "2", clean(other.payer.name, 60), "", "", "", "", "PI", payer_id),
    ]  # fmt: skip
    if first.claim_number:
        segments.append(_seg("REF", "F8", clean(first.claim_number, 50)))
    return segments


def _line_adjudication(line, adjudication, payer_id: str) -> list[str]:
    """Loop 2430: what the other payer (SVD01, its ID as in 2330B) paid for the line, its
    adjustments (one CAS per group, at most six each), when it decided (DTP*573, which makes
    the claim-level date in 2330B unnecessary) and the remaining patient liability (AMT*EAF).
    The paid units are the units billed.

    AMT*EAF is "required when the Other Payer referenced in SVD01 of this iteration of Loop ID-2430
    has adjudicated this claim, provided line level information, and the provider has the ability
    to report line item information" (X12 RFI 1521 quoting 005010X222A1), "including when that
    amount is zero" (X12 RFI 1515); every one of our 2430 loops meets that rule. It is reported in
    2430 only, never also in 2320 (RFI 1391). Its amount is "in the judgment of the provider";
    we send what the other payer left the patient to pay, the sum of its PR adjustments of the
    line, 0 when it left none (RFI 1521 asks about exactly this sum). The map puts it after
    DTP*573 (position 5505)."""
    procedure = COMPONENT.join(["HC", line.hcpcs, *line.modifiers])
    segments = [_seg("SVD", payer_id, money(adjudication.paid), procedure, "", line.units)]
    by_group: dict[str, list] = {}
    for adjustment in adjudication.adjustments:
        by_group.setdefault(adjustment.group, []).extend([adjustment.reason, money(adjustment.amount), ""])
    segments += [_seg("CAS", group, *triples) for group, triples in by_group.items()]
    segments.append(_seg("DTP", "573", "D8", adjudication.adjudicated_on.strftime("%Y%m%d")))
    segments.append(_seg("AMT", "EAF", money(remaining_patient_liability(adjudication))))
    return segments


def remaining_patient_liability(adjudication) -> Decimal:
    """What the other payer left the patient to pay on the line: its PR (patient responsibility)
    adjustments, e.g. PR-1 deductible, PR-2 coinsurance, PR-3 copay; 0 when none. `adjudication`
    is a row of export_rows, its adjustments a list."""
    return sum((a.amount for a in adjudication.adjustments if a.group == AdjustmentGroup.PR), Decimal(0))


def _rendering_provider(claim, payer, problems: list[Problem]) -> list[str]:
    """Loop 2310B: the one specialist who delivered every line of the claim, for a payer that
    requires the rendering provider (Payer.rendering_provider)."""
    profile = claim.rendering_provider
    if profile is None:
        problems.append(
            Problem(
                claim.claim_number,
                f"{payer} requires the rendering provider, but this claim was built before it did and names "
                "none (its lines may be by several specialists); it can't be sent as built.",
            )
        )
        return []
    if not profile.npi:
        problems.append(Problem(claim.claim_number, f"{profile} has no NPI; {payer} requires the rendering provider."))
        return []
    user = profile.user
    return [
        _seg("NM1", "82", "1", clean(user.last_name, 60), clean(user.first_name, 35), "", "", "", "XX", profile.npi)
    ]
