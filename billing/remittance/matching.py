"""Which of our claims and claim lines a remittance speaks of, whether its figures add up, and
billing staff's hand work on the lines that matched nothing (resolve to a claim, or dismiss).

- A CLP is ours when CLP01 is a claim number we sent (CLM01, "PS" and eight digits) of an
  exported batch. When the file's payer can be told (its IDs name exactly one of our payers),
  a claim billed to another payer is not matched: the conservative reading, since the payer
  can't pay what it was never sent.
- An SVC matches a line of that claim by procedure code (as billed: SVC06 when the payer changed
  it), modifiers and date of service; of several such lines, the first not yet matched by an
  earlier SVC of the same CLP, in the claim's line order.
- A reversal (CLP02 22) of a replacement or void claim reverses what the original claim was
  paid, so it posts to the original's lines.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import audit_record
from programs.models import Payer

from ..models import Claim, ClaimBatch, ClaimLine, Remittance, RemittanceLine
from .posting import post_claim
from .reader import ParsedClaim, ParsedLine, ParsedRemittance

CLAIM_NUMBER = re.compile(r"^PS(\d{8})$")


def claim_pk(number: str) -> int | None:
    found = CLAIM_NUMBER.match(number.strip())
    return int(found.group(1)) if found else None


def identify_payer(parsed: ParsedRemittance) -> Payer | None:
    """Our payer, when the file's payer IDs (N1*PR N104, REF*2U) name exactly one; failing
    those, when its sender (ISA06, the payer or its clearinghouse) does. None: we can't tell."""
    ids = {i.strip() for i in parsed.payer_ids if i.strip()}
    queries = ([Q(payer_id__in=ids)] if ids else []) + ([Q(receiver_id=parsed.sender_id)] if parsed.sender_id else [])
    for query in queries:
        payers = list(Payer.objects.filter(query)[:2])
        if payers:
            return payers[0] if len(payers) == 1 else None
    return None


def target_claim(claim: Claim, status_code: str) -> Claim:
    """The claim a CLP posts to: a reversal of a correction reverses the original's payment."""
    if status_code == "22" and claim.original_id and claim.frequency != Claim.Frequency.ORIGINAL:
        return claim.original
    return claim


def our_claims(numbers, payer: Payer | None) -> dict[str, Claim]:
    """Our exported claims named by these CLP01s (and billed to `payer` when it is known), with
    their lines and their originals' lines, in three queries whatever their number."""
    pks = {pk for pk in (claim_pk(n) for n in numbers) if pk}
    claims = Claim.objects.filter(pk__in=pks, batch__status=ClaimBatch.Status.EXPORTED)
    if payer is not None:
        claims = claims.filter(batch__payer=payer)
    claims = claims.select_related("original").prefetch_related("lines", "original__lines")
    return {claim.claim_number: claim for claim in claims}


def match_lines(claim: Claim, lines: list[ParsedLine]) -> list[ClaimLine | None]:
    """Each SVC's claim line, or None (see the module's docstring for the rule)."""
    used: set[int] = set()
    found = []
    for line in lines:
        match = _first_candidate(claim.lines.all(), line, used)
        if match is not None:
            used.add(match.pk)
        found.append(match)
    return found


def _first_candidate(claim_lines, line: ParsedLine, used: set[int]) -> ClaimLine | None:
    code, modifiers = line.billed_code
    for candidate in claim_lines:  # ClaimLine's order: date of service, then the order billed
        same = candidate.hcpcs == code and sorted(candidate.modifiers) == sorted(modifiers)
        if same and candidate.service_date == line.service_date and candidate.pk not in used:
            return candidate
    return None


# --- Balance --------------------------------------------------------------------------------


def balance_problems(parsed: ParsedRemittance, matched: set[str]) -> list[str]:
    """Why the remittance does not add up, one sentence each naming the CLP01 and the line; []
    when it balances (005010X221A1 section 1.10.2, balancing). `matched`: the CLP01s that are our
    claims, which must also be postable line by line."""
    problems = []
    for claim in parsed.claims:
        problems += _claim_problems(claim, claim.patient_control_number in matched)
    paid = sum((c.paid for c in parsed.claims), Decimal(0))
    plb = sum((amount for _, _, amount in parsed.provider_adjustments), Decimal(0))
    if paid - plb != parsed.payment_amount:
        problems.append(
            f"The file: the claims' payments ({paid}) less the provider-level adjustments ({plb}) come to "
            f"{paid - plb}, but the payment (BPR02) is {parsed.payment_amount}."
        )
    return problems


