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
from notes.tests.factories import SignedNoteFactory
from outcomes.tests.factories import record_check_in
from participants.models import CaseloadAssignment, Consent
from participants.selectors import caseload as participant_caseload
from participants.selectors import contact_is_overdue
from participants.tests.factories import CoverageFactory, EnrollmentFactory, PlanFactory, days_ago, enrolled_participant
from peersupport.selectors import caseload
from programs.tests.factories import ProgramFactory, StaffProfileFactory

TODAY = timezone.localdate()


def text(response) -> str:
    """The page's words, without its tags (each count on a home page is a link)."""
    return re.sub(r"<[^>]+>", "", response.content.decode())


@pytest.mark.parametrize(("days", "overdue"), [(0, False), (13, False), (14, False), (15, True), (40, True)])
def test_contact_is_overdue_from_the_day_after_the_frequency(days, overdue):
    assert contact_is_overdue(TODAY - datetime.timedelta(days=days), 14, TODAY) is overdue


@pytest.mark.django_db
@pytest.mark.parametrize(("started_days_ago", "overdue"), [(14, False), (15, True)])
def test_the_caseload_flags_overdue_contact_at_the_boundary(peer, team, program, started_days_ago, overdue):
    enrolled_participant(peer, program=program, started_days_ago=started_days_ago)
    [row] = caseload([peer.pk])
    assert row.days_since_contact == started_days_ago
    assert row.contact_overdue is overdue
    assert any(a.startswith("No contact") for a in row.alerts) is overdue


@pytest.mark.django_db
def test_the_strictest_program_frequency_applies(peer, team, program):
    person = enrolled_participant(peer, program=program, started_days_ago=10)
    EnrollmentFactory(
        participant=person,
        program=ProgramFactory(agency=program.agency, contact_frequency_days=7),
        start_date=days_ago(9),
    )
    [row] = caseload([peer.pk])
    assert row.contact_frequency_days == 7 and row.days_since_contact == 9 and row.contact_overdue


@pytest.mark.django_db
@pytest.mark.parametrize(("plan_started", "due"), [(89, False), (90, True)])
def test_plan_review_is_due_after_the_programs_interval(peer, team, program, plan_started, due):
    person = enrolled_participant(peer, program=program, started_days_ago=100)
    PlanFactory(participant=person, started_on=days_ago(plan_started))
    [row] = caseload([peer.pk])
    assert row.next_review_on == days_ago(plan_started) + datetime.timedelta(days=90)
    assert row.review_due is due


@pytest.mark.django_db
def test_alerts_for_missing_plan_ending_coverage_and_expiring_consent(peer, team, program):
    person = enrolled_participant(peer, program=program)
    CoverageFactory(participant=person, end_date=TODAY + datetime.timedelta(days=30))
    Consent.objects.create(
        participant=person, kind="services", signed_on=days_ago(5), expires_on=TODAY + datetime.timedelta(days=3)
    )
    [row] = caseload([peer.pk])
    assert "No recovery plan" in row.alerts
    assert row.coverage_ends_on == TODAY + datetime.timedelta(days=30)
    assert row.consent_expires_on == TODAY + datetime.timedelta(days=3)


def _fill(peer, program, count):
    for n in range(count):
        person = enrolled_participant(peer, program=program, started_days_ago=n % 30)
        CoverageFactory(participant=person, end_date=TODAY + datetime.timedelta(days=10))
        PlanFactory(participant=person)
        Consent.objects.create(participant=person, kind="services", signed_on=days_ago(1), expires_on=TODAY)
        if n % 2:  # the others' intake check-ins are due
            record_check_in(person.enrollments.get(), by=peer)


@pytest.mark.django_db
def test_my_caseload_query_count_does_not_grow(client, peer, team, program, django_assert_num_queries):
    _fill(peer, program, 3)
    client.force_login(peer)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("my_caseload")).status_code == 200
    _fill(peer, program, 30)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("my_caseload"))
    assert len(set(re.findall(r'href="/participants/\d+/"', response.content.decode()))) == 33


