"""Which of our claims and claim lines a remittance speaks of, and billing staff's hand work on
the lines that matched nothing (resolve to a claim, or dismiss). Whether its figures add up:
balance.py.

- A CLP is ours when CLP01 is a claim number we sent (CLM01, "PS" and eight digits) of an
  exported batch. When the file's payer can be told (its IDs name exactly one of our payers),
  a claim billed to another payer is not matched: the conservative reading, since the payer
  can't pay what it was never sent.
- An SVC matches a line of that claim by procedure code (as billed: SVC06 when the payer changed
  it), modifiers and date of service; of several such lines, the first not yet matched by an
  earlier SVC of the same CLP, in the claim's line order.
- A reversal (CLP02 22) of a replacement or void claim takes back either what the original was
  paid (the payer reverses the original when it processes the correction) or what the
  correction itself was paid (the payer reprocesses it later): see `target_claim`.
- Posting must never pay a claim line more than its charge: a file that would is held for
  review, and resolving a line that would is refused (`overpaid_lines`).
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import audit_record
from programs.models import Payer

from .. import owed
from ..models import Adjustment, Claim, ClaimBatch, ClaimLine, Remittance, RemittanceLine
from ..services import lock_participants
from .balance import describe as _describe
from .posting import category_of, post_claim
from .reader import ParsedAdjustment, ParsedLine, ParsedRemittance, RemittanceFileError

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


def target_claim(claim: Claim, status_code: str, payer_claim_number: str, holds) -> Claim:
    """The claim a CLP posts to. A reversal (CLP02 22) under a correction's number takes back the
    correction's own adjudication or its original's: the one whose payer's claim number is the
    reversal's CLP07 (a reversal quotes the claim it takes back); failing that, the one that
    holds posted money (`holds(claim)`: its lines' paid, adjusted or denied not all zero); when
    both or neither do, the original, whose adjudication a correction supersedes."""
    if status_code != "22" or not claim.original_id or claim.frequency == Claim.Frequency.ORIGINAL:
        return claim
    pair = [claim, claim.original]
    named = [c for c in pair if payer_claim_number and c.payer_claim_number == payer_claim_number]
    if len(named) == 1:
        return named[0]
    return claim if holds(claim) and not holds(claim.original) else claim.original


def our_claims(numbers, payer: Payer | None) -> dict[str, Claim]:
    """Our exported claims named by these CLP01s (and billed to `payer` when it is known), with
    their lines and their originals' lines, in three queries whatever their number."""
    pks = {pk for pk in (claim_pk(n) for n in numbers) if pk}
    claims = Claim.objects.filter(pk__in=pks, batch__status=ClaimBatch.Status.EXPORTED)
    if payer is not None:
        claims = claims.filter(batch__payer=payer)
    claims = claims.select_related("original").prefetch_related("lines", "original__lines")
    return {claim.claim_number: claim for claim in claims}


@dataclass
class FileMatch:
    """Each CLP's claim (or None) and each of its SVCs' claim line (or None), in file order, and
    why posting them as they are would be wrong (`problems`: the file is held)."""

    targets: list
    lines: list[list]
    problems: list[str]


def match_file(parsed: ParsedRemittance, claims: dict[str, Claim]) -> FileMatch:
    """Match every CLP and SVC of a remittance (`claims`: `our_claims`), following what the file
    posts as it goes: a reversal's target depends on what the claims hold by then, and a line it
    would pay beyond its charge is a problem. Raises RemittanceFileError when a line's sums would
    not fit its columns. No query: `claims` come with their lines and their originals' lines."""
    state: dict[int, list[Decimal]] = {}  # claim line pk: [paid, adjusted, denied] as posted so far
    for claim in claims.values():
        for line in [*claim.lines.all(), *(claim.original.lines.all() if claim.original_id else [])]:
            state[line.pk] = [line.paid, line.adjusted, line.denied]

    def holds(claim: Claim) -> bool:
        return any(any(state[line.pk]) for line in claim.lines.all())

    found = FileMatch([], [], [])
    where: dict[int, tuple] = {}  # claim line pk: (the last CLP and SVC posting to it, the line)
    for clp in parsed.claims:
        ours = claims.get(clp.patient_control_number)
        target = target_claim(ours, clp.status_code, clp.payer_claim_number, holds) if ours else None
        matches = match_lines(target, clp.lines) if target else [None] * len(clp.lines)
        for number, (line, match) in enumerate(zip(clp.lines, matches, strict=True), start=1):
            if match is not None:
                _add(state[match.pk], line)
                where[match.pk] = (f"CLP {clp.patient_control_number}, line {number} ({_describe(line)})", match)
        found.targets.append(target)
        found.lines.append(matches)
    for pk, (name, line) in where.items():
        found.problems += overpaid_lines(name, line.charge, state[pk], error=RemittanceFileError)
    return found


def _add(sums: list[Decimal], line: ParsedLine) -> None:
    sums[0] += line.paid
    for a in line.adjustments:
        sums[1 if category_of(a.group, a.reason, line.paid) == Adjustment.Category.ADJUSTED else 2] += a.amount


# ClaimLine's money columns are NUMERIC(10,2).
LINE_LIMIT = Decimal(10) ** 8


def overpaid_lines(name: str, charge: Decimal, sums: list[Decimal], *, error) -> list[str]:
    """Why a claim line whose sums (paid, adjusted, denied) would become `sums` must not be
    posted as it is: [] when it may. Raises `error` when a sum would not fit its column."""
    for field, value in zip(("paid", "adjusted", "denied"), sums, strict=True):
        if abs(value) >= LINE_LIMIT:
            raise error(f"{name}: posted, our line's {field} would be {value}, more than can be stored.")
    if sums[0] > charge:
        return [
            f"{name}: posted, our line would be paid {sums[0]}, more than its charge {charge}. "
            "Was it paid before without a reversal?"
        ]
    return []


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
    code (as billed), modifiers and date, then posted as if it had matched at import.

    Locks, in billing's order: the remittance line, the participant (`lock_participants`, as
    batch builds and corrections do), then the claim's lines and its original's. Two clerks
    resolving two lines of one remittance to the same claim at once: the second waits, then
    sees the line the first took (and what it posted) and picks another or is refused."""
    with transaction.atomic():
        rline = (
            RemittanceLine.objects.select_for_update().select_related("remittance_claim__remittance").get(pk=rline.pk)
        )
        rclaim = rline.remittance_claim
        _check_open(rline)
        if not ClaimBatch.objects.get(pk=claim.batch_id).is_frozen:
            raise ValidationError(f"{claim.claim_number} has not been sent: only exported claims are paid.")
        target = _target_locked(claim, rclaim)
        if rclaim.claim_id and rclaim.claim_id != target.pk:
            raise ValidationError(
                f"This remittance claim is already matched to {rclaim.claim.claim_number}; its lines belong to it."
            )
        line, adjustments = _resolved_line(rline, target), list(rline.adjustments.all())
        rclaim.claim = target
        rclaim.save(update_fields=["claim"])
        rline.claim_line, rline.match = line, RemittanceLine.Match.RESOLVED
        rline.decided_by, rline.decided_at = ctx.actor, timezone.now()
        rline.save(update_fields=["claim_line", "match", "decided_by", "decided_at"])
        post_claim(rclaim, [(rline, adjustments)], actor=ctx.actor)
        owed.refresh([target.batch_id])
        details = {"resolved_line": rline.pk, "claim": target.pk, "claim_line": line.pk}
        audit_record(action=AuditEvent.Action.UPDATE, ctx=ctx, target=rclaim.remittance, details=details)
    return Resolved(target, line)


def _target_locked(claim: Claim, rclaim) -> Claim:
    """The claim the line posts to (`target_claim`), with its lines (and its original's) locked
    and read after the lock, so what they hold is what the other clerk committed."""
    pair = [claim.pk, claim.original_id] if claim.original_id else [claim.pk]
    lock_participants(ClaimLine.objects.filter(claim_id__in=pair).values("note_id"))
    lines = Prefetch("lines", queryset=ClaimLine.objects.select_for_update().order_by("service_date", "pk"))
    claims = {one.pk: one for one in Claim.objects.filter(pk__in=pair).prefetch_related(lines)}
    mine = claims[claim.pk]
    if claim.original_id:
        mine.original = claims[claim.original_id]
    return target_claim(mine, rclaim.status_code, rclaim.payer_claim_number, _holds)


def _holds(claim: Claim) -> bool:
    return any(line.paid or line.adjusted or line.denied for line in claim.lines.all())


def _resolved_line(rline: RemittanceLine, target: Claim) -> ClaimLine:
    """The target's line for `rline`: not one this remittance already posts the same way (a
    payment, or a reversal: one remittance does not pay a line twice, though it may reverse it
    and pay it again), and not one it would pay beyond its charge."""
    same_sign = {"charge__gte": 0} if rline.charge >= 0 else {"charge__lt": 0}
    siblings = RemittanceLine.objects.filter(remittance_claim__remittance=rline.remittance_claim.remittance_id)
    taken = set(siblings.filter(**same_sign).exclude(claim_line=None).values_list("claim_line_id", flat=True))
    parsed = ParsedLine(
        rline.hcpcs, rline.modifiers, rline.service_date, rline.charge, rline.paid,
        adjustments=[ParsedAdjustment(a.group, a.reason, a.amount) for a in rline.adjustments.all()],
        submitted_hcpcs=rline.submitted_hcpcs, submitted_modifiers=rline.submitted_modifiers,
    )  # fmt: skip
    line = _first_candidate(target.lines.all(), parsed, taken)
    if line is None:
        raise ValidationError(
            f"{target.claim_number} has no line {_describe(parsed)} that is not already matched; "
            "choose another claim or dismiss the line."
        )
    sums = [line.paid, line.adjusted, line.denied]
    _add(sums, parsed)
    problems = overpaid_lines(f"{target.claim_number}, {_describe(parsed)}", line.charge, sums, error=ValidationError)
    if problems:
        raise ValidationError(problems[0] + " Dismiss it if it was.")
    return line


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
