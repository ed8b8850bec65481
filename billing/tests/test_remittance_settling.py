"""What a claim becomes after its remittances, whatever order they come in: lines that matched
nothing, claim-level decisions, reversals of corrections, older files imported late, denied
money paid later."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.context import AuditContext
from billing import corrections, denials, receivables, services
from billing.models import Claim, ClaimLine, Remittance, RemittanceLine
from billing.remittance.importing import remittance_import, remittance_post_held
from billing.remittance.matching import remittance_line_resolve
from billing.remittance.reader import RemittanceFileError
from billing.remittance.simulate import deny, pay, payer_number, remittance_835
from notes.tests.factories import signed_note

from .factories import days_ago
from .test_remittance_posting import _recount

D = Decimal
CHARGE = D("73.08")


@pytest.fixture
def batch(identity, payer, author, program, person):
    """Exported: Rosa's claim with two lines (4 and 3 days ago), $73.08 each."""
    notes = [signed_note(person, author, day=days_ago(4)), signed_note(person, author, day=days_ago(3))]
    built = services.batch_build(payer=payer, note_ids=[n.pk for n in notes], ctx=AuditContext(author))
    return services.batch_export(batch=built, ctx=AuditContext(author))


@pytest.fixture
def ctx(billing_user):
    return AuditContext(billing_user)


def amounts(claim) -> list[tuple]:
    return [(line.paid, line.adjusted, line.denied) for line in ClaimLine.objects.filter(claim=claim)]


def imported(text: str, ctx) -> Remittance:
    [outcome] = remittance_import(text=text, file_name="era.835", ctx=ctx)
    assert outcome.remittance.status == Remittance.Status.POSTED, outcome.remittance.problems
    return outcome.remittance


@pytest.mark.parametrize("decision", [pay(code="H0039"), deny(code="H0039")], ids=["paid", "denied"])
def test_a_claim_none_of_whose_lines_matched_keeps_its_status_and_says_why(batch, ctx, decision):
    claim = batch.claims.get()
    remittance = imported(remittance_835(batch, decisions=dict.fromkeys(claim.lines.all(), decision)), ctx)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SENT and claim.adjudicated_on is None and claim.status_detail == ""
    assert amounts(claim) == [(0, 0, 0)] * 2
    event = claim.events.last()
    assert event.remittance == remittance and event.status == ""
    assert event.text == (
        f"Decided on remittance {remittance.trace_number} ({remittance.claims.get().status_text.lower()}), "
        "but no line matched: see the unmatched list."
    )


def _claim_level(batch, claim, *, paid: str, cas: list[str], keep_lines: bool = False, decisions=None) -> str:
    """The batch's 835 with `claim` decided at the claim level: CAS segments `cas` on the CLP,
    CLP04 `paid`, and (unless `keep_lines`) no service lines."""
    text = remittance_835(batch, decisions=decisions)
    head, rest = text.split(f"CLP*{claim.claim_number}*")
    segments = rest.split("~")
    clp = segments[0].split("*")
    clp[2] = paid
    segments[0] = "*".join(clp)
    if not keep_lines:
        segments = [s for s in segments if not s.startswith(("SVC*", "DTM*472", "LQ*", "CAS*", "AMT*"))]
    segments[1:1] = cas
    text = head + f"CLP*{claim.claim_number}*" + "~".join(segments)
    return _recount(
        text.replace("BPR*I*146.16*C*CHK", f"BPR*{'I' if D(paid) else 'H'}*{paid}*C*{'CHK' if D(paid) else 'NON'}")
    )


def _held(text: str, ctx) -> Remittance:
    [outcome] = remittance_import(text=text, file_name="era.835", ctx=ctx)
    assert outcome.held, outcome.remittance.problems
    remittance_post_held(remittance=outcome.remittance, note="Checked with the payer.", ctx=ctx)
    return outcome.remittance


def test_a_claim_denied_as_a_whole_is_spread_over_its_lines_and_can_be_worked(batch, ctx):
    claim = batch.claims.get()
    first, second = claim.lines.order_by("service_date")
    _held(_claim_level(batch, claim, paid="0", cas=["CAS*CO*16*146.16"]), ctx)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DENIED and claim.status_detail == "Denied: CO-16"
    assert amounts(claim) == [(0, 0, CHARGE)] * 2
    assert [(line.denial_reason, line.open_denied) for line in denials.queue({})] == [("CO-16", CHARGE)] * 2
    denials.line_write_off(line=first, reason="Past the limit", ctx=ctx)
    first.refresh_from_db()
    assert first.written_off == CHARGE and first.outstanding == 0
    month = receivables.monthly(timezone.localdate())[-1]
    assert (month.paid, month.adjusted, month.denied) == (0, 0, 2 * CHARGE)


