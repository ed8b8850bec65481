"""Check-ins due and overdue where people work (caseload, home pages, team page), the team's
follow-up rate, and open safety flags on the supervisor's and admin's home pages."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from outcomes.models import Timepoint
from outcomes.services import assessment_record
from outcomes.tests.factories import instrument, record_check_in
from participants.tests.factories import PlanFactory, days_ago, enrolled_participant
from peersupport.selectors import caseload
from programs.tests.factories import StaffProfileFactory


def _intake_done(person, by):
    return record_check_in(person.enrollments.get(), by=by)


@pytest.fixture
def due_and_overdue(peer, team, program):
    """One intake check-in due (enrolled 10 days ago), one 3-month check-in overdue (enrolled
    130 days ago: its window closed 8 days ago), one with nothing due."""
    due = enrolled_participant(peer, program=program, started_days_ago=10, last_name="Due")
    overdue = enrolled_participant(peer, program=program, started_days_ago=130, last_name="Overdue")
    _intake_done(overdue, peer)
    settled = enrolled_participant(peer, program=program, started_days_ago=5, last_name="Settled")
    _intake_done(settled, peer)
    for person in (due, overdue, settled):
        PlanFactory(participant=person, started_on=days_ago(1))
    return {"due": due, "overdue": overdue, "settled": settled}


@pytest.mark.django_db
def test_due_and_overdue_check_ins_are_caseload_alerts(peer, due_and_overdue):
    rows = {row.participant.last_name: row for row in caseload([peer.pk])}
    assert [a for a in rows["Due"].alerts if "check-in" in a] == [
        f"Intake check-in due by {days_ago(-20):%b} {days_ago(-20).day}"
    ]
    assert [a for a in rows["Overdue"].alerts if "check-in" in a] == [
        f"3-month check-in overdue since {days_ago(8):%b} {days_ago(8).day}"
    ]
    assert not [a for a in rows["Settled"].alerts if "check-in" in a]


@pytest.mark.django_db
def test_alerts_only_keeps_those_with_a_check_in_due_and_links_them(client, peer, due_and_overdue):
    client.force_login(peer)
    response = client.get(reverse("my_caseload"), {"alerts_only": "on"})
    assert [row.participant.last_name for row in response.context["rows"]] == ["Due", "Overdue"]
    body = response.content.decode()
    due = due_and_overdue["due"]
    assert f'href="{reverse("participants:detail", args=[due.pk])}">Intake check-in due by' in body


@pytest.mark.django_db
def test_the_peer_home_page_counts_check_ins_due_and_overdue(client, peer, due_and_overdue):
    client.force_login(peer)
    body = client.get(reverse("home_peer")).content.decode()
    assert "1 check-in due, 1 overdue" in body
    assert f'href="{reverse("my_caseload")}?show=check_ins"' in body


@pytest.mark.django_db
def test_the_team_page_shows_check_ins_and_the_follow_up_rate(client, supervisor, peer, program, due_and_overdue):
    # Two 3-month follow-ups whose window closed 50 days ago, one done in it, and the one
    # overdue since 8 days ago: 1 of 3.
    done = enrolled_participant(peer, program=program, started_days_ago=172)
    record_check_in(done.enrollments.get(), timepoint=Timepoint.MONTH_3, taken_on=days_ago(80), by=peer)
    enrolled_participant(peer, program=program, started_days_ago=172)
    client.force_login(supervisor)
    response = client.get(reverse("team_caseloads"))
    [row] = [r for r in response.context["team"] if r.profile.user == peer]
    assert (row.check_ins_due, row.check_ins_overdue) == (3, 1)  # both 6-month windows opened
    assert (row.follow_up_rate.due, row.follow_up_rate.done, row.follow_up_rate.rate) == (3, 1, 33.3)
    assert "33%" in response.content.decode() and "below 80%" in response.content.decode()
    body = client.get(reverse("home_supervisor")).content.decode()
    assert "3 check-ins due, 1 overdue</a>." in body


@pytest.mark.django_db
def test_the_team_pages_kept_rate_follows_a_check_in_and_a_move_on_the_next_view(
    client, supervisor, peer, team, program, agency
):
    """The rates are kept a few minutes (outcomes.follow_up.team_follow_up_rates), stamped by
    the check-ins and enrollments (triggers) and the team's caseload assignments: a check-in
    recorded, or a participant moved to another team, shows on the next view."""
    people = [enrolled_participant(peer, program=program, started_days_ago=172) for _ in range(2)]
    client.force_login(supervisor)

    def rate():
        [row] = [r for r in client.get(reverse("team_caseloads")).context["team"] if r.profile.user == peer]
        return row.follow_up_rate.due, row.follow_up_rate.done

    assert rate() == (2, 0)
    assert rate() == (2, 0)  # kept
    record_check_in(people[0].enrollments.get(), timepoint=Timepoint.MONTH_3, taken_on=days_ago(80), by=peer)
    assert rate() == (2, 1)
    elsewhere = UserFactory(role=Role.PEER_SPECIALIST)
    StaffProfileFactory(user=elsewhere, agency=agency).programs.add(program)  # another supervisor's
    assignment = people[1].assignments.get(ended_on=None)
    assignment.ended_on = days_ago(100)  # moved before the 3-month window closed (50 days ago)
    assignment.save()
    people[1].assignments.create(specialist=elsewhere, started_on=days_ago(100), assigned_by=supervisor)
    assert rate() == (1, 1)


@pytest.mark.django_db
def test_the_team_page_query_count_does_not_grow_with_follow_ups(
    client, supervisor, peer, team, program, agency, django_assert_num_queries
):
    def fill(specialist, count):
        for n in range(count):
            person = enrolled_participant(specialist, program=program, started_days_ago=100 + 50 * (n % 6))
            if n % 2:
                _intake_done(person, specialist)

    fill(peer, 2)
    client.force_login(supervisor)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("team_caseloads")).status_code == 200
    for _ in range(3):
        extra = UserFactory(role=Role.PEER_SPECIALIST)
        StaffProfileFactory(user=extra, agency=agency, supervisor=supervisor).programs.add(program)
        fill(extra, 8)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(reverse("team_caseloads"))


def _flag(person, by):
    answers = {str(n): 0 for n in range(1, 10)} | {"9": 1}
    assessment_record(
        enrollment=person.enrollments.get(),
        instrument=instrument("PHQ-9"),
        timepoint=Timepoint.INTAKE,
        taken_on=person.enrollments.get().start_date,
        answers=answers,
        ctx=AuditContext(actor=by),
    )


@pytest.mark.django_db
def test_open_safety_flags_reach_the_supervisor_and_admins_only(client, admin_user, supervisor, peer, team, program):
    mine = enrolled_participant(peer, program=program, last_name="Mine")
    theirs = enrolled_participant(team["other_peer"], program=program, last_name="Theirs")
    _flag(mine, peer)
    _flag(theirs, team["other_peer"])
    client.force_login(supervisor)
    body = client.get(reverse("home_supervisor")).content.decode()
    assert "Safety follow-ups open (1)" in body and "Mine" in body and "Theirs" not in body
    assert "Item 9 (thoughts of being better off dead or of self-harm)" in body
    client.force_login(admin_user)
    body = client.get(reverse("home_admin")).content.decode()
    assert "Safety follow-ups open (2)" in body
    client.force_login(team["other_supervisor"])
    assert "Safety follow-ups open" in client.get(reverse("home_supervisor")).content.decode()


@pytest.mark.django_db
def test_a_followed_up_flag_leaves_the_home_page(client, supervisor, peer, team, program):
    from outcomes.models import SafetyFlag

    _flag(enrolled_participant(peer, program=program), peer)
    SafetyFlag.objects.update(followed_up_at=datetime.datetime.now(tz=datetime.UTC), followed_up_by=supervisor)
    client.force_login(supervisor)
    assert "Safety follow-ups open" not in client.get(reverse("home_supervisor")).content.decode()


@pytest.mark.django_db
def test_each_flag_on_the_home_page_has_a_follow_up_button_its_reader_may_use(
    client, admin_user, supervisor, peer, team, program
):
    """The home page lists only flags its reader may follow up (the participant's supervisor,
    program admins), so every listed flag carries the button, and the button's page lets them in."""
    from outcomes.models import SafetyFlag

    _flag(enrolled_participant(peer, program=program, last_name="Mine"), peer)
    _flag(enrolled_participant(team["other_peer"], program=program, last_name="Theirs"), team["other_peer"])
    for user, home, expected in ((supervisor, "home_supervisor", 1), (admin_user, "home_admin", 2)):
        client.force_login(user)
        body = client.get(reverse(home)).content.decode()
        urls = set(re.findall(r'href="(/[^"]*follow-up[^"]*)"', body))
        assert body.count("Record the follow-up<span") == len(urls) == expected, home
        assert {client.get(url).status_code for url in urls} == {200}, home
    theirs = SafetyFlag.objects.get(participant__last_name="Theirs")
    client.force_login(supervisor)
    body = client.get(reverse("home_supervisor")).content.decode()
    assert reverse("outcomes:flag_follow_up", args=[theirs.pk]) not in body
