"""The demo's outcomes tell the story peer programs report, with noise: matched intake and
6-month pairs that improve on average, someone who got worse, missed follow-ups, an open
safety flag, unit costs with their source, and nothing dated in the future or before
enrollment. Seeding twice adds nothing."""

import datetime
from statistics import mean

import pytest
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from outcomes.access import dashboard_programs
from outcomes.demo import COSTS_SOURCE
from outcomes.follow_up import follow_up_rates
from outcomes.models import Assessment, CheckIn, SafetyFlag, Timepoint, UnitCosts
from outcomes.schedule import DEFAULT_WINDOWS
from participants.models import Enrollment
from programs.models import Program, StaffProfile


def _pairs(code: str, later: str) -> list[tuple[int, int]]:
    totals: dict[int, dict[str, int]] = {}
    rows = Assessment.objects.filter(instrument__code=code, timepoint__in=[Timepoint.INTAKE, later])
    for enrollment_id, timepoint, total in rows.values_list("enrollment_id", "timepoint", "total"):
        totals.setdefault(enrollment_id, {})[timepoint] = total
    return [(t[Timepoint.INTAKE], t[later]) for t in totals.values() if len(t) == 2]


@pytest.fixture
def seeded(db, demo_agency):
    """The demo, shared with the other tests that read it (conftest.demo_agency)."""


def _missed_six_months() -> list[Enrollment]:
    """Enrollments whose 6-month window has closed, open while they were enrolled, without
    a 6-month check-in."""
    opens, closes = DEFAULT_WINDOWS[Timepoint.MONTH_6]
    today = timezone.localdate()
    recorded = set(CheckIn.objects.filter(timepoint=Timepoint.MONTH_6).values_list("enrollment_id", flat=True))
    return [
        e
        for e in Enrollment.objects.all()
        if e.start_date + datetime.timedelta(days=closes) < today
        and (e.end_date is None or e.end_date >= e.start_date + datetime.timedelta(days=opens))
        and e.pk not in recorded
    ]


@pytest.mark.django_db
def test_the_demo_shows_improvement_with_noise_and_missed_follow_ups(seeded):
    pairs = _pairs("PHQ-9", Timepoint.MONTH_6)
    assert len(pairs) >= 20
    assert mean(after - before for before, after in pairs) < -2  # lower is better
    assert any(after > before for before, after in pairs)  # someone got worse
    housed = CheckIn.objects.filter(housing=CheckIn.Housing.OWN_OR_RENT)
    intake, twelve = CheckIn.objects.filter(timepoint=Timepoint.INTAKE), CheckIn.objects.filter(timepoint="12m")
    assert twelve.count() >= 10
    assert (
        housed.filter(timepoint="12m").count() / twelve.count()
        > housed.filter(timepoint="intake").count() / intake.count()
    )
    assert _missed_six_months()
    follow_ups = CheckIn.objects.filter(timepoint__in=["3m", "6m", "12m"]).select_related("enrollment")
    assert any(not check_in.in_window for check_in in follow_ups)  # seen late
    today = timezone.localdate()
    rates = follow_up_rates(program_ids=None, start=today - datetime.timedelta(days=730), end=today)
    assert rates and all(0 < r.done < r.due for r in rates)


@pytest.mark.django_db
def test_the_demo_dates_records_within_enrollment_flags_once_and_costs_programs(seeded, client):
    today = timezone.localdate()
    for model in (CheckIn, Assessment):
        assert not model.objects.filter(taken_on__gt=today).exists()
        assert not model.objects.filter(taken_on__lt=F("enrollment__start_date")).exists()
        assert not model.objects.filter(taken_on__gt=F("enrollment__end_date")).exists()
    substance = Assessment.objects.filter(instrument__code="BARC-10")
    assert substance.exists()
    assert set(substance.values_list("enrollment__program__population", flat=True)) <= {
        Program.Population.SUBSTANCE_USE,
        Program.Population.CO_OCCURRING,
    }
    # One open safety flag (PHQ-9 item 9 = 1), on the demo supervisor's team.
    [flag] = SafetyFlag.objects.filter(followed_up_at__isnull=True)
    assert flag.assessment.answers["9"] == 1
    specialist = flag.participant.assignments.current().get().specialist
    assert specialist.staff_profile.supervisor.email == "supervisor@example.org"
    # The demo supervisor's outcome dashboard shows a program: theirs is where their team works.
    supervisor = specialist.staff_profile.supervisor
    assert flag.assessment.enrollment.program in dashboard_programs(supervisor)
    client.force_login(supervisor)
    response = client.get(reverse("outcomes:dashboard"))
    assert response.status_code == 200 and response.context["data"].filters.program is not None
    assert UnitCosts.objects.count() == Program.objects.count()
    assert set(UnitCosts.objects.values_list("source", flat=True)) == {COSTS_SOURCE}


@pytest.mark.django_db
def test_seeding_twice_adds_nothing(seeded):
    counts = (
        CheckIn.objects.count(),
        Assessment.objects.count(),
        Enrollment.objects.count(),
        UnitCosts.objects.count(),
        StaffProfile.programs.through.objects.count(),
    )
    call_command("seed_demo", verbosity=0)
    assert (
        CheckIn.objects.count(),
        Assessment.objects.count(),
        Enrollment.objects.count(),
        UnitCosts.objects.count(),
        StaffProfile.programs.through.objects.count(),
    ) == counts
