"""The dashboard's figures are kept for a few minutes (outcomes.kept): the same figures as
computed straight from the database, computed again when the program's check-ins change or
on "Refresh", and a kept read costs the same queries at any cohort size."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing.tests.factories import ClaimLineFactory
from notes.tests.factories import signed_note
from outcomes.dashboard_figures import computed_dashboard
from outcomes.follow_up import _program_follow_up
from outcomes.kept import stamp
from outcomes.models import Assessment, CheckIn, Timepoint
from outcomes.selectors import active_instruments, unit_costs
from participants.models import Enrollment
from programs.tests.factories import ProgramFactory

from .dashboard_cohort import enrollment, hand_worked_cohort, intake, set_unit_costs, simple_cohort, six_months
from .factories import record_assessment

URL = reverse("outcomes:dashboard")
REFRESH = reverse("outcomes:dashboard_refresh")


@pytest.fixture
def cohort(program, peer, team, agency):
    other_program = ProgramFactory(agency=agency, name="Warmline")
    return hand_worked_cohort(program, peer, other_program)


def test_kept_figures_equal_the_figures_computed_straight_from_the_database(client, admin_user, program, cohort):
    set_unit_costs(program, admin_user)
    client.force_login(admin_user)
    client.get(URL, {"program": program.pk})  # computed and kept
    response = client.get(URL, {"program": program.pk})  # read back
    kept = response.context["data"]
    straight = computed_dashboard(kept.filters, timezone.localdate(), active_instruments(), unit_costs(program))
    assert kept.cohort == straight.cohort and len(kept.cohort.matched) == 6
    assert kept.rows == straight.rows and kept.cost.avoided == straight.cost.avoided == Decimal("35000.00")
    assert response.context["follow_ups"] == _program_follow_up(program.pk, timezone.localdate())
    assert f"Figures as of {timezone.localtime(kept.as_of):%H:%M}" in response.content.decode()


def test_a_check_in_recorded_is_seen_on_the_next_view(client, admin_user, program, peer, cohort):
    client.force_login(admin_user)
    assert len(client.get(URL, {"program": program.pk}).context["data"].cohort.matched) == 6
    row = enrollment(program, peer)
    intake(row, peer)
    six_months(row, peer)
    assert len(client.get(URL, {"program": program.pk}).context["data"].cohort.matched) == 7


def test_figures_outside_the_stamp_wait_for_refresh_and_the_page_says_how_old_they_are(
    client, admin_user, program, peer, cohort
):
    set_unit_costs(program, admin_user)
    client.force_login(admin_user)
    first = client.get(URL, {"program": program.pk}).context["data"]
    assert first.cost.billed == Decimal("0")
    day = cohort[0].start_date + datetime.timedelta(days=30)
    ClaimLineFactory(note=signed_note(cohort[0].participant, peer, day=day), charge=Decimal("500"))
    kept = client.get(URL, {"program": program.pk}).context["data"]
    assert (kept.cost.billed, kept.as_of) == (Decimal("0"), first.as_of)
    linked = client.get(URL, {"program": program.pk, "refresh": "1"}).context["data"]  # a link recomputes nothing
    assert linked.as_of == first.as_of
    assert client.get(REFRESH, {"program": program.pk}).status_code == 405
    response = client.post(f"{REFRESH}?program={program.pk}", follow=True)
    assert response.redirect_chain == [(f"{URL}?program={program.pk}", 302)]
    refreshed = response.context["data"]
    assert refreshed.cost.billed == Decimal("500.00") and refreshed.as_of > first.as_of
    assert client.get(URL, {"program": program.pk}).context["data"].cost.billed == Decimal("500.00")


def test_only_those_who_see_the_dashboard_may_refresh_it(client, program, peer):
    client.force_login(peer)
    assert client.post(f"{REFRESH}?program={program.pk}").status_code == 403


def test_a_kept_read_costs_the_same_queries_at_any_cohort_size(client, admin_user, program, peer, team):
    set_unit_costs(program, admin_user)
    client.force_login(admin_user)

    def kept_read_queries(size: int) -> int:
        with CaptureQueriesContext(connection) as computing:
            client.get(URL, {"program": program.pk})
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"program": program.pk})
        assert len(response.context["data"].cohort.matched) == size
        assert len(queries) < len(computing)  # read back, not computed again
        return len(queries)

    simple_cohort(program, peer, 3)
    small = kept_read_queries(3)
    simple_cohort(program, peer, 27)
    assert kept_read_queries(30) == small
    # Sign-in and session 6, the program menu, instruments, unit costs, and the stamp for
    # each of the two kept figures (the dashboard's and the follow-up rates).
    assert small <= 12


def test_the_database_moves_a_programs_version_whenever_its_figures_inputs_change_by_any_path(program, peer, agency):
    """The stamp is kept by PostgreSQL's triggers, so a write that bypasses our services (the
    admin, a queryset update, a bulk load, a delete) is seen too; another program's figures
    keep their version."""
    other = ProgramFactory(agency=agency, name="Warmline")
    row = enrollment(program, peer)
    versions = [stamp(program.pk)]

    def moved() -> bool:
        versions.append(stamp(program.pk))
        return versions[-1] != versions[-2]

    other_before = stamp(other.pk)
    check_in = intake(row, peer)
    assert moved()
    CheckIn.objects.filter(pk=check_in.pk).update(social_support=3)  # a queryset update
    assert moved()
    record_assessment(row, "PHQ-9", total=12, by=peer)
    assert moved()
    Assessment.objects.filter(enrollment=row).delete()
    assert moved()
    Enrollment.objects.filter(pk=row.pk).update(end_date=timezone.localdate())  # a discharge
    assert moved()
    CheckIn.objects.bulk_create([CheckIn(**{**_fields(check_in), "timepoint": Timepoint.MONTH_6})])
    assert moved()
    assert stamp(other.pk) == other_before
    assert not moved()  # read again, nothing written


def _fields(check_in) -> dict:
    return {f.attname: getattr(check_in, f.attname) for f in CheckIn._meta.concrete_fields if not f.primary_key}


def test_a_refresh_with_bad_filters_computes_nothing_and_the_dashboard_says_why(client, admin_user, program):
    client.force_login(admin_user)
    response = client.post(f"{REFRESH}?program={program.pk}&time_from=nonsense", follow=True)
    assert response.redirect_chain[0][1] == 302 and response.status_code == 400
    assert response.context["form"].errors["time_from"]
    assert client.post(f"{REFRESH}?program=999999").status_code == 404
