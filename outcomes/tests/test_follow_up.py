"""The follow-up rate and the timepoints needing action, against cases counted by hand.

Default windows (schedule.DEFAULT_WINDOWS): 3 months closes on day 122, 6 months opens on
day 152 and closes on day 243, 12 months closes on day 456. The period below is 101 days
long, shorter than the 121 days between two closings, so only the 6-month follow-up of each
enrollment can fall in it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.sql import PlusDays
from outcomes.follow_up import action_counts, count_by_status, follow_up_rates, needing_action
from outcomes.models import Timepoint, TimepointWindow
from outcomes.schedule import Status
from outcomes.tests.factories import record_check_in
from participants.models import CaseloadAssignment, Enrollment
from participants.tests.factories import days_ago, enrolled_participant
from programs.tests.factories import ProgramFactory

START, END = days_ago(300), days_ago(200)
OPENS, CLOSES = 152, 243
ONE_DAY = datetime.timedelta(days=1)


def _enrolled(peer, program, *, closes_on: datetime.date) -> Enrollment:
    """Enrolled so that the 6-month window closes on `closes_on`."""
    started = closes_on - datetime.timedelta(days=CLOSES)
    person = enrolled_participant(peer, program=program, started_days_ago=(days_ago(0) - started).days)
    return person.enrollments.get()


def _six_months(enrollment, day, peer):
    record_check_in(enrollment, timepoint=Timepoint.MONTH_6, taken_on=day, by=peer)


def _opens(enrollment):
    return enrollment.start_date + datetime.timedelta(days=OPENS)


def _closes(enrollment):
    return enrollment.start_date + datetime.timedelta(days=CLOSES)


@pytest.fixture
def cohort(peer, team, program):
    """Six due (two done in window), three not due, counted by hand."""
    on_first_day = _enrolled(peer, program, closes_on=START)  # due, done on the window's first day
    _six_months(on_first_day, _opens(on_first_day), peer)
    on_last_day = _enrolled(peer, program, closes_on=END)  # due, done on the window's last day
    _six_months(on_last_day, _closes(on_last_day), peer)
    late = _enrolled(peer, program, closes_on=START + datetime.timedelta(days=50))  # due, done a day late
    _six_months(late, _closes(late) + ONE_DAY, peer)
    early = _enrolled(peer, program, closes_on=START + datetime.timedelta(days=60))  # due, seen a day early:
    # a 6-month check-in can't be dated before its window, so that one is "between timepoints"
    record_check_in(early, timepoint=Timepoint.BETWEEN, taken_on=_opens(early) - ONE_DAY, by=peer)
    _enrolled(peer, program, closes_on=START + datetime.timedelta(days=70))  # due, never done
    opened_then_left = _enrolled(peer, program, closes_on=START + datetime.timedelta(days=80))
    Enrollment.objects.filter(pk=opened_then_left.pk).update(end_date=_opens(opened_then_left))  # due
    left_first = _enrolled(peer, program, closes_on=START + datetime.timedelta(days=90))
    Enrollment.objects.filter(pk=left_first.pk).update(end_date=_opens(left_first) - ONE_DAY)  # not due
    before = _enrolled(peer, program, closes_on=START - ONE_DAY)  # closed before the period: not due
    _six_months(before, _closes(before), peer)
    _enrolled(peer, program, closes_on=END + ONE_DAY)  # closed after it: not due
    return program


@pytest.mark.django_db
def test_the_rate_counts_follow_ups_at_the_window_edges(cohort):
    [row] = follow_up_rates(program_ids=[cohort.pk], start=START, end=END)
    assert (row.program_id, row.due, row.done) == (cohort.pk, 6, 2)
    assert row.rate == 33.3 and row.meets_target is False


@pytest.mark.django_db
def test_the_rate_meets_the_target_at_80_percent(peer, team, program):
    for n in range(5):
        enrollment = _enrolled(peer, program, closes_on=START + datetime.timedelta(days=n))
        if n < 4:
            _six_months(enrollment, _closes(enrollment), peer)
    [row] = follow_up_rates(program_ids=[program.pk], start=START, end=END)
    assert (row.due, row.done, row.rate, row.meets_target) == (5, 4, 80.0, True)


@pytest.mark.django_db
def test_nothing_due_is_no_rate_not_zero(program):
    assert follow_up_rates(program_ids=[program.pk], start=START, end=END) == []


@pytest.mark.django_db
def test_a_programs_own_window_moves_what_is_due(peer, team, program):
    """With the 6-month window closing on day 200 instead of 243, an enrollment whose
    default window closed a day after the period now closes inside it."""
    TimepointWindow.objects.create(program=program, timepoint=Timepoint.MONTH_6, opens_day=150, closes_day=200)
    _enrolled(peer, program, closes_on=END + ONE_DAY)
    [row] = follow_up_rates(program_ids=[program.pk], start=START, end=END)
    assert row.due == 1
    other = ProgramFactory(agency=program.agency)
    _enrolled(peer, other, closes_on=END + ONE_DAY)
    assert [r.program_id for r in follow_up_rates(program_ids=None, start=START, end=END)] == [program.pk]


@pytest.mark.django_db
def test_each_timepoint_counts_once_per_enrollment(peer, team, program):
    """One enrollment, a period covering all three closings: three due, the two done count."""
    person = enrolled_participant(peer, program=program, started_days_ago=500)
    enrollment = person.enrollments.get()
    record_check_in(enrollment, timepoint=Timepoint.MONTH_3, taken_on=enrollment.start_date + 100 * ONE_DAY, by=peer)
    record_check_in(enrollment, timepoint=Timepoint.MONTH_12, taken_on=enrollment.start_date + 400 * ONE_DAY, by=peer)
    [row] = follow_up_rates(program_ids=[program.pk], start=days_ago(499), end=days_ago(0))
    assert (row.due, row.done) == (3, 2)


@pytest.mark.django_db
def test_per_specialist_the_one_assigned_when_the_window_closed(peer, team, program):
    newcomer = UserFactory(role=Role.PEER_SPECIALIST)
    handed_on_closing_day = _enrolled(peer, program, closes_on=START + 10 * ONE_DAY)
    handed_after = _enrolled(peer, program, closes_on=START + 20 * ONE_DAY)
    _six_months(handed_after, _closes(handed_after), peer)
    for enrollment, day in [
        (handed_on_closing_day, _closes(handed_on_closing_day)),
        (handed_after, _closes(handed_after) + ONE_DAY),
    ]:
        CaseloadAssignment.objects.filter(participant_id=enrollment.participant_id).update(ended_on=day)
        CaseloadAssignment.objects.create(
            participant_id=enrollment.participant_id, specialist=newcomer, started_on=day, assigned_by=peer
        )
    rows = follow_up_rates(program_ids=[program.pk], start=START, end=END, by_specialist=True)
    assert {(r.specialist_id, r.due, r.done) for r in rows} == {(peer.pk, 1, 1), (newcomer.pk, 1, 0)}
    only = follow_up_rates(program_ids=None, start=START, end=END, by_specialist=True, specialist_ids=[newcomer.pk])
    assert [(r.specialist_id, r.due) for r in only] == [(newcomer.pk, 1)]


@pytest.mark.django_db
def test_the_rate_takes_the_same_queries_for_any_number_of_enrollments(cohort, peer):
    def count():
        with CaptureQueriesContext(connection) as queries:
            follow_up_rates(program_ids=[cohort.pk], start=START, end=END, by_specialist=True)
        return len(queries.captured_queries)

    small = count()
    for n in range(20):
        _enrolled(peer, cohort, closes_on=START + n * ONE_DAY)
    assert count() == small == 4  # the programs' closing days, then one per follow-up timepoint


@pytest.mark.django_db
def test_plus_days_adds_days_in_sql(participant):
    from django.db.models import F, Value

    enrollment = participant.enrollments.annotate(later=PlusDays(F("start_date"), Value(243))).get()
    assert enrollment.later == enrollment.start_date + 243 * ONE_DAY


@pytest.mark.django_db
def test_needing_action_lists_due_and_overdue_check_ins(peer, team, program):
    new = enrolled_participant(peer, program=program, started_days_ago=10).enrollments.get()  # intake due
    later = enrolled_participant(peer, program=program, started_days_ago=130).enrollments.get()
    record_check_in(later, taken_on=later.start_date, by=peer)  # intake done; 3 months closed 8 days ago
    recorded = enrolled_participant(peer, program=program, started_days_ago=100).enrollments.get()
    record_check_in(recorded, taken_on=recorded.start_date, by=peer)
    record_check_in(recorded, timepoint=Timepoint.MONTH_3, taken_on=days_ago(1), by=peer)  # nothing due
    found = needing_action([new, later, recorded])
    assert [(s.timepoint, s.status) for s in found[new.participant_id]] == [(Timepoint.INTAKE, Status.DUE)]
    assert [(s.timepoint, s.status) for s in found[later.participant_id]] == [(Timepoint.MONTH_3, Status.OVERDUE)]
    assert recorded.participant_id not in found
    assert "overdue since" in found[later.participant_id][0].text
    assert count_by_status([*found[new.participant_id], *found[later.participant_id]]) == {"due": 1, "overdue": 1}


@pytest.mark.django_db
def test_someone_in_two_programs_sees_which_program_each_check_in_is_for(peer, team, program):
    person = enrolled_participant(peer, program=program, started_days_ago=10)
    warmline = ProgramFactory(agency=program.agency, name="Warmline")
    Enrollment.objects.create(participant=person, program=warmline, start_date=days_ago(5))
    found = needing_action(person.enrollments.select_related("program"))
    assert sorted(s.text.split(" (")[1] for s in found[person.pk]) == ["Peer Bridger)", "Warmline)"]
    alone = enrolled_participant(peer, program=program, started_days_ago=10).enrollments.get()
    assert "(" not in needing_action([alone])[alone.participant_id][0].text


# Days since enrollment on each side of every default window's first and last day and of the
# end of the overdue month after it (schedule.DEFAULT_WINDOWS, OVERDUE_FOR_DAYS = 30).
EDGES = [0, 30, 31, 60, 61, 122, 123, 152, 153, 243, 244, 273, 274, 456, 457, 486, 487]


def _schedule_variety(peer, program, custom, edges):
    for days in edges:
        enrolled_participant(peer, program=program, started_days_ago=days)  # nothing recorded
        on_time = enrolled_participant(peer, program=custom, started_days_ago=days).enrollments.get()
        record_check_in(on_time, taken_on=on_time.start_date, by=peer)  # intake done: the rest as scheduled
        late = enrolled_participant(peer, program=program, started_days_ago=days + 1).enrollments.get()
        if days + 1 >= 61:  # the 3-month window has opened: done today, in it or late
            record_check_in(late, timepoint=Timepoint.MONTH_3, taken_on=days_ago(0), by=peer)
        Enrollment.objects.create(participant=late.participant, program=custom, start_date=days_ago(days))


@pytest.mark.django_db
def test_action_counts_count_what_needing_action_lists(peer, team, program):
    """The figures pages count, from rows read as values, what the caseload rows list: the
    same numbers per participant across every window's edges, a program's own windows and
    people in two programs; three queries at two sizes."""
    custom = ProgramFactory(agency=program.agency, name="Own windows")
    TimepointWindow.objects.create(program=custom, timepoint=Timepoint.INTAKE, opens_day=0, closes_day=10)
    TimepointWindow.objects.create(program=custom, timepoint=Timepoint.MONTH_3, opens_day=60, closes_day=130)
    _schedule_variety(peer, program, custom, EDGES[:3])
    with CaptureQueriesContext(connection) as small:
        action_counts(Enrollment.objects.current())
    _schedule_variety(peer, program, custom, EDGES[3:])
    with CaptureQueriesContext(connection) as large:
        counted = action_counts(Enrollment.objects.current())
    assert len(small.captured_queries) == len(large.captured_queries) == 3  # enrollments, check-ins, windows
    listed = needing_action(Enrollment.objects.current().select_related("program"))
    expected = {pk: count_by_status(due) for pk, due in listed.items()}
    assert {pk: c for pk, c in counted.items() if c["due"] or c["overdue"]} == expected
    totals = count_by_status(s for due in listed.values() for s in due)
    assert totals["due"] > 10 and totals["overdue"] > 10  # the variety reaches both
