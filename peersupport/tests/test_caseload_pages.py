"""The caseload pages sort, filter and paginate the caseload from figures the database computes
for every row (participants.caseload_keys) and build only the page's rows (issue 16): the same
participants in the same order as sorting and filtering every built row, for every sort, filter
and `?show=` list, and as many queries however large the team's caseload grows."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from notes.tests.factories import SignedNoteFactory
from outcomes.tests.factories import record_check_in
from participants.eligibility import Eligibility
from participants.models import Consent
from participants.selectors import SORTS, sort_and_filter
from participants.tests.factories import CoverageFactory, EnrollmentFactory, PlanFactory, days_ago, enrolled_participant
from peersupport import selectors
from peersupport.views.caseloads import PAGE_SIZE
from programs.tests.factories import ProgramFactory, StaffProfileFactory

TODAY = timezone.localdate()
SOON = TODAY + datetime.timedelta(days=10)


def _variety(specialist, program, strict, n: int, name: str):
    """Rows in every state the pages sort and filter on, `n` of each, named so that some
    share a name (the order's ties)."""
    for i in range(n):
        # No contact, no plan, intake check-in due; coverage reported inactive by a 271.
        first = enrolled_participant(specialist, program=program, started_days_ago=20 + i, last_name=name)
        CoverageFactory(participant=first, eligibility_status=Eligibility.INACTIVE, eligibility_checked_on=days_ago(2))
        # Seen lately, a fresh plan, intake done: no alert at all.
        seen = enrolled_participant(specialist, program=program, started_days_ago=60 + i, last_name=f"{name}b")
        SignedNoteFactory(participant=seen, author=specialist, date=days_ago(3))
        PlanFactory(participant=seen, started_on=days_ago(10))
        record_check_in(seen.enrollments.get(), by=specialist)
        # An old plan, coverage and consent ending soon, the 3-month check-in overdue.
        stale = enrolled_participant(specialist, program=program, started_days_ago=130 + i, last_name=name)
        record_check_in(stale.enrollments.get(), by=specialist)
        PlanFactory(participant=stale, started_on=days_ago(150))
        CoverageFactory(participant=stale, end_date=SOON)
        Consent.objects.create(participant=stale, kind="services", signed_on=days_ago(5), expires_on=SOON)
        # Only alert: a payer reported the coverage inactive.
        quiet = enrolled_participant(specialist, program=program, started_days_ago=60 + i, last_name=f"{name}d")
        SignedNoteFactory(participant=quiet, author=specialist, date=days_ago(1))
        PlanFactory(participant=quiet, started_on=days_ago(1))
        record_check_in(quiet.enrollments.get(), by=specialist)
        CoverageFactory(participant=quiet, eligibility_status=Eligibility.INACTIVE, eligibility_checked_on=days_ago(1))
        # On the edges: the plan review due today, the last contact N or N + 1 days ago.
        edge = enrolled_participant(specialist, program=program, started_days_ago=25, last_name=f"{name}e")
        PlanFactory(participant=edge, started_on=days_ago(program.plan_review_days))
        SignedNoteFactory(participant=edge, author=specialist, date=days_ago(program.contact_frequency_days + i % 2))
        # Two programs: the stricter frequency and the later intake.
        both = enrolled_participant(specialist, program=program, started_days_ago=30 + i, last_name=f"{name}c")
        EnrollmentFactory(participant=both, program=strict, start_date=days_ago(12))
        SignedNoteFactory(participant=both, author=specialist, date=days_ago(9))
        PlanFactory(participant=both, started_on=days_ago(5))


def _expected(rows, *, sort, show, program, alerts_only) -> list[int]:
    """The participants, in order, that sorting and filtering every built row gives."""
    kept = sort_and_filter(
        selectors.rows_showing(rows, show),
        sort=sort,
        program_id=program.pk if program else None,
        alerts_only=alerts_only,
    )
    return [row.participant.pk for row in kept]


def _shown(client, url: str, query: dict) -> list[int]:
    """Every page's participants, in order."""
    shown, number = [], 1
    while True:
        response = client.get(url, {**query, "page": number})
        assert response.status_code == 200
        shown += [row.participant.pk for row in response.context["rows"]]
        if not response.context["page"].has_next():
            return shown
        number += 1


@pytest.mark.django_db
def test_the_pages_show_what_sorting_and_filtering_every_row_gives(client, supervisor, peer, team, program, agency):
    strict = ProgramFactory(agency=program.agency, contact_frequency_days=7)
    other = UserFactory(role=Role.PEER_SPECIALIST)
    StaffProfileFactory(user=other, agency=agency, supervisor=supervisor)
    _variety(peer, program, strict, 5, "Ames")
    _variety(other, program, strict, 5, "Ames")  # 60 in all: two pages
    _variety(team["other_peer"], program, strict, 1, "Else")  # another supervisor's: on no page here
    rows = selectors.team_caseload_rows(supervisor)
    assert len(rows) > PAGE_SIZE
    client.force_login(supervisor)
    for sort in SORTS:
        for show in [None, *selectors.CASELOAD_SHOWS]:
            for program_filter in (None, strict):
                for alerts_only in (False, True):
                    query = {"sort": sort, **({"show": show} if show else {})}
                    query |= {"program": program_filter.pk} if program_filter else {}
                    query |= {"alerts_only": "on"} if alerts_only else {}
                    expected = _expected(rows, sort=sort, show=show, program=program_filter, alerts_only=alerts_only)
                    assert _shown(client, reverse("team_participants"), query) == expected, query
    mine = selectors.caseload([peer.pk])
    client.force_login(peer)
    for sort in SORTS:
        expected = _expected(mine, sort=sort, show="attention", program=None, alerts_only=False)
        assert _shown(client, reverse("my_caseload"), {"sort": sort, "show": "attention"}) == expected


@pytest.mark.django_db
def test_the_team_participants_page_query_count_does_not_grow(
    client, supervisor, peer, team, program, agency, django_assert_num_queries
):
    strict = ProgramFactory(agency=program.agency, contact_frequency_days=7)
    other = UserFactory(role=Role.PEER_SPECIALIST)
    StaffProfileFactory(user=other, agency=agency, supervisor=supervisor)
    _variety(peer, program, strict, 1, "Ames")
    client.force_login(supervisor)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("team_participants"), {"sort": "alerts"}).status_code == 200
    _variety(other, program, strict, 10, "Bell")
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("team_participants"), {"sort": "alerts"})
    assert len(response.context["rows"]) == PAGE_SIZE and response.context["page"].paginator.count == 66


@pytest.mark.django_db
def test_the_team_participants_page_counts_check_ins_only_when_its_order_or_filter_reads_them(
    client, supervisor, peer, team, program
):
    """Counting every row's check-ins was half the cost of the team's keys: the page's own rows
    read theirs, and the whole team's are read only for the alerts order, the alerts filter and
    the attention and check-in lists (which the test above checks against every built row).
    The keys computed, that is: not yet kept (peersupport.team_figures)."""
    _variety(peer, program, ProgramFactory(agency=program.agency), 1, "Ames")
    client.force_login(supervisor)

    def check_in_reads(query: dict) -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("team_participants"), query).status_code == 200
        return sum('FROM "outcomes_checkin"' in q["sql"] for q in queries.captured_queries)

    for query in ({}, {"sort": "contact"}, {"show": "overdue_contacts"}, {"show": "reviews_due", "sort": "review"}):
        assert check_in_reads(query) == 1, query  # the page's rows
    for query in ({"sort": "alerts"}, {"alerts_only": "on"}, {"show": "attention"}, {"show": "check_ins"}):
        assert check_in_reads(query) == 2, query  # and the whole team's, to order or filter