def test_a_claim_paid_as_a_whole_spreads_its_payment_and_adjustments_by_charge_cents_to_the_last(batch, ctx):
    claim = batch.claims.get()
    _held(_claim_level(batch, claim, paid="100.01", cas=["CAS*CO*45*40*0*16*6.15"]), ctx)
    claim.refresh_from_db()
    # 100.01 / 2 = 50.005, rounded half up; the last line takes the rest. 40 and 6.15 likewise.
    assert amounts(claim) == [(D("50.01"), D(20), D("3.08")), (D("50.00"), D(20), D("3.07"))]
    assert claim.status == Claim.Status.PARTLY_PAID
    assert {line.denial_reason for line in claim.lines.all()} == {"CO-16"}
    month = receivables.monthly(timezone.localdate())[-1]
    assert (month.paid, month.adjusted, month.denied) == (D("100.01"), D(40), D("6.15"))


def test_a_claim_level_adjustment_beside_service_lines_is_spread_too(batch, ctx):
    claim = batch.claims.get()
    decisions = dict.fromkeys(claim.lines.all(), pay(68.08))
    text = _claim_level(batch, claim, paid="136.16", cas=["CAS*CO*45*10"], keep_lines=True, decisions=decisions)
    text = text.replace("~CAS*CO*45*5~", "~")
    _held(_recount(text), ctx)
    assert amounts(claim) == [(D("68.08"), D(5), 0)] * 2
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID


def test_a_reversal_resolved_after_its_correction_leaves_the_correction_standing(batch, ctx):
    claim = batch.claims.get()
    lines = list(claim.lines.order_by("service_date"))
    imported(remittance_835(batch, trace="T1", decisions=dict.fromkeys(lines, deny())), ctx)
    # The payer takes the denial back and pays; the reversal's CLP01 is mangled, so it waits.
    text = remittance_835(batch, trace="T2", reversals={claim: dict.fromkeys(lines, deny())}, claims=[claim])
    imported(text.replace(f"CLP*{claim.claim_number}*22*", f"CLP*X{claim.claim_number}*22*", 1), ctx)
    for rline in RemittanceLine.objects.filter(match=RemittanceLine.Match.UNMATCHED).order_by("pk"):
        remittance_line_resolve(rline=rline, claim=claim, ctx=ctx)
    claim.refresh_from_db()
    assert amounts(claim) == [(CHARGE, 0, 0)] * 2
    assert claim.status == Claim.Status.PAID and claim.status_detail == ""


def test_an_older_remittance_imported_later_moves_neither_the_date_nor_the_status_back(batch, ctx):
    claim = batch.claims.get()
    first, second = claim.lines.order_by("service_date")
    old = remittance_835(batch, trace="OLD", decisions={second: deny()}, paid_on=days_ago(2))
    reversal = remittance_835(batch, trace="NEW", claims=[], reversals={claim: {second: deny()}},
                              plb=[("WO", "", "-73.08")], paid_on=days_ago(0))  # fmt: skip
    paid = remittance_835(batch, trace="NEW2", paid_on=days_ago(0))
    for text in (reversal, paid, old):
        imported(text, ctx)
    claim.refresh_from_db()
    assert amounts(claim) == [(CHARGE, 0, 0)] * 2
    assert claim.adjudicated_on == days_ago(0) and claim.status == Claim.Status.PAID


def test_a_reversal_dated_after_the_payment_leaves_the_claim_reversed(batch, ctx):
    claim = batch.claims.get()
    reversal = remittance_835(batch, trace="NEW", claims=[], reversals={claim: {}}, plb=[("WO", "", "-146.16")])
    imported(reversal, ctx)
    imported(remittance_835(batch, trace="OLD", paid_on=days_ago(3)), ctx)
    claim.refresh_from_db()
    assert amounts(claim) == [(0, 0, 0)] * 2
    assert claim.status == Claim.Status.REVERSED and claim.adjudicated_on == timezone.localdate()


def _replaced(batch, ctx):
    """Rosa's claim paid (T1), replaced, and the payer's reversal of the original and payment of
    the replacement (T2). Returns (original, replacement, the replacement's batch)."""
    claim = batch.claims.get()
    imported(remittance_835(batch, trace="T1"), ctx)
    claim.refresh_from_db()
    correction = services.batch_export(batch=corrections.claim_correct(claim=claim, frequency="7", ctx=ctx), ctx=ctx)
    replacement = correction.claims.get()
    imported(remittance_835(correction, trace="T2", reversals={replacement: {}}), ctx)
    replacement.refresh_from_db()
    assert amounts(claim) == [(0, 0, 0)] * 2 and amounts(replacement) == [(CHARGE, 0, 0)] * 2
    return claim, replacement, correction


def test_reprocessing_a_paid_replacement_reverses_the_replacement_not_its_original(batch, ctx):
    original, replacement, correction = _replaced(batch, ctx)
    first = replacement.lines.order_by("service_date").first()
    # Later the payer reprocesses the replacement itself: a reversal and a new decision under its number.
    text = remittance_835(correction, trace="T3", reversals={replacement: {}}, decisions={first: pay(60)})
    imported(text, ctx)
    assert amounts(original) == [(0, 0, 0)] * 2
    assert amounts(replacement) == [(D(60), D("13.08"), 0), (CHARGE, 0, 0)]
    replacement.refresh_from_db()
    assert replacement.status == Claim.Status.PAID


