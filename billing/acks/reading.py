"""Read a 999 or a 277CA with pyx12, after pyx12 has validated it against its map: the envelope
with `X12Reader`, the loops with `X12ContextReader`, never by splitting strings. What comes out
is plain data; deciding what it means for our claims is `services`' work."""

import io
from dataclasses import dataclass, field

import pyx12.error_handler
import pyx12.params
import pyx12.x12context
import pyx12.x12file

from ..validation import pyx12_errors

IMPLEMENTATION_GUIDES_999 = ("005010X231A1", "005010X231")  # pyx12 has a map for each
CLAIM_ACKNOWLEDGMENT_GUIDE = "005010X214"


class AcknowledgmentError(Exception):
    """The file can't be imported; nothing was changed. Carries every message to show."""

    def __init__(self, messages: "str | list[str]"):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(self.messages))


@dataclass(frozen=True)
class Envelope:
    kind: str  # Acknowledgment.Kind value: "999" or "277CA"
    sender_id: str  # ISA06
    control_number: str  # ISA13


@dataclass
class ElementError:  # IK4
    position: str  # IK401-1, the element's position in the segment
    component: str  # IK401-2
    reference: str  # IK402, the data element's reference number
    code: str  # IK403
    bad_value: str  # IK404


@dataclass
class SegmentError:  # IK3, with its IK4s
    segment_id: str  # IK301
    position: int  # IK302: the segment's position in the transaction set, ST = 1
    loop: str  # IK303
    code: str  # IK304
    claim_number: str = ""  # CTX*CLM01, when the payer names the claim itself
    elements: list[ElementError] = field(default_factory=list)


@dataclass
class SetResponse:  # AK2 ... IK5
    set_id: str  # AK201
    control_number: str  # AK202
    code: str  # IK501
    errors: list[str]  # IK502-IK506
    segments: list[SegmentError]


@dataclass
class GroupResponse:  # AK1 ... AK9
    functional_id: str  # AK101
    control_number: str  # AK102: our GS06
    version: str  # AK103
    code: str  # AK901
    errors: list[str]  # AK905-AK909
    sets: list[SetResponse]


@dataclass(frozen=True)
class Status:  # one STC composite
    category: str
    code: str
    entity: str


@dataclass
class ClaimStatus:  # loop 2200D
    claim_number: str  # TRN02: our CLM01
    statuses: list[Status]
    messages: list[str]  # STC12 free text
    payer_claim_number: str  # REF*1K
    lines: list[tuple[str, list[Status]]]  # (procedure, statuses) for each SVC in loop 2220D


@dataclass
class ReceiverStatus:  # loop 2000B: the information receiver (us) and the claims it sent
    batch_reference: str  # 2200B TRN02: the BHT03 of the 837 it answers (ours: "B" and the batch's id)
    statuses: list[Status]  # 2200B STC: the whole file's status
    claims: list[ClaimStatus]


def validate(text: str) -> Envelope:
    """pyx12's verdict first (its messages, if any, reject the file), then what kind of file it is."""
    if not text.lstrip().startswith("ISA"):
        raise AcknowledgmentError("This is not an X12 file: a 999 or a 277CA starts with its ISA segment.")
    errors = pyx12_errors(text)
    if errors:
        raise AcknowledgmentError(errors)
    return envelope(text)


def envelope(text: str) -> Envelope:
    isa = gs = st = None
    with pyx12.x12file.X12Reader(io.StringIO(text)) as reader:
        for segment in reader:
            seg_id = segment.get_seg_id()
            isa = segment if seg_id == "ISA" else isa
            gs = segment if seg_id == "GS" and gs is None else gs
            if seg_id == "ST":
                st = segment
                break
    if isa is None or gs is None or st is None:
        raise AcknowledgmentError("The file has no transaction set (ST) to read.")
    functional_id, version, set_id = gs.get_value("GS01"), gs.get_value("GS08") or "", st.get_value("ST01")
    if functional_id == "FA" and set_id == "999" and version in IMPLEMENTATION_GUIDES_999:
        kind = "999"
    elif functional_id == "HN" and set_id == "277" and version == CLAIM_ACKNOWLEDGMENT_GUIDE:
        kind = "277CA"
    else:
        raise AcknowledgmentError(
            f"This file is a {set_id} ({version}), not a 999 (005010X231A1) or a 277CA (005010X214) "
            "acknowledgment; import remittances (835) and eligibility responses (271) on their own pages."
        )
    sender, control = (isa.get_value("ISA06") or "").strip(), (isa.get_value("ISA13") or "").strip()
    if not sender or not control.isdigit():  # they tell one file from another: without them, no "already imported"
        raise AcknowledgmentError("The file's ISA names no sender (ISA06) or no control number (ISA13).")
    return Envelope(kind, sender, control)


