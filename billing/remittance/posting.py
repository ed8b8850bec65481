"""Posting a remittance's decisions to our claims: each matched service line adds its paid,
adjusted and denied amounts to its claim line (a reversal adds negative ones), then the claim
takes its status from what its lines now hold. Money stays Decimal throughout."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Exists, F, OuterRef, Value, When

from ..history import claim_event
from ..models import Adjustment, Claim, ClaimLine, Remittance, RemittanceClaim, RemittanceLine

# Adjustments that are the expected price of a paid line, not a denial to work: the payer's fee
# schedule or contracted amount (CARC 45) and sequestration (CARC 253), when the payer paid
# something; and the member's own cost sharing (group PR with CARC 1 deductible, 2 coinsurance,
# 3 copay), which the state plan may impose. Any other PR reason (96 non-covered, 204 not
# covered by this plan, 27 coverage ended ...) is denied: a Medicaid provider accepts Medicaid's
# payment as payment in full (42 CFR 447.15) and can't bill the member for it, so the money is
# not "adjusted" away but worked in the denial queue. Every other adjustment (CARC 16, 18, 29,
# 97, 119, 197 ...) is denied money too, worked until corrected, appealed or written off. With
# no source on how these Medicaid payers reduce a partly paid line, a reduction we can't name is
# treated as a denial: it stays in front of billing staff rather than disappearing as
# "adjusted" (the conservative reading).
CENT = Decimal("0.01")
ADJUSTED, DENIED = Adjustment.Category.ADJUSTED, Adjustment.Category.DENIED
CONTRACTUAL_REASONS = frozenset({"45", "253"})
COST_SHARING_REASONS = frozenset({"1", "2", "3"})


def category_of(group: str, reason: str, line_paid: Decimal) -> str:
    """Adjusted or denied, for one CAS adjustment of a line that paid `line_paid`."""
    if group == "PR" and reason in COST_SHARING_REASONS:
        return Adjustment.Category.ADJUSTED
    if line_paid != 0 and group == "CO" and reason in CONTRACTUAL_REASONS:
        return Adjustment.Category.ADJUSTED
    return Adjustment.Category.DENIED


def post_line(rline: RemittanceLine, adjustments: list[Adjustment]) -> None:
    """Add a matched remittance line (`claim_line` set) and its adjustments (given, not read
    again) to its claim line: one UPDATE."""
    _add_to_line(
        rline.claim_line_id,
        paid=rline.paid,
        allowed=rline.allowed if rline.allowed is not None and rline.paid >= 0 else None,
        adjustments=[(a.category, a.code, a.amount) for a in adjustments],
    )


def _add_to_line(pk: int, *, paid: Decimal, allowed: Decimal | None, adjustments: list[tuple]) -> None:
    """Add `paid` and `adjustments` ((category, code, amount), ...) to claim line `pk` in one
    UPDATE. Its denial reason: the largest reason denied here; kept when nothing is denied here;
    "" once nothing is denied on the line. The UPDATE's condition reads the row before it, so
    "denied after" is `denied + this > 0`, i.e. `denied > -this`."""
    adjusted = sum((amount for category, _, amount in adjustments if category == ADJUSTED), Decimal(0))
    denied = [(amount, code) for category, code, amount in adjustments if category == DENIED]
    denied_here = sum((amount for amount, _ in denied), Decimal(0))
    main = max((d for d in denied if d[0] > 0), key=lambda d: d[0], default=None)
    reason = Value(main[1]) if main else F("denial_reason")
    changes = {
        "paid": F("paid") + paid,
        "adjusted": F("adjusted") + adjusted,
        "denied": F("denied") + denied_here,
        "denial_reason": Case(When(denied__gt=-denied_here, then=reason), default=Value("")),
    }
    if allowed is not None:
        changes["allowed"] = allowed
    ClaimLine.objects.filter(pk=pk).update(**changes)


def status_after(latest_code: str, lines) -> str:
    """A claim's status from the payer's latest decision on it (`latest_code`, its CLP02) and
    what its lines now hold ((charge, paid, adjusted, denied) each): reversed when that decision
    is a reversal (CLP02 22); otherwise paid, partly paid or denied by the denied money a later
    payment has not made good, `min(denied, charge - paid - adjusted)` a line. Write-offs are
    left out: they are our decision, not the payer's, and a denial written off stays a denial."""
    if latest_code == "22":
        return Claim.Status.REVERSED
    paid = unpaid = Decimal(0)
    for charge, line_paid, adjusted, denied in lines:
        paid += line_paid
        unpaid += max(min(denied, charge - line_paid - adjusted), Decimal(0))
    if paid <= 0 and (unpaid > 0 or latest_code == "4"):
        return Claim.Status.DENIED
    return Claim.Status.PARTLY_PAID if unpaid > 0 else Claim.Status.PAID


