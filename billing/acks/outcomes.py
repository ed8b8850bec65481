"""What an acknowledgment says about each claim of the batch it answers, worked out before
anything is written: the batch, and for each claim accepted, rejected (with its reasons, in a
clerk's words) or neither. A file that can't be tied to one of our exported batches, or names
a claim we did not send, raises AcknowledgmentError and changes nothing."""

import functools
import re
from collections import defaultdict
from dataclasses import dataclass

import pyx12.dataele

from ..models import Claim, ClaimBatch
from ..validation import claim_of_each_segment
from ..x12 import SEGMENT
from . import codes
from .reading import AcknowledgmentError, ClaimStatus, Envelope, GroupResponse, ReceiverStatus, SegmentError, Status

OUR_TRANSACTION_SET = "0001"  # billing/x12.py writes one ST per 837P, always "0001"
OUR_GUIDE = "005010X222A1"
WHOLE_FILE = "The payer rejected the whole file for errors in other claims; resend."
_CLAIM_NUMBER = re.compile(r"^PS(\d{8,})$")  # Claim.claim_number


@dataclass
class Outcome:
    claim: Claim
    status: str  # Claim.Status.ACCEPTED or REJECTED; "" when the file neither accepts nor rejects it
    detail: str  # the file's word on the claim, reasons first
    payer_claim_number: str = ""  # REF*1K of a 277CA


@dataclass
class Plan:
    batch: ClaimBatch
    outcomes: list[Outcome]
    summary: str


def _exported(batch: ClaimBatch | None, described: str) -> ClaimBatch:
    if batch is None:
        raise AcknowledgmentError(
            f"This file answers {described}, which is none of our exported batches. It may be meant for another "
            "submitter, or for a batch exported from another copy of the app; nothing was imported."
        )
    if not batch.is_frozen:
        raise AcknowledgmentError(f"Batch {batch.pk} was never exported, so no payer can acknowledge it.")
    return batch


# --- 999 --------------------------------------------------------------------------------


def plan_999(groups: list[GroupResponse], env: Envelope) -> Plan:
    """The 999's answer to our one transaction set: accepted (A, E) for every claim, or rejected
    with each IK3 error given to the claim whose segment it points at (IK302, or CTX*CLM01), and
    the rest of the claims rejected with the whole file."""
    group = _our_group(groups)
    batch = ClaimBatch.objects.select_related("payer").filter(interchange_control_number=int(group.control_number))
    batch = _exported(batch.first(), f"group control number {group.control_number} (AK102)")
    foreign = [s.control_number for s in group.sets if s.control_number != OUR_TRANSACTION_SET]
    if foreign:
        raise AcknowledgmentError(
            f"This 999 answers transaction set {', '.join(foreign)} (AK202), but batch {batch.pk}'s file has "
            f"only {OUR_TRANSACTION_SET}; nothing was imported."
        )
    ours = group.sets[0] if group.sets else None
    code = ours.code if ours else group.code
    if code == "P" or not code:  # AK901 P without an AK2 can't say which transaction set was rejected
        raise AcknowledgmentError(f"This 999 neither accepts nor rejects batch {batch.pk}'s transaction set.")
    if ours:  # "one or more segments in error" says nothing the IK3s below do not
        redundant = ("5", "I5") if ours.segments else ()
        file_reasons = [codes.meaning(codes.TRANSACTION_ERRORS, e) for e in ours.errors if e not in redundant]
    else:
        file_reasons = [codes.meaning(codes.GROUP_ERRORS, e) for e in group.errors]
    claims = list(batch.claims.order_by("pk"))
    by_claim, outside = _segment_reasons(batch, ours.segments if ours else [])
    file_reasons += outside
    source = f"the payer's 999 (interchange {env.control_number} from {env.sender_id})"
    if code in codes.ACCEPTED:
        verdict = codes.meaning(codes.TRANSACTION_ACKNOWLEDGMENT, code)
        lead = f"Accepted by {source}: {verdict}"
        outcomes = [Outcome(c, Claim.Status.ACCEPTED, _sentence(lead, by_claim[c.claim_number])) for c in claims]
        return Plan(batch, outcomes, f"{verdict}: the {len(claims)} claim(s) of batch {batch.pk}.")
    outcomes = []
    for claim in claims:
        reasons = by_claim[claim.claim_number]
        if reasons:
            detail = _sentence(f"Rejected by {source}", reasons + file_reasons)
        elif file_reasons:
            detail = _sentence(f"Rejected by {source} with the whole file, for errors outside any claim", file_reasons)
        else:
            detail = f"Rejected by {source}. {WHOLE_FILE}"
        outcomes.append(Outcome(claim, Claim.Status.REJECTED, detail))
    in_error = sum(1 for claim in claims if by_claim[claim.claim_number])
    summary = f"Rejected: {in_error} claim(s) with errors; the batch's other {len(claims) - in_error} with them."
    return Plan(batch, outcomes, summary)


