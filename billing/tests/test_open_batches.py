"""An open batch can be discarded, or a line taken out of it, before anything is sent."""

import pytest
from django.urls import reverse

from audit.context import AuditContext
from audit.models import AuditEvent
from billing import corrections, services
from billing.assessment import READY
from billing.billability import assess, billable_notes
from billing.models import Claim, ClaimBatch, ClaimLine
from billing.x12 import ExportError
from notes.tests.factories import signed_note

from .factories import days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(identity, payer, author, person):
    notes = [signed_note(person, author, day=days_ago(n)) for n in (3, 4)]
    return services.batch_build(payer=payer, note_ids=[n.pk for n in notes], ctx=AuditContext(author))


def _exported_claim(batch, user):
    services.batch_export(batch=batch, ctx=AuditContext(user))
    claim = batch.claims.get()
    return services.claim_set_payer_number(claim=claim, number="620240001234567", ctx=AuditContext(user))


def _ready_note_ids():
    return {a.note.pk for a in assess(billable_notes()) if a.status == READY}


def test_discarding_puts_the_notes_back_to_ready(client, billing_user, batch):
    notes = set(ClaimLine.objects.filter(claim__batch=batch).values_list("note", flat=True))
    assert not _ready_note_ids() & notes
    client.force_login(billing_user)
    response = client.post(reverse("billing:batch_discard", args=[batch.pk]), follow=True)
    assert "discarded. Its notes are ready to bill again." in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ClaimBatch.Status.DISCARDED and not batch.claims.exists()
    assert _ready_note_ids() >= notes
    event = AuditEvent.objects.get(target_type="billing.claimbatch", details__has_key="discarded")
    assert event.actor == billing_user and len(event.details["discarded"]) == 2
    with pytest.raises(ExportError, match="was discarded"):
        services.batch_export(batch=batch, ctx=AuditContext(billing_user))


def test_a_line_comes_out_and_the_last_one_discards_the_batch(client, billing_user, batch):
    first, second = ClaimLine.objects.filter(claim__batch=batch).order_by("service_date")
    client.force_login(billing_user)
    response = client.post(reverse("billing:line_remove", args=[first.pk]))
    assert response.status_code == 302 and response.url == reverse("billing:batch_detail", args=[batch.pk])
    assert list(ClaimLine.objects.filter(claim__batch=batch)) == [second]
    assert first.note_id in _ready_note_ids()
    client.post(reverse("billing:line_remove", args=[second.pk]))
    batch.refresh_from_db()
    assert batch.status == ClaimBatch.Status.DISCARDED and not Claim.objects.filter(batch=batch).exists()
    assert AuditEvent.objects.filter(target_type="billing.claimbatch", details__has_key="removed").count() == 2


def test_an_exported_batch_does_not_change(client, billing_user, batch):
    services.batch_export(batch=batch, ctx=AuditContext(billing_user))
    line = ClaimLine.objects.filter(claim__batch=batch).first()
    client.force_login(billing_user)
    response = client.post(reverse("billing:batch_discard", args=[batch.pk]), follow=True)
    assert "only an open batch changes" in response.content.decode()
    response = client.post(reverse("billing:line_remove", args=[line.pk]), follow=True)
    assert "only an open batch changes" in response.content.decode()
    batch.refresh_from_db()
    assert batch.is_frozen and ClaimLine.objects.filter(claim__batch=batch).count() == 2


def test_a_correction_batch_is_sent_not_discarded(billing_user, batch):
    claim = _exported_claim(batch, billing_user)
    void_batch = corrections.claim_correct(claim=claim, frequency="8", ctx=AuditContext(billing_user), rebill=True)
    with pytest.raises(Exception, match="corrects exported claims"):
        services.batch_discard(batch=void_batch, ctx=AuditContext(billing_user))


def test_the_buttons_and_their_guards(client, billing_user, peer, batch):
    client.force_login(billing_user)
    page = client.get(reverse("billing:batch_detail", args=[batch.pk])).content.decode()
    assert "Discard this batch" in page and "Remove<span" in page
    assert client.get(reverse("billing:batch_discard", args=[batch.pk])).status_code == 405
    assert client.post(reverse("billing:line_remove", args=[999999])).status_code == 404
    client.force_login(peer)
    assert client.post(reverse("billing:batch_discard", args=[batch.pk])).status_code == 403
    assert ClaimBatch.objects.get(pk=batch.pk).is_open


def _void(client, claim, **data):
    return client.post(reverse("billing:claim_correct", args=[claim.pk]), {"frequency": "8", **data}, follow=True)


def test_a_void_asks_whether_to_bill_the_notes_again(client, billing_user, batch):
    claim = _exported_claim(batch, billing_user)
    notes = set(claim.lines.values_list("note", flat=True))
    client.force_login(billing_user)
    assert "Choose whether the notes" in _void(client, claim).content.decode()
    assert "Say why the notes" in _void(client, claim, rebill="no").content.decode()
    assert not Claim.objects.filter(original=claim).exists()

    response = _void(client, claim, rebill="no", reason="Service was not delivered as documented.")
    assert "Void claim for" in response.content.decode()
    assert not _ready_note_ids() & notes  # voided, and not put back to ready
    event = AuditEvent.objects.get(target_type="billing.claimbatch", details__has_key="rebill")
    assert event.details["rebill"] is False and event.details["reason"].startswith("Service was not")


def test_a_void_decided_rebill_puts_the_notes_back_to_ready(client, billing_user, batch):
    claim = _exported_claim(batch, billing_user)
    client.force_login(billing_user)
    _void(client, claim, rebill="yes")
    assert _ready_note_ids() >= set(claim.lines.values_list("note", flat=True))
