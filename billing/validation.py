"""Is an 837P right before anyone may download it? Every export is read back by pyx12 against
the 005010X222A1 map, then by our own checks (the rules pyx12 does not make), and each
problem is tied to the claim (CLM01) whose segments it is in, so the batch page can say which
claim to fix. Problems of the envelope or the whole file have no claim ("").
"""

import io
import json
import re
from decimal import Decimal

import pyx12.params
import pyx12.x12n_document

from programs.validators import validate_npi

from .envelope import envelope_problems
from .x12 import COMPONENT, ELEMENT, MAX_LINES_PER_CLAIM, REPETITION, SEGMENT, ExportError, Problem

# The X12 basic character set (upper-case letters, digits, space and ! " & ' ( ) * + , - . / : ; ? =),
# less our element and component separators. pyx12 checks the 5010 extended set; we promise
# the basic set (DESIGN.md: "text in the X12 character set"), so we check it ourselves.
_OUTSIDE_BASIC = re.compile(r"""[^A-Z0-9!"&'()+,\-./;?= ]""")
# Any character that can make _element_problems report an element: outside the basic set (the
# repetition separator ^ among them) and neither the element nor the component separator. A
# segment without one has no element to report.
_SUSPECT = re.compile(r"""[^A-Z0-9!"&'()+,\-./;?= *:]""")
ISA_SEPARATOR_ELEMENTS = (11, 16)  # ISA11 repetition separator, ISA16 component separator


def validate_837p(text: str) -> list[Problem]:
    """Every problem pyx12 and our own checks find; [] when the file may be sent."""
    return pyx12_problems(text) + export_problems(text)


def export_problems(text: str) -> list[Problem]:
    """Our own checks, which every export runs before it freezes the batch; pyx12 reads the
    file after (billing.file_check): it is pure Python and reads some 600 lines a second.
    The file is split into segments and elements once, for all three passes (a payer-month's
    runs to 146,000 segments)."""
    parsed = _parse(text)
    return _own_problems(*parsed) + envelope_problems(text, split=parsed[1]) + _cob_problems(*parsed)


def _parse(text: str) -> tuple[list[str], list[list[str]], list[str]]:
    """The file's segments, each split into its elements, and the claim (CLM01) each is in."""
    segments = _segments(text)
    return segments, [s.split(ELEMENT) for s in segments], claim_of_each_segment(segments)


def pyx12_errors(text: str) -> list[str]:
    """pyx12's findings as readable lines (for tests and the command line)."""
    return [f"{p.claim}: {p.message}" if p.claim else p.message for p in pyx12_problems(text)]


def check_837p(text: str) -> None:
    """Our own checks; raises ExportError listing every problem."""
    problems = export_problems(text)
    if problems:
        raise ExportError(problems)


def _segments(text: str) -> list[str]:
    return [s for s in text.strip().split(SEGMENT) if s]


def claim_of_each_segment(segments: list[str]) -> list[str]:
    """CLM01 of the claim each segment belongs to. Our files carry one claim per subscriber
    loop (HL ... 22), so a claim owns its whole HL block, from the subscriber to its last line."""
    owners = [""] * len(segments)
    starts = [i for i, s in enumerate(segments) if s.startswith(("HL*", "SE*"))]
    for start, end in zip(starts, starts[1:], strict=False):
        block = segments[start:end]
        clm = next((s for s in block if s.startswith("CLM*")), "")
        owners[start:end] = [clm.split(ELEMENT)[1] if clm else ""] * (end - start)
    return owners


def pyx12_problems(text: str) -> list[Problem]:
    params = pyx12.params.params()  # the 5010 extended character set; own_problems checks the basic one
    errors_json = io.StringIO()
    try:
        valid = pyx12.x12n_document.x12n_document(params, io.StringIO(text), io.StringIO(), None, None, errors_json)
    except Exception as exc:  # pyx12 raises its own EngineError and plain errors on unreadable input
        return [Problem("", f"pyx12 could not read the file: {exc}")]
    owners = claim_of_each_segment(_segments(text))
    problems = []
    report = json.loads(errors_json.getvalue() or '{"interchanges": []}')
    for isa in report["interchanges"]:
        problems += [Problem("", e["err_str"]) for e in isa["errors"]]
        for gs in isa["groups"]:
            problems += [Problem("", e["err_str"]) for e in gs["errors"]]
            for st in gs["transactions"]:
                problems += [Problem("", e["err_str"]) for e in st["errors"]]
                for seg in st["segments"]:
                    # cur_line counts segments from 1 (the ISA).
                    index = seg["cur_line"] - 1
                    claim = owners[index] if 0 <= index < len(owners) else ""
                    found = seg["errors"] + [e for element in seg["elements"] for e in element["errors"]]
                    problems += [Problem(claim, f"{seg['name']} ({seg['seg_id']}): {e['err_str']}") for e in found]
    if not valid and not problems:
        problems.append(Problem("", "pyx12 found the file invalid without saying where."))
    return problems