def _claim_problems(claim: ParsedClaim, ours: bool) -> list[str]:
    name = f"CLP {claim.patient_control_number}"
    problems = []
    for number, line in enumerate(claim.lines, start=1):
        adjusted = sum((a.amount for a in line.adjustments), Decimal(0))
        if line.charge - adjusted != line.paid:
            problems.append(
                f"{name}, line {number} ({_describe(line)}): the charge {line.charge} less its adjustments "
                f"{adjusted} is {line.charge - adjusted}, but the payer paid {line.paid}."
            )
    claim_adjusted = sum((a.amount for a in claim.adjustments), Decimal(0))
    line_adjusted = sum((a.amount for line in claim.lines for a in line.adjustments), Decimal(0))
    if claim.charge - claim_adjusted - line_adjusted != claim.paid:
        problems.append(
            f"{name}: the charge {claim.charge} less its adjustments ({claim_adjusted} on the claim, "
            f"{line_adjusted} on its lines) is {claim.charge - claim_adjusted - line_adjusted}, "
            f"but the claim's payment (CLP04) is {claim.paid}."
        )
    if claim.lines:
        charges = sum((line.charge for line in claim.lines), Decimal(0))
        if charges != claim.charge:
            problems.append(f"{name}: its lines' charges add up to {charges}, not the claim's charge {claim.charge}.")
    spread = "spread over the claim's lines in proportion to their charges"
    if ours and not claim.lines:
        problems.append(
            f"{name}: the payer decided the whole claim without service lines (SVC). Check it with the payer; "
            f"posted after review, its payment and adjustments are {spread}."
        )
    elif ours and claim_adjusted:
        problems.append(
            f"{name}: {claim_adjusted} is adjusted on the claim, not on a line. Check it with the payer; "
            f"posted after review, it is {spread}."
        )
    return problems


def _describe(line: ParsedLine) -> str:
    code = " ".join([line.hcpcs, *line.modifiers])
    day = line.service_date
    return f"{code} on {day:%b} {day.day}, {day.year}" if day else code


# --- Unmatched lines -------------------------------------------------------------------------


def unmatched_reasons(rlines) -> dict[int, str]:
    """Why each unmatched line matched nothing, in words, for a page of them: one query."""
    pks = {claim_pk(r.remittance_claim.patient_control_number) for r in rlines if not r.remittance_claim.claim_id}
    claims = Claim.objects.filter(pk__in=pks - {None}).select_related("batch__payer")
    claims = {claim.claim_number: claim for claim in claims}
    reasons = {}
    for rline in rlines:
        rclaim = rline.remittance_claim
        number = rclaim.patient_control_number
        claim = claims.get(number)
        if rclaim.claim_id:
            reasons[rline.pk] = f"No line of {number} is this code and date, or an earlier line of the CLP took it."
        elif claim is None or not claim.batch.is_frozen:
            reasons[rline.pk] = f"{number} is not one of our exported claims."
        else:
            payer = rclaim.remittance.payer or rclaim.remittance.payer_name
            reasons[rline.pk] = f"{number} was billed to {claim.batch.payer}; this remittance is from {payer}."
    return reasons


@dataclass(frozen=True)
class Resolved:
    claim: Claim
    line: ClaimLine


