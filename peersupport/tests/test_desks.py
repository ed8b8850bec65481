"""The home pages' counts open the participants behind them; the plan review reads overdue."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from outcomes.tests.factories import record_check_in
from participants.tests.factories import PlanFactory, days_ago, enrolled_participant
from programs.tests.factories import StaffProfileFactory

TODAY = timezone.localdate()


def listed(response) -> set[str]:
    return {row.participant.last_name for row in response.context["page"].object_list}


@pytest.fixture
def desk(peer, team, program):
    """On `peer`'s caseload: one overdue contact without a plan, one whose plan review is
    overdue, one up to date; and one overdue on the other supervisor's team."""
    enrolled_participant(peer, program=program, started_days_ago=20, last_name="Overdue")
    late = enrolled_participant(peer, program=program, started_days_ago=2, last_name="Review")
    PlanFactory(participant=late, started_on=days_ago(100))
    fine = enrolled_participant(peer, program=program, started_days_ago=2, last_name="Fine")
    PlanFactory(participant=fine, started_on=days_ago(2))
    for person in (late, fine):
        record_check_in(person.enrollments.get(), by=peer)
    enrolled_participant(team["other_peer"], program=program, started_days_ago=20, last_name="Elsewhere")


@pytest.mark.django_db
def test_the_supervisors_counts_open_the_participants_they_counted(client, supervisor, peer, desk):
    client.force_login(supervisor)
    home = client.get(reverse("home_supervisor"))
    body = home.content.decode()
    shows = {"overdue_contacts": {"Overdue"}, "reviews_due": {"Overdue", "Review"}, "check_ins": {"Overdue"}}
    for show, expected in shows.items():
        [href] = re.findall(rf'href="({reverse("team_participants")}\?show={show}[^"]*)"', body)
        response = client.get(href.replace("&amp;", "&"))
        assert listed(response) == expected, show
    assert home.context["overdue_contacts"] == 1 and home.context["reviews_due"] == 2
    page = client.get(reverse("team_participants")).content.decode()
    assert str(peer) in page and "Elsewhere" not in page  # each row names the specialist; only this team
    assert f'href="{reverse("team_caseloads")}"' in body and f'href="{reverse("notes:note_queue")}"' in body


@pytest.mark.django_db
def test_the_peers_counts_open_the_participants_they_counted(client, peer, desk):
    client.force_login(peer)
    home = client.get(reverse("home_peer"))
    body = home.content.decode()
    attention = client.get(f"{reverse('my_caseload')}?show=attention&sort=alerts")
    assert len(listed(attention)) == home.context["needing_attention"] == 2
    assert f'href="{reverse("my_caseload")}?show=attention&amp;sort=alerts"' in body
    assert listed(client.get(reverse("my_caseload"), {"show": "check_ins"})) == {"Overdue"}
    assert listed(client.get(reverse("my_caseload"), {"show": "nonsense"})) == {"Overdue", "Review", "Fine"}


@pytest.mark.django_db
def test_the_team_page_opens_each_specialists_overdue_participants(client, supervisor, peer, desk):
    client.force_login(supervisor)
    body = client.get(reverse("team_caseloads")).content.decode()
    url = f"{reverse('specialist_caseload', args=[peer.pk])}?show=reviews_due&sort=review"
    assert f'href="{url.replace("&", "&amp;")}"' in body
    assert [r.participant.last_name for r in client.get(url).context["rows"]] == ["Overdue", "Review"]


@pytest.mark.django_db
def test_team_participants_is_for_supervisors(client, peer, admin_user):
    for user in (peer, admin_user):
        client.force_login(user)
        assert client.get(reverse("team_participants")).status_code == 403


@pytest.mark.django_db
def test_a_past_plan_review_reads_overdue(client, peer, desk):
    client.force_login(peer)
    body = client.get(reverse("my_caseload")).content.decode()
    overdue_since = days_ago(100) + datetime.timedelta(days=90)
    assert f"Plan review overdue since {overdue_since:%b} {overdue_since.day}, {overdue_since.year}" in body
    upcoming = days_ago(2) + datetime.timedelta(days=90)
    assert f"Next plan review {upcoming:%b} {upcoming.day}, {upcoming.year}" in body


@pytest.mark.django_db
def test_team_participants_is_paged_and_its_query_count_does_not_grow(client, supervisor, peer, team, program, agency):
    def fill(specialist, count):
        for _ in range(count):
            enrolled_participant(specialist, program=program, started_days_ago=20)

    fill(peer, 2)
    client.force_login(supervisor)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("team_participants"), {"show": "overdue_contacts"})
    second = UserFactory(role=Role.PEER_SPECIALIST)
    StaffProfileFactory(user=second, agency=agency, supervisor=supervisor)
    fill(second, 30)
    fill(peer, 30)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("team_participants"), {"show": "overdue_contacts", "page": 2})
    assert len(large.captured_queries) == len(small.captured_queries)
    assert response.context["page"].paginator.count == 62 and len(response.context["rows"]) == 12
    assert "show=overdue_contacts&amp;page=1" in response.content.decode()


@pytest.mark.django_db
def test_the_admins_failed_sign_ins_count_opens_them(client, admin_user, supervisor):
    def fail(count, hours_ago=0):
        for n in range(count):
            AuditEvent.objects.create(
                action=AuditEvent.Action.LOGIN_FAILED,
                actor_label=f"guess{n}@example.org",
                ip_address="203.0.113.9",
                at=timezone.now() - datetime.timedelta(hours=hours_ago),
            )

    fail(2)
    fail(1, hours_ago=25)  # outside the window: neither counted nor listed
    client.force_login(admin_user)
    home = client.get(reverse("home_admin"))
    assert home.context["failed_sign_ins"] == 2
    assert f'href="{reverse("failed_sign_ins")}"' in home.content.decode()
    with CaptureQueriesContext(connection) as small:
        response = client.get(reverse("failed_sign_ins"))
    assert len(response.context["page"].object_list) == 2 and "guess1@example.org" in response.content.decode()
    fail(60)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("failed_sign_ins"), {"page": 2})
    assert len(large.captured_queries) == len(small.captured_queries)
    assert response.context["page"].paginator.count == 62
    client.force_login(supervisor)
    assert client.get(reverse("failed_sign_ins")).status_code == 403
