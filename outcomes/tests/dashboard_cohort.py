"""Cohorts for the dashboard tests, recorded through the services as the pages record them.

`hand_worked_cohort` is the six people of test_statistics.py (the same housed pairs and
PHQ-9 totals), plus one enrollment excluded for each reason and two outside the cohort."""

import datetime
from decimal import Decimal

from django.utils import timezone

from outcomes.models import CheckIn, Timepoint, UnitCosts
from participants.models import Enrollment
from participants.tests.factories import enrolled_participant

from .factories import record_assessment, record_check_in

SIX_MONTHS = 182

# Per person: housed, employed, PHQ-9 total, ER visits, inpatient days, each (at intake, at 6m).
HAND_WORKED = [
    {"housed": (0, 1), "employed": (0, 0), "phq9": (15, 10), "er": (4, 1), "inpatient": (10, 2)},
    {"housed": (0, 1), "employed": (0, 1), "phq9": (12, 11), "er": (2, 0), "inpatient": (0, 0)},
    {"housed": (0, 1), "employed": (0, 1), "phq9": (20, 12), "er": (0, 0), "inpatient": (5, 0)},
    {"housed": (1, 1), "employed": (0, 0), "phq9": (9, 12), "er": (3, 1), "inpatient": (0, 3)},
    {"housed": (0, 0), "employed": (1, 1), "phq9": (18, 8), "er": (1, 1), "inpatient": (0, 0)},
    {"housed": (1, 0), "employed": (0, 0), "phq9": (14, 7), "er": (6, 2), "inpatient": (2, 0)},
]


def enrollment(program, peer, *, started_days_ago: int = 400, discharged_after: int | None = None) -> Enrollment:
    person = enrolled_participant(peer, program=program, started_days_ago=started_days_ago, agency=program.agency)
    row = person.enrollments.get()
    if discharged_after is not None:
        row.end_date = row.start_date + datetime.timedelta(days=discharged_after)
        row.discharge_reason = Enrollment.DischargeReason.LOST_CONTACT
        row.save()
    return row


def status(housed: int, employed: int) -> dict:
    return {
        "housing": CheckIn.Housing.OWN_OR_RENT if housed else CheckIn.Housing.SHELTER,
        "employment": CheckIn.Employment.PART_TIME if employed else CheckIn.Employment.LOOKING,
    }


def intake(row: Enrollment, by, **fields) -> CheckIn:
    return record_check_in(row, timepoint=Timepoint.INTAKE, by=by, **fields)


def six_months(row: Enrollment, by, **fields) -> CheckIn:
    day = row.start_date + datetime.timedelta(days=SIX_MONTHS)
    return record_check_in(row, timepoint=Timepoint.MONTH_6, taken_on=day, by=by, **fields)


def hand_worked_cohort(program, peer, other_program) -> list[Enrollment]:
    """The six matched people (returned), four excluded ones, two outside the cohort."""
    matched = []
    for person in HAND_WORKED:
        row = enrollment(program, peer)
        for i, check_in in enumerate((intake, six_months)):
            fields = status(person["housed"][i], person["employed"][i])
            check_in(row, peer, er_visits=person["er"][i], inpatient_days=person["inpatient"][i], **fields)
        record_assessment(row, "PHQ-9", total=person["phq9"][0], by=peer)
        day = row.start_date + datetime.timedelta(days=SIX_MONTHS)
        record_assessment(row, "PHQ-9", total=person["phq9"][1], timepoint=Timepoint.MONTH_6, taken_on=day, by=peer)
        matched.append(row)
    six_months(enrollment(program, peer), peer)  # no intake check-in
    intake(enrollment(program, peer, started_days_ago=100), peer)  # 6-month window still open
    intake(enrollment(program, peer), peer)  # 6-month window closed without a check-in
    intake(enrollment(program, peer, discharged_after=100), peer)  # left before the window opened
    outside = enrollment(program, peer, started_days_ago=800)  # enrolled before the cohort
    intake(outside, peer)
    six_months(outside, peer)
    elsewhere = enrollment(other_program, peer)
    intake(elsewhere, peer)
    six_months(elsewhere, peer)
    return matched


def simple_cohort(program, peer, size: int) -> None:
    """`size` people with both check-ins and a PHQ-9 at each, varied a little."""
    for i in range(size):
        row = enrollment(program, peer)
        intake(row, peer, er_visits=i % 4, **status(i % 2, 0))
        six_months(row, peer, er_visits=i % 3, **status(1, i % 2))
        record_assessment(row, "PHQ-9", total=10 + i % 7, by=peer)
        day = row.start_date + datetime.timedelta(days=SIX_MONTHS)
        record_assessment(row, "PHQ-9", total=5 + i % 9, timepoint=Timepoint.MONTH_6, taken_on=day, by=peer)


def set_unit_costs(program, by, **fields) -> UnitCosts:
    costs = {
        "er_visit": Decimal("1000"),
        "inpatient_day": Decimal("2000"),
        "outpatient_visit": Decimal("0"),
        "crisis_episode": Decimal("0"),
        "jail_day": Decimal("0"),
        "peer_hourly_cost": Decimal("30"),
        "source": "State cost report FY2025",
    }
    return UnitCosts.objects.create(program=program, updated_by=by, updated_at=timezone.now(), **(costs | fields))
