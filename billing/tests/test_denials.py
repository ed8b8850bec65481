"""The denial work queue and its actions, through the services (the pages: test_denials_pages.py)."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.tests.waiting import wait_until
from billing import denials, selectors
from billing.models import Appeal, Claim, ClaimEvent, ClaimLine, WriteOff
from notes.tests.factories import signed_note

from .factories import TODAY, billable_participant, days_ago, make_payer
from .posted import deny, exported, post

CHARGE = Decimal("73.08")  # 3 units of H0038 at the seeded rate


def denied_claim(payer, author, person, *, days=(3,), decided=1, trace, reason=("CO", "16"), exported_days=None):
    """An exported claim of `person`'s notes on `days` (days ago), denied in full for `reason`
    by a remittance paid `decided` days ago."""
    notes = [signed_note(person, author, day=days_ago(day)) for day in days]
    claim = exported(payer, notes, by=author, days_ago=exported_days).claims.get()
    deny(claim, paid_on=days_ago(decided), trace=trace, by=author, reason=reason)
    return claim


def home_denials() -> int:
    """What billing's home shows as denied lines to work."""
    return selectors.revenue_cycle_counts(TODAY)["denials"]


def line_of(claim) -> ClaimLine:
    return claim.lines.get(voided=False)


@pytest.mark.django_db
def test_the_queue_groups_lines_by_reason_the_oldest_decision_first(identity, payer, author, person, program):
    other = billable_participant(author, program, payer, first_name="Ana", last_name="Reyes")
    recent = denied_claim(payer, author, person, days=(3,), decided=2, trace="T1")
    older = denied_claim(payer, author, other, days=(5,), decided=20, exported_days=30, trace="T2")
    eligibility = denied_claim(payer, author, person, days=(8,), decided=40, exported_days=50, trace="T3",
                               reason=("CO", "197"))  # fmt: skip
    # A line paid in part: the contractual reduction is adjusted, the rest denied (CO-16).
    partly = exported(payer, [signed_note(person, author, day=days_ago(10))], by=author).claims.get()
    post(
        partly, [("40.00", [("CO", "45", "13.08"), ("CO", "16", "20.00")])], paid_on=days_ago(1), trace="T4", by=author
    )
    paid = exported(payer, [signed_note(person, author, day=days_ago(12))], by=author).claims.get()
    post(paid, [(CHARGE, [])], paid_on=days_ago(1), trace="T5", by=author)

    lines = list(denials.queue({}))
    assert [line.claim for line in lines] == [older, recent, partly, eligibility]
    assert home_denials() == 4  # neither the paid line nor the paid part counts
    assert [line.denial_reason for line in lines] == ["CO-16", "CO-16", "CO-16", "CO-197"]
    assert lines[2].open_denied == Decimal("20.00") and lines[2].paid == Decimal("40.00")
    counted = {row["denial_reason"]: (row["lines"], row["amount"]) for row in denials.counts({}).by_reason}
    assert counted == {"CO-16": (3, CHARGE * 2 + Decimal("20.00")), "CO-197": (1, CHARGE)}
    assert Claim.objects.get(pk=partly.pk).status == Claim.Status.PARTLY_PAID


@pytest.mark.django_db
def test_days_left_count_from_the_remittance_that_denied_the_line(identity, payer, author, person):
    assert payer.correction_days == 120
    soon = denied_claim(payer, author, person, days=(3,), decided=110, exported_days=115, trace="T1")
    late = denied_claim(payer, author, person, days=(5,), decided=125, exported_days=130, trace="T2")
    fresh = denied_claim(payer, author, person, days=(7,), decided=30, exported_days=35, trace="T3")
    rows = {line.claim: line for line in denials.rows(denials.queue({}))}
    assert (rows[soon].days_left, rows[soon].urgent) == (10, True)
    assert (rows[late].days_left, rows[late].days_past, rows[late].urgent) == (-5, 5, True)
    assert (rows[fresh].days_left, rows[fresh].urgent) == (90, False)