def _our_group(groups: list[GroupResponse]) -> GroupResponse:
    if len(groups) != 1:
        raise AcknowledgmentError(
            f"This 999 answers {len(groups)} files; import one 999 per batch (each answers one 837P we sent)."
        )
    group = groups[0]
    if group.functional_id != "HC" or (group.version and group.version != OUR_GUIDE):
        raise AcknowledgmentError(
            f"This 999 answers a {group.functional_id} file ({group.version or 'no version'}), not a professional "
            f"claim file (HC, {OUR_GUIDE}); nothing was imported."
        )
    if not group.control_number.isdigit():
        raise AcknowledgmentError(f"This 999 answers group control number {group.control_number!r}, not ours.")
    return group


def _segment_reasons(batch: ClaimBatch, errors: list[SegmentError]) -> tuple[dict, list[str]]:
    """Each IK3 error's reason, given to the claim that owns the segment; those of segments
    outside any claim (the envelope, the submitter, the billing provider) apart."""
    segments = [s for s in batch.file_837.strip().split(SEGMENT) if s]
    owners = claim_of_each_segment(segments)
    st = next((i for i, s in enumerate(segments) if s.startswith("ST*")), 0)
    by_claim, outside = defaultdict(list), []
    for error in errors:
        index = st + error.position - 1  # IK302 counts from the ST, which is position 1
        owner = error.claim_number or (owners[index] if error.position and index < len(owners) else "")
        (by_claim[owner] if owner else outside).append(_segment_reason(error))
    return by_claim, outside


@functools.cache
def _data_elements() -> pyx12.dataele.DataElements:
    return pyx12.dataele.DataElements()


def _element_name(reference: str) -> str:
    try:
        return _data_elements().get_by_elem_num(reference)["name"] or ""
    except Exception:  # pyx12's EngineError: a reference number it does not know
        return ""


def _segment_reason(error: SegmentError) -> str:
    loop = f", loop {error.loop}" if error.loop else ""
    where = f"{error.segment_id} segment (number {error.position} in the transaction{loop})"
    parts = []
    if error.code != "8" or not error.elements:  # 8 only says "see its elements"
        parts.append(codes.meaning(codes.SEGMENT_ERRORS, error.code))
    for element in error.elements:
        name = f"{error.segment_id}{element.position.zfill(2)}{'-' + element.component if element.component else ''}"
        label = _element_name(element.reference)
        found = f' (found "{element.bad_value}")' if element.bad_value else ""
        meaning = codes.meaning(codes.ELEMENT_ERRORS, element.code).lower()
        parts.append(f"{name}{' ' + label if label else ''}: {meaning}{found}")
    return f"{where}: {'; '.join(parts)}"


def _sentence(lead: str, reasons: list[str]) -> str:
    return " ".join([f"{lead}."] + [f"{reason.rstrip('.')}." for reason in reasons])


# --- 277CA ------------------------------------------------------------------------------