def _reader(text: str) -> pyx12.x12context.X12ContextReader:
    return pyx12.x12context.X12ContextReader(pyx12.params.params(), pyx12.error_handler.errh_null(), io.StringIO(text))


def _values(node, *refs: str) -> list[str]:
    return [value for value in (node.get_value(ref) for ref in refs) if value]


def read_999(text: str) -> list[GroupResponse]:
    """Each functional group the 999 answers (one per transaction set of the 999)."""
    groups = []
    with _reader(text) as reader:
        for node in reader.iter_segments("ST_LOOP"):
            if node.id != "ST_LOOP":
                continue
            groups.append(
                GroupResponse(
                    functional_id=node.get_value("HEADER/AK101") or "",
                    control_number=node.get_value("HEADER/AK102") or "",
                    version=node.get_value("HEADER/AK103") or "",
                    code=node.get_value("HEADER/AK901") or "",
                    errors=_values(node, *(f"HEADER/AK90{n}" for n in range(5, 10))),
                    sets=[_set_response(ak2) for ak2 in node.select("HEADER/2000")],
                )
            )
    return groups


def _set_response(ak2) -> SetResponse:
    return SetResponse(
        set_id=ak2.get_value("AK201") or "",
        control_number=ak2.get_value("AK202") or "",
        code=ak2.get_value("IK501") or "",
        errors=_values(ak2, *(f"IK50{n}" for n in range(2, 7))),
        segments=[_segment_error(ik3) for ik3 in ak2.select("2100")],
    )


def _segment_error(ik3) -> SegmentError:
    position = ik3.get_value("IK302") or ""
    # The business unit CTX names the claim outright (CTX01-1 "CLM01", CTX01-2 our CLM01).
    contexts = [ctx.get_value("CTX01-2") or "" for ctx in ik3.select("CTX") if ctx.get_value("CTX01-1") == "CLM01"]
    return SegmentError(
        segment_id=ik3.get_value("IK301") or "",
        position=int(position) if position.isdigit() else 0,
        loop=ik3.get_value("IK303") or "",
        code=ik3.get_value("IK304") or "",
        claim_number=contexts[0] if contexts else "",
        elements=[
            ElementError(
                position=ik4.get_value("IK401-1") or "",
                component=ik4.get_value("IK401-2") or "",
                reference=ik4.get_value("IK402") or "",
                code=ik4.get_value("IK403") or "",
                bad_value=ik4.get_value("IK404") or "",
            )
            for ik4 in ik3.select("2110")
        ],
    )


def _statuses(stc) -> list[Status]:
    return [
        Status(stc.get_value(f"STC{n}-1") or "", stc.get_value(f"STC{n}-2") or "", stc.get_value(f"STC{n}-3") or "")
        for n in ("01", "10", "11")
        if stc.get_value(f"STC{n}-1")
    ]


def read_277ca(text: str) -> list[ReceiverStatus]:
    """Each receiver loop (2000B) with its batch reference and status, and its claims' statuses."""
    receivers = []
    with _reader(text) as reader:
        for receiver in reader.iter_segments("2000B"):
            if receiver.id == "2000B":
                receivers.append(
                    ReceiverStatus(
                        batch_reference=receiver.get_value("2200B/TRN02") or "",
                        statuses=[status for stc in receiver.select("2200B/STC") for status in _statuses(stc)],
                        claims=[_claim_status(claim) for claim in receiver.select("2000C/2000D/2200D")],
                    )
                )
    return receivers


def _claim_status(claim) -> ClaimStatus:
    stcs = list(claim.select("STC"))
    return ClaimStatus(
        claim_number=claim.get_value("TRN02") or "",
        statuses=[status for stc in stcs for status in _statuses(stc)],
        messages=[stc.get_value("STC12") for stc in stcs if stc.get_value("STC12")],
        payer_claim_number=claim.get_value("REF[1K]02") or "",
        lines=[
            (
                " ".join(_values(line, *(f"SVC01-{n}" for n in range(2, 7)))),
                [status for stc in line.select("STC") for status in _statuses(stc)],
            )
            for line in claim.select("2220D")
        ],
    )
