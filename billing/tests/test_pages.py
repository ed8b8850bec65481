import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from audit.models import AuditEvent
from billing import services
from billing.exports import CSV_COLUMNS
from billing.models import ClaimBatch
from notes.models import SessionNote
from notes.tests.factories import signed_note

from .factories import TODAY, billable_participant, days_ago, reference_kept
from .posted import noon

SECRET = "SECRET NARRATIVE"


@pytest.fixture
def exported(identity, payer, author, person):
    batch = services.batch_build(payer=payer, note_ids=[signed_note(person, author).pk], ctx=AuditContext(author))
    return services.batch_export(batch=batch, ctx=AuditContext(author))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.BILLING, 200), (Role.PROGRAM_ADMIN, 200), (Role.PEER_SPECIALIST, 403), (Role.SUPERVISOR, 403)],
)
def test_only_billing_staff_and_admins_see_billing_pages(client, exported, role, expected):
    client.force_login(UserFactory(role=role))
    for url in [
        reverse("billing:work"),
        reverse("billing:batch_list"),
        reverse("billing:batch_detail", args=[exported.pk]),
        reverse("billing:claim_detail", args=[exported.claims.get().pk]),
        reverse("billing:batch_download", args=[exported.pk, "837p"]),
        reverse("billing:batch_download", args=[exported.pk, "csv"]),
    ]:
        assert client.get(url).status_code == expected, url


@pytest.mark.django_db
def test_no_narrative_appears_in_billing_pages_or_files(client, billing_user, exported, person, author):
    signed_note(person, author, day=days_ago(5))  # one ready note on the work page
    client.force_login(billing_user)
    for url in [
        reverse("billing:work"),
        reverse("billing:batch_detail", args=[exported.pk]),
        reverse("billing:claim_detail", args=[exported.claims.get().pk]),
        reverse("billing:batch_download", args=[exported.pk, "837p"]),
        reverse("billing:batch_download", args=[exported.pk, "csv"]),
    ]:
        assert SECRET not in client.get(url).content.decode(), url


@pytest.mark.django_db
def test_a_billing_clerk_builds_exports_and_downloads_a_batch(client, billing_user, identity, payer, person, author):
    note = signed_note(person, author)
    client.force_login(billing_user)
    body = client.get(reverse("billing:work")).content.decode()
    assert "Rosa Quintero" in body and "$73.08" in body
    response = client.post(reverse("billing:batch_create"), {"payer": payer.pk, "notes": [note.pk]})
    batch = ClaimBatch.objects.get()
    assert response["Location"] == reverse("billing:batch_detail", args=[batch.pk])
    assert client.get(reverse("billing:batch_download", args=[batch.pk, "837p"])).status_code == 404  # not yet
    client.post(reverse("billing:batch_export", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.is_frozen
    download = client.get(reverse("billing:batch_download", args=[batch.pk, "837p"]))
    assert download.content.decode() == batch.file_837 and "attachment" in download["Content-Disposition"]
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("billing:batch_download", args=[batch.pk, "csv"])).content.decode()))
    )
    assert rows[0] == [name for name, _ in CSV_COLUMNS]
    assert rows[1][rows[0].index("hcpcs")] == "H0038" and rows[1][rows[0].index("charge")] == "73.08"
    # The same note can't go on a second batch.
    response = client.post(reverse("billing:batch_create"), {"payer": payer.pk, "notes": [note.pk]}, follow=True)
    assert "None of the chosen notes is ready to bill to this payer." in response.content.decode()


@pytest.mark.django_db
def test_bad_input_to_billing_actions_is_explained(client, billing_user, payer):
    client.force_login(billing_user)
    response = client.post(reverse("billing:batch_create"), {"payer": "x", "notes": ["a"]}, follow=True)
    assert "Choose a payer and at least one ready note." in response.content.decode()
    assert client.get(reverse("billing:work"), {"month": "October"}).status_code == 200
    assert client.get(reverse("billing:batch_create")).status_code == 405
    assert client.get(reverse("billing:batch_download", args=[999, "837p"])).status_code == 404


