"""A batch whose 837P pyx12 rejected after the export (a bug in the file's writer) was never
offered, so never sent: it is withdrawn, its claims say so, and its notes are billed again in a
new batch. Nothing is deleted."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from audit.models import AuditEvent
from billing import corrections, file_check, receivables, services, withdrawal
from billing.billability import billable_notes
from billing.models import Claim, ClaimBatch, ClaimEvent, ClaimLine
from billing.x12 import ExportError
from notes.tests.factories import signed_note

from .factories import bill, days_ago
from .posted import deny
from .x12_validation import with_an_unknown_filing_indicator

BUTTON = "Withdraw this batch and bill its notes again"


def _exported(payer, notes, user, capture) -> ClaimBatch:
    """Export as the view does; the worker's check is left for the test to run."""
    with capture(execute=False):
        batch = services.batch_export(batch=bill(payer, notes), ctx=AuditContext(user))
    return batch


def _rejected(payer, notes, user, capture) -> ClaimBatch:
    """An exported batch whose 837P pyx12 rejects, as a writer's bug would make it (the filing
    indicator our checks pass and pyx12 does not: test_file_check)."""
    batch = _exported(payer, notes, user, capture)
    ClaimBatch.objects.filter(pk=batch.pk).update(file_837=with_an_unknown_filing_indicator(batch.file_837))
    assert file_check.check_batch_file(batch.pk) is False
    batch.refresh_from_db()
    assert batch.pyx12_failed
    return batch


def _page(client, batch) -> str:
    return client.get(reverse("billing:batch_detail", args=[batch.pk])).content.decode()


