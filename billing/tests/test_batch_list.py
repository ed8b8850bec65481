"""The batch list reads each frozen batch's claim count and charges as stored at export,
and counts and sums only the open batches it shows (issue 16, point 4)."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.context import AuditContext
from billing import services
from billing.models import ClaimBatch, ClaimLine
from notes.tests.factories import signed_note

from .factories import billable_participant

store_claim_counts = importlib.import_module(
    "billing.migrations.0024_batch_claim_count_stored_at_export"
).store_claim_counts


def build(author, program, payer, people: int, *, export: bool = True) -> ClaimBatch:
    notes = [signed_note(billable_participant(author, program, payer), author) for _ in range(people)]
    batch = services.batch_build(payer=payer, note_ids=[n.pk for n in notes], ctx=AuditContext(author))
    return services.batch_export(batch=batch, ctx=AuditContext(author)) if export else batch


def summed(batch: ClaimBatch):
    lines = ClaimLine.objects.filter(claim__batch=batch, voided=False)
    return batch.claims.count(), lines.aggregate(total=Sum("charge"))["total"]


@pytest.mark.django_db
def test_export_stores_the_claim_count_and_charges_the_lines_add_up_to(identity, payer, author, program):
    batch = build(author, program, payer, 3)
    batch.refresh_from_db()
    assert (batch.claim_count, batch.total_charge) == summed(batch)
    assert batch.claim_count == 3 and batch.total_charge > 0


@pytest.mark.django_db
def test_the_migration_fills_the_claim_count_of_batches_already_exported(identity, payer, author, program):
    exported, still_open = build(author, program, payer, 2), build(author, program, payer, 1, export=False)
    ClaimBatch.objects.filter(pk=exported.pk).update(claim_count=None)
    store_claim_counts(apps, None)
    exported.refresh_from_db(), still_open.refresh_from_db()
    assert exported.claim_count == 2
    assert still_open.claim_count is None  # open batches are counted live


@pytest.mark.django_db
def test_the_list_shows_the_stored_figures_in_the_same_queries_at_any_size(
    client, billing_user, identity, payer, author, program, django_assert_num_queries
):
    small_open = build(author, program, payer, 1, export=False)
    small = build(author, program, payer, 2)
    client.force_login(billing_user)
    with CaptureQueriesContext(connection) as at_small_size:
        rows = client.get(reverse("billing:batch_list")).context["rows"]
    assert {b.pk: (claims, total) for b, claims, total in rows} == {b.pk: summed(b) for b in (small_open, small)}

    large = [build(author, program, payer, 12) for _ in range(3)]
    large_open = build(author, program, payer, 8, export=False)
    with django_assert_num_queries(len(at_small_size.captured_queries)):
        rows = client.get(reverse("billing:batch_list")).context["rows"]
    assert {b.pk: (claims, total) for b, claims, total in rows} == {
        b.pk: summed(b) for b in (small_open, small, *large, large_open)
    }