@pytest.mark.django_db
def test_a_caseload_is_read_as_its_ids_not_a_subquery_over_the_agency(peer, team, program):
    """The group form and the transfer page ask for the first 50 of a caseload by name. Given
    a subquery, PostgreSQL could not tell a caseload from the agency and walked the name index
    over every participant (28 ms for a caseload of 54 among 12,000); given the ids, it sorts
    the caseload only."""
    _fill(peer, program, 3)
    other = enrolled_participant(UserFactory(), program=program)  # on another caseload
    participants = participant_caseload(peer)
    with CaptureQueriesContext(connection) as read:
        assert sorted(participants.values_list("pk", flat=True)) == sorted(
            CaseloadAssignment.objects.filter(specialist=peer).values_list("participant_id", flat=True)
        )
    assert other.pk not in participants.values_list("pk", flat=True)
    assert "caseloadassignment" not in read.captured_queries[0]["sql"]


@pytest.mark.django_db
def test_team_caseloads_query_count_does_not_grow(
    client, supervisor, peer, team, program, agency, django_assert_num_queries
):
    _fill(peer, program, 2)
    client.force_login(supervisor)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("team_caseloads")).status_code == 200
    for _ in range(4):
        extra = UserFactory(role=Role.PEER_SPECIALIST)
        StaffProfileFactory(user=extra, agency=agency, supervisor=supervisor).programs.add(program)
        _fill(extra, program, 6)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("team_caseloads"))
    rows = response.context["team"]
    assert len(rows) == 5 and sorted(r.caseload_size for r in rows) == [2, 6, 6, 6, 6]


@pytest.mark.django_db
def test_team_caseloads_count_overdue_contacts_and_reviews(client, supervisor, peer, team, program):
    peer.staff_profile.programs.add(program)
    enrolled_participant(peer, program=program, started_days_ago=20)  # overdue, no plan
    fresh = enrolled_participant(peer, program=program, started_days_ago=2)
    PlanFactory(participant=fresh)
    client.force_login(supervisor)
    [row] = [r for r in client.get(reverse("team_caseloads")).context["team"] if r.profile.user == peer]
    assert (row.caseload_size, row.overdue_contacts, row.reviews_due, row.target) == (2, 1, 1, program.target_caseload)


@pytest.mark.django_db
def test_sort_and_filter_my_caseload(client, peer, team, program):
    old = enrolled_participant(peer, program=program, started_days_ago=30, last_name="Zimmer")
    enrolled_participant(peer, program=program, started_days_ago=1, last_name="Abbott")
    PlanFactory(participant=old)
    client.force_login(peer)

    def names(**query):
        rows = client.get(reverse("my_caseload"), query).context["rows"]
        return [row.participant.last_name for row in rows]

    assert names() == ["Abbott", "Zimmer"]
    assert names(sort="contact") == ["Zimmer", "Abbott"]
    assert names(sort="nonsense") == ["Abbott", "Zimmer"]  # bad input falls back, never a 500


@pytest.mark.django_db
def test_a_supervisor_reassigns_and_history_is_kept(client, supervisor, peer, team, participant):
    newcomer = UserFactory(role=Role.PEER_SPECIALIST)
    StaffProfileFactory(user=newcomer, agency=participant.agency, supervisor=supervisor)
    client.force_login(supervisor)
    url = reverse("participants:assign", args=[participant.pk])
    response = client.post(url, {"specialist": peer.pk, "reason": "x"})
    assert "already on" in response.content.decode()
    assert client.post(url, {"specialist": newcomer.pk, "reason": "Speaks Spanish"}).status_code == 302
    history = list(CaseloadAssignment.objects.filter(participant=participant).order_by("created_at"))
    assert [(a.specialist, a.ended_on) for a in history] == [(peer, TODAY), (newcomer, None)]
    assert history[1].reason == "Speaks Spanish" and history[1].assigned_by == supervisor
    event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, target_id=str(participant.pk)).latest("at")
    assert event.details["reassigned"] == {"from": peer.email, "to": newcomer.email, "reason": "Speaks Spanish"}
    # The old specialist no longer sees the participant; the new one does.
    client.force_login(peer)
    assert client.get(reverse("participants:detail", args=[participant.pk])).status_code == 404
    client.force_login(newcomer)
    assert client.get(reverse("participants:detail", args=[participant.pk])).status_code == 200


@pytest.mark.django_db
def test_a_supervisor_cannot_reassign_to_someone_they_do_not_supervise(client, supervisor, team, participant):
    client.force_login(supervisor)
    response = client.post(
        reverse("participants:assign", args=[participant.pk]), {"specialist": team["other_peer"].pk, "reason": "x"}
    )
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()