def plan_277ca(receivers: list[ReceiverStatus], env: Envelope) -> Plan:
    """Each claim accepted (A1, A2, A5) or rejected (A3, A4, A6, A7, A8) as its STC says, with
    the payer's claim number (REF*1K); pending and other categories only go into its history."""
    reported = defaultdict(list)
    for receiver in receivers:
        for status in receiver.claims:
            reported[status.claim_number].append(status)
    claims = _our_claims(list(reported))
    batch_ids = {claim.batch_id for claim in claims.values()}
    if len(batch_ids) > 1:
        raise AcknowledgmentError(
            f"This 277CA answers claims of batches {', '.join(map(str, sorted(batch_ids)))}; "
            "import is one batch per file, and nothing was imported."
        )
    if not claims:  # pyx12's map requires one (loop 2000D); a file can still name nothing we know
        raise AcknowledgmentError("This 277CA reports on no claim (TRN02 of loop 2200D); nothing was imported.")
    source = f"the payer's 277CA (interchange {env.control_number} from {env.sender_id})"
    batch = _exported(next(iter(claims.values())).batch, "these claims' batch")
    outcomes = [_claim_outcome(claims[number], statuses, source) for number, statuses in reported.items()]
    accepted = sum(1 for o in outcomes if o.status == Claim.Status.ACCEPTED)
    rejected = sum(1 for o in outcomes if o.status == Claim.Status.REJECTED)
    others = len(outcomes) - accepted - rejected
    summary = f"{accepted} claim(s) accepted, {rejected} rejected" + (f", {others} pending" if others else "")
    return Plan(batch, outcomes, f"{summary} of batch {batch.pk}.")


def _our_claims(numbers: list[str]) -> dict[str, Claim]:
    ids = {int(m.group(1)): number for number in numbers if (m := _CLAIM_NUMBER.match(number))}
    found = {c.pk: c for c in Claim.objects.select_related("batch__payer").filter(pk__in=list(ids))}
    unknown = [number for number in numbers if number not in {ids.get(pk) for pk in found}]
    if unknown:
        raise AcknowledgmentError(
            f"This 277CA reports on claims we did not send: {', '.join(unknown[:10])} (TRN02 of loop 2200D); "
            "nothing was imported."
        )
    return {claim.claim_number: claim for claim in found.values()}


def _claim_outcome(claim: Claim, reports: list[ClaimStatus], source: str) -> Outcome:
    statuses = [s for report in reports for s in report.statuses]
    categories = {s.category for s in statuses}
    if categories & codes.REJECTED_CATEGORIES:
        status, lead = Claim.Status.REJECTED, f"Rejected by {source}"
    elif categories & codes.ACCEPTED_CATEGORIES:
        status, lead = Claim.Status.ACCEPTED, f"Accepted by {source}"
    else:
        status, lead = "", f"Reported by {source}"
    reasons = [_status_reason(s) for s in statuses]
    for report in reports:
        reasons += [f"The payer's note: {message}" for message in report.messages]
        for procedure, line_statuses in report.lines:
            reasons += [f"Line {procedure}: {_status_reason(s)}" for s in line_statuses if _worth_showing(s, status)]
    numbers = [report.payer_claim_number for report in reports if report.payer_claim_number]
    return Outcome(claim, status, _sentence(lead, reasons), numbers[-1] if numbers else "")


def _worth_showing(status: Status, claim_status: str) -> bool:
    """A line's status matters when the claim is rejected, or when the line is not accepted."""
    return claim_status == Claim.Status.REJECTED or status.category not in codes.ACCEPTED_CATEGORIES


def _status_reason(status: Status) -> str:
    entity = codes.ENTITIES.get(status.entity, status.entity)
    about = f" ({entity})" if entity else ""
    category = codes.meaning(codes.CATEGORIES, status.category)
    return f"{status.category} {category}: {status.code} {codes.meaning(codes.STATUSES, status.code)}{about}"
