"""The supervisor's home counts its team's figures in the database (issue 16): the same
numbers as the team participants page's lists, which are built row by row, and as many
queries however large the team's caseload grows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from notes.models import SessionNote
from notes.tests.factories import SessionNoteFactory, SignedNoteFactory
from outcomes.tests.factories import record_check_in
from participants.tests.factories import EnrollmentFactory, PlanFactory, days_ago, enrolled_participant
from peersupport import selectors
from programs.tests.factories import ProgramFactory, StaffProfileFactory


def _variety(specialist, program, strict_program, n: int):
    """Caseload rows in every state the home counts, `n` of each kind."""
    for i in range(n):
        # Contact overdue by intake alone, no plan (review due), intake check-in due.
        enrolled_participant(specialist, program=program, started_days_ago=20 + i)
        # A recent signed note: contact not overdue; plan fresh; intake check-in done.
        seen = enrolled_participant(specialist, program=program, started_days_ago=60)
        SignedNoteFactory(participant=seen, author=specialist, date=days_ago(3))
        PlanFactory(participant=seen, started_on=days_ago(10))
        record_check_in(seen.enrollments.get(), by=specialist)
        # An old note, a newer draft (a draft is no contact): overdue; an old plan: review due.
        stale = enrolled_participant(specialist, program=program, started_days_ago=200)
        SignedNoteFactory(participant=stale, author=specialist, date=days_ago(40))
        SessionNoteFactory(participant=stale, author=specialist, date=days_ago(1), status=SessionNote.Status.DRAFT)
        PlanFactory(participant=stale, started_on=days_ago(150))
        # Two programs: the stricter frequency (7 days) makes a 9-day-old contact overdue,
        # and the later intake is where the clock would start without the note.
        both = enrolled_participant(specialist, program=program, started_days_ago=30)
        EnrollmentFactory(participant=both, program=strict_program, start_date=days_ago(12))
        SignedNoteFactory(participant=both, author=specialist, date=days_ago(9))
        PlanFactory(participant=both, started_on=days_ago(5), last_reviewed_on=days_ago(2))
    # Off the caseload (discharged): counted nowhere.
    gone = enrolled_participant(specialist, program=program, started_days_ago=100)
    gone.enrollments.update(end_date=days_ago(1))


def _caseload_page_figures(client, supervisor) -> dict:
    """What the team pages show, from the caseload rows they build: the number of supervisees
    on the team caseloads page, and how many participants each `?show=` list of the team
    participants page holds (the lists the home's counts link to)."""

    def listed(show: str) -> int:
        return client.get(reverse("team_participants"), {"show": show}).context["page"].paginator.count

    rows = selectors.team_caseload_rows(supervisor)
    return {
        "team_size": len(client.get(reverse("team_caseloads")).context["team"]),
        "overdue_contacts": listed("overdue_contacts"),
        "reviews_due": listed("reviews_due"),
        "check_ins": selectors.check_ins_due(rows),
    }


def _home_counts(response) -> dict:
    return {key: response.context[key] for key in ("team_size", "overdue_contacts", "reviews_due", "check_ins")}


@pytest.fixture
def strict_program(program):
    return ProgramFactory(agency=program.agency, contact_frequency_days=7)


@pytest.mark.django_db
def test_the_supervisor_home_counts_what_the_team_participants_page_lists(
    client, supervisor, peer, team, program, strict_program, agency
):
    _variety(peer, program, strict_program, 2)
    other = UserFactory(role=Role.PEER_SPECIALIST)
    StaffProfileFactory(user=other, agency=agency, supervisor=supervisor)
    _variety(other, program, strict_program, 1)
    _variety(team["other_peer"], program, strict_program, 1)  # another supervisor's team
    client.force_login(supervisor)
    counts = _home_counts(client.get(reverse("home_supervisor")))
    assert counts == _caseload_page_figures(client, supervisor)
    # Per kind of row: the first (both n) and the stale one overdue, and the two-program one.
    assert counts["team_size"] == 2 and counts["overdue_contacts"] == 3 * 3 and counts["reviews_due"] == 2 * 3
    assert counts["check_ins"]["due"] + counts["check_ins"]["overdue"] > 0
    # The team caseloads page's row per specialist: counted the same way, the rows' figures.
    built = selectors.team_caseload_rows(supervisor)
    for row in client.get(reverse("team_caseloads")).context["team"]:
        own = [r for r in built if r.specialist_id == row.profile.user_id]
        assert (row.caseload_size, row.overdue_contacts, row.reviews_due) == (
            len(own),
            selectors.count_showing(own, "overdue_contacts"),
            selectors.count_showing(own, "reviews_due"),
        )
        assert (row.check_ins_due, row.check_ins_overdue) == tuple(selectors.check_ins_due(own).values())


@pytest.mark.django_db
def test_the_supervisor_home_leaves_out_inactive_supervisees(client, supervisor, peer, team, program, agency):
    enrolled_participant(peer, program=program, started_days_ago=20)
    left = UserFactory(role=Role.PEER_SPECIALIST)
    StaffProfileFactory(user=left, agency=agency, supervisor=supervisor, is_active=False)
    enrolled_participant(left, program=program, started_days_ago=20)
    client.force_login(supervisor)
    counts = _home_counts(client.get(reverse("home_supervisor")))
    assert counts == _caseload_page_figures(client, supervisor)
    assert (counts["team_size"], counts["overdue_contacts"], counts["reviews_due"]) == (1, 1, 1)


@pytest.mark.django_db
def test_the_supervisor_home_query_count_does_not_grow(
    client, supervisor, peer, team, program, strict_program, django_assert_num_queries
):
    _variety(peer, program, strict_program, 1)
    client.force_login(supervisor)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("home_supervisor")).status_code == 200
    _variety(peer, program, strict_program, 6)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("home_supervisor"))
    assert response.context["overdue_contacts"] == 7 * 3