@pytest.mark.django_db
def test_the_export_command_does_what_the_download_does(tmp_path, exported, billing_user):
    out = tmp_path / "batch.837"
    who = ("--user", billing_user.email)
    call_command("export_claims", exported.pk, "--format", "837p", "--output", str(out), *who)
    assert out.read_text() == exported.file_837
    call_command("export_claims", exported.pk, "--format", "csv", "--output", str(tmp_path / "b.csv"), *who)
    assert (tmp_path / "b.csv").read_text().startswith("batch,claim,")
    with pytest.raises(CommandError, match="There is no batch 999"):
        call_command("export_claims", 999, "--output", str(out), *who)


@pytest.mark.django_db
def test_the_export_command_records_who_ran_it(tmp_path, identity, payer, author, person, billing_user):
    batch = services.batch_build(payer=payer, note_ids=[signed_note(person, author).pk], ctx=AuditContext(author))
    call_command("export_claims", batch.pk, "--output", str(tmp_path / "b.837"), "--user", billing_user.email.upper())
    batch.refresh_from_db()
    assert batch.is_frozen and batch.exported_by == billing_user and batch.created_by == author
    export = AuditEvent.objects.get(
        target_type="billing.claimbatch", target_id=str(batch.pk), details__has_key="exported"
    )
    assert export.actor == billing_user and export.user_agent == "manage.py export_claims"


@pytest.mark.django_db
def test_the_export_command_refuses_an_unknown_or_unentitled_user(tmp_path, exported, peer):
    with pytest.raises(CommandError, match="There is no active user nobody@example.org"):
        call_command("export_claims", exported.pk, "--output", str(tmp_path / "b"), "--user", "nobody@example.org")
    with pytest.raises(CommandError, match="may not export claims"):
        call_command("export_claims", exported.pk, "--output", str(tmp_path / "b"), "--user", peer.email)