@pytest.mark.django_db
def test_bulk_transfer_previews_then_moves_exactly_the_chosen(client, supervisor, peer, team, program, agency):
    receiver = UserFactory(role=Role.PEER_SPECIALIST)
    StaffProfileFactory(user=receiver, agency=agency, supervisor=supervisor)
    people = [enrolled_participant(peer, program=program) for _ in range(4)]
    chosen, stays = people[:3], people[3]
    client.force_login(supervisor)
    url = reverse("participants:transfer", args=[peer.pk])
    data = {"participants": [p.pk for p in chosen], "to": receiver.pk, "reason": "Pat is leaving"}

    response = client.post(url, data)
    assert response.status_code == 200 and "nothing has changed yet" in response.content.decode()
    assert CaseloadAssignment.objects.filter(specialist=receiver).count() == 0

    response = client.post(url, {**data, "confirm": "1"})
    assert response.status_code == 302
    for person in chosen:
        history = list(person.assignments.order_by("created_at"))
        assert [(a.specialist, a.ended_on) for a in history] == [(peer, TODAY), (receiver, None)]
        assert history[1].reason == "Pat is leaving"
    assert stays.assignments.get().specialist == peer and stays.assignments.get().ended_on is None


@pytest.mark.django_db
def test_transfer_refuses_participants_not_on_the_leaving_caseload(client, supervisor, peer, team, program):
    outsider = enrolled_participant(team["other_peer"], program=program)
    client.force_login(supervisor)
    response = client.post(
        reverse("participants:transfer", args=[peer.pk]),
        {"participants": [outsider.pk], "to": peer.pk, "reason": "x", "confirm": "1"},
    )
    assert response.status_code == 400
    assert outsider.assignments.get().specialist == team["other_peer"]


@pytest.mark.django_db
def test_home_pages_and_the_workforce_page_count_the_caseload(client, admin_user, supervisor, peer, team, program):
    enrolled_participant(peer, program=program, started_days_ago=20)  # overdue
    fresh = enrolled_participant(peer, program=program, started_days_ago=1)
    PlanFactory(participant=fresh)
    record_check_in(fresh.enrollments.get(), by=peer)  # else its intake check-in would be due
    client.force_login(peer)
    assert "2 participants; 1 needs attention." in text(client.get(reverse("home_peer")))
    client.force_login(supervisor)
    assert "1 overdue contact;" in text(client.get(reverse("home_supervisor")))
    client.force_login(admin_user)
    rows = client.get(reverse("workforce")).context["rows"]
    assert {row.user: row.caseload_size for row in rows}[peer] == 2


@pytest.mark.django_db
def test_the_workforce_page_keeps_caseload_sizes_until_a_caseload_changes(client, admin_user, peer, team, program):
    """Issue 16: the page's caseload sizes are kept by its staff's caseload versions, not
    counted on every view, and never shown stale after an enrollment changes."""
    enrolled_participant(peer, program=program)
    client.force_login(admin_user)

    def size_and_counted():
        with CaptureQueriesContext(connection) as queries:
            rows = client.get(reverse("workforce")).context["rows"]
        counted = any("participants_caseloadassignment" in q["sql"] for q in queries.captured_queries)
        return {row.user: row.caseload_size for row in rows}[peer], counted

    assert size_and_counted() == (1, True)
    assert size_and_counted() == (1, False)
    leaving = enrolled_participant(peer, program=program)
    assert size_and_counted() == (2, True)
    leaving.enrollments.update(end_date=timezone.localdate() - datetime.timedelta(days=1))
    assert size_and_counted() == (1, True)


@pytest.mark.django_db
def test_the_duplicate_confirmation_only_appears_with_matches(client, peer, team):
    client.force_login(peer)
    body = client.get(reverse("participants:intake")).content.decode()
    assert 'type="hidden" name="i-not_a_duplicate"' in body


def test_signed_notes_are_contacts_on_the_caseload(peer, team, program):
    participant = enrolled_participant(peer, program=program, started_days_ago=30)
    [row] = caseload([peer.pk])
    assert row.last_contact_on is None and row.contact_overdue
    SignedNoteFactory(participant=participant, author=peer, date=days_ago(2))
    [row] = caseload([peer.pk])
    assert row.last_contact_on == days_ago(2) and not row.contact_overdue