@pytest.mark.django_db
def test_the_queue_filters_by_reason_and_payer(identity, payer, author, person, program):
    other_payer = make_payer("Superior HealthPlan", payer_id="SHP01")
    elsewhere = billable_participant(author, program, other_payer, first_name="Ana", last_name="Reyes")
    ours = denied_claim(payer, author, person, trace="T1")
    theirs = denied_claim(other_payer, author, elsewhere, days=(4,), trace="T2", reason=("CO", "197"))
    assert [line.claim for line in denials.queue({"payer": other_payer})] == [theirs]
    assert [line.claim for line in denials.queue({"reason": "CO-16"})] == [ours]
    assert list(denials.queue({"reason": "CO-16", "payer": other_payer})) == []
    # The counts by reason follow the payer, whatever reason is chosen, so another can be picked.
    assert [r["denial_reason"] for r in denials.counts({"payer": payer, "reason": "CO-197"}).by_reason] == ["CO-16"]


def counted_line_by_line(filters) -> list[tuple[str, int, Decimal]]:
    """The queue of the payer filtered counted by reason one line at a time, as `counts` read
    it before the batches kept their denials: (reason, lines, amount), the largest amount first."""
    counts: dict[str, list] = {}
    for line in denials.queue({"payer": filters.get("payer")}):
        row = counts.setdefault(line.denial_reason, [0, Decimal(0)])
        row[0], row[1] = row[0] + 1, row[1] + line.open_denied
    return sorted(((reason, n, amount) for reason, (n, amount) in counts.items()), key=lambda r: (-r[2], r[0]))


@pytest.mark.django_db
def test_the_counts_by_reason_are_the_queue_counted_line_by_line(identity, payer, author, person, program):
    """`counts` adds up what each batch keeps denied by reason less the lines appealed: on
    lines where the two could differ (an appeal waiting, one answered, a part written off, a
    part paid, a corrected claim, another payer's batch with the same reason) it equals the
    queue counted line by line, with and without the payer filter; and the page's two lists
    are as long as it says, whatever the filters."""
    other_payer = make_payer("Superior HealthPlan", payer_id="SHP01")
    elsewhere = billable_participant(author, program, other_payer, first_name="Ana", last_name="Reyes")
    two = denied_claim(payer, author, person, days=(3, 4), decided=10, trace="T1")
    denied_claim(payer, author, person, days=(5,), trace="T2", reason=("CO", "197"))
    waiting = line_of(denied_claim(payer, author, person, days=(6,), decided=10, trace="T3"))
    denials.line_appeal(line=waiting, appealed_on=days_ago(4), note="Sent the note.", ctx=AuditContext(author))
    answered = denied_claim(payer, author, person, days=(7,), decided=10, trace="T4")
    denials.line_appeal(line=line_of(answered), appealed_on=days_ago(8), note="Sent.", ctx=AuditContext(author))
    post(answered, [("0", [])], paid_on=days_ago(1), trace="T5", by=author)  # denied again: back in the queue
    part = line_of(denied_claim(payer, author, person, days=(8,), trace="T6"))
    denials.line_write_off(line=part, amount=Decimal("30.00"), reason="Partial", ctx=AuditContext(author))
    partly = exported(payer, [signed_note(person, author, day=days_ago(9))], by=author).claims.get()
    post(
        partly, [("40.00", [("CO", "45", "13.08"), ("CO", "16", "20.00")])], paid_on=days_ago(1), trace="T7", by=author
    )
    denials.line_correct(
        line=line_of(denied_claim(payer, author, person, days=(10,), trace="T8")), ctx=AuditContext(author)
    )
    denied_claim(other_payer, author, elsewhere, days=(4, 5), trace="T9")
    assert denials.line_write_off(line=two.lines.first(), reason="x", ctx=AuditContext(author)).amount == CHARGE

    for filters in (
        {},
        {"payer": payer},
        {"payer": other_payer},
        {"payer": payer, "reason": "CO-197"},
        {"reason": "CO-16"},
    ):
        counted = denials.counts(filters)
        assert [(r["denial_reason"], r["lines"], r["amount"]) for r in counted.by_reason] == counted_line_by_line(
            filters
        )
        assert counted.lines(filters.get("reason")) == denials.queue(filters).count()
        assert counted.waiting_lines(filters.get("reason")) == denials.appealed(filters).count()
    assert denials.counts({}).waiting == {"CO-16": 1}
    assert counted_line_by_line({}) == [("CO-16", 6, 5 * CHARGE - 30 + 20), ("CO-197", 1, CHARGE)]