def test_a_reversal_quoting_the_originals_number_reverses_the_original(batch, ctx):
    claim = batch.claims.get()
    imported(remittance_835(batch, trace="T1"), ctx)
    claim.refresh_from_db()
    correction = services.batch_export(batch=corrections.claim_correct(claim=claim, frequency="7", ctx=ctx), ctx=ctx)
    replacement = correction.claims.get()
    # The payer paid the replacement first; the original's reversal comes later, quoting its number (CLP07).
    imported(remittance_835(correction, trace="T2"), ctx)
    text = remittance_835(correction, trace="T3", claims=[], reversals={replacement: {}}, plb=[("WO", "", "-146.16")])
    imported(text.replace(f"*{payer_number(replacement)}*", f"*{claim.payer_claim_number}*"), ctx)
    assert amounts(claim) == [(0, 0, 0)] * 2 and amounts(replacement) == [(CHARGE, 0, 0)] * 2


def test_a_file_that_would_pay_a_line_more_than_its_charge_is_held(batch, ctx):
    claim = batch.claims.get()
    first, second = claim.lines.order_by("service_date")
    imported(remittance_835(batch, trace="T1"), ctx)
    [outcome] = remittance_import(text=remittance_835(batch, trace="T2"), file_name="again.835", ctx=ctx)
    assert outcome.held
    day = first.service_date
    assert outcome.remittance.problems[0] == (
        f"CLP {claim.claim_number}, line 1 (H0038 HE on {day:%b} {day.day}, {day.year}): posted, our line would "
        "be paid 146.16, more than its charge 73.08. Was it paid before without a reversal?"
    )
    assert amounts(claim) == [(CHARGE, 0, 0)] * 2


def test_resolving_a_line_that_would_pay_more_than_the_charge_is_refused(batch, ctx):
    claim = batch.claims.get()
    imported(remittance_835(batch, trace="T1"), ctx)
    text = remittance_835(batch, trace="T2").replace(f"CLP*{claim.claim_number}*", "CLP*TYPO0001*")
    imported(text, ctx)
    rline = RemittanceLine.objects.filter(match=RemittanceLine.Match.UNMATCHED).first()
    with pytest.raises(ValidationError, match="would be paid 146.16, more than its charge 73.08"):
        remittance_line_resolve(rline=rline, claim=claim, ctx=ctx)
    assert amounts(claim) == [(CHARGE, 0, 0)] * 2


def test_sums_a_line_could_not_store_are_refused_at_import_and_after_review(batch, ctx):
    claim = batch.claims.get()
    first, second = claim.lines.order_by("service_date")
    huge = {first: deny(("CO", "16", "99999999"), ("PR", "1", "-99999925.92"))}
    held = remittance_835(batch, trace="HELD", decisions=huge).replace("BPR*I*73.08*", "BPR*I*70*")
    [outcome] = remittance_import(text=held, file_name="held.835", ctx=ctx)
    assert outcome.held
    imported(remittance_835(batch, trace="T1", decisions=huge), ctx)
    name = f"CLP {claim.claim_number}, line 1 (H0038 HE on {first.service_date:%b} {first.service_date.day}"
    with pytest.raises(
        RemittanceFileError, match=re.escape(name) + ".*our line's adjusted would be -199999851.84, more"
    ):
        remittance_import(text=remittance_835(batch, trace="T2", decisions=huge), file_name="x", ctx=ctx)
    with pytest.raises(ValidationError, match="too large"):
        remittance_post_held(remittance=outcome.remittance, note="Checked.", ctx=ctx)
    outcome.remittance.refresh_from_db()
    assert outcome.remittance.status == Remittance.Status.HELD
    assert amounts(claim) == [(0, D("-99999925.92"), D(99999999)), (CHARGE, 0, 0)]


def test_a_correction_whose_reversal_matched_nothing_is_held_then_posted_and_resolved(batch, ctx):
    claim = batch.claims.get()
    imported(remittance_835(batch, trace="T1"), ctx)
    text = remittance_835(batch, trace="T2", reversals={claim: {}}, claims=[claim])
    held = _held(text.replace(f"CLP*{claim.claim_number}*22*", f"CLP*X{claim.claim_number}*22*", 1), ctx)
    assert "our line would be paid 146.16, more than its charge 73.08" in held.problems[0]
    assert amounts(claim) == [(2 * CHARGE, 0, 0)] * 2  # posted after review, as the clerk decided
    for rline in RemittanceLine.objects.filter(match=RemittanceLine.Match.UNMATCHED).order_by("pk"):
        remittance_line_resolve(rline=rline, claim=claim, ctx=ctx)
    claim.refresh_from_db()
    assert amounts(claim) == [(CHARGE, 0, 0)] * 2 and claim.status == Claim.Status.PAID
