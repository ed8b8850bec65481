"""The outcomes section of a hand-built period, checked number by number.

The period runs from 60 to 31 days ago. With the default windows (days from enrollment:
intake 0-30, 3 months 61-122, 6 months 152-243, 12 months 335-456), an enrollment that
started S days ago has its 3-month window close S - 122 days ago and its 6-month one
S - 243 days ago."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outcomes.models import CheckIn, Timepoint
from outcomes.tests.dashboard_cohort import enrollment, status
from outcomes.tests.factories import record_assessment, record_check_in
from participants.tests.factories import days_ago
from programs.tests.factories import ProgramFactory
from reports.figures import outcomes

START, END = days_ago(60), days_ago(31)


def _day(row, days):
    return row.start_date + datetime.timedelta(days=days)


def _intake(row, by, housed=0, employed=0):
    return record_check_in(row, timepoint=Timepoint.INTAKE, by=by, **status(housed, employed))


def _table(section, title):
    return next(t for t in section["tables"] if t["title"] == title)


@pytest.mark.django_db
def test_a_hand_built_period_is_counted_number_by_number(program, peer, agency):
    other = ProgramFactory(agency=agency, name="Elsewhere")
    # E1, started 160 days ago: intake not housed, not employed, PHQ-9 15; its 3-month check-in
    # 45 days ago (in the period, in its window closing 38 days ago): housed, PHQ-9 10.
    e1 = enrollment(program, peer, started_days_ago=160)
    _intake(e1, peer)
    record_assessment(e1, "PHQ-9", total=15, by=peer)
    record_check_in(e1, timepoint=Timepoint.MONTH_3, taken_on=days_ago(45), by=peer, **status(1, 0))
    record_assessment(e1, "PHQ-9", total=10, timepoint=Timepoint.MONTH_3, taken_on=days_ago(45), by=peer)
    # E2, started 170 days ago: intake only; its 3-month window closed 48 days ago, missed: due
    # in the period and, 17 days after it closed, overdue at the period's end.
    e2 = enrollment(program, peer, started_days_ago=170)
    _intake(e2, peer, housed=1, employed=1)
    record_assessment(e2, "PHQ-9", total=12, by=peer)
    # E3, started 290 days ago: intake housed, not employed, PHQ-9 20, GAD-7 10; its 6-month
    # check-in 50 days ago (window closing 47 days ago): housed, employed, PHQ-9 12, GAD-7 6.
    e3 = enrollment(program, peer, started_days_ago=290)
    _intake(e3, peer, housed=1)
    record_assessment(e3, "PHQ-9", total=20, by=peer)
    record_assessment(e3, "GAD-7", total=10, by=peer)
    record_check_in(e3, timepoint=Timepoint.MONTH_6, taken_on=days_ago(50), by=peer, **status(1, 1))
    record_assessment(e3, "PHQ-9", total=12, timepoint=Timepoint.MONTH_6, taken_on=days_ago(50), by=peer)
    record_assessment(e3, "GAD-7", total=6, timepoint=Timepoint.MONTH_6, taken_on=days_ago(50), by=peer)
    # E4, started 40 days ago (in the period): a PHQ-9 at intake, no intake check-in; its intake
    # window closes 10 days ago: due at the period's end.
    e4 = enrollment(program, peer, started_days_ago=40)
    record_assessment(e4, "PHQ-9", total=18, by=peer)
    # E5, started 100 days ago: intake; a check-in between timepoints 45 days ago; its 3-month
    # window opened 39 days ago: due at the period's end.
    e5 = enrollment(program, peer, started_days_ago=100)
    _intake(e5, peer)
    record_check_in(e5, timepoint=Timepoint.BETWEEN, taken_on=days_ago(45), by=peer, **status(1, 1))
    # E6, started 170 days ago, discharged after 30 days, before its 3-month window opened:
    # never due, and not active at the period's end.
    e6 = enrollment(program, peer, started_days_ago=170, discharged_after=30)
    _intake(e6, peer)
    # E8, started 200 days ago: its 3-month check-in 80 days ago, before the period (housed);
    # its 6-month window opened 48 days ago: due at the period's end.
    e8 = enrollment(program, peer, started_days_ago=200)
    _intake(e8, peer)
    record_check_in(e8, timepoint=Timepoint.MONTH_3, taken_on=days_ago(80), by=peer, **status(1, 1))
    record_assessment(e8, "PHQ-9", total=20, by=peer)
    record_assessment(e8, "PHQ-9", total=2, timepoint=Timepoint.MONTH_3, taken_on=days_ago(80), by=peer)
    # E7, another program, just like E1: counted nowhere here.
    e7 = enrollment(other, peer, started_days_ago=160)
    _intake(e7, peer)
    record_assessment(e7, "PHQ-9", total=27, by=peer)
    record_check_in(e7, timepoint=Timepoint.MONTH_3, taken_on=days_ago(45), by=peer, **status(1, 1))
    record_assessment(e7, "PHQ-9", total=0, timepoint=Timepoint.MONTH_3, taken_on=days_ago(45), by=peer)

    section = outcomes.section(program, START, END)
    numbers = {n["label"]: n["value"] for n in section["numbers"]}
    assert numbers == {
        "Check-ins done": 3,  # E1 3m, E3 6m, E5 between
        "Assessments done": 4,  # E1 PHQ-9 3m, E3 PHQ-9 and GAD-7 6m, E4 PHQ-9 intake
        "Check-ins due at the period's end": 3,  # E4 intake, E5 3m, E8 6m
        "Check-ins overdue at the period's end": 1,  # E2 3m
        "Follow-up rate": "66.7",  # due: E1 3m, E2 3m, E3 6m; done: E1, E3: 2 / 3
        "Follow-up target": 80,
    }
    done = _table(section, "Done in the period by timepoint")
    assert done["rows"] == [["Intake", 0, 1], ["3 months", 1, 1], ["6 months", 1, 2], ["Between timepoints", 1, 0]]
    assert done["total"] == ["Total", 3, 4]
    assert _table(section, "Follow-ups due in the period")["rows"] == [[3, 2, "66.7", "80.0"]]
    # E1 and E3 reached a timepoint: housed at intake 1 of 2 (E3), now 2 of 2; employed at
    # intake 0 of 2, now 1 of 2 (E3).
    assert _table(section, "Life status at intake and at the timepoint reached")["rows"] == [
        ["Housed (own or rent)", 2, "50.0", "100.0"],
        ["Employed (full or part time)", 2, "0.0", "50.0"],
    ]
    # GAD-7: E3 10 -> 6. PHQ-9: E1 15 -> 10, E3 20 -> 12: means 17.5 -> 11, change (-5 - 8) / 2.
    assert _table(section, "Average scores at intake and at the timepoint reached")["rows"] == [
        ["GAD-7", 1, "10.00", "6.00", "-4.00"],
        ["PHQ-9", 2, "17.50", "11.00", "-6.50"],
    ]
    [chart] = section["charts"]
    assert chart["id"] == "follow-up-rate"
    assert [s["values"] for s in chart["series"]] == [[66.7], [80]]


@pytest.mark.django_db
def test_a_participant_reaching_two_timepoints_in_a_long_period_counts_once_at_the_later(program, peer):
    row = enrollment(program, peer, started_days_ago=300)
    _intake(row, peer)
    record_check_in(row, timepoint=Timepoint.MONTH_3, taken_on=_day(row, 100), by=peer, **status(0, 1))
    record_check_in(row, timepoint=Timepoint.MONTH_6, taken_on=_day(row, 200), by=peer, **status(1, 0))
    section = outcomes.section(program, days_ago(365), days_ago(1))
    assert _table(section, "Life status at intake and at the timepoint reached")["rows"] == [
        ["Housed (own or rent)", 1, "0.0", "100.0"],
        ["Employed (full or part time)", 1, "0.0", "0.0"],
    ]


@pytest.mark.django_db
def test_a_period_with_nothing_due_has_no_rate(program):
    section = outcomes.section(program, START, END)
    numbers = {n["label"]: n["value"] for n in section["numbers"]}
    assert numbers["Follow-up rate"] is None and numbers["Check-ins done"] == 0
    assert _table(section, "Follow-ups due in the period")["rows"] == [[0, 0, None, "80.0"]]
    assert _table(section, "Life status at intake and at the timepoint reached")["rows"] == []
    assert _table(section, "Average scores at intake and at the timepoint reached")["rows"] == []


def _enrollments(program, peer, count):
    """`count` enrollments like E1: intake, and a 3-month check-in and PHQ-9 in the period."""
    for _ in range(count):
        row = enrollment(program, peer, started_days_ago=160)
        _intake(row, peer)
        record_assessment(row, "PHQ-9", total=15, by=peer)
        record_check_in(row, timepoint=Timepoint.MONTH_3, taken_on=days_ago(45), by=peer, **status(1, 0))
        record_assessment(row, "PHQ-9", total=10, timepoint=Timepoint.MONTH_3, taken_on=days_ago(45), by=peer)
        enrollment(program, peer, started_days_ago=170)  # missed its 3-month check-in: overdue


@pytest.mark.django_db
def test_the_query_count_is_the_same_for_3_and_30_enrollments(program, peer):
    def measure():
        with CaptureQueriesContext(connection) as queries:
            section = outcomes.section(program, START, END)
        return len(queries.captured_queries), section

    _enrollments(program, peer, 3)
    small, first = measure()
    _enrollments(program, peer, 27)
    large, second = measure()
    assert large == small
    assert _table(second, "Follow-ups due in the period")["rows"] == [[60, 30, "50.0", "80.0"]]
    assert CheckIn.objects.filter(timepoint=Timepoint.MONTH_3).count() == 30