def own_problems(text: str) -> list[Problem]:
    """What pyx12 does not check: NPI check digits, the billing provider's ZIP+4, CLM02 equal to
    the sum of SV102, SE01, the frequency code, 50 lines a claim, the basic character set, REF*F8
    on corrections, and no separator inside data."""
    return _own_problems(*_parse(text))


def _own_problems(segments: list[str], split: list[list[str]], owners: list[str]) -> list[Problem]:
    problems = []
    isa = segments[0] if segments else ""
    if len(isa) != 105 or isa[-1] != COMPONENT:
        problems.append(Problem("", "The ISA segment is not 106 characters with its separators in place."))
    st = next((i for i, s in enumerate(segments) if s.startswith("ST*")), None)
    se = next((i for i, s in enumerate(segments) if s.startswith("SE*")), None)
    if st is None or se is None or segments[se].split(ELEMENT)[1] != str(se - st + 1):
        problems.append(Problem("", "SE01 does not match the number of segments in the transaction."))
    claims: dict[str, dict] = {}
    previous = ""
    for segment, elements, claim in zip(segments, split, owners, strict=True):
        tag = elements[0]
        if _SUSPECT.search(segment):  # most segments have nothing _element_problems could report
            problems += [Problem(claim, message) for message in _element_problems(elements)]
        if tag == "CLM":
            frequency = elements[5].split(COMPONENT)[2] if elements[5].count(COMPONENT) == 2 else ""
            claims[claim] = {"total": Decimal(elements[2]), "lines": Decimal(0), "count": 0, "f8": False}
            claims[claim]["frequency"] = frequency
            if frequency not in ("1", "7", "8"):
                problems.append(Problem(claim, f"Claim frequency code {frequency} is not 1, 7 or 8."))
        elif tag == "REF" and elements[1] == "F8" and claim in claims:
            claims[claim]["f8"] = True
        elif tag == "SV1" and claim in claims:
            claims[claim]["lines"] += Decimal(elements[2])
            claims[claim]["count"] += 1
        elif tag == "NM1" and len(elements) > 9 and elements[8] == "XX":
            try:
                validate_npi(elements[9])
            except Exception:
                problems.append(Problem(claim, f"The NPI {elements[9]} (NM1*{elements[1]}) fails its check digit."))
        elif tag == "N4" and previous.startswith("NM1*85*") and len(elements[3]) != 9:
            problems.append(Problem("", "The billing provider's ZIP code must have 9 digits."))
        if tag not in ("N3", "PER", "REF"):
            previous = segment
    for claim, figures in claims.items():
        if figures["total"] != figures["lines"]:
            total, lines = figures["total"], figures["lines"]
            problems.append(Problem(claim, f"The claim total {total} differs from the sum of its lines {lines}."))
        if figures["count"] > MAX_LINES_PER_CLAIM:
            problems.append(Problem(claim, f"The claim has more than {MAX_LINES_PER_CLAIM} lines."))
        if figures["frequency"] in ("7", "8") and not figures["f8"]:
            problems.append(Problem(claim, "A replacement or void claim needs REF*F8, the payer's claim number."))
    return problems


def _element_problems(elements: list[str]) -> list[str]:
    tag = elements[0]
    problems = []
    for position, element in enumerate(elements[1:], start=1):
        if tag == "ISA" and position in ISA_SEPARATOR_ELEMENTS:
            continue
        if REPETITION in element:
            problems.append(f"A {tag} segment contains the repetition separator.")
        elif _OUTSIDE_BASIC.search(element.replace(COMPONENT, "")):
            problems.append(f"{tag}{position:02d} has characters outside the X12 basic character set: {element!r}.")
    return problems


def _cas_total(elements: list[str]) -> Decimal:
    """The sum of a CAS segment's amounts (CAS03, 06, 09, 12, 15, 18)."""
    return sum((Decimal(elements[i]) for i in range(3, len(elements), 3) if elements[i]), Decimal(0))