def _notes(author, program, payer, count):
    people = [billable_participant(author, program, payer) for _ in range(max(1, count // 10))]
    notes = SessionNote.objects.bulk_create(
        SessionNote(
            participant=people[n % len(people)],
            author=author,
            status=SessionNote.Status.COSIGNED,
            date=days_ago(3 + n // len(people)),
            start_time="10:00",
            end_time="10:30",
            modality="in_person",
            place_of_service="99",
            service_types=["recovery_coaching"],
        )
        for n in range(count)
    )
    goal_of = {p.pk: p.plan.goals.get() for p in people}
    SessionNote.goals_addressed.through.objects.bulk_create(
        SessionNote.goals_addressed.through(sessionnote=note, goal=goal_of[note.participant_id]) for note in notes
    )


@pytest.mark.django_db
def test_the_work_page_and_batch_build_keep_their_query_counts_from_10_to_1000_notes(
    client, billing_user, identity, payer, author, program, django_assert_num_queries
):
    from billing.models import ServiceCode

    ServiceCode.objects.update(rolling_cap_units=None, rolling_cap_days=None)
    client.force_login(billing_user)

    def measure():
        reference_kept()
        with CaptureQueriesContext(connection) as page:
            assert client.get(reverse("billing:work")).status_code == 200
        ids = list(SessionNote.objects.filter(claim_lines__isnull=True).values_list("pk", flat=True))
        with CaptureQueriesContext(connection) as build:
            services.batch_build(payer=payer, note_ids=ids, ctx=AuditContext(billing_user))
        return len(page.captured_queries), len(build.captured_queries)

    _notes(author, program, payer, 10)
    small = measure()
    _notes(author, program, payer, 990)
    large = measure()
    assert large == small
    assert SessionNote.objects.filter(claim_lines__voided=False).distinct().count() == 1000


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "expected"), [(Role.PROGRAM_ADMIN, 200), (Role.BILLING, 302), (Role.SUPERVISOR, 302)])
def test_program_admins_keep_the_reference_data_in_the_admin(client, role, expected, tx_code):
    client.force_login(UserFactory(role=role))
    for url in ["/django-admin/billing/servicecode/", f"/django-admin/billing/servicecode/{tx_code.pk}/change/"]:
        assert client.get(url).status_code == expected, url
    if role == Role.PROGRAM_ADMIN:
        assert client.get(f"/django-admin/billing/servicecode/{tx_code.pk}/delete/").status_code == 403


@pytest.mark.django_db
def test_ready_notes_show_days_left_to_file_most_urgent_first(client, billing_user, identity, author, person):
    fresh = signed_note(person, author, day=days_ago(3))
    old = signed_note(person, author, day=days_ago(70), start="11:00", end="11:45")  # Texas: 95 days to file
    client.force_login(billing_user)
    response = client.get(reverse("billing:work"))
    [(payer, items, _count, _units, _hours)] = response.context["by_payer"]
    assert [a.note for a in items] == [old, fresh]
    assert [a.days_left_to_file for a in items] == [25, 92]
    assert [a.filing_urgent for a in items] == [True, False]
    body = response.content.decode()
    assert '<span class="badge text-bg-warning">25 days left to file</span>' in body
    assert "92 days left to file" in body


@pytest.mark.django_db
def test_batch_detail_reads_no_frozen_file(client, billing_user, identity, payer, author, program):
    """A payer-month's 837P and CSV are megabytes: the batch page never shows them, so never
    reads them, neither its batch's nor, for a replacement, its original's batch's."""
    notes = [signed_note(billable_participant(author, program, payer), author)]
    batch = services.batch_build(payer=payer, note_ids=[n.pk for n in notes], ctx=AuditContext(author))
    batch = services.batch_export(batch=batch, ctx=AuditContext(author))
    assert batch.file_837 and batch.file_csv
    client.force_login(billing_user)
    with CaptureQueriesContext(connection) as read:
        assert client.get(reverse("billing:batch_detail", args=[batch.pk])).status_code == 200
    assert [q["sql"] for q in read.captured_queries if '"file_837"' in q["sql"] or '"file_csv"' in q["sql"]] == []
    # A download reads the file it sends.
    assert client.get(reverse("billing:batch_download", args=[batch.pk, "csv"])).content.decode() == batch.file_csv


@pytest.mark.django_db
def test_batch_detail_shows_a_page_of_claims_in_a_fixed_number_of_queries(
    client, billing_user, identity, payer, author, program, django_assert_max_num_queries
):
    def build(people):
        notes = [signed_note(billable_participant(author, program, payer), author) for _ in range(people)]
        batch = services.batch_build(payer=payer, note_ids=[n.pk for n in notes], ctx=AuditContext(author))
        return services.batch_export(batch=batch, ctx=AuditContext(author))

    small, large = build(2), build(30)
    client.force_login(billing_user)
    with django_assert_max_num_queries(30) as counted:
        client.get(reverse("billing:batch_detail", args=[small.pk]))
    with django_assert_max_num_queries(len(counted.captured_queries)):
        response = client.get(reverse("billing:batch_detail", args=[large.pk]))
    assert len(response.context["claims"]) == 25 and response.context["page"].paginator.count == 30
    assert all(type(claim.line_list) is list and claim.line_list for claim in response.context["claims"])
    assert "1–25 of 30" in response.content.decode()
    assert len(client.get(reverse("billing:batch_detail", args=[large.pk]), {"page": 2}).context["claims"]) == 5
    line_total = sum(line.charge for claim in large.claims.all() for line in claim.lines.all())
    assert large.total_charge == line_total > 0
    # The list reads the stored totals: its query count doesn't depend on the lines either.
    with django_assert_max_num_queries(12):
        rows = client.get(reverse("billing:batch_list")).context["rows"]
    assert {batch.pk: total for batch, _claims, total in rows}[large.pk] == line_total


@pytest.mark.django_db
def test_billing_staff_enter_the_payers_claim_number_on_the_batch_page(client, billing_user, exported):
    claim = exported.claims.get()
    url = reverse("billing:claim_payer_number", args=[claim.pk])
    client.force_login(billing_user)
    page = client.get(reverse("billing:batch_detail", args=[exported.pk])).content.decode()
    assert f'action="{url}"' in page and "first enter the payer's claim number" in page
    assert ">Replace</button>" not in page

    response = client.post(url, {"payer_claim_number": " 620240001234567 "}, follow=True)
    claim.refresh_from_db()
    assert claim.payer_claim_number == "620240001234567"
    assert (
        f"Saved Texas Medicaid&#x27;s claim number 620240001234567 for {claim.claim_number}."
        in response.content.decode()
    )
    assert ">Replace</button>" in response.content.decode()
    event = AuditEvent.objects.get(target_type="billing.claim", target_id=str(claim.pk))
    assert event.actor == billing_user and "payer_claim_number" in event.details["fields"]

    response = client.post(url, {"payer_claim_number": "62024 0001;DROP"}, follow=True)
    assert "letters, digits and dashes" in response.content.decode()
    claim.refresh_from_db()
    assert claim.payer_claim_number == "620240001234567"
    assert client.get(url).status_code == 405
    assert (
        client.post(reverse("billing:claim_payer_number", args=[999]), {"payer_claim_number": "1"}).status_code == 404
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.PEER_SPECIALIST, Role.SUPERVISOR])
def test_only_billing_staff_enter_a_payers_claim_number(client, exported, role):
    claim = exported.claims.get()
    client.force_login(UserFactory(role=role))
    assert (
        client.post(reverse("billing:claim_payer_number", args=[claim.pk]), {"payer_claim_number": "1"}).status_code
        == 403
    )
    claim.refresh_from_db()
    assert claim.payer_claim_number == ""


@pytest.mark.django_db
def test_a_claim_not_yet_exported_has_no_payers_number(client, billing_user, identity, payer, author, person):
    batch = services.batch_build(payer=payer, note_ids=[signed_note(person, author).pk], ctx=AuditContext(author))
    client.force_login(billing_user)
    url = reverse("billing:claim_payer_number", args=[batch.claims.get().pk])
    response = client.post(url, {"payer_claim_number": "123"}, follow=True)
    assert "export its batch first" in response.content.decode()
    assert batch.claims.get().payer_claim_number == ""


@pytest.mark.django_db
def test_an_exported_claim_is_sent_and_its_page_shows_how_it_got_there(client, billing_user, exported):
    claim = exported.claims.get()
    assert claim.status == claim.Status.SENT
    client.force_login(billing_user)
    page = client.get(reverse("billing:claim_detail", args=[claim.pk])).content.decode()
    assert f"Claim {claim.claim_number}" in page and "Sent" in page
    assert f"Sent in batch {exported.pk} (interchange {exported.interchange_control_number:09d})." in page
    # The batch page links each claim to its page.
    batch_page = client.get(reverse("billing:batch_detail", args=[exported.pk])).content.decode()
    assert reverse("billing:claim_detail", args=[claim.pk]) in batch_page


@pytest.mark.django_db
def test_past_the_correction_limit_no_page_offers_a_correction(client, billing_user, exported):
    claim = services.claim_set_payer_number(claim=exported.claims.get(), number="TX-1", ctx=AuditContext(billing_user))
    client.force_login(billing_user)
    urls = [reverse("billing:batch_detail", args=[exported.pk]), reverse("billing:claim_detail", args=[claim.pk])]
    for url in urls:
        assert reverse("billing:claim_correct", args=[claim.pk]) in client.get(url).content.decode()
    exported.exported_at = noon(TODAY - datetime.timedelta(days=121))  # Texas: 120 days (calendar days: local noon)
    exported.save(update_fields=["exported_at"])
    for url in urls:
        page = client.get(url).content.decode()
        assert reverse("billing:claim_correct", args=[claim.pk]) not in page
        assert "120-day limit for corrections: this claim can no longer be replaced" in page