def latest_decision(rclaim: RemittanceClaim, *, posting_file: bool) -> RemittanceClaim | None:
    """The payer's latest word on `rclaim`'s claim: of the CLPs posted to it (a line matched or
    resolved, or a claim-level decision), the one of the latest remittance by its date (BPR16),
    then the last imported, then the last in its file. While a file is being posted in order
    (`posting_file`), its CLPs after `rclaim` are not posted yet. One query."""
    mine = {"remittance_claim": OuterRef("pk")}
    posted = RemittanceClaim.objects.filter(claim_id=rclaim.claim_id, remittance__status=Remittance.Status.POSTED)
    if posting_file:
        posted = posted.exclude(remittance_id=rclaim.remittance_id, position__gt=rclaim.position)
    return (
        posted.filter(
            Exists(RemittanceLine.objects.filter(**mine, claim_line__isnull=False))
            | Exists(Adjustment.objects.filter(**mine, line=None))
            | ~Exists(RemittanceLine.objects.filter(**mine))
        )
        .order_by("-remittance__paid_on", "-remittance_id", "-position")
        .only("pk", "status_code", "payer_claim_number")
        .first()
    )


def settle_claim(rclaim: RemittanceClaim, *, actor, posting_file: bool = False) -> None:
    """After `rclaim`'s lines are posted, in whatever order remittances arrive: the claim's status
    follows the payer's latest decision (`latest_decision`, `status_after`), and so does the
    payer's claim number (CLP07, which a replacement or void quotes in REF*F8; not a reversal's,
    which quotes the claim it takes back); the remittance date its correction limit counts from
    only moves forward (and its lines' copy of it); and its history has a step for `rclaim`. Six
    queries."""
    claim = Claim.objects.select_for_update().get(pk=rclaim.claim_id)
    remittance = rclaim.remittance
    notes = [f"{rclaim.status_text} on remittance {remittance.trace_number}: paid {rclaim.paid}"]
    latest = latest_decision(rclaim, posting_file=posting_file) or rclaim
    if latest.pk != rclaim.pk:
        notes.append("the payer's later decision on the claim stands")
    number = latest.payer_claim_number
    if number and number != claim.payer_claim_number and latest.status_code != "22":
        if claim.payer_claim_number:
            notes.append(f"payer's claim number {number} (was {claim.payer_claim_number})")
        claim.payer_claim_number = number
    claim.adjudicated_on = max(filter(None, [claim.adjudicated_on, remittance.paid_on]))
    # Its lines keep a copy for the denial queue's order (ClaimLine.claim_adjudicated_on).
    ClaimLine.objects.filter(claim=claim).update(claim_adjudicated_on=claim.adjudicated_on)
    lines = list(
        ClaimLine.objects.filter(claim=claim).values_list("charge", "paid", "adjusted", "denied", "denial_reason")
    )
    status = status_after(latest.status_code, [line[:4] for line in lines])
    # What is still denied, by the lines' reasons.
    codes = sorted({line[4] for line in lines if line[4] and min(line[3], line[0] - line[1] - line[2]) > 0})
    denied = status in (Claim.Status.DENIED, Claim.Status.PARTLY_PAID)
    claim.status_detail = f"Denied: {', '.join(codes)}" if codes and denied else ""
    claim_event(claim, "; ".join(notes) + ".", status=status, actor=actor, remittance=remittance)