@pytest.mark.django_db
def test_an_appealed_line_waits_apart_until_the_payer_answers(identity, payer, author, person):
    claim = denied_claim(payer, author, person, decided=10, trace="T1")
    line = line_of(claim)
    appeal = denials.line_appeal(
        line=line, appealed_on=days_ago(4), note="Sent the signed note.", ctx=AuditContext(author)
    )
    assert list(denials.queue({})) == [] and home_denials() == 0
    [waiting] = denials.appealed({})
    assert (waiting.pk, waiting.appealed_on, waiting.appeal_note) == (line.pk, days_ago(4), "Sent the signed note.")
    assert ClaimEvent.objects.filter(claim=claim, text__startswith="Appeal of the").exists()
    audit = AuditEvent.objects.get(target_type="billing.appeal", target_id=str(appeal.pk))
    assert audit.action == AuditEvent.Action.CREATE and audit.details["line"] == line.pk
    assert "signed note" not in str(audit.details)  # the note stays on the appeal

    # The payer's answer, a later remittance, denies it again: back in the queue.
    post(claim, [("0", [])], paid_on=days_ago(1), trace="T2", by=author)
    assert [row.pk for row in denials.queue({})] == [line.pk] and list(denials.appealed({})) == []
    assert home_denials() == 1  # billing's home counts what the queue lists


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sent", "message"),
    [
        (1, "in the future"),  # tomorrow
        (-11, "dated before the remittance"),  # the day before the remittance
    ],
)
def test_an_appeal_is_dated_between_the_remittance_and_today(identity, payer, author, person, sent, message):
    line = line_of(denied_claim(payer, author, person, decided=10, trace="T1"))
    with pytest.raises(ValidationError, match=message):
        denials.line_appeal(line=line, appealed_on=days_ago(-sent), note="Appeal.", ctx=AuditContext(author))
    assert not Appeal.objects.exists() and not ClaimEvent.objects.filter(text__startswith="Appeal").exists()


@pytest.mark.django_db
def test_an_appeal_on_the_remittance_day_or_today_is_taken_once(identity, payer, author, person):
    first = line_of(denied_claim(payer, author, person, decided=10, trace="T1"))
    second = line_of(denied_claim(payer, author, person, days=(4,), decided=10, trace="T2"))
    denials.line_appeal(line=first, appealed_on=days_ago(10), note="Appeal.", ctx=AuditContext(author))
    denials.line_appeal(line=second, appealed_on=TODAY, note="Appeal.", ctx=AuditContext(author))
    with pytest.raises(ValidationError, match="already appealed on"):
        denials.line_appeal(line=first, appealed_on=TODAY, note="Again.", ctx=AuditContext(author))
    with pytest.raises(ValidationError, match="Say what the appeal asks"):
        denials.line_appeal(line=first, appealed_on=TODAY, note="  ", ctx=AuditContext(author))
    assert Appeal.objects.count() == 2