@pytest.mark.django_db
@pytest.mark.pyx12_rejects
def test_a_rejected_batch_is_withdrawn_and_a_new_batch_bills_its_notes(
    client, billing_user, identity, payer, person, author, django_capture_on_commit_callbacks
):
    notes = [signed_note(person, author, day=days_ago(d)) for d in (3, 4)]
    batch = _rejected(payer, notes, billing_user, django_capture_on_commit_callbacks)
    rejected_file, control_number, errors = batch.file_837, batch.interchange_control_number, batch.pyx12_errors
    assert not billable_notes().filter(pk__in=[n.pk for n in notes]).exists()
    client.force_login(billing_user)
    assert BUTTON in _page(client, batch)

    response = client.post(reverse("billing:batch_withdraw", args=[batch.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("billing:work")
    body = response.content.decode()
    assert f"Batch {batch.pk} withdrawn" in body
    [(_payer, items, count, _units, _hours)] = response.context["by_payer"]
    assert count == 2 and {a.note.pk for a in items} == {n.pk for n in notes}  # back on the work page

    batch.refresh_from_db()
    assert batch.status == ClaimBatch.Status.WITHDRAWN
    assert (batch.file_837, batch.interchange_control_number, batch.pyx12_errors) == (
        rejected_file,
        control_number,
        errors,
    )
    claim = batch.claims.get()
    assert claim.status == Claim.Status.WITHDRAWN
    assert ClaimEvent.objects.filter(claim=claim).values_list("status", flat=True).last() == Claim.Status.WITHDRAWN
    lines = ClaimLine.objects.filter(claim__batch=batch)
    assert lines.count() == 2 and all(line.voided and not line.do_not_rebill for line in lines)
    event = AuditEvent.objects.filter(target_type="billing.claimbatch", target_id=str(batch.pk)).latest("pk")
    assert event.details["notes"] == sorted(n.pk for n in notes) and event.details["claims"] == [claim.pk]
    page = _page(client, batch)
    assert "never offered nor sent" in page and BUTTON not in page and "pyx12 found problems" in page

    with django_capture_on_commit_callbacks(execute=False):
        again = services.batch_export(batch=bill(payer, notes), ctx=AuditContext(billing_user))
    assert file_check.check_batch_file(again.pk) is True
    assert again.interchange_control_number != control_number
    assert set(ClaimLine.objects.filter(claim__batch=again).values_list("note_id", flat=True)) == {n.pk for n in notes}
    assert not billable_notes().filter(pk__in=[n.pk for n in notes]).exists()


@pytest.mark.django_db
@pytest.mark.pyx12_rejects
def test_a_withdrawn_batch_is_owed_nothing_and_bills_nothing(
    identity, payer, person, author, billing_user, django_capture_on_commit_callbacks
):
    note = signed_note(person, author)
    batch = _rejected(payer, [note], billing_user, django_capture_on_commit_callbacks)
    withdrawal.batch_withdraw(batch=batch, ctx=AuditContext(billing_user))

    report = receivables.receivables()
    assert report.payer_total == Decimal(0)
    assert sum(row.billed for row in report.by_month) == Decimal(0)
    # Exported anew, the same service is owed and billed once.
    again = _exported(payer, [note], billing_user, django_capture_on_commit_callbacks)
    report = receivables.receivables()
    assert report.payer_total == again.total_charge == sum(row.billed for row in report.by_month)


@pytest.mark.django_db
@pytest.mark.pyx12_rejects
def test_a_batch_is_withdrawn_once(identity, payer, person, author, billing_user, django_capture_on_commit_callbacks):
    batch = _rejected(payer, [signed_note(person, author)], billing_user, django_capture_on_commit_callbacks)
    withdrawal.batch_withdraw(batch=batch, ctx=AuditContext(billing_user))
    with pytest.raises(ValidationError, match="already withdrawn"):
        withdrawal.batch_withdraw(batch=batch, ctx=AuditContext(billing_user))
    assert ClaimEvent.objects.filter(status=Claim.Status.WITHDRAWN).count() == 1


@pytest.mark.django_db
def test_a_batch_pyx12_passed_is_not_withdrawn(
    client, billing_user, identity, payer, person, author, django_capture_on_commit_callbacks
):
    batch = _exported(payer, [signed_note(person, author)], billing_user, django_capture_on_commit_callbacks)
    assert file_check.check_batch_file(batch.pk) is True
    batch.refresh_from_db()
    _assert_refused(client, billing_user, batch, "pyx12 passed")


@pytest.mark.django_db
def test_a_batch_pyx12_has_not_checked_is_not_withdrawn(
    client, billing_user, identity, payer, person, author, django_capture_on_commit_callbacks
):
    batch = _exported(payer, [signed_note(person, author)], billing_user, django_capture_on_commit_callbacks)
    _assert_refused(client, billing_user, batch, "has not checked")


@pytest.mark.django_db
def test_an_open_batch_is_not_withdrawn(client, billing_user, identity, payer, person, author):
    batch = bill(payer, [signed_note(person, author)])
    _assert_refused(client, billing_user, batch, "only an exported batch")


def _assert_refused(client, user, batch, message):
    lines = list(ClaimLine.objects.filter(claim__batch=batch).values_list("pk", "voided"))
    with pytest.raises(ValidationError, match=message):
        withdrawal.batch_withdraw(batch=batch, ctx=AuditContext(user))
    client.force_login(user)
    assert BUTTON not in _page(client, batch)
    response = client.post(reverse("billing:batch_withdraw", args=[batch.pk]), follow=True)
    assert message in response.content.decode()
    assert ClaimBatch.objects.get(pk=batch.pk).status == batch.status
    assert list(ClaimLine.objects.filter(claim__batch=batch).values_list("pk", "voided")) == lines


@pytest.mark.django_db
@pytest.mark.pyx12_rejects
@pytest.mark.parametrize(("role", "status"), [(Role.PEER_SPECIALIST, 403), (Role.SUPERVISOR, 403), (None, 302)])
def test_only_billing_staff_withdraw_a_batch(
    client, identity, payer, person, author, billing_user, django_capture_on_commit_callbacks, role, status
):
    batch = _rejected(payer, [signed_note(person, author)], billing_user, django_capture_on_commit_callbacks)
    if role:
        client.force_login(UserFactory(role=role))
        assert client.get(reverse("billing:batch_detail", args=[batch.pk])).status_code == 403
    assert client.post(reverse("billing:batch_withdraw", args=[batch.pk])).status_code == status
    assert ClaimBatch.objects.get(pk=batch.pk).status == ClaimBatch.Status.EXPORTED


@pytest.mark.django_db
def test_withdrawing_is_a_post_and_an_unknown_batch_is_not_found(client, billing_user):
    client.force_login(billing_user)
    assert client.get(reverse("billing:batch_withdraw", args=[999])).status_code == 405
    assert client.post(reverse("billing:batch_withdraw", args=[999])).status_code == 404


@pytest.mark.django_db
@pytest.mark.pyx12_rejects
def test_a_withdrawn_batch_offers_no_file(
    client, identity, payer, person, author, billing_user, django_capture_on_commit_callbacks
):
    batch = _rejected(payer, [signed_note(person, author)], billing_user, django_capture_on_commit_callbacks)
    withdrawal.batch_withdraw(batch=batch, ctx=AuditContext(billing_user))
    batch.refresh_from_db()
    client.force_login(billing_user)
    for fmt in ("837p", "csv"):
        assert client.get(reverse("billing:batch_download", args=[batch.pk, fmt])).status_code == 404
    with pytest.raises(ExportError, match="pyx12 found problems"):
        services.batch_download(batch=batch, fmt="837p", ctx=AuditContext(billing_user))
    with pytest.raises(ExportError, match="was withdrawn; build a new one"):
        services.batch_export(batch=batch, ctx=AuditContext(billing_user))


@pytest.mark.django_db
@pytest.mark.pyx12_rejects
@pytest.mark.parametrize("frequency", [Claim.Frequency.REPLACEMENT, Claim.Frequency.VOID])
def test_a_withdrawn_correction_is_built_again_and_its_notes_never_billed_as_new(
    client, identity, payer, person, author, billing_user, django_capture_on_commit_callbacks, frequency
):
    note = signed_note(person, author)
    original = _exported(payer, [note], billing_user, django_capture_on_commit_callbacks).claims.get()
    assert file_check.check_batch_file(original.batch_id) is True
    ctx = AuditContext(billing_user)
    services.claim_set_payer_number(claim=original, number="TX-1", ctx=ctx)
    void = {"rebill": False, "reason": "Not delivered"} if frequency == Claim.Frequency.VOID else {}
    correction_batch = corrections.claim_correct(claim=original, frequency=frequency, ctx=ctx, **void)
    with django_capture_on_commit_callbacks(execute=False):
        services.batch_export(batch=correction_batch, ctx=ctx)
    ClaimBatch.objects.filter(pk=correction_batch.pk).update(
        file_837=with_an_unknown_filing_indicator(ClaimBatch.objects.get(pk=correction_batch.pk).file_837)
    )
    assert file_check.check_batch_file(correction_batch.pk) is False
    client.force_login(billing_user)
    assert BUTTON in _page(client, correction_batch)

    response = client.post(reverse("billing:batch_withdraw", args=[correction_batch.pk]))
    rebuilt = ClaimBatch.objects.exclude(pk__in=[original.batch_id, correction_batch.pk]).get()
    assert response.url == reverse("billing:batch_detail", args=[rebuilt.pk])
    withdrawn = correction_batch.claims.get()
    assert withdrawn.status == Claim.Status.WITHDRAWN and not ClaimLine.objects.filter(claim=withdrawn, voided=False)
    again = rebuilt.claims.get()
    assert (rebuilt.status, again.frequency, again.original) == (ClaimBatch.Status.OPEN, frequency, original)
    assert not billable_notes().filter(pk=note.pk).exists()  # billed by the payer's claim, never as new
    with django_capture_on_commit_callbacks(execute=False):
        services.batch_export(batch=rebuilt, ctx=ctx)
    assert file_check.check_batch_file(rebuilt.pk) is True


@pytest.mark.django_db
@pytest.mark.pyx12_rejects
def test_a_batch_the_payer_answered_is_not_withdrawn_whatever_pyx12_says(
    client, billing_user, identity, payer, person, author, django_capture_on_commit_callbacks
):
    """A 835 for one of its claims means the file reached the payer: withdrawing it and billing
    its notes again would bill the same sessions twice."""
    batch = _rejected(payer, [signed_note(person, author)], billing_user, django_capture_on_commit_callbacks)
    deny(batch.claims.get(), paid_on=days_ago(1), trace="TRACE-W1", by=billing_user)
    _assert_refused(client, billing_user, batch, "The payer has answered")