def remittance_line_resolve(*, rline: RemittanceLine, claim: Claim, ctx: AuditContext) -> Resolved:
    """Billing staff say which of our claims an unmatched line belongs to; its line is found by
    code, modifiers and date, then posted as if it had matched at import."""
    with transaction.atomic():
        rline = (
            RemittanceLine.objects.select_for_update().select_related("remittance_claim__remittance").get(pk=rline.pk)
        )
        rclaim = rline.remittance_claim
        _check_open(rline)
        if not ClaimBatch.objects.get(pk=claim.batch_id).is_frozen:
            raise ValidationError(f"{claim.claim_number} has not been sent: only exported claims are paid.")
        target = target_claim(claim, rclaim.status_code)
        if rclaim.claim_id and rclaim.claim_id != target.pk:
            raise ValidationError(
                f"This remittance claim is already matched to {rclaim.claim.claim_number}; its lines belong to it."
            )
        # Lines this remittance already posts the same way (a payment, or a reversal) are taken:
        # one remittance does not pay a line twice, though it may reverse it and pay it again.
        same_sign = {"charge__gte": 0} if rline.charge >= 0 else {"charge__lt": 0}
        siblings = RemittanceLine.objects.filter(remittance_claim__remittance=rclaim.remittance_id, **same_sign)
        taken = set(siblings.exclude(claim_line=None).values_list("claim_line_id", flat=True))
        parsed = ParsedLine(
            rline.hcpcs, rline.modifiers, rline.service_date, rline.charge, rline.paid,
            submitted_hcpcs=rline.submitted_hcpcs, submitted_modifiers=rline.submitted_modifiers,
        )  # fmt: skip
        line = _first_candidate(target.lines.all(), parsed, taken)
        if line is None:
            raise ValidationError(
                f"{target.claim_number} has no line {_describe(parsed)} that is not already matched; "
                "choose another claim or dismiss the line."
            )
        rclaim.claim = target
        rclaim.save(update_fields=["claim"])
        rline.claim_line, rline.match = line, RemittanceLine.Match.RESOLVED
        rline.decided_by, rline.decided_at = ctx.actor, timezone.now()
        rline.save(update_fields=["claim_line", "match", "decided_by", "decided_at"])
        post_claim(rclaim, [(rline, list(rline.adjustments.all()))], actor=ctx.actor)
        details = {"resolved_line": rline.pk, "claim": target.pk, "claim_line": line.pk}
        audit_record(action=AuditEvent.Action.UPDATE, ctx=ctx, target=rclaim.remittance, details=details)
    return Resolved(target, line)


def remittance_line_dismiss(*, rline: RemittanceLine, reason: str, ctx: AuditContext) -> RemittanceLine:
    """Billing staff decide an unmatched line is not ours to post (another agency's, a duplicate),
    with the reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why this line is dismissed.")
    with transaction.atomic():
        rline = (
            RemittanceLine.objects.select_for_update().select_related("remittance_claim__remittance").get(pk=rline.pk)
        )
        _check_open(rline)
        rline.match, rline.dismiss_reason = RemittanceLine.Match.DISMISSED, reason[:300]
        rline.decided_by, rline.decided_at = ctx.actor, timezone.now()
        rline.full_clean()
        rline.save(update_fields=["match", "dismiss_reason", "decided_by", "decided_at"])
        remittance = rline.remittance_claim.remittance
        details = {"dismissed_line": rline.pk, "fields": ["match", "dismiss_reason", "decided_by"]}
        audit_record(action=AuditEvent.Action.UPDATE, ctx=ctx, target=remittance, details=details)
    return rline


def _check_open(rline: RemittanceLine) -> None:
    if rline.match != RemittanceLine.Match.UNMATCHED:
        raise ValidationError(f"This line was already {rline.get_match_display().lower()}.")
    if rline.remittance_claim.remittance.status != Remittance.Status.POSTED:
        raise ValidationError("Post the held remittance after review first; its lines wait until then.")


def unmatched_lines():
    """The unmatched list: lines of posted remittances that matched nothing, oldest first."""
    return (
        RemittanceLine.objects.filter(
            match=RemittanceLine.Match.UNMATCHED, remittance_claim__remittance__status=Remittance.Status.POSTED
        )
        .select_related("remittance_claim__remittance__payer")
        .order_by("pk")
    )


def claim_suggestions(rlines) -> dict[int, list[str]]:
    """For each unmatched line, our exported claims for the same member with a line of the same
    code as billed (SVC06 when the payer recoded it) and date: the likely answer, offered first
    (one query for the page)."""
    rlines = list(rlines)
    members = {r.remittance_claim.member_id for r in rlines if r.remittance_claim.member_id}
    if not members:
        return {}
    rows = ClaimLine.objects.filter(
        claim__member_id__in=members,
        claim__batch__status=ClaimBatch.Status.EXPORTED,
        hcpcs__in={r.billed_code[0] for r in rlines},
        service_date__in={r.service_date for r in rlines if r.service_date},
    ).values_list("claim_id", "claim__member_id", "hcpcs", "service_date")
    found: dict[tuple, set[int]] = {}
    for claim_id, member, hcpcs, day in rows:
        found.setdefault((member, hcpcs, day), set()).add(claim_id)
    return {
        r.pk: [
            f"PS{pk:08d}"
            for pk in sorted(found.get((r.remittance_claim.member_id, r.billed_code[0], r.service_date), ()))
        ]
        for r in rlines
    }
