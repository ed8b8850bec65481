"""Caps belong to the service and hold in every window, whatever order notes are billed in;
and the assessment reads claim history for the windows that matter only."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.tests.waiting import wait_until
from billing import caps, marks
from billing.assessment import HOLD, READY
from billing.billability import assess, billable_notes
from billing.caps import UnitsByDay
from billing.models import Authorization, Claim, ClaimBatch, ClaimLine, ServiceCode
from notes.models import SessionNote
from notes.tests.factories import signed_note

from .factories import TODAY, bill, days_ago, reference_kept, signed_group

D = datetime.date(2026, 3, 1)
DAY = datetime.timedelta(days=1)


def texts(a):
    return " | ".join(r.text for r in a.reasons)


def billed_units(person) -> int:
    return sum(ClaimLine.objects.filter(claim__participant=person, voided=False).values_list("units", flat=True))


def bill_104_units(payer, person, author, *, first_day_ago: int):
    """26 one-hour sessions (4 units each), one a day, billed: the rolling cap of 104 units."""
    notes = [
        signed_note(person, author, day=days_ago(first_day_ago + n), start="09:00", end="10:00") for n in range(26)
    ]
    bill(payer, notes)
    assert billed_units(person) == 104


def test_the_busiest_window_around_a_day_counts_days_before_and_after_it():
    used = UnitsByDay()
    for offset, units in [(-200, 50), (-10, 3), (5, 4), (170, 6), (200, 9)]:
        used.add(D + offset * DAY, units)
    # Windows of 183 days containing D: [-10, 172] holds 3 + 4 + 6; -200 and 200 are out of reach.
    assert used.busiest_window(D, 183) == 13
    assert used.busiest_window(D, 1) == used.on(D) == 0
    assert used.busiest_window(D + 5 * DAY, 1) == 4
    used.add(D + 5 * DAY, 2)
    assert used.on(D + 5 * DAY) == 6 and used.busiest_window(D, 183) == 15


@pytest.mark.django_db
def test_individual_and_group_sessions_share_the_services_rolling_cap(payer, author, person, tx_code):
    bill_104_units(payer, person, author, first_day_ago=30)
    [group_note] = signed_group(author, [person], day=days_ago(10))  # 2 hours: 8 more units of H0038
    [a] = assess(billable_notes())
    assert a.note == group_note and a.status == HOLD
    assert "The cap of 104 units per 183 days for H0038 is used up" in texts(a)
    with pytest.raises(ValidationError, match="None of the chosen notes is ready"):
        bill(payer, [group_note])
    assert billed_units(person) == 104


@pytest.mark.django_db
def test_individual_and_group_sessions_share_the_daily_cap(payer, author, person, tx_code):
    bill(payer, [signed_note(person, author, day=days_ago(5), start="08:00", end="11:00")])  # 12 of 16 units
    signed_group(author, [person], day=days_ago(5), start="13:00", end="15:00")  # 8 units asked
    [a] = assess(billable_notes())
    assert (a.status, a.units) == (READY, 4) and "Capped to 4 of 8 units by the daily cap" in a.cap_note


@pytest.mark.django_db
def test_a_session_billed_late_cannot_push_a_later_window_over_the_cap(payer, author, person, tx_code):
    payer.timely_filing_days = 365
    payer.save()
    person.enrollments.update(start_date=days_ago(300))
    person.assignments.update(started_on=days_ago(300))
    bill_104_units(payer, person, author, first_day_ago=10)  # days_ago(10) .. days_ago(35)
    earlier = signed_note(person, author, day=days_ago(100), start="09:00", end="10:00")
    # 183 days from days_ago(193) reach days_ago(11): all but one of those sessions (100 units).
    edge = signed_note(person, author, day=days_ago(193), start="09:00", end="10:00")
    results = {a.note: a for a in assess(billable_notes())}
    assert results[earlier].status == HOLD and "used up in a 183-day period" in texts(results[earlier])
    assert (results[edge].status, results[edge].units) == (READY, 4)
    bill(payer, [edge])
    with pytest.raises(ValidationError):
        bill(payer, [earlier])


@pytest.mark.django_db
def test_an_authorization_covers_the_service_individual_and_group_alike(payer, author, person, tx_code):
    ServiceCode.objects.filter(billing_program=tx_code.billing_program).update(requires_authorization=True)
    Authorization.objects.create(participant=person, service_code=tx_code, number="A-9", units_authorized=6,
                                 start_date=days_ago(30), end_date=TODAY)  # fmt: skip
    bill(payer, [signed_note(person, author, day=days_ago(6), start="09:00", end="10:00")])  # 4 of 6 units
    signed_group(author, [person], day=days_ago(5))
    [a] = assess(billable_notes())
    assert (a.status, a.units, a.authorization.number) == (READY, 2, "A-9")
    assert "authorization A-9" in a.cap_note


def _past_lines(person, author, code, days_ago_list):
    """Claim lines of one unit for signed notes on the days given, made in bulk."""
    notes = SessionNote.objects.bulk_create(
        SessionNote(participant=person, author=author, status=SessionNote.Status.COSIGNED, date=days_ago(n),
                    start_time="08:00", end_time="08:15", modality="in_person", place_of_service="99")
        for n in days_ago_list
    )  # fmt: skip
    batch = ClaimBatch.objects.create(payer=person.coverages.get().payer, created_by=author)
    claim = Claim.objects.create(batch=batch, participant=person, billing_program=code.billing_program, member_id="1")
    ClaimLine.objects.bulk_create(
        ClaimLine(claim=claim, note=n, service_code=code, hcpcs="H0038", units=1, charge=1, place_of_service="99",
                  service_date=n.date)
        for n in notes
    )  # fmt: skip
    marks.refresh(n.pk for n in notes)  # as every service writing a line does


@pytest.mark.django_db
def test_assessing_reads_claim_history_for_the_windows_only(person, author, tx_code, monkeypatch):
    """Ten lines within the rolling window, then 1,990 more from years before it: the same
    queries, and the same ten days of history read."""
    rows_read = []
    history = caps._history
    monkeypatch.setattr(caps, "_history", lambda spans: rows_read.append(len(result := history(spans))) or result)
    for n in (3, 4, 5):
        signed_note(person, author, day=days_ago(n), start="10:00", end="10:30")

    def measure():
        reference_kept()
        with CaptureQueriesContext(connection) as queries:
            results = assess(billable_notes())
        return len(queries), [(a.status, a.units) for a in results]

    _past_lines(person, author, tx_code, range(100, 110))
    small = measure()
    _past_lines(person, author, tx_code, range(200, 2190))
    assert ClaimLine.objects.count() == 2000
    large = measure()
    assert large == small and small[1] == [(READY, 2)] * 3
    assert rows_read == [10, 10]  # one row per day with units in reach, never the years before


def _connections_waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_batch_builds_at_once_exceed_neither_the_cap_nor_the_authorization(payer, author, person, tx_code):
    """Two threads, two database connections, a different note each: 100 of 104 units billed
    and an authorization of 4 units leave room for one of the two 4-unit notes, not both."""
    notes = [signed_note(person, author, day=days_ago(10 + n), start="09:00", end="10:00") for n in range(25)]
    bill(payer, notes)
    ServiceCode.objects.filter(billing_program=tx_code.billing_program).update(requires_authorization=True)
    Authorization.objects.create(participant=person, service_code=tx_code, number="A-4", units_authorized=4,
                                 start_date=days_ago(6), end_date=TODAY)  # fmt: skip
    mine, theirs = (signed_note(person, author, day=days_ago(n), start="09:00", end="10:00") for n in (5, 4))
    assert all(assess(billable_notes().filter(pk=n.pk))[0].status == READY for n in (mine, theirs))  # each alone
    start, first_built, release = threading.Barrier(2), threading.Event(), threading.Event()
    outcome = {}

    def first():
        start.wait(10)
        try:
            with transaction.atomic():
                outcome["first"] = bill(payer, [mine])
                first_built.set()
                release.wait(10)
        finally:
            connection.close()

    def second():
        start.wait(10)
        first_built.wait(10)
        try:
            outcome["second"] = bill(payer, [theirs])
        except ValidationError as error:
            outcome["second_error"] = error.messages[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    first_built.wait(10)
    # The second build either waits on the first one's lock or, without one, finishes alone.
    wait_until(
        lambda: _connections_waiting_on_a_lock() == 1 or "second" in outcome,
        what="the second build to block on the participant's row",
    )
    release.set()
    for t in threads:
        t.join(20)
    assert billed_units(person) == 104
    assert sum(line.units for line in ClaimLine.objects.filter(service_date__gte=days_ago(6), voided=False)) == 4
    assert "first" in outcome and "second" not in outcome
    assert outcome["second_error"] == "None of the chosen notes is ready to bill to this payer."
