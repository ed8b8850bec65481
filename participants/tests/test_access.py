"""The access matrix for every participant page, and search that must not leak."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from participants.models import CaseloadAssignment

WHO = ["admin", "supervisor_of", "other_supervisor", "assigned_peer", "other_peer", "billing"]

CARE_EDIT = [200, 200, 404, 200, 404, 403]

# url name (with the participant's pk) -> expected status for each of WHO, in order.
MATRIX = {
    "detail": [200, 200, 404, 200, 404, 200],
    "edit": CARE_EDIT,
    "enrollment_create": CARE_EDIT,
    "consent_create": CARE_EDIT,
    "plan_edit": CARE_EDIT,
    "goal_create": CARE_EDIT,
    "plan_review": CARE_EDIT,
    "coverage_create": [200, 200, 404, 200, 404, 200],
    "assign": [200, 200, 404, 403, 403, 403],
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", list(MATRIX))
@pytest.mark.parametrize("who", WHO)
def test_participant_pages(client, cast, participant, page, who):
    client.force_login(cast[who])
    response = client.get(reverse(f"participants:{page}", args=[participant.pk]))
    assert response.status_code == MATRIX[page][WHO.index(who)], f"{who} on {page}"


SIGN = {
    "participant": [200, 200, 404, 200, 404, 403],
    "specialist": [403, 403, 404, 200, 404, 403],
    "supervisor": [200, 200, 404, 403, 404, 403],
}


@pytest.mark.django_db
@pytest.mark.parametrize("signer", list(SIGN))
@pytest.mark.parametrize("who", WHO)
def test_plan_signatures(client, cast, participant, signer, who):
    client.force_login(cast[who])
    response = client.get(reverse("participants:plan_sign", args=[participant.pk, signer]))
    assert response.status_code == SIGN[signer][WHO.index(who)], f"{who} signing as {signer}"


@pytest.mark.django_db
@pytest.mark.parametrize("who", WHO)
def test_the_plan_shows_each_signature_link_only_to_those_it_lets_sign(client, cast, participant, who):
    client.force_login(cast[who])
    page = client.get(reverse("participants:detail", args=[participant.pk])).content.decode()
    for signer, statuses in SIGN.items():
        link = f'href="{reverse("participants:plan_sign", args=[participant.pk, signer])}"'
        allowed = statuses[WHO.index(who)] == 200
        assert (link in page) == allowed, f"{who} {'misses' if allowed else 'is shown'} the {signer} signature link"


@pytest.mark.django_db
def test_the_page_reads_the_assignments_once(client, cast, participant):
    """The specialist's signature link is decided from the assignments the page has read
    already (issue 16: the participant's page is a sixth of a day's requests)."""
    client.force_login(cast["assigned_peer"])
    with CaptureQueriesContext(connection) as read:
        page = client.get(reverse("participants:detail", args=[participant.pk])).content.decode()
    assert f'href="{reverse("participants:plan_sign", args=[participant.pk, "specialist"])}"' in page
    table = CaseloadAssignment._meta.db_table
    assignments = [q["sql"] for q in read.captured_queries if f'FROM "{table}"' in q["sql"].split(" WHERE ")[0]]
    assert len(assignments) == 1, assignments


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["assigned_peer", "supervisor_of"])
def test_the_care_scope_is_asked_once(client, cast, participant, who):
    """The participant was read through the user's care scope (its caseload assignments, in a
    subquery): the page does not ask the scope again whether the participant is in it."""
    client.force_login(cast[who])
    with CaptureQueriesContext(connection) as read:
        assert client.get(reverse("participants:detail", args=[participant.pk])).status_code == 200
    scope = [q["sql"] for q in read.captured_queries if '"participant_id" AS "participant" FROM' in q["sql"]]
    assert len(scope) == 1, scope


CASELOAD_PAGES = {
    # url name -> (args from the cast, expected statuses). The caseload pages themselves are
    # the project's (peersupport, no namespace); the rest are this app's.
    "my_caseload": (None, [403, 403, 403, 200, 200, 403]),
    "team_caseloads": (None, [403, 200, 200, 403, 403, 403]),
    "specialist_caseload": ("assigned_peer", [200, 200, 404, 403, 403, 403]),
    "participants:transfer": ("assigned_peer", [200, 200, 404, 403, 403, 403]),
    "participants:intake": (None, [200, 200, 200, 200, 200, 403]),
    "participants:search": (None, [200, 200, 200, 200, 200, 200]),
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", list(CASELOAD_PAGES))
@pytest.mark.parametrize("who", WHO)
def test_caseload_pages(client, cast, participant, page, who):
    arg, expected = CASELOAD_PAGES[page]
    client.force_login(cast[who])
    response = client.get(reverse(page, args=[cast[arg].pk] if arg else []))
    assert response.status_code == expected[WHO.index(who)], f"{who} on {page}"


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["Quintero", "rosa", "123456789", "1980-05-17", "05/17/1980"])
@pytest.mark.parametrize("who", WHO)
def test_search_finds_only_what_the_user_may_see(client, cast, participant, query, who):
    client.force_login(cast[who])
    body = client.get(reverse("participants:search"), {"q": query}).content.decode()
    visible = who in ("admin", "supervisor_of", "assigned_peer", "billing")
    link = f'href="{reverse("participants:detail", args=[participant.pk])}"'
    assert (link in body) == visible, f"{who} searching {query}"


@pytest.mark.django_db
def test_billing_sees_demographics_and_coverage_but_no_clinical_content(client, cast, participant):
    from participants.models import Consent, Goal

    Goal.objects.create(
        plan=participant.plan, description="I want my own place", objectives="x", target_date="2027-01-01"
    )
    Consent.objects.create(participant=participant, kind=Consent.Kind.SERVICES, signed_on="2026-01-02")
    client.force_login(cast["billing"])
    body = client.get(reverse("participants:detail", args=[participant.pk])).content.decode()
    assert "123456789" in body and "F33.2" in body
    for clinical in ("I want my own place", "Recovery plan", "Consent to services", "Resourceful"):
        assert clinical not in body


@pytest.mark.django_db
def test_every_view_of_a_participant_page_is_audited(client, cast, participant):
    client.force_login(cast["billing"])
    client.get(reverse("participants:detail", args=[participant.pk]))
    client.get(reverse("participants:detail", args=[participant.pk]))
    views = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, target_id=str(participant.pk))
    assert views.count() == 2
    assert {v.actor for v in views} == {cast["billing"]}
    assert views.first().target_type == "participants.participant"


@pytest.mark.django_db
def test_a_refused_view_is_not_audited_as_a_read(client, cast, participant):
    client.force_login(cast["other_peer"])
    assert client.get(reverse("participants:detail", args=[participant.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).exists()


@pytest.mark.django_db
def test_goal_status_is_post_only(client, cast, participant):
    from participants.models import Goal

    goal = Goal.objects.create(plan=participant.plan, description="g", objectives="o", target_date="2027-01-01")
    client.force_login(cast["assigned_peer"])
    assert client.get(reverse("participants:goal_status", args=[participant.pk, goal.pk])).status_code == 405


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client, participant):
    assert client.get(reverse("participants:detail", args=[participant.pk]))["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("/caseloads/team/", "/caseloads/team/"),
        ("https://evil.example.com/phish", "/participants/"),  # never off-site
        ("", "/participants/"),
    ],
)
def test_a_transfer_returns_to_the_page_that_sent_it_only_if_it_is_ours(client, cast, participant, next_url, lands_on):
    from programs.tests.factories import StaffProfileFactory

    receiver = StaffProfileFactory(user__email="rae.receiver@example.org", supervisor=cast["supervisor_of"]).user
    client.force_login(cast["supervisor_of"])
    url = reverse("participants:transfer", args=[cast["assigned_peer"].pk])
    data = {"participants": [participant.pk], "to": receiver.pk, "reason": "Leaving", "confirm": "1"}
    response = client.post(f"{url}?next={next_url}" if next_url else url, data)
    assert response.status_code == 302 and response["Location"] == lands_on
    assert participant.assignments.get(ended_on__isnull=True).specialist == receiver
