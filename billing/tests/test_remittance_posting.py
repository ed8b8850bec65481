"""Importing a payer's 835 for one of our exported batches: what is posted to each claim line and
claim, what is held, what matches nothing, and what a second import does (nothing)."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.tests.waiting import wait_until
from billing import corrections, services
from billing.models import (
    Adjustment,
    Claim,
    ClaimEvent,
    ClaimLine,
    ProviderAdjustment,
    Remittance,
    RemittanceClaim,
    RemittanceLine,
)
from billing.remittance.importing import remittance_dismiss, remittance_import, remittance_post_held
from billing.remittance.matching import (
    claim_suggestions,
    remittance_line_dismiss,
    remittance_line_resolve,
    unmatched_lines,
    unmatched_reasons,
)
from billing.remittance.reader import RemittanceFileError
from billing.remittance.simulate import deny, pay, payer_number, remittance_835
from notes.tests.factories import signed_note

from .factories import billable_participant, days_ago, make_payer

D = Decimal


@pytest.fixture
def batch(identity, payer, author, program, person):
    """Exported: Rosa's claim with two lines (4 and 3 days ago), Ana's with one. 73.08 each."""
    ana = billable_participant(author, program, payer, first_name="Ana", last_name="Reyes")
    notes = [
        signed_note(person, author, day=days_ago(4)),
        signed_note(person, author, day=days_ago(3)),
        signed_note(ana, author, day=days_ago(3)),
    ]
    built = services.batch_build(payer=payer, note_ids=[n.pk for n in notes], ctx=AuditContext(author))
    return services.batch_export(batch=built, ctx=AuditContext(author))


@pytest.fixture
def ctx(billing_user):
    return AuditContext(billing_user)


def claims_of(batch):
    rosa, ana = batch.claims.order_by("pk")
    return rosa, ana, list(rosa.lines.order_by("service_date"))


def sums(line):
    line.refresh_from_db()
    return (line.paid, line.adjusted, line.denied, line.denial_reason)


def test_our_own_batch_is_posted_line_by_line(batch, ctx):
    rosa, ana, (first, second) = claims_of(batch)
    [outcome] = remittance_import(text=remittance_835(batch), file_name="era.835", ctx=ctx)
    remittance = outcome.remittance
    assert outcome.created and remittance.status == Remittance.Status.POSTED and remittance.problems == []
    assert "posted 3 of 3 lines to 2 claims" in outcome.message
    assert remittance.payment_amount == D("219.24") and remittance.payer == batch.payer
    for line in ClaimLine.objects.filter(claim__batch=batch):
        assert sums(line) == (D("73.08"), 0, 0, "") and line.allowed == D("73.08")
    for claim in (rosa, ana):
        claim.refresh_from_db()
        assert claim.status == Claim.Status.PAID and claim.payer_claim_number == payer_number(claim)
        assert claim.adjudicated_on == remittance.paid_on
        event = claim.events.last()
        assert event.remittance == remittance and event.status == Claim.Status.PAID
    assert RemittanceLine.objects.filter(match=RemittanceLine.Match.MATCHED).count() == 3
    audit = AuditEvent.objects.get(target_type="billing.remittance", action=AuditEvent.Action.CREATE)
    assert audit.details["trace_number"] == "TRACE0001" and audit.details["lines_matched"] == 3


def test_a_replacement_claim_then_carries_the_payers_number_in_ref_f8(batch, ctx, billing_user):
    remittance_import(text=remittance_835(batch), file_name="era.835", ctx=ctx)
    rosa, _, _ = claims_of(batch)
    rosa.refresh_from_db()
    correction = corrections.claim_correct(claim=rosa, frequency="7", ctx=ctx)
    text = services.batch_export(batch=correction, ctx=ctx).file_837
    assert f"REF*F8*{payer_number(rosa)}~" in text


def test_a_partial_payment_posts_the_contractual_adjustment_and_the_denied_rest(batch, ctx):
    rosa, ana, (first, second) = claims_of(batch)
    decisions = {first: pay(50, ("CO", "45", "13.08"), ("CO", "151", None), remarks=["N362"])}
    remittance_import(text=remittance_835(batch, decisions=decisions), file_name="era.835", ctx=ctx)
    assert sums(first) == (D(50), D("13.08"), D(10), "CO-151")
    assert first.allowed == D(50)
    assert sums(second) == (D("73.08"), 0, 0, "")
    rosa.refresh_from_db()
    assert rosa.status == Claim.Status.PARTLY_PAID and rosa.status_detail == "Denied: CO-151"
    rline = RemittanceLine.objects.get(claim_line=first)
    assert rline.remark_codes == ["N362"]
    assert sorted(rline.adjustments.values_list("reason", "category")) == [("151", "denied"), ("45", "adjusted")]


def test_a_full_denial_denies_every_line_with_its_reason(batch, ctx):
    rosa, ana, (first, second) = claims_of(batch)
    decisions = {first: deny(("CO", "197", None)), second: deny(("CO", "197", None))}
    remittance_import(text=remittance_835(batch, decisions=decisions), file_name="era.835", ctx=ctx)
    assert sums(first) == sums(second) == (0, 0, D("73.08"), "CO-197")
    rosa.refresh_from_db()
    assert rosa.status == Claim.Status.DENIED and "CO-197" in rosa.status_detail
    assert RemittanceClaim.objects.get(claim=rosa).status_code == "4"


@pytest.mark.parametrize(
    ("reason", "category"),
    [("1", "adjusted"), ("2", "adjusted"), ("3", "adjusted"), ("96", "denied"), ("204", "denied"), ("27", "denied")],
)
def test_the_members_share_is_adjusted_only_for_deductible_coinsurance_and_copay(batch, ctx, reason, category):
    """Medicaid pays in full (42 CFR 447.15): PR-96, PR-204, PR-27 are not billable to the member."""
    rosa, ana, (first, second) = claims_of(batch)
    decisions = {first: pay(63.08, ("PR", reason, "10"))}
    remittance_import(text=remittance_835(batch, decisions=decisions), file_name="era.835", ctx=ctx)
    assert Adjustment.objects.get(group="PR").category == category
    expected = (D("63.08"), D(10), 0, "") if category == "adjusted" else (D("63.08"), 0, D(10), f"PR-{reason}")
    assert sums(first) == expected


def test_a_reversal_and_its_correction_in_the_same_file_leave_the_line_right(batch, ctx):
    rosa, ana, (first, second) = claims_of(batch)
    remittance_import(text=remittance_835(batch, trace="T1"), file_name="1.835", ctx=ctx)
    # The payer takes back the full payment of Rosa's claim and pays the first line 60 instead.
    text = remittance_835(batch, trace="T2", reversals={rosa: {}}, claims=[rosa], decisions={first: pay(60)})
    [outcome] = remittance_import(text=text, file_name="2.835", ctx=ctx)
    assert outcome.remittance.status == Remittance.Status.POSTED, outcome.remittance.problems
    assert sums(first) == (D(60), D("13.08"), 0, "")
    assert sums(second) == (D("73.08"), 0, 0, "")
    rosa.refresh_from_db()
    assert rosa.status == Claim.Status.PAID
    statuses = list(rosa.events.exclude(status="").values_list("status", flat=True))
    assert statuses[-3:] == [Claim.Status.PAID, Claim.Status.REVERSED, Claim.Status.PAID]


def test_a_reversal_alone_then_the_correction_in_a_later_file(batch, ctx):
    rosa, ana, (first, second) = claims_of(batch)
    remittance_import(text=remittance_835(batch, trace="T1"), file_name="1.835", ctx=ctx)
    # A file with only the reversal: its payment would be negative, so the payer offsets it (PLB).
    text = remittance_835(batch, trace="T2", reversals={rosa: {}}, claims=[], plb=[("WO", "", "-146.16")])
    remittance_import(text=text, file_name="2.835", ctx=ctx)
    assert sums(first) == sums(second) == (0, 0, 0, "")
    rosa.refresh_from_db()
    assert rosa.status == Claim.Status.REVERSED
    text = remittance_835(batch, trace="T3", claims=[rosa], decisions={second: deny()})
    remittance_import(text=text, file_name="3.835", ctx=ctx)
    assert sums(first) == (D("73.08"), 0, 0, "") and sums(second) == (0, 0, D("73.08"), "CO-16")
    rosa.refresh_from_db()
    assert rosa.status == Claim.Status.PARTLY_PAID


def test_a_reversal_of_a_replacement_claim_takes_back_the_originals_payment(batch, ctx):
    rosa, _, (first, _) = claims_of(batch)
    remittance_import(text=remittance_835(batch, trace="T1"), file_name="1.835", ctx=ctx)
    rosa.refresh_from_db()
    replacement_batch = services.batch_export(
        batch=corrections.claim_correct(claim=rosa, frequency="7", ctx=ctx), ctx=ctx
    )
    replacement = replacement_batch.claims.get()
    # The payer reverses the original under the replacement's number, and pays the replacement.
    text = remittance_835(replacement_batch, trace="T2", reversals={replacement: {}})
    [outcome] = remittance_import(text=text, file_name="2.835", ctx=ctx)
    assert outcome.remittance.status == Remittance.Status.POSTED, outcome.remittance.problems
    assert sums(first) == (0, 0, 0, "")  # the original's line: paid, then reversed
    assert {sums(line) for line in replacement.lines.all()} == {(D("73.08"), 0, 0, "")}
    assert RemittanceClaim.objects.filter(remittance=outcome.remittance, status_code="22").get().claim == rosa


def test_provider_level_adjustments_are_stored_and_balance_the_payment(batch, ctx):
    plb = [("WO", "OVERPAY123", "20"), ("L6", "", "-1.50"), ("FB", "F1", "3")]
    [outcome] = remittance_import(text=remittance_835(batch, plb=plb), file_name="era.835", ctx=ctx)
    remittance = outcome.remittance
    assert remittance.status == Remittance.Status.POSTED
    assert remittance.payment_amount == D("219.24") - D("21.50")
    rows = list(ProviderAdjustment.objects.filter(remittance=remittance).values_list("reason", "reference", "amount"))
    assert rows == [("WO", "OVERPAY123", D(20)), ("L6", "", D("-1.50")), ("FB", "F1", D(3))]
    assert ClaimLine.objects.filter(claim__batch=batch, paid=D("73.08")).count() == 3


def test_a_claim_that_is_not_ours_and_a_line_that_matches_nothing_wait_unmatched(batch, ctx):
    rosa, ana, (first, second) = claims_of(batch)
    text = remittance_835(batch, decisions={second: pay(code="H0039")})
    text = text.replace(f"CLP*{ana.claim_number}*", "CLP*XYZ-000123*")
    [outcome] = remittance_import(text=text, file_name="era.835", ctx=ctx)
    assert outcome.remittance.status == Remittance.Status.POSTED
    assert "posted 1 of 3 lines to 1 claim; 2 lines matched nothing" in outcome.message
    unmatched = RemittanceLine.objects.filter(match=RemittanceLine.Match.UNMATCHED).order_by("pk")
    assert [(r.remittance_claim.patient_control_number, r.hcpcs) for r in unmatched] == [
        (rosa.claim_number, "H0039"),
        ("XYZ-000123", "H0038"),
    ]
    assert sums(second) == (0, 0, 0, "") and sums(ana.lines.get()) == (0, 0, 0, "")
    assert RemittanceClaim.objects.get(patient_control_number="XYZ-000123").claim is None
    ana.refresh_from_db()
    assert ana.status == Claim.Status.SENT


def test_a_claim_billed_to_another_payer_is_not_matched(batch, ctx, author, program):
    other_payer = make_payer("Superior HealthPlan", payer_id="SUPHP", receiver_id="SUPERIOR")
    rosa, _, _ = claims_of(batch)
    text = remittance_835(batch).replace("XV*TXMCD", "XV*SUPHP")
    [outcome] = remittance_import(text=text, file_name="era.835", ctx=ctx)
    assert outcome.remittance.payer == other_payer
    assert not RemittanceLine.objects.exclude(match=RemittanceLine.Match.UNMATCHED).exists()
    assert ClaimLine.objects.filter(claim__batch=batch, paid=0).count() == 3
    reasons = unmatched_reasons(list(unmatched_lines()))
    ana = claims_of(batch)[1]
    assert sorted(reasons.values()) == [
        f"{claim.claim_number} was billed to Texas Medicaid; this remittance is from {other_payer}."
        for claim in (rosa, rosa, ana)
    ]


def _recount(text: str) -> str:
    """SE01 again, after a test removed segments."""
    segments = text.strip().rstrip("~").split("~")
    st, se = (
        next(i for i, s in enumerate(segments) if s.startswith("ST*")),
        next(i for i, s in enumerate(segments) if s.startswith("SE*")),
    )
    segments[se] = f"SE*{se - st + 1}*0001"
    return "~".join(segments) + "~"


def test_our_claim_decided_without_service_lines_or_with_claim_level_adjustments_is_held(batch, ctx):
    rosa, ana, _ = claims_of(batch)
    # Ana's claim denied as a whole: a claim-level CAS and no SVC loop.
    text = remittance_835(batch, claims=[rosa, ana], decisions={ana.lines.get(): deny()})
    head, ana_part = text.split(f"CLP*{ana.claim_number}*")
    ana_segments = ana_part.split("~")
    kept = [s for s in ana_segments if not s.startswith(("SVC*", "DTM*472", "LQ*", "CAS*"))]
    kept.insert(1, "CAS*CO*16*73.08")
    [outcome] = remittance_import(
        text=_recount(head + f"CLP*{ana.claim_number}*" + "~".join(kept)), file_name="x", ctx=ctx
    )
    assert outcome.held
    assert outcome.remittance.problems == [
        f"CLP {ana.claim_number}: the payer decided the whole claim without service lines (SVC). Check it with "
        "the payer; posted after review, its payment and adjustments are spread over the claim's lines in "
        "proportion to their charges."
    ]
    assert not ClaimLine.objects.exclude(paid=0).exists()
    Adjustment.objects.get(line=None, reason="16", remittance_claim__claim=ana)  # kept for the review


def test_resolving_an_unmatched_line_posts_it_to_the_line_of_the_chosen_claim(batch, ctx):
    rosa, ana, (first, second) = claims_of(batch)
    text = remittance_835(batch).replace(f"CLP*{ana.claim_number}*", "CLP*TYPO0001*")
    remittance_import(text=text, file_name="era.835", ctx=ctx)
    rline = RemittanceLine.objects.get(match=RemittanceLine.Match.UNMATCHED)
    with pytest.raises(ValidationError, match="has no line H0038 HE on"):
        remittance_line_resolve(rline=rline, claim=rosa, ctx=ctx)  # Rosa has no line that day left
    resolved = remittance_line_resolve(rline=rline, claim=ana, ctx=ctx)
    assert resolved.line == ana.lines.get()
    rline.refresh_from_db()
    assert rline.match == RemittanceLine.Match.RESOLVED and rline.decided_by == ctx.actor
    assert sums(ana.lines.get()) == (D("73.08"), 0, 0, "")
    ana.refresh_from_db()
    assert ana.status == Claim.Status.PAID and ana.payer_claim_number == payer_number(ana)
    with pytest.raises(ValidationError, match="already matched by hand"):
        remittance_line_resolve(rline=rline, claim=ana, ctx=ctx)
    assert AuditEvent.objects.filter(details__resolved_line=rline.pk).count() == 1


def test_a_line_the_payer_recoded_is_matched_suggested_and_resolved_by_the_code_we_sent(batch, ctx):
    rosa, ana, (first, second) = claims_of(batch)
    ana_line = ana.lines.get()
    decisions = {first: pay(recoded="H0039"), ana_line: pay(recoded="H0039")}
    text = remittance_835(batch, decisions=decisions).replace(f"CLP*{rosa.claim_number}*", "CLP*TYPO0001*")
    remittance_import(text=text, file_name="era.835", ctx=ctx)
    matched = RemittanceLine.objects.get(claim_line=ana_line)
    assert (matched.hcpcs, matched.submitted_hcpcs, matched.submitted_modifiers) == ("H0039", "H0038", ["HE"])
    # Rosa's claim number was mistyped: her lines wait unmatched, the recoded one found by SVC06.
    rline = RemittanceLine.objects.get(hcpcs="H0039", match=RemittanceLine.Match.UNMATCHED)
    assert claim_suggestions(list(unmatched_lines()))[rline.pk] == [rosa.claim_number]
    assert remittance_line_resolve(rline=rline, claim=rosa, ctx=ctx).line == first
    assert sums(first) == (D("73.08"), 0, 0, "")


def test_dismissing_an_unmatched_line_needs_a_reason_and_posts_nothing(batch, ctx):
    _, ana, _ = claims_of(batch)
    text = remittance_835(batch).replace(f"CLP*{ana.claim_number}*", "CLP*ELSEWHERE1*")
    remittance_import(text=text, file_name="era.835", ctx=ctx)
    rline = RemittanceLine.objects.get(match=RemittanceLine.Match.UNMATCHED)
    with pytest.raises(ValidationError, match="Say why"):
        remittance_line_dismiss(rline=rline, reason="  ", ctx=ctx)
    remittance_line_dismiss(rline=rline, reason="Another agency's patient", ctx=ctx)
    rline.refresh_from_db()
    assert rline.match == RemittanceLine.Match.DISMISSED and rline.dismiss_reason == "Another agency's patient"
    assert sums(ana.lines.get()) == (0, 0, 0, "")
    assert AuditEvent.objects.filter(details__dismissed_line=rline.pk).exists()


def test_an_unbalanced_file_is_held_and_posts_nothing_until_reviewed(batch, ctx):
    rosa, ana, (first, second) = claims_of(batch)
    text = remittance_835(batch, decisions={first: pay(50)})
    text = text.replace("SVC*HC:H0038:HE*73.08*50*", "SVC*HC:H0038:HE*73.08*55*")  # the line no longer adds up
    [outcome] = remittance_import(text=text, file_name="era.835", ctx=ctx)
    remittance = outcome.remittance
    assert outcome.held and "held for review" in outcome.message
    day = first.service_date
    assert remittance.problems == [
        f"CLP {rosa.claim_number}, line 1 (H0038 HE on {day:%b} {day.day}, {day.year}): the charge 73.08 less "
        "its adjustments 23.08 is 50.00, but the payer paid 55."
    ]
    assert ClaimLine.objects.filter(claim__batch=batch).exclude(paid=0).count() == 0
    assert not ClaimEvent.objects.filter(remittance=remittance).exists()
    with pytest.raises(ValidationError, match="Write what you checked"):
        remittance_post_held(remittance=remittance, note=" ", ctx=ctx)
    posted = remittance_post_held(remittance=remittance, note="Called the payer: 55 is right.", ctx=ctx)
    assert posted == 3
    remittance.refresh_from_db()
    assert remittance.status == Remittance.Status.POSTED and remittance.reviewed_by == ctx.actor
    assert sums(first)[0] == D(55) and sums(second)[0] == D("73.08")
    with pytest.raises(ValidationError, match="Only a held remittance"):
        remittance_post_held(remittance=remittance, note="again", ctx=ctx)
    assert AuditEvent.objects.filter(details__posted_after_review=True).count() == 1


def test_a_held_file_that_does_not_add_up_to_the_payment_can_be_dismissed(batch, ctx):
    text = remittance_835(batch).replace("BPR*I*219.24*", "BPR*I*200*")
    [outcome] = remittance_import(text=text, file_name="era.835", ctx=ctx)
    assert outcome.remittance.problems == [
        "The file: the claims' payments (219.24) less the provider-level adjustments (0) come to 219.24, "
        "but the payment (BPR02) is 200."
    ]
    remittance_dismiss(remittance=outcome.remittance, reason="Sent in error; the payer resends it.", ctx=ctx)
    outcome.remittance.refresh_from_db()
    assert outcome.remittance.status == Remittance.Status.DISMISSED
    assert not ClaimLine.objects.filter(claim__batch=batch).exclude(paid=0).exists()
    again = remittance_import(text=text, file_name="era.835", ctx=ctx)[0]
    assert not again.created and "already imported" in again.message


def test_the_same_file_twice_posts_nothing_the_second_time(batch, ctx, billing_user):
    text = remittance_835(batch, trace="EFT0042")
    remittance_import(text=text, file_name="era.835", ctx=ctx)
    rows = (Remittance.objects.count(), RemittanceLine.objects.count(), Adjustment.objects.count())
    [again] = remittance_import(text=text, file_name="era-copy.835", ctx=AuditContext(billing_user))
    assert not again.created
    assert again.message.startswith("Remittance EFT0042 was already imported on ")
    assert f"by {billing_user}" in again.message
    assert (Remittance.objects.count(), RemittanceLine.objects.count(), Adjustment.objects.count()) == rows
    assert {sums(line)[0] for line in ClaimLine.objects.filter(claim__batch=batch)} == {D("73.08")}


def _import_queries(identity, payer, author, person, ctx, lines: int, first_day: int) -> int:
    notes = [signed_note(person, author, day=days_ago(first_day + i)) for i in range(lines)]
    built = services.batch_build(payer=payer, note_ids=[n.pk for n in notes], ctx=AuditContext(author))
    batch = services.batch_export(batch=built, ctx=AuditContext(author))
    claim = batch.claims.get()
    assert claim.lines.count() == lines
    # Every line decided with two adjustments; the claim denied in part.
    decisions = {line: pay(40, ("CO", "45", "13.08"), ("CO", "16", None)) for line in claim.lines.all()}
    text = remittance_835(batch, decisions=decisions, trace=f"COST{lines}")
    with CaptureQueriesContext(connection) as queries:
        [outcome] = remittance_import(text=text, file_name="era.835", ctx=ctx)
    assert outcome.remittance.status == Remittance.Status.POSTED, outcome.remittance.problems
    assert {sums(line) for line in claim.lines.all()} == {(D(40), D("13.08"), D(20), "CO-16")}
    return len(queries)


def test_an_import_costs_at_most_a_few_queries_a_line(identity, payer, author, person, ctx):
    """A 5 MB file holds tens of thousands of lines: the cost of one line must stay small."""
    two = _import_queries(identity, payer, author, person, ctx, 2, first_day=40)
    twenty = _import_queries(identity, payer, author, person, ctx, 20, first_day=3)
    assert twenty - two <= 18 * 2, (two, twenty)  # at most two queries a line


def _row_counts():
    models = (Remittance, RemittanceClaim, RemittanceLine, Adjustment, ProviderAdjustment, ClaimEvent, AuditEvent)
    return [m.objects.count() for m in models]


def test_an_invalid_file_is_rejected_with_pyx12s_messages_and_changes_nothing(batch, ctx):
    before = _row_counts()
    text = remittance_835(batch).replace("*1*146.16*", "*X9*146.16*", 1)
    with pytest.raises(RemittanceFileError) as error:
        remittance_import(text=text, file_name="bad.835", ctx=ctx)
    assert any("(X9) is not a valid code for Claim Status Code (CLP02)" in m for m in error.value.messages)
    assert _row_counts() == before
    assert not ClaimLine.objects.filter(claim__batch=batch).exclude(paid=0).exists()


def test_an_837_or_a_999_is_refused_by_name(batch, ctx):
    before = _row_counts()
    with pytest.raises(RemittanceFileError, match="an 837 claim file, not an 835"):
        remittance_import(text=batch.file_837, file_name="claims.837", ctx=ctx)
    ack = batch.file_837.split("~ST*")[0].replace("*HC*", "*FA*").replace("005010X222A1", "005010X231A1")
    ack += "~ST*999*0001*005010X231A1~AK1*HC*1*005010X222A1~AK9*A*1*1*1~SE*4*0001~GE*1*1~IEA*1*000000001~"
    with pytest.raises(RemittanceFileError, match="a 999 acknowledgment, not an 835"):
        remittance_import(text=ack, file_name="ack.999", ctx=ctx)
    with pytest.raises(RemittanceFileError, match="not an X12 file"):
        remittance_import(text="%PDF-1.7 a scanned remittance", file_name="era.pdf", ctx=ctx)
    assert _row_counts() == before


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_file_at_once_post_it_once(batch, billing_user, tx_code):
    """Two connections: the second insert of the trace waits on the first's unique index entry,
    then fails once the first commits, and says the file was already imported."""
    text = remittance_835(batch, trace="RACE1")
    first_inserted, release, outcome = threading.Event(), threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                outcome["first"] = remittance_import(text=text, file_name="a", ctx=AuditContext(billing_user))
                first_inserted.set()
                release.wait(20)
        finally:
            connection.close()

    def second():
        first_inserted.wait(20)
        try:
            outcome["second"] = remittance_import(text=text, file_name="b", ctx=AuditContext(billing_user))
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    first_inserted.wait(20)
    wait_until(lambda: _waiting_on_a_lock() == 1, what="the second import to wait on the trace's index entry")
    release.set()
    for t in threads:
        t.join(30)
    assert outcome["first"][0].created and not outcome["second"][0].created
    assert "already imported" in outcome["second"][0].message
    assert Remittance.objects.count() == 1
    assert {line.paid for line in ClaimLine.objects.filter(claim__batch=batch)} == {D("73.08")}


@pytest.mark.django_db(transaction=True)
def test_two_clerks_resolving_lines_of_two_remittances_to_one_claim_line_at_once_pay_it_once(
    batch, billing_user, tx_code
):
    """Two connections: the second resolve waits on the participant and lines the first locked,
    then reads what the first posted, and is refused instead of paying the line twice."""
    rosa, _, (first, _) = claims_of(batch)
    for trace in ("T1", "T2"):  # the payer paid the claim twice, under mistyped numbers
        text = remittance_835(batch, claims=[rosa], trace=trace).replace(f"CLP*{rosa.claim_number}*", "CLP*TYPO1*")
        remittance_import(text=text, file_name="era.835", ctx=AuditContext(billing_user))
    one, two = RemittanceLine.objects.filter(service_date=first.service_date).order_by("pk")
    resolved, release, outcome = threading.Event(), threading.Event(), {}

    def clerk_one():
        try:
            with transaction.atomic():
                outcome["one"] = remittance_line_resolve(rline=one, claim=rosa, ctx=AuditContext(billing_user))
                resolved.set()
                release.wait(20)
        finally:
            connection.close()

    def clerk_two():
        resolved.wait(20)
        try:
            outcome["two"] = remittance_line_resolve(rline=two, claim=rosa, ctx=AuditContext(billing_user))
        except ValidationError as error:
            outcome["two_error"] = error.messages[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=clerk_one), threading.Thread(target=clerk_two)]
    for t in threads:
        t.start()
    resolved.wait(20)
    wait_until(lambda: _waiting_on_a_lock() == 1, what="the second resolve to wait on the first one's locks")
    release.set()
    for t in threads:
        t.join(30)
    assert outcome["one"].line == first and "two" not in outcome
    assert "our line would be paid 146.16, more than its charge 73.08" in outcome["two_error"]
    assert sums(first) == (D("73.08"), 0, 0, "")


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]
