"""Reading an 835 remittance advice (005010X221A1): first validated by pyx12 against its 835
map, then walked with pyx12's context reader (loop by loop, as the map defines them) into plain
dataclasses. Nothing here touches the database; importing.py decides what to store.

Amounts are Decimal from the file's text; an X12 number such as "-73.08" or ".5" is read with
Decimal(text), never float(). pyx12 accepts a number of up to 18 characters; one wider than the
column it is stored in, or posted to, or with a fraction of a cent, is refused here naming its
CLP and element, rather than failing in the database.
"""

import datetime
import io
import json
import logging
import threading
from dataclasses import dataclass, field
from decimal import Decimal

import pyx12.error_handler
import pyx12.errors
import pyx12.params
import pyx12.x12context
import pyx12.x12file
import pyx12.x12n_document

VERSION = "005010X221A1"
# Digits before the decimal point of the columns (billing/models): a remittance's own figures
# (BPR, CLP, PLB) are NUMERIC(12,2); what is posted to a claim line (SVC, AMT*B6, CAS) must fit
# ClaimLine's NUMERIC(10,2); units and CAS quantities NUMERIC(9,2).
WIDE, LINE, QUANTITY = 10, 8, 7
CENT = Decimal("0.01")
# What other X12 files are, so a person who picked the wrong file is told which one it was.
OTHER_KINDS = {
    "999": "a 999 acknowledgment",
    "997": "a 997 acknowledgment",
    "837": "an 837 claim file",
    "277": "a 277 claim status response",
    "271": "a 271 eligibility response",
    "270": "a 270 eligibility inquiry",
}


class RemittanceFileError(Exception):
    """The file can't be imported: not an 835, or invalid. `messages` says why, one per line
    (pyx12's own findings for an invalid file)."""

    def __init__(self, messages: "str | list[str]"):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(self.messages))


