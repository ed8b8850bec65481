"""Who sees which reports: program admins every program's, supervisors their programs', no
one else any. Outsiders get 404 (the report might as well not exist), peers and billing
staff 403 on every page."""

import pytest
from django.http import Http404
from django.urls import reverse

from accounts.roles import Role
from programs.tests.factories import ProgramFactory, StaffProfileFactory
from reports.access import get_report_for_user, may_generate, may_run_range, report_programs

from .report_rows import make_report, month


@pytest.fixture
def other_program(agency):
    return ProgramFactory(agency=agency, name="Warmline")


@pytest.fixture
def report(program):
    return make_report(program, *month(2026, 10))


@pytest.fixture
def outsider(team, agency, other_program):
    """A supervisor whose profile lists another program."""
    StaffProfileFactory(user=team["other_supervisor"], agency=agency).programs.add(other_program)
    return team["other_supervisor"]


@pytest.fixture
def own_supervisor(supervisor, team, program):
    supervisor.staff_profile.programs.add(program)
    return supervisor


def test_admins_see_every_program_and_supervisors_their_own(
    admin_user, own_supervisor, outsider, program, other_program
):
    assert set(report_programs(admin_user)) == {program, other_program}
    assert list(report_programs(own_supervisor)) == [program]
    assert list(report_programs(outsider)) == [other_program]


def test_peers_and_billing_staff_see_no_program(peer, billing_user, program):
    assert not report_programs(peer).exists()
    assert not report_programs(billing_user).exists()


def test_a_report_of_a_program_not_on_the_profile_is_not_found(report, outsider, own_supervisor):
    assert get_report_for_user(own_supervisor, report.pk) == report
    with pytest.raises(Http404):
        get_report_for_user(outsider, report.pk)
    with pytest.raises(Http404):
        get_report_for_user(own_supervisor, 999999)


def test_only_program_admins_generate_and_both_run_any_dates(admin_user, supervisor, peer, billing_user):
    assert may_generate(admin_user) and not may_generate(supervisor)
    assert may_run_range(admin_user) and may_run_range(supervisor)
    assert not may_run_range(peer) and not may_run_range(billing_user)


def report_urls(report) -> list[str]:
    return [
        reverse("reports:report_detail", args=[report.pk]),
        reverse("reports:report_status", args=[report.pk]),
        reverse("reports:report_download", args=[report.pk, "pdf"]),
    ]


def test_admins_and_their_supervisors_open_every_page(client, report, admin_user, own_supervisor):
    for user in (admin_user, own_supervisor):
        client.force_login(user)
        assert client.get(reverse("reports:report_list")).status_code == 200
        for url in report_urls(report):
            assert client.get(url).status_code == 200, url


def test_an_outsider_gets_404_on_every_page_of_the_report(client, report, outsider, program):
    client.force_login(outsider)
    for url in report_urls(report):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("reports:report_list"), {"program": program.pk}).status_code == 404
    data = {"range-program": program.pk, "range-start": "2026-01-01", "range-end": "2026-03-31"}
    assert client.post(reverse("reports:report_run"), data).status_code == 404


@pytest.mark.parametrize("role", [Role.PEER_SPECIALIST, Role.BILLING])
def test_peers_and_billing_staff_get_403_everywhere(client, role_users, report, role):
    client.force_login(role_users[role])
    for url in [reverse("reports:report_list"), *report_urls(report)]:
        assert client.get(url).status_code == 403, url
    for url in [
        reverse("reports:report_generate"),
        reverse("reports:report_run"),
        reverse("reports:report_regenerate", args=[report.pk]),
    ]:
        assert client.post(url).status_code == 403, url


def test_supervisors_may_not_generate_or_regenerate_a_month(client, report, own_supervisor, program):
    client.force_login(own_supervisor)
    data = {"month-program": program.pk, "month-month": "2026-09"}
    assert client.post(reverse("reports:report_generate"), data).status_code == 403
    assert client.post(reverse("reports:report_regenerate", args=[report.pk])).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, report):
    response = client.get(reverse("reports:report_download", args=[report.pk, "csv"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_supervisor_whose_profile_is_deactivated_sees_no_programs_reports(client, supervisor, team, program):
    from programs.models import StaffProfile
    from reports.access import report_programs

    StaffProfile.objects.filter(user=supervisor).update(is_active=True)
    supervisor.staff_profile.programs.add(program)
    assert list(report_programs(supervisor)) == [program]
    StaffProfile.objects.filter(user=supervisor).update(is_active=False)
    assert list(report_programs(supervisor)) == []