def cob_problems(text: str) -> list[Problem]:
    """The coordination-of-benefits balancing the 837P's TR3 asks of a claim sent to a payer
    after another (X12 RFIs on 005010X222 and its siblings): each line's charge equals, for each
    other payer, what it paid for the line plus its line adjustments (SV102 = SVD02 + 2430 CAS,
    RFI 1555); its payment for the claim equals its line payments less its claim adjustments
    (2320 AMT*D = sum of SVD02 - 2320 CAS, RFIs 524 and 1294); SVD01 names a payer of a 2330B
    loop of the claim (RFI 1564); a claim sent as secondary (2000B SBR01 not P) carries the
    other payer's loop 2320, required "when other payers are known" to be involved; and each
    loop 2430 carries AMT*EAF, the remaining patient liability, required when its payer adjudicated
    the line, even at zero (RFIs 1521, 1515), and never reported for one payer at both the claim
    (2320) and the line level (RFI 1391)."""
    return _cob_problems(*_parse(text))


def _cob_problems(segments: list[str], split: list[list[str]], owners: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    claims: dict[str, dict] = {}
    state: dict = {"loop": ""}
    for e, claim in zip(split, owners, strict=True):
        tag = e[0]
        if tag == "HL":
            state = {"sequence": "", "others": [], "lines": [], "loop": "2000B"}
        elif tag == "CLM":
            claims[claim] = state
            state["loop"] = "2300"
        elif tag == "SBR" and state["loop"] == "2000B":
            state["sequence"] = e[1]
        elif tag == "SBR":
            state["loop"] = "2320"
            state["others"].append({"paid": None, "cas": Decimal(0), "payer": "", "eaf": False})
        elif tag == "AMT" and e[1] == "D" and state["loop"] == "2320":
            state["others"][-1]["paid"] = Decimal(e[2])
        elif tag == "AMT" and e[1] == "EAF" and state["loop"] == "2320":
            state["others"][-1]["eaf"] = True
        elif tag == "CAS" and state["loop"] == "2320":
            state["others"][-1]["cas"] += _cas_total(e)
        elif tag == "NM1" and e[1] == "PR" and state["loop"] == "2320" and len(e) > 9:
            state["others"][-1]["payer"] = e[9]
        elif tag == "SV1":
            state["loop"] = "2400"
            state["lines"].append({"charge": Decimal(e[2]), "paid": {}, "cas": {}, "eaf": []})
        elif tag == "SVD":
            state["loop"], state["svd"] = "2430", e[1]
            line = state["lines"][-1]
            line["paid"][e[1]] = line["paid"].get(e[1], Decimal(0)) + Decimal(e[2])
            line["eaf"].append([e[1], False])  # this 2430 iteration: its payer, AMT*EAF seen
        elif tag == "AMT" and e[1] == "EAF" and state["loop"] == "2430":
            state["lines"][-1]["eaf"][-1][1] = True
        elif tag == "CAS" and state["loop"] == "2430":
            line = state["lines"][-1]
            line["cas"][state["svd"]] = line["cas"].get(state["svd"], Decimal(0)) + _cas_total(e)
    for claim, state in claims.items():
        problems += [Problem(claim, message) for message in _claim_cob_problems(state)]
    return problems


def _claim_cob_problems(state: dict) -> list[str]:
    problems = []
    if state["sequence"] not in ("", "P") and not state["others"]:
        problems.append("A claim sent as secondary needs the other payer's loop 2320 (its payment and adjustments).")
    payers = {other["payer"] for other in state["others"]}
    at_claim_level = {other["payer"] for other in state["others"] if other["eaf"]}
    for number, line in enumerate(state["lines"], start=1):
        for payer, reported in line["eaf"]:
            if not reported:
                problems.append(
                    f"Line {number}: loop 2430 of other payer {payer} lacks AMT*EAF, the remaining patient "
                    "liability (0 when none)."
                )
            elif payer in at_claim_level:
                problems.append(
                    f"Line {number}: other payer {payer}'s remaining patient liability is reported at the claim "
                    "level (2320) and the line level (2430); report it at one level only."
                )
        for payer, paid in line["paid"].items():
            adjusted = line["cas"].get(payer, Decimal(0))
            if payer not in payers:
                problems.append(f"Line {number}: SVD01 {payer} names no other payer of the claim (loop 2330B).")
            if paid + adjusted != line["charge"]:
                problems.append(
                    f"Line {number}: other payer {payer} paid {paid} and adjusted {adjusted}, which does not add up "
                    f"to the line's charge {line['charge']}."
                )
    for other in state["others"]:
        line_paid = [line["paid"][other["payer"]] for line in state["lines"] if other["payer"] in line["paid"]]
        if line_paid and other["paid"] is not None and other["paid"] != sum(line_paid, Decimal(0)) - other["cas"]:
            problems.append(
                f"Other payer {other['payer']}: AMT*D {other['paid']} is not its line payments "
                f"{sum(line_paid, Decimal(0))} less its claim adjustments {other['cas']}."
            )
    return problems