@dataclass
class ParsedAdjustment:
    """One reason of a CAS segment: group (CO, PR, OA, PI, CR), reason code, amount, quantity."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None = None


@dataclass
class ParsedLine:
    """An SVC (loop 2110). `hcpcs` and `modifiers` are what the payer adjudicated (SVC01); when
    it changed the code it sends the submitted one in SVC06, kept in `submitted_*`."""

    hcpcs: str
    modifiers: list[str]
    service_date: datetime.date | None
    charge: Decimal
    paid: Decimal
    allowed: Decimal | None = None
    units: Decimal | None = None
    adjustments: list[ParsedAdjustment] = field(default_factory=list)
    remark_codes: list[str] = field(default_factory=list)
    submitted_hcpcs: str = ""
    submitted_modifiers: list[str] = field(default_factory=list)

    @property
    def billed_code(self) -> tuple[str, list[str]]:
        """The procedure as we billed it: SVC06 when the payer sent one, else SVC01."""
        return (
            (self.submitted_hcpcs, self.submitted_modifiers) if self.submitted_hcpcs else (self.hcpcs, self.modifiers)
        )


@dataclass
class ParsedClaim:
    """A CLP (loop 2100) with its claim-level CAS, remark codes (MOA) and service lines."""

    patient_control_number: str
    status_code: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal | None = None
    payer_claim_number: str = ""
    member_id: str = ""
    patient_name: str = ""
    adjustments: list[ParsedAdjustment] = field(default_factory=list)
    lines: list[ParsedLine] = field(default_factory=list)
    remark_codes: list[str] = field(default_factory=list)
    service_date: datetime.date | None = None  # DTM*232, the claim's first date of service
    filing_indicator: str = ""  # CLP06, the claim filing indicator (CI, 12, MB ...)


@dataclass
class ParsedRemittance:
    """One 835 transaction (ST to SE): one payment (BPR), its trace (TRN) and its claims."""

    trace_number: str
    payer_identifier: str
    payer_name: str
    payment_amount: Decimal
    payment_method: str
    paid_on: datetime.date | None
    claims: list[ParsedClaim] = field(default_factory=list)
    # PLB: (reason PLB03-1, reference PLB03-2, amount); a positive amount is taken from the payment.
    provider_adjustments: list[tuple[str, str, Decimal]] = field(default_factory=list)
    # What names the payer besides TRN03: N1*PR's ID (N104), REF*2U, and the sender (ISA06).
    payer_ids: list[str] = field(default_factory=list)
    sender_id: str = ""


def read_835(text: str) -> list[ParsedRemittance]:
    """Every transaction of an 835 file, once pyx12 finds it valid; raises RemittanceFileError
    with the reasons otherwise."""
    check_is_835(text)
    problems = [m for m in validation_messages(text) if not _tolerated(m, text)]
    if problems:
        raise RemittanceFileError(problems)
    return _parse(text)


# The 835 guide (005010X221A1) marks ST03 "Not Used", and pyx12's map with it, yet payers and
# clearinghouses commonly fill it with the guide's own version, as every other 5010 guide
# requires. It carries no data we read, so that one finding, with exactly that value, does not
# refuse a remittance; any other ST03 is still reported.
_ST03_NOT_USED = "(ST03) is marked as Not Used"


def _tolerated(message: str, text: str) -> bool:
    if not message.endswith(_ST03_NOT_USED):
        return False
    st03 = {seg.get_value("ST03") for seg in pyx12.x12file.X12Reader(io.StringIO(text)) if seg.get_seg_id() == "ST"}
    return st03 <= {VERSION, None, ""}


def check_is_835(text: str) -> None:
    """Refuse, in plain words, a file that is not an 835 in 005010X221A1."""
    try:
        segments = [seg for seg in pyx12.x12file.X12Reader(io.StringIO(text)) if seg.get_seg_id() in ("GS", "ST")]
        versions = {seg.get_value("GS08") or "" for seg in segments if seg.get_seg_id() == "GS"}
        types = {seg.get_value("ST01") or "" for seg in segments if seg.get_seg_id() == "ST"}
    except (pyx12.errors.X12Error, pyx12.errors.EngineError, IndexError, ValueError) as error:
        raise RemittanceFileError(f"This is not an X12 file an 835 can be read from: {error}") from error
    if not types:
        raise RemittanceFileError("The file has no transaction (no ST segment): it is not an 835 remittance.")
    others = sorted(types - {"835"})
    if others:
        names = ", ".join(OTHER_KINDS.get(kind, f"a {kind} transaction") for kind in others)
        raise RemittanceFileError(f"This file is {names}, not an 835 remittance advice. Import it where it belongs.")
    if versions != {VERSION}:
        found = ", ".join(sorted(versions)) or "none"
        raise RemittanceFileError(f"Only 835s in version {VERSION} are read; this file's version (GS08) is {found}.")


class _Collect(logging.Handler):
    """pyx12 logs every finding ("Line:7 ELE:8 - ...") and its JSON report leaves some out (the
    ST segment's elements). Collected for this thread only: two imports at once keep their own."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record):
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


def validation_messages(text: str) -> list[str]:
    """pyx12's findings against the 835 map, readable; [] when the file is valid."""
    errors_json = io.StringIO()
    handler = _Collect()
    logger = logging.getLogger("pyx12")
    logger.addHandler(handler)
    try:
        # No 999 is written (fd_997 None): pyx12 can't write one for an 835 without ST03.
        valid = pyx12.x12n_document.x12n_document(
            pyx12.params.params(), io.StringIO(text), None, None, None, errors_json
        )
    except Exception as exc:  # pyx12 raises its own EngineError and plain errors on unreadable input
        return [f"pyx12 could not read the file: {exc}"]
    finally:
        logger.removeHandler(handler)
    messages, reported = _json_messages(errors_json.getvalue())
    # The log's lines not already in the JSON report ("Line:3 ELE:10 - ..." -> "Segment 3: ..."),
    # which end with the value found in brackets.
    for line in handler.messages:
        where, _, what = line.partition(" - ")
        if what and not any(what.startswith(err) for err in reported):
            messages.append(f"Segment {where.removeprefix('Line:').split(' ')[0]}: {what}")
    if not valid and not messages:
        messages.append("pyx12 found the file invalid without saying where.")
    return messages


def _json_messages(report_text: str) -> tuple[list[str], set[str]]:
    """The messages of pyx12's JSON report, and the bare error texts (to leave the log's copies out)."""
    report = json.loads(report_text or '{"interchanges": []}')
    messages, errors = [], set()
    for isa in report["interchanges"]:
        found = [("", e) for e in isa["errors"]]
        for gs in isa["groups"]:
            found += [("", e) for e in gs["errors"]]
            for st in gs["transactions"]:
                found += [("", e) for e in st["errors"]]
                for seg in st["segments"]:
                    where = f"Segment {seg['cur_line']}, {seg['name']} ({seg['seg_id']}): "
                    found += [(where, e) for e in seg["errors"]]
                    found += [(where, e) for element in seg["elements"] for e in element["errors"]]
        messages += [where + e["err_str"] for where, e in found]
        errors |= {e["err_str"] for _, e in found}
    return messages, errors


# --- Walking the file ------------------------------------------------------------------------


def _parse(text: str) -> list[ParsedRemittance]:
    remittances: list[ParsedRemittance] = []
    current: ParsedRemittance | None = None
    sender = ""
    in_payer_loop = False
    reader = pyx12.x12context.X12ContextReader(
        pyx12.params.params(), pyx12.error_handler.errh_null(), io.StringIO(text)
    )
    # Loop 2100 (a CLP with its 2110 service lines) comes whole as a tree; other segments one by one.
    for node in reader.iter_segments("2100"):
        if node.id == "2100":
            current.claims.append(_claim(node))
            continue
        seg = node.seg_data
        seg_id = seg.get_seg_id()
        if seg_id == "ISA":
            sender = (seg.get_value("ISA06") or "").strip()
        elif seg_id == "ST":
            current = ParsedRemittance("", "", "", Decimal(0), "", None, sender_id=sender)
            remittances.append(current)
        elif seg_id == "BPR":
            current.payment_amount = _amount(seg, "BPR02", "The payment")
            current.payment_method = seg.get_value("BPR04") or ""
            current.paid_on = _date(seg.get_value("BPR16"))
        elif seg_id == "TRN":
            current.trace_number = seg.get_value("TRN02") or ""
            current.payer_identifier = seg.get_value("TRN03") or ""
        elif seg_id == "N1":
            in_payer_loop = seg.get_value("N101") == "PR"
            if in_payer_loop:
                current.payer_name = seg.get_value("N102") or ""
                current.payer_ids += [v for v in [seg.get_value("N104")] if v]
        elif seg_id == "REF" and in_payer_loop and seg.get_value("REF01") == "2U":
            current.payer_ids.append(seg.get_value("REF02") or "")
        elif seg_id == "PLB":
            current.provider_adjustments += _plb(seg)
    return remittances


def _segments(loop) -> list:
    """The segments directly in a loop (not in its child loops), in file order."""
    return [child.seg_data for child in loop.children if child.type == "seg"]


def _claim(loop) -> ParsedClaim:
    claim = where = None
    for seg in _segments(loop):
        seg_id = seg.get_seg_id()
        if seg_id == "CLP":
            where = f"CLP {seg.get_value('CLP01') or ''}"
            claim = ParsedClaim(
                patient_control_number=seg.get_value("CLP01") or "",
                status_code=seg.get_value("CLP02") or "",
                charge=_amount(seg, "CLP03", where),
                paid=_amount(seg, "CLP04", where),
                patient_responsibility=_amount(seg, "CLP05", where, default=None),
                payer_claim_number=seg.get_value("CLP07") or "",
                filing_indicator=seg.get_value("CLP06") or "",
            )
        elif seg_id == "CAS":
            claim.adjustments += _cas(seg, where)
        elif seg_id == "NM1" and seg.get_value("NM101") == "QC":
            claim.member_id = seg.get_value("NM109") or ""
            names = [seg.get_value("NM103") or "", seg.get_value("NM104") or ""]
            claim.patient_name = ", ".join(n for n in names if n)
        elif seg_id == "MOA":
            claim.remark_codes += [v for v in (seg.get_value(f"MOA{n:02d}") for n in range(3, 8)) if v]
        elif seg_id == "DTM" and seg.get_value("DTM01") == "232":
            claim.service_date = _date(seg.get_value("DTM02"))
    for child in loop.children:
        if child.type == "loop" and child.id == "2110":
            claim.lines.append(_line(child, claim.service_date, f"{where}, line {len(claim.lines) + 1}"))
    return claim


def _line(loop, claim_date, where: str) -> ParsedLine:
    line = None
    dates: dict[str, datetime.date | None] = {}
    for seg in _segments(loop):
        seg_id = seg.get_seg_id()
        if seg_id == "SVC":
            hcpcs, modifiers = _procedure(seg, "SVC01")
            submitted, submitted_modifiers = _procedure(seg, "SVC06")
            units = "SVC05" if seg.get_value("SVC05") else "SVC07"
            line = ParsedLine(
                hcpcs=hcpcs,
                modifiers=modifiers,
                service_date=None,
                charge=_amount(seg, "SVC02", where, digits=LINE),
                paid=_amount(seg, "SVC03", where, digits=LINE),
                units=_amount(seg, units, where, digits=QUANTITY, default=None, cents=False),
                submitted_hcpcs=submitted,
                submitted_modifiers=submitted_modifiers,
            )
        elif seg_id == "DTM":
            dates[seg.get_value("DTM01") or ""] = _date(seg.get_value("DTM02"))
        elif seg_id == "CAS":
            line.adjustments += _cas(seg, where)
        elif seg_id == "AMT" and seg.get_value("AMT01") == "B6":
            line.allowed = _amount(seg, "AMT02", where, digits=LINE)
        elif seg_id == "LQ" and seg.get_value("LQ01") == "HE":
            line.remark_codes.append(seg.get_value("LQ02") or "")
    # The date of service (472), or the start of a service period (150), else the claim's date.
    line.service_date = dates.get("472") or dates.get("150") or dates.get("151") or claim_date
    return line


def _procedure(seg, ref: str) -> tuple[str, list[str]]:
    """SVC01 or SVC06, HC:code:mod1..mod4: the code and its modifiers ("" when absent)."""
    code = seg.get_value(f"{ref}-2") or ""
    modifiers = [m for m in (seg.get_value(f"{ref}-{n}") for n in range(3, 7)) if m]
    return code, modifiers


def _cas(seg, where: str) -> list[ParsedAdjustment]:
    """CAS01 is the group; up to six reason, amount, quantity triplets follow (CAS02-CAS19). A
    claim's CAS is spread over its lines when posted, so it too must fit a line's column."""
    group = seg.get_value("CAS01") or ""
    found = []
    for start in range(2, 20, 3):
        reason = seg.get_value(f"CAS{start:02d}")
        if reason:
            amount = _amount(seg, f"CAS{start + 1:02d}", where, digits=LINE)
            quantity = _amount(seg, f"CAS{start + 2:02d}", where, digits=QUANTITY, default=None, cents=False)
            found.append(ParsedAdjustment(group, reason, amount, quantity))
    return found


def _plb(seg) -> list[tuple[str, str, Decimal]]:
    """PLB03/04 to PLB13/14: up to six pairs of a composite (reason:reference) and an amount."""
    found = []
    for start in range(3, 15, 2):
        reason = seg.get_value(f"PLB{start:02d}-1")
        if reason:
            amount = _amount(seg, f"PLB{start + 1:02d}", "PLB")
            found.append((reason, seg.get_value(f"PLB{start:02d}-2") or "", amount))
    return found


def _amount(seg, ref: str, where: str, *, digits=WIDE, default=Decimal(0), cents=True) -> Decimal | None:
    """Element `ref` of `seg` as a Decimal (`default` when empty), refused when it has more than
    `digits` digits before the point or, for money (`cents`), a fraction of a cent."""
    text = seg.get_value(ref)
    if not text:
        return default
    value = Decimal(text)
    if abs(value) >= 10**digits or (cents and value != value.quantize(CENT)):
        kind = "a fraction of a cent" if abs(value) < 10**digits else f"more than {digits} digits before the point"
        raise RemittanceFileError(
            f"{where}: {ref} is {text}, which has {kind}; it can't be stored or posted. Ask the payer to check it."
        )
    return value


def _date(text: str | None) -> datetime.date | None:
    """CCYYMMDD (pyx12 has checked it is a real date)."""
    if not text or len(text) != 8:
        return None
    return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