@pytest.mark.django_db
def test_correct_and_resubmit_builds_a_replacement_and_the_lines_leave_the_queue(identity, payer, author, person):
    claim = denied_claim(payer, author, person, days=(3, 5), decided=10, trace="T1")
    assert len(list(denials.queue({}))) == 2
    batch = denials.line_correct(line=claim.lines.first(), ctx=AuditContext(author))
    replacement = batch.claims.get()
    assert (replacement.frequency, replacement.original) == (Claim.Frequency.REPLACEMENT, claim)
    assert replacement.lines.filter(voided=False).count() == 2
    assert not claim.lines.filter(voided=False).exists()
    assert list(denials.queue({})) == []
    assert ClaimEvent.objects.filter(claim=claim, text__startswith=f"Replaced by {replacement.claim_number}").exists()
    assert ClaimEvent.objects.filter(claim=replacement, text__startswith=f"Replaces {claim.claim_number}").exists()
    assert AuditEvent.objects.filter(details__corrected_claim=claim.pk, details__frequency="7").exists()


@pytest.mark.django_db
def test_correction_needs_the_payers_claim_number_and_time_left(identity, payer, author, person):
    unnumbered = denied_claim(payer, author, person, decided=10, trace="T1")
    Claim.objects.filter(pk=unnumbered.pk).update(payer_claim_number="")
    with pytest.raises(ValidationError, match="claim number for .* first"):
        denials.line_correct(line=line_of(unnumbered), ctx=AuditContext(author))
    late = denied_claim(payer, author, person, days=(5,), decided=130, exported_days=135, trace="T2")
    with pytest.raises(ValidationError, match="120-day limit for corrections: .* adjudicated 130 days ago"):
        denials.line_correct(line=line_of(late), ctx=AuditContext(author))
    assert ClaimLine.objects.filter(voided=True).count() == 0 and Claim.objects.count() == 2


@pytest.mark.django_db
def test_a_write_off_takes_what_is_still_denied_by_default(identity, payer, author, person):
    claim = denied_claim(payer, author, person, trace="T1")
    line = line_of(claim)
    write_off = denials.line_write_off(line=line, reason="Past appeal, not worth it", ctx=AuditContext(author))
    line.refresh_from_db()
    assert write_off.amount == line.written_off == CHARGE and write_off.reason == "Past appeal, not worth it"
    assert list(denials.queue({})) == []
    assert ClaimEvent.objects.filter(claim=claim, text=f"$73.08 of the {line.service_date:%b} "
                                     f"{line.service_date.day}, {line.service_date.year} H0038 line of "
                                     f"{claim.claim_number} written off.").exists()  # fmt: skip
    audit = AuditEvent.objects.get(target_type="billing.writeoff")
    assert audit.details == {"line": line.pk, "claim": claim.pk, "amount": "73.08"}


@pytest.mark.django_db
def test_a_part_written_off_leaves_the_rest_in_the_queue_and_never_more_than_owed(identity, payer, author, person):
    line = line_of(denied_claim(payer, author, person, trace="T1"))
    denials.line_write_off(line=line, amount=Decimal("30.00"), reason="Partial", ctx=AuditContext(author))
    [row] = denials.queue({})
    assert row.open_denied == Decimal("43.08")
    with pytest.raises(ValidationError, match=r"Only \$43.08 is still owed .*write off at most that"):
        denials.line_write_off(line=line, amount=Decimal("43.09"), reason="Too much", ctx=AuditContext(author))
    with pytest.raises(ValidationError, match="above"):
        denials.line_write_off(line=line, amount=Decimal("0"), reason="Nothing", ctx=AuditContext(author))
    with pytest.raises(ValidationError, match="Say why"):
        denials.line_write_off(line=line, amount=Decimal("1.00"), reason=" ", ctx=AuditContext(author))
    line.refresh_from_db()
    assert line.written_off == Decimal("30.00") and WriteOff.objects.count() == 1


