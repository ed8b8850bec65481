"""Posting a remittance's decisions to our claims: each matched service line adds its paid,
adjusted and denied amounts to its claim line (a reversal adds negative ones), then the claim
takes its status from what its lines now hold. Money stays Decimal throughout."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, F, Value, When

from ..history import claim_event
from ..models import Adjustment, Claim, ClaimLine, RemittanceClaim, RemittanceLine

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


def status_after(rclaim: RemittanceClaim, claim: Claim) -> str:
    """The claim's status once `rclaim` is posted: reversed (CLP02 22) until the payer's next
    word; otherwise from what its lines hold (paid, partly paid, denied)."""
    if rclaim.is_reversal:
        return Claim.Status.REVERSED
    lines = list(ClaimLine.objects.filter(claim=claim).values_list("paid", "denied"))
    paid = sum((p for p, _ in lines), Decimal(0))
    denied = sum((d for _, d in lines), Decimal(0))
    if rclaim.status_code == "4" or (paid <= 0 and denied > 0):
        return Claim.Status.DENIED
    return Claim.Status.PARTLY_PAID if denied > 0 else Claim.Status.PAID


def settle_claim(rclaim: RemittanceClaim, *, actor, denied_codes) -> None:
    """After its lines are posted: the claim's status, the payer's claim number (CLP07, which a
    replacement or void quotes in REF*F8), the remittance date its correction limit counts from,
    and a step in its history."""
    claim = Claim.objects.select_for_update().get(pk=rclaim.claim_id)
    remittance = rclaim.remittance
    notes = [f"{rclaim.status_text} on remittance {remittance.trace_number}: paid {rclaim.paid}"]
    number = rclaim.payer_claim_number
    if number and number != claim.payer_claim_number:
        if claim.payer_claim_number:
            notes.append(f"payer's claim number {number} (was {claim.payer_claim_number})")
        claim.payer_claim_number = number
    claim.adjudicated_on = remittance.paid_on
    status = status_after(rclaim, claim)
    codes = sorted(set(denied_codes))
    claim.status_detail = f"Denied: {', '.join(codes)}" if codes and status != Claim.Status.PAID else ""
    claim_event(claim, "; ".join(notes) + ".", status=status, actor=actor, remittance=remittance)


def post_claim(rclaim: RemittanceClaim, postings: list[tuple], *, actor, claim_adjustments=(), lines=True) -> int:
    """Post a CLP to its claim: each of `postings` (a matched RemittanceLine and its Adjustment
    rows) to its claim line, and its claim-level adjustments (and, for a CLP without service
    lines, `lines` False, its payment) spread over the claim's lines; then settle the claim.
    Returns the number of service lines posted.

    When nothing reached the claim's lines (none of its SVCs matched), its status and dates stay
    as they were (a "paid" claim would show nothing paid, a "denied" one nothing in the denial
    queue) and its history says where the lines wait."""
    for rline, adjustments in postings:
        post_line(rline, adjustments)
    spread = spread_over_lines(rclaim, claim_adjustments, paid=Decimal(0) if lines else rclaim.paid)
    if not postings and not spread:
        remittance = rclaim.remittance
        text = (
            f"Decided on remittance {remittance.trace_number} ({rclaim.status_text.lower()}), "
            "but no line matched: see the unmatched list."
        )
        claim_event(Claim(pk=rclaim.claim_id), text, actor=actor, remittance=remittance)
        return 0
    codes = [a.code for _, adjustments in postings for a in adjustments if a.category == DENIED]
    codes += [a.code for a in claim_adjustments if a.category == DENIED]
    settle_claim(rclaim, actor=actor, denied_codes=codes)
    return len(postings)


def spread_over_lines(rclaim: RemittanceClaim, adjustments, *, paid: Decimal) -> bool:
    """Post what the payer decided on the claim as a whole (CAS in loop 2100; the payment CLP04
    of a CLP without service lines) to the claim's live lines, each amount in proportion to the
    lines' charges, rounded to the cent, the last line taking the rest so the parts add up.

    Why: the denial queue, write-offs and accounts receivable work line by line. A claim-level
    CO-16 posted to no line left the claim "denied" with nothing in the queue and its charge
    owed forever; spread, each line carries its share, denied or adjusted as the adjustment was
    categorised at import (`category_of` with the CLP's payment, as for a line). Such a CLP is
    always held first (matching.balance_problems), so a person has checked it before this runs.
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
