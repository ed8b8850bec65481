"""The program admin's audit log: filtered by who, participant, action and date, a page at a
time going back by id, and the same rows as one streamed CSV; each read of it is recorded."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from audit.models import AuditEvent, AuditSubject
from audit.services import audit_read, audit_record
from audit.tests.reading import subject_ids
from participants.tests.factories import ParticipantFactory

URL, CSV_URL = reverse("audit_log"), reverse("audit_log_csv")


def reads(user, participants, *, count=1):
    for _ in range(count):
        event = audit_read(ctx=AuditContext(user), page="participant search", shown=[p.pk for p in participants])
    return event


def dated(user, action, day, participant=None):
    """A row as it was written on `day`: rows are never updated, so it is made with its date."""
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    event = AuditEvent.objects.create(at=at, actor=user, actor_label=user.email, action=action)
    if participant is not None:
        event.subjects.create(participant_id=participant.pk)
    return event


def rows_of(response) -> list[AuditEvent]:
    return response.context["events"]


@pytest.mark.django_db
def test_each_filter_keeps_only_its_rows(client, admin_user, peer, supervisor, participant):
    other = ParticipantFactory(agency=participant.agency)
    today = timezone.localdate()
    mine = dated(peer, AuditEvent.Action.VIEW, today, participant)
    theirs = dated(supervisor, AuditEvent.Action.UPDATE, today, other)
    last_month = dated(peer, AuditEvent.Action.VIEW, today - datetime.timedelta(days=40), participant)
    client.force_login(admin_user)

    def shown(**filters):
        response = client.get(URL, filters)
        assert response.status_code == 200
        return {row.pk for row in rows_of(response)} & {mine.pk, theirs.pk, last_month.pk}

    assert shown() == {mine.pk, theirs.pk, last_month.pk}
    assert shown(user=peer.pk) == {mine.pk, last_month.pk}
    assert shown(participant=other.pk) == {theirs.pk}
    assert shown(action="update") == {theirs.pk}
    assert shown(date_from=today - datetime.timedelta(days=7)) == {mine.pk, theirs.pk}
    assert shown(date_to=today - datetime.timedelta(days=7)) == {last_month.pk}
    assert shown(user=peer.pk, participant=participant.pk, date_from=today) == {mine.pk}


@pytest.mark.django_db
def test_a_participant_filter_names_them_and_links_their_accounting(client, admin_user, participant):
    client.force_login(admin_user)
    body = client.get(URL, {"participant": participant.pk}).content.decode()
    assert str(participant) in body
    assert reverse("participant_disclosures", args=[participant.pk]) in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"date_from": "2026-03-01", "date_to": "2026-02-01"}, "The end date is before the start date"),
        ({"date_from": "0001-01-01"}, "dates before 1900 are not accepted"),
        ({"participant": "12\x00"}, "in digits"),
        ({"participant": "99999999999999999999"}, "less than or equal to"),
        ({"user": "x"}, "Select a valid choice"),
        ({"action": "erase"}, "Select a valid choice"),
    ],
)
def test_bad_filters_are_refused_with_a_message_not_a_500(client, admin_user, filters, message):
    client.force_login(admin_user)
    for url in (URL, CSV_URL):
        response = client.get(url, filters)
        assert response.status_code == 400
        assert message in response.content.decode()


@pytest.mark.django_db
def test_pages_go_back_by_id_and_keep_the_filters(client, admin_user, peer, participant):
    reads(peer, [participant], count=60)
    client.force_login(admin_user)
    first = client.get(URL, {"user": peer.pk})
    assert len(rows_of(first)) == 50 and first.context["older"]
    older = f"?user={peer.pk}&amp;before={first.context['older']}"
    assert older in first.content.decode()
    second = client.get(URL, {"user": peer.pk, "before": first.context["older"]})
    assert len(rows_of(second)) == 10 and second.context["older"] is None
    seen = [row.pk for row in rows_of(first) + rows_of(second)]
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 60
    # A "before" that is not a number is ignored: the newest page.
    assert rows_of(client.get(URL, {"user": peer.pk, "before": "1e9"})) == rows_of(first)


@pytest.mark.django_db
def test_the_page_and_the_csv_keep_their_query_count_as_the_log_grows(client, admin_user, peer, participant):
    client.force_login(admin_user)

    def queries(url, filters) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, filters)
            assert response.status_code == 200
            b"".join(response.streaming_content) if response.streaming else response.content
        return len(captured)

    for url in (URL, CSV_URL):
        for filters in ({}, {"participant": participant.pk}):
            reads(peer, [participant], count=5)
            small = queries(url, filters)
            reads(peer, [participant, *ParticipantFactory.create_batch(3, agency=participant.agency)], count=120)
            assert queries(url, filters) == small, (url, filters)


@pytest.mark.django_db
def test_the_csv_holds_every_row_the_filters_keep_with_all_its_participants(client, admin_user, peer, participant):
    other = ParticipantFactory(agency=participant.agency)
    listed_both = reads(peer, [])
    for person in (other, participant):  # its subjects stored in descending order
        AuditSubject.objects.create(event=listed_both, participant_id=person.pk)
    audit_record(action=AuditEvent.Action.LOGIN, ctx=AuditContext(peer), actor_label="=HYPERLINK(1)")
    reads(peer, [participant], count=70)  # more than a page: the file is not the page
    client.force_login(admin_user)

    response = client.get(CSV_URL, {"user": peer.pk})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 72
    # The row's participants in ascending order, whatever order the join gives them.
    [both] = [row for row in rows if row["Participants"] == f"{participant.pk} {other.pk}"]
    assert both["Action"] == "Viewed" and both["Who"] == peer.email and listed_both.details["page"] in both["Details"]
    assert any(row["Who"] == "'=HYPERLINK(1)" for row in rows)  # a spreadsheet shows it as text

    # Downloading the log is itself recorded, with its filters.
    read = AuditEvent.objects.filter(details__page="audit log CSV").get()
    assert (read.actor, read.details["filters"]) == (admin_user, {"user": peer.pk})


@pytest.mark.django_db
def test_reading_the_log_about_someone_is_a_read_about_them(client, admin_user, participant):
    client.force_login(admin_user)
    client.get(URL, {"participant": participant.pk})
    read = AuditEvent.objects.filter(details__page="audit log").get()
    assert subject_ids(read) == [participant.pk] and read.details["filters"] == {"participant": participant.pk}


@pytest.mark.django_db
def test_only_program_admins_see_the_links_on_a_participants_page(client, admin_user, supervisor, participant):
    accounting = reverse("participant_disclosures", args=[participant.pk])
    client.force_login(admin_user)
    assert accounting in client.get(reverse("participants:detail", args=[participant.pk])).content.decode()
    assert reverse("audit_log") in client.get(reverse("home_admin")).content.decode()
    client.force_login(supervisor)
    assert accounting not in client.get(reverse("participants:detail", args=[participant.pk])).content.decode()


@pytest.mark.django_db
def test_the_who_filter_lists_every_user_without_a_template_per_option(client, admin_user, peer):
    """Every user of the agency (hundreds) is an option of "Who": written in Python
    (audit.widgets.Select), the one chosen selected, not one template rendered each."""
    UserFactory.create_batch(40)
    client.force_login(admin_user)
    response = client.get(reverse("audit_log"), {"user": peer.pk, "action": "login"})
    body = response.content.decode()
    assert body.count('<option value="') > 40
    assert f'<option value="{peer.pk}" selected>{peer}</option>' in body
    assert '<option value="login" selected>' in body
    assert "django/forms/widgets/select_option.html" not in {t.name for t in response.templates}
