"""Billing staff keep authorizations in the app; units used come from billed lines."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from billing.models import Authorization, ServiceCode

from .factories import TODAY, ClaimFactory, ClaimLineFactory, days_ago, ensure_reference_codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def yes_code(db):
    ensure_reference_codes()
    return ServiceCode.objects.get(billing_program="tx_yes", kind="individual", is_active=True)


def _authorization(person, code, **fields):
    values = {"number": "PA-1", "units_authorized": 20, "start_date": days_ago(60), "end_date": days_ago(-30)}
    return Authorization.objects.create(participant=person, service_code=code, **{**values, **fields})


def _form(person, code, **overrides):
    data = {
        "participant": person.pk,
        "service_code": code.pk,
        "number": "pa-778",
        "units_authorized": "40",
        "start_date": days_ago(10).isoformat(),
        "end_date": (TODAY + datetime.timedelta(days=80)).isoformat(),
    }
    return {**data, **overrides}


def test_billing_staff_add_and_correct_an_authorization(client, billing_user, person, yes_code):
    client.force_login(billing_user)
    url = reverse("billing:authorization_create")
    assert client.get(url, {"participant": person.pk, "service_code": yes_code.pk}).status_code == 200
    response = client.post(url, _form(person, yes_code))
    assert response.status_code == 302
    authorization = Authorization.objects.get()
    assert authorization.number == "PA-778" and authorization.units_authorized == 40
    created = AuditEvent.objects.get(target_type="billing.authorization", action=AuditEvent.Action.CREATE)
    assert created.actor == billing_user

    edit = reverse("billing:authorization_edit", args=[authorization.pk])
    assert client.post(edit, _form(person, yes_code, units_authorized="48")).status_code == 302
    authorization.refresh_from_db()
    assert authorization.units_authorized == 48
    update = AuditEvent.objects.get(target_type="billing.authorization", action=AuditEvent.Action.UPDATE)
    assert update.details["fields"] == ["units_authorized"]


def test_bad_dates_are_explained_and_nothing_is_saved(client, billing_user, person, yes_code):
    client.force_login(billing_user)
    data = _form(person, yes_code, start_date=TODAY.isoformat(), end_date=days_ago(5).isoformat())
    response = client.post(reverse("billing:authorization_create"), data)
    assert response.status_code == 400
    assert "The end date can&#x27;t be before the start date." in response.content.decode()
    assert not Authorization.objects.exists()


def test_units_used_are_counted_from_live_lines_within_the_dates(client, billing_user, person, author, yes_code):
    from notes.tests.factories import signed_note

    authorization = _authorization(person, yes_code, start_date=days_ago(20), end_date=days_ago(-10))
    claim = ClaimFactory(participant=person)
    ClaimLineFactory(claim=claim, note=signed_note(person, author, day=days_ago(5)), service_code=yes_code, units=3)
    ClaimLineFactory(claim=claim, note=signed_note(person, author, day=days_ago(6)), service_code=yes_code, units=2)
    ClaimLineFactory(  # voided: bills nothing
        claim=claim, note=signed_note(person, author, day=days_ago(7)), service_code=yes_code, units=4, voided=True
    )
    ClaimLineFactory(  # before the authorization began
        claim=claim, note=signed_note(person, author, day=days_ago(40)), service_code=yes_code, units=8
    )
    client.force_login(billing_user)
    [row] = client.get(reverse("billing:authorization_list")).context["page"].object_list
    assert row == authorization and row.units_used == 5


def test_the_list_query_count_does_not_grow(client, billing_user, person, yes_code, django_assert_max_num_queries):
    client.force_login(billing_user)
    _authorization(person, yes_code)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("billing:authorization_list"))
    for n in range(30):
        _authorization(person, yes_code, number=f"PA-{n + 2}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("billing:authorization_list"), {"q": "PA", "current_only": "on"})
    assert len(response.context["page"].object_list) == 31


def test_the_list_reads_its_page_newest_first_from_an_index(client, billing_user, person, yes_code):
    """The page is read in the index's order (then by name within a day, on its 50 rows), not
    sorted from every authorization joined to every participant: time stays flat as they grow."""
    for n in range(3):
        _authorization(person, yes_code, number=f"PA-{n}", start_date=days_ago(n))
    client.force_login(billing_user)
    with CaptureQueriesContext(connection) as read:
        client.get(reverse("billing:authorization_list"))
    [page_sql] = [q["sql"] for q in read.captured_queries if "units_used" in q["sql"]]
    with connection.cursor() as cursor:
        # Sequential scans priced out, as a table of thousands would price them (a table of
        # three rows is read whole whatever the indexes).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {page_sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "authorization_newest_idx" in plan, plan


@pytest.mark.parametrize("who", ["peer", "supervisor"])
def test_care_staff_cannot_open_authorizations(client, request, who, person, yes_code):
    client.force_login(request.getfixturevalue(who))
    authorization = _authorization(person, yes_code)
    assert client.get(reverse("billing:authorization_list")).status_code == 403
    assert client.get(reverse("billing:authorization_edit", args=[authorization.pk])).status_code == 403


def test_an_unknown_authorization_is_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("billing:authorization_edit", args=[999])).status_code == 404


def test_units_used_count_the_whole_service_as_billing_does(client, billing_user, person, author, yes_code):
    """Group sessions of the service use the same authorization as individual ones (caps.py)."""
    from notes.tests.factories import signed_note

    group_code = ServiceCode.objects.get(billing_program="tx_yes", kind="group", is_active=True)
    assert group_code.service == yes_code.service
    _authorization(person, yes_code, start_date=days_ago(20), end_date=days_ago(-10))
    claim = ClaimFactory(participant=person)
    ClaimLineFactory(claim=claim, note=signed_note(person, author, day=days_ago(5)), service_code=yes_code, units=3)
    ClaimLineFactory(claim=claim, note=signed_note(person, author, day=days_ago(6)), service_code=group_code, units=2)
    client.force_login(billing_user)
    [row] = client.get(reverse("billing:authorization_list")).context["page"].object_list
    assert row.units_used == 5


def test_a_new_authorization_starts_from_its_participant_found_by_search(client, billing_user, person, yes_code):
    """The form's participant is chosen first (search, or the work page's "Fix this" link that
    names them) and is its only option: a list of every participant of a large agency took
    seconds to render and could not be read."""
    from participants.tests.factories import ParticipantFactory

    ParticipantFactory.create_batch(30, agency=person.agency)
    client.force_login(billing_user)
    url = reverse("billing:authorization_create")
    start = client.get(url)
    assert "form" not in start.context and start.context["page"] is None  # no list before a search
    found = client.get(url, {"q": "Quintero"}).context["page"]
    assert [p.pk for p in found] == [person.pk]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, details__query="Quintero").exists()

    form = client.get(url, {"participant": person.pk, "service_code": yes_code.pk}).context["form"]
    assert [pk for pk, _ in form.fields["participant"].choices] == [person.pk]
    assert form.initial["service_code"] == yes_code.pk
    # A posted participant is checked as the one chosen: an unknown id goes back to the search.
    assert "form" not in client.post(url, _form(person, yes_code, participant="99999")).context
    assert not Authorization.objects.exists()
