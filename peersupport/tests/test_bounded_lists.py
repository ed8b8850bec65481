"""Every list is paged or bounded (issue 16): a page holds at most its size, its links keep
the filters, and it takes as many queries for a few rows as for many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from participants.tests.factories import enrolled_participant
from peersupport.views import caseloads, groups, workforce
from programs.tests.factories import StaffProfileFactory


def _queries(client, url, params=None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured.captured_queries), response


@pytest.mark.django_db
def test_the_group_form_lists_a_bounded_part_of_the_caseload_and_says_so(client, peer, team, program, monkeypatch):
    monkeypatch.setattr(groups, "CASELOAD_ROWS", 3)
    for n in range(5):
        enrolled_participant(peer, program=program, last_name=f"Name{n}")
    client.force_login(peer)
    few, response = _queries(client, reverse("group_new"))
    assert [p.last_name for p in response.context["attendees"].caseload] == ["Name0", "Name1", "Name2"]
    assert "Showing 3 of the 5 people on your caseload" in response.content.decode()
    for n in range(5, 12):
        enrolled_participant(peer, program=program, last_name=f"Name{n}")
    many, response = _queries(client, reverse("group_new"))
    assert many == few and len(response.context["rows"]) == 3
    assert "Showing 3 of the 12 people on your caseload" in response.content.decode()


@pytest.mark.django_db
def test_a_whole_caseload_fits_the_group_form_without_a_note(client, peer, team, program):
    enrolled_participant(peer, program=program)
    client.force_login(peer)
    response = client.get(reverse("group_new"))
    assert len(response.context["rows"]) == 1 and "caseload-bound" not in response.content.decode()


@pytest.mark.django_db
def test_the_team_participants_page_is_paged_with_its_filters_kept(
    client, supervisor, peer, team, program, monkeypatch
):
    monkeypatch.setattr(caseloads, "PAGE_SIZE", 4)
    for _ in range(6):
        enrolled_participant(peer, program=program, started_days_ago=30)  # contact overdue
    client.force_login(supervisor)
    wanted = {"show": "overdue_contacts", "sort": "contact"}
    few, response = _queries(client, reverse("team_participants"), wanted)
    assert len(response.context["rows"]) == 4 and response.context["page"].paginator.count == 6
    assert "?show=overdue_contacts&amp;sort=contact&amp;page=2" in response.content.decode()
    for _ in range(10):
        enrolled_participant(peer, program=program, started_days_ago=30)
    many, response = _queries(client, reverse("team_participants"), wanted)
    assert many == few and len(response.context["rows"]) == 4 and response.context["page"].paginator.count == 16


@pytest.mark.django_db
def test_the_workforce_page_is_paged(client, admin_user, supervisor, team, agency, program, monkeypatch):
    monkeypatch.setattr(workforce, "PAGE_SIZE", 2)

    def hire(count):
        for _ in range(count):
            specialist = UserFactory(role=Role.PEER_SPECIALIST)
            StaffProfileFactory(user=specialist, agency=agency, supervisor=supervisor).programs.add(program)
            enrolled_participant(specialist, program=program)

    hire(2)
    client.force_login(admin_user)
    # Each measured once its caseload sizes are kept (peersupport.team_figures): whether a
    # view finds them kept depends on whose versions moved, not on how many staff there are.
    client.get(reverse("workforce"), {"sort": "name"})
    few, response = _queries(client, reverse("workforce"), {"sort": "name"})
    assert len(response.context["rows"]) == 2
    hire(6)
    client.get(reverse("workforce"), {"sort": "name"})
    many, response = _queries(client, reverse("workforce"), {"sort": "name"})
    assert many == few and len(response.context["rows"]) == 2 and response.context["page"].paginator.count >= 8