@pytest.mark.django_db
def test_a_denied_line_paid_later_leaves_the_queue_and_the_claim_is_paid(identity, payer, author, person):
    """The denial overturned: the payer pays the line without reversing the denial first."""
    claim = denied_claim(payer, author, person, trace="T1", decided=3)
    line = line_of(claim)
    post(claim, [(CHARGE, [])], paid_on=days_ago(1), trace="T2", by=author)
    line.refresh_from_db()
    claim.refresh_from_db()
    assert (line.paid, line.denied, line.outstanding) == (CHARGE, CHARGE, 0)
    assert list(denials.queue({})) == [] and denials.counts({}).by_reason == [] and list(denials.appealed({})) == []
    assert claim.status == Claim.Status.PAID and claim.status_detail == ""
    with pytest.raises(ValidationError, match="Nothing denied is left on this line"):
        denials.line_write_off(line=line, reason="give up", ctx=AuditContext(author))
    with pytest.raises(ValidationError, match="Nothing denied is left on this line"):
        denials.line_write_off(line=line, amount=Decimal("1.00"), reason="give up", ctx=AuditContext(author))
    assert not WriteOff.objects.exists()


@pytest.mark.django_db
def test_a_denied_line_paid_in_part_later_keeps_only_what_is_still_owed_in_the_queue(identity, payer, author, person):
    claim = denied_claim(payer, author, person, trace="T1", decided=3)
    line = line_of(claim)
    post(claim, [("40.00", [("CO", "45", "13.08"), ("CO", "16", "20.00")])], paid_on=days_ago(1), trace="T2", by=author)
    [row] = denials.queue({})
    assert (row.denied, row.outstanding, row.open_denied) == (CHARGE + 20, 20, 20)
    assert [(r["denial_reason"], r["amount"]) for r in denials.counts({}).by_reason] == [("CO-16", 20)]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PARTLY_PAID and claim.status_detail == "Denied: CO-16"
    assert denials.line_write_off(line=line, reason="Not worth it", ctx=AuditContext(author)).amount == 20
    assert list(denials.queue({})) == []


@pytest.mark.django_db
def test_no_action_on_a_line_that_was_corrected(identity, payer, author, person):
    line = line_of(denied_claim(payer, author, person, trace="T1"))
    denials.line_correct(line=line, ctx=AuditContext(author))
    for act in (
        lambda: denials.line_write_off(line=line, reason="x", ctx=AuditContext(author)),
        lambda: denials.line_appeal(line=line, appealed_on=TODAY, note="x", ctx=AuditContext(author)),
        lambda: denials.line_correct(line=line, ctx=AuditContext(author)),
    ):
        with pytest.raises(ValidationError, match="corrected or voided"):
            act()
    assert not WriteOff.objects.exists() and not Appeal.objects.exists()


def _connections_waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_clerks_writing_off_one_line_at_once_write_it_off_once(payer, author, person, tx_code, identity):
    """Two threads, two connections: the second write-off waits on the line's row the first
    one locked, then reads the balance the first left and is refused."""
    line = line_of(denied_claim(payer, author, person, trace="T1"))
    start, first_written, release = threading.Barrier(2), threading.Event(), threading.Event()
    outcome = {}

    def first():
        start.wait(10)
        try:
            with transaction.atomic():
                outcome["first"] = denials.line_write_off(line=line, reason="Clerk one", ctx=AuditContext(author))
                first_written.set()
                release.wait(10)
        finally:
            connection.close()

    def second():
        start.wait(10)
        first_written.wait(10)
        try:
            outcome["second"] = denials.line_write_off(line=line, reason="Clerk two", ctx=AuditContext(author))
        except ValidationError as error:
            outcome["second_error"] = error.messages[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    first_written.wait(10)
    wait_until(lambda: _connections_waiting_on_a_lock() == 1, what="the second write-off to block on the line")
    release.set()
    for t in threads:
        t.join(20)
    assert "first" in outcome and "second" not in outcome
    assert outcome["second_error"] == "Nothing denied is left on this line: it was paid, corrected or written off."
    line.refresh_from_db()
    assert line.written_off == CHARGE and WriteOff.objects.count() == 1