def post_claim(
    rclaim: RemittanceClaim, postings: list[tuple], *, actor, claim_adjustments=(), lines=True, posting_file=False
) -> int:
    """Post a CLP to its claim: each of `postings` (a matched RemittanceLine and its Adjustment
    rows) to its claim line, and its claim-level adjustments (and, for a CLP without service
    lines, `lines` False, its payment) spread over the claim's lines; then settle the claim.
    Returns the number of service lines posted.

    When nothing reached the claim's lines (none of its SVCs matched), its status and dates stay
    as they were (a "paid" claim would show nothing paid, a "denied" one nothing in the denial
    queue) and its history says where the lines wait."""
    for rline, adjustments in postings:
        post_line(rline, adjustments)
    whole_paid = Decimal(0) if lines else rclaim.paid
    spread = spread_over_lines(rclaim, claim_adjustments, paid=whole_paid)
    posted = [(rline.paid, adjustments) for rline, adjustments in postings]
    if spread:
        posted.append((whole_paid, claim_adjustments))
    _add_to_remittance(rclaim.remittance_id, posted)
    if not postings and not spread:
        remittance = rclaim.remittance
        text = (
            f"Decided on remittance {remittance.trace_number} ({rclaim.status_text.lower()}), "
            "but no line matched: see the unmatched list."
        )
        claim_event(Claim(pk=rclaim.claim_id), text, actor=actor, remittance=remittance)
        return 0
    settle_claim(rclaim, actor=actor, posting_file=posting_file)
    return len(postings)


def _add_to_remittance(pk: int, posted: list[tuple]) -> None:
    """Add what was just posted to our lines ((paid, its Adjustment rows), ...) to the
    remittance's stored totals (Remittance.posted_*), in the posting's transaction: one UPDATE."""
    if not posted:
        return
    paid = sum((amount for amount, _ in posted), Decimal(0))
    adjustments = [a for _, found in posted for a in found]
    adjusted = sum((a.amount for a in adjustments if a.category == ADJUSTED), Decimal(0))
    denied = sum((a.amount for a in adjustments if a.category == DENIED), Decimal(0))
    Remittance.objects.filter(pk=pk).update(
        posted_paid=F("posted_paid") + paid,
        posted_adjusted=F("posted_adjusted") + adjusted,
        posted_denied=F("posted_denied") + denied,
    )


def spread_over_lines(rclaim: RemittanceClaim, adjustments, *, paid: Decimal) -> bool:
    """Post what the payer decided on the claim as a whole (CAS in loop 2100; the payment CLP04
    of a CLP without service lines) to the claim's live lines, each amount in proportion to the
    lines' charges, rounded to the cent, the last line taking the rest so the parts add up.

    Why: the denial queue, write-offs and accounts receivable work line by line. A claim-level
    CO-16 posted to no line left the claim "denied" with nothing in the queue and its charge
    owed forever; spread, each line carries its share, denied or adjusted as the adjustment was
    categorised at import (`category_of` with the CLP's payment, as for a line). Such a CLP is
    always held first (balance.balance_problems), so a person has checked it before this runs.
    A claim whose lines were all voided (replaced) spreads over those lines: it is what the
    payer's decision was about. Returns whether anything was posted."""
    if not adjustments and not paid:
        return False
    lines = list(ClaimLine.objects.filter(claim_id=rclaim.claim_id).order_by("service_date", "pk"))
    lines = [line for line in lines if not line.voided] or lines
    if not lines:
        return False
    charges = [line.charge for line in lines]
    paid_shares = shares(paid, charges)
    parts = [(a, shares(a.amount, charges)) for a in adjustments]
    for index, line in enumerate(lines):
        found = [(a.category, a.code, split[index]) for a, split in parts]
        _add_to_line(line.pk, paid=paid_shares[index], allowed=None, adjustments=found)
    return True


def shares(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """`amount` split in proportion to `weights`, to the cent (half up), the last part taking
    what rounding left so the parts add up to `amount`; all of it on the last when they are 0."""
    total = sum(weights, Decimal(0))
    parts = [(amount * w / total).quantize(CENT, ROUND_HALF_UP) if total else Decimal(0) for w in weights[:-1]]
    return [*parts, amount - sum(parts, Decimal(0))]
