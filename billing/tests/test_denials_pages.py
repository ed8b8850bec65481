"""The denial queue's page and its actions, as billing staff use them."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from billing import denials
from billing.models import Appeal, Claim, ClaimLine, WriteOff
from notes.tests.factories import signed_note

from .factories import TODAY, days_ago
from .posted import deny, exported

ACTIONS = ("billing:denial_correct", "billing:denial_appeal", "billing:denial_write_off")


@pytest.fixture
def denied(identity, payer, author, person):
    """One claim of one line, denied CO-16 by a remittance of 10 days ago."""
    claim = exported(payer, [signed_note(person, author)], by=author, days_ago=12).claims.get()
    deny(claim, paid_on=days_ago(10), trace="T1", by=author)
    return claim.lines.get()


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def deny_many(payer, author, person, count: int, *, first_day: int = 3) -> None:
    notes = [signed_note(person, author, day=days_ago(first_day + n)) for n in range(count)]
    claim = exported(payer, notes, by=author, days_ago=2).claims.get()
    deny(claim, paid_on=days_ago(1), trace=f"T{count}-{first_day}", by=author)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.BILLING, 200), (Role.PROGRAM_ADMIN, 200), (Role.PEER_SPECIALIST, 403), (Role.SUPERVISOR, 403)],
)
def test_only_billing_staff_and_admins_work_denials(client, denied, role, expected):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("billing:denial_list")).status_code == expected
    if expected == 403:
        for name in ACTIONS:
            assert client.post(reverse(name, args=[denied.pk]), {"reason": "x"}).status_code == 403
        denied.refresh_from_db()
        assert not denied.voided and denied.written_off == 0 and not Appeal.objects.exists()


@pytest.mark.django_db
def test_actions_are_post_only_and_unknown_lines_are_not_found(client, billing_user, denied):
    client.force_login(billing_user)
    for name in ACTIONS:
        assert client.get(reverse(name, args=[denied.pk])).status_code == 405
        assert client.post(reverse(name, args=[denied.pk + 1000])).status_code == 404


@pytest.mark.django_db
def test_the_page_lists_a_denied_line_with_its_days_left(client, billing_user, denied, payer, author, person):
    late = exported(payer, [signed_note(person, author, day=days_ago(5))], by=author, days_ago=130).claims.get()
    deny(late, paid_on=days_ago(125), trace="T2", by=author)
    client.force_login(billing_user)
    body = client.get(reverse("billing:denial_list")).content.decode()
    assert "Rosa Quintero" in body and "CO-16" in body and denied.claim.claim_number in body
    assert "$73.08" in body and "110 days" in body  # 120 days from the remittance of 10 days ago
    assert 'past the limit</span> <span class="small">by 5 days' in body
    assert "Too late to correct: past Texas Medicaid's limit by 5 days" in body
    assert "SECRET NARRATIVE" not in body


@pytest.mark.django_db
def test_the_page_filters_by_reason(client, billing_user, denied, payer, author, person):
    other = exported(payer, [signed_note(person, author, day=days_ago(6))], by=author).claims.get()
    deny(other, paid_on=days_ago(1), trace="T2", by=author, reason=("CO", "197"))
    client.force_login(billing_user)
    body = client.get(reverse("billing:denial_list"), {"reason": "co-197"}).content.decode()
    assert other.claim_number in body and denied.claim.claim_number not in body.split('id="queue-heading"')[1]


@pytest.mark.django_db
def test_pages_of_the_queue_count_the_lines_of_the_reason_chosen(
    client, billing_user, denied, payer, author, person, monkeypatch
):
    monkeypatch.setattr("billing.views.denials.PAGE_SIZE", 2)
    deny_many(payer, author, person, 2, first_day=20)  # two more CO-16 lines
    other = exported(payer, [signed_note(person, author, day=days_ago(6))], by=author).claims.get()
    deny(other, paid_on=days_ago(1), trace="T2", by=author, reason=("CO", "197"))
    client.force_login(billing_user)
    url = reverse("billing:denial_list")
    pages = [client.get(url, {"page": n}).context["page"] for n in (1, 2)]
    assert [p.paginator.count for p in pages] == [4, 4] and pages[0].paginator.num_pages == 2
    assert [len(p.object_list) for p in pages] == [2, 2]
    shown = [line.pk for p in pages for line in p.object_list]
    assert sorted(shown) == sorted(denials.queue({}).values_list("pk", flat=True))
    assert [line.denial_reason for line in pages[0].object_list] == ["CO-16", "CO-16"]
    only = client.get(url, {"reason": "co-197"}).context["page"]
    assert only.paginator.count == 1 and [line.claim_id for line in only.object_list] == [other.pk]
    assert all(hasattr(line, "open_denied") and line.days_left is not None for line in only.object_list)


@pytest.mark.django_db
def test_a_row_reads_what_it_shows_not_the_participants_record(client, billing_user, denied, author):
    """50 rows build 50 participants, claims and batches: their address, diagnoses or a batch's
    frozen files, which no row shows, are not read (and so not built into each model)."""
    client.force_login(billing_user)
    line = client.get(reverse("billing:denial_list")).context["page"].object_list[0]
    assert {"address_line1", "primary_diagnosis", "date_of_birth"} <= line.claim.participant.get_deferred_fields()
    assert {"file_837", "file_csv", "export_errors"} <= line.claim.batch.get_deferred_fields()
    assert {"diagnosis_codes", "member_id"} <= line.claim.get_deferred_fields()
    denials.line_appeal(line=denied, appealed_on=TODAY, note="Appeal", ctx=AuditContext(author))
    waiting = client.get(reverse("billing:denial_list")).context["waiting"].object_list[0]
    assert "address_line1" in waiting.claim.participant.get_deferred_fields()


@pytest.mark.django_db
def test_the_page_takes_as_many_queries_for_30_lines_as_for_2(client, billing_user, identity, payer, author, person):
    deny_many(payer, author, person, 2)
    appealed = ClaimLine.objects.first()
    denials.line_appeal(line=appealed, appealed_on=TODAY, note="Appeal", ctx=AuditContext(author))
    client.force_login(billing_user)
    url = reverse("billing:denial_list")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    deny_many(payer, author, person, 28, first_day=10)
    for line in ClaimLine.objects.order_by("pk")[2:12]:
        denials.line_appeal(line=line, appealed_on=TODAY, note="Appeal", ctx=AuditContext(author))
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert body.count('id="line-') == 30 and "Appealed, waiting: 11 lines" in body
    assert len(many) == len(few) <= 12


@pytest.mark.django_db
def test_a_clerk_corrects_and_resubmits_a_denied_line(client, billing_user, denied):
    client.force_login(billing_user)
    response = client.post(reverse("billing:denial_correct", args=[denied.pk]), {"back": "reason=CO-16"})
    replacement = Claim.objects.get(original=denied.claim)
    assert response["Location"] == reverse("billing:batch_detail", args=[replacement.batch_id])
    assert "Export it to send it" in said(response)[0]
    denied.refresh_from_db()
    assert denied.voided and replacement.frequency == "7"


@pytest.mark.django_db
def test_correction_without_the_payers_number_is_explained(client, billing_user, denied):
    Claim.objects.filter(pk=denied.claim_id).update(payer_claim_number="")
    client.force_login(billing_user)
    response = client.post(reverse("billing:denial_correct", args=[denied.pk]), {"back": "reason=CO-16&page=2"})
    assert response["Location"] == reverse("billing:denial_list") + "?reason=CO-16&page=2"
    assert "Enter Texas Medicaid's claim number for" in said(response)[0]
    denied.refresh_from_db()
    assert not denied.voided and Claim.objects.count() == 1


@pytest.mark.django_db
def test_a_clerk_records_an_appeal(client, billing_user, denied):
    client.force_login(billing_user)
    data = {"appealed_on": days_ago(2).isoformat(), "note": "Resent with the signed note.", "back": "x=1&payer=9"}
    response = client.post(reverse("billing:denial_appeal", args=[denied.pk]), data)
    assert response["Location"] == reverse("billing:denial_list") + "?payer=9"  # only the queue's own filters
    appeal = Appeal.objects.get()
    assert (appeal.line, appeal.appealed_on, appeal.recorded_by) == (denied, days_ago(2), billing_user)
    body = client.get(reverse("billing:denial_list")).content.decode()
    assert "Appealed, waiting: 1 line" in body and "Resent with the signed note." in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"note": "Appeal"}, "Give the date the appeal was sent."),
        ({"appealed_on": "yesterday", "note": "Appeal"}, "as YYYY-MM-DD"),
        ({"appealed_on": "DATE"}, "Say what the appeal asks for"),
        ({"appealed_on": "FUTURE", "note": "Appeal"}, "is in the future"),
    ],
)
def test_a_bad_appeal_is_explained_and_nothing_saved(client, billing_user, denied, data, message):
    dates = {"DATE": days_ago(1).isoformat(), "FUTURE": days_ago(-3).isoformat()}
    data = {k: dates.get(v, v) for k, v in data.items()}
    client.force_login(billing_user)
    response = client.post(reverse("billing:denial_appeal", args=[denied.pk]), data)
    assert response.status_code == 302 and message in said(response)[0]
    assert said(response)[0].startswith(f"{denied.claim.claim_number}, H0038 of ")
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_a_clerk_writes_off_part_of_a_denied_line(client, billing_user, denied):
    client.force_login(billing_user)
    response = client.post(
        reverse("billing:denial_write_off", args=[denied.pk]), {"amount": "23.08", "reason": "Small balance"}
    )
    assert said(response) == [f"$23.08 written off on {denied.claim.claim_number}."]
    denied.refresh_from_db()
    assert denied.written_off == Decimal("23.08") and WriteOff.objects.get().recorded_by == billing_user
    assert "$50.00" in client.get(reverse("billing:denial_list")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "10"}, "Say why this amount is written off."),
        ({"amount": "ten", "reason": "x"}, "in dollars and cents"),
        ({"amount": "1.005", "reason": "x"}, "in dollars and cents"),
        ({"amount": "-1", "reason": "x"}, "above $0.00"),
        ({"amount": "73.09", "reason": "x"}, "Only $73.08 is still owed"),
    ],
)
def test_a_bad_write_off_is_explained_and_nothing_saved(client, billing_user, denied, data, message):
    client.force_login(billing_user)
    response = client.post(reverse("billing:denial_write_off", args=[denied.pk]), data)
    assert response.status_code == 302 and message in said(response)[0]
    denied.refresh_from_db()
    assert denied.written_off == 0 and not WriteOff.objects.exists()
