"""Billing's home page: ready, held, filing limits within 30 days and open batches, each
counted by the rule of the list it links to, in a number of queries that does not grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import ClaimBatch
from notes.tests.factories import signed_note

from .factories import ClaimBatchFactory, billable_participant, days_ago

pytestmark = pytest.mark.django_db
HOME = reverse("home_billing")


@pytest.fixture
def notes(author, person, program, payer, billing_user):
    signed_note(person, author, day=days_ago(3))  # ready, 92 days to file
    signed_note(person, author, day=days_ago(70))  # ready, 25 days to file: due soon
    signed_note(person, author, day=days_ago(5), modality="video", place="99")  # held, fixable
    signed_note(person, author, day=days_ago(80), modality="video", place="99")  # held, due soon
    signed_note(person, author, day=days_ago(120))  # past this payer's limit: held, can't be fixed, not "due"
    ClaimBatchFactory(payer=payer, created_by=billing_user)
    ClaimBatchFactory(payer=payer, created_by=billing_user, status=ClaimBatch.Status.DISCARDED)


def test_each_figure_is_a_link_to_the_list_that_shows_exactly_it(client, billing_user, notes):
    client.force_login(billing_user)
    response = client.get(HOME)
    work = response.context["work"]
    assert (work["ready"], work["held"], work["due_soon"], work["open_batches"]) == (2, 3, 2, 1)
    body = response.content.decode()
    for link in ('href="/billing/work/#ready-heading"', "?due_soon=on", "?status=open"):
        assert link in body.replace(reverse("billing:work"), "/billing/work/"), link

    everything = client.get(reverse("billing:work")).context
    assert (everything["ready_count"], everything["hold_count"]) == (work["ready"], work["held"])
    due = client.get(reverse("billing:work"), {"due_soon": "on"}).context
    assert due["ready_count"] + due["hold_count"] == work["due_soon"]
    assert all(a.days_left_to_file <= 30 for a in due["holds"].object_list)
    open_batches = client.get(reverse("billing:batch_list"), {"status": "open"}).context["rows"]
    assert [batch.status for batch, _claims, _total in open_batches] == [ClaimBatch.Status.OPEN]
    assert len(client.get(reverse("billing:batch_list"), {"status": "nonsense"}).context["rows"]) == 2


def test_the_home_page_query_count_does_not_grow(
    client, billing_user, notes, author, program, payer, django_assert_max_num_queries
):
    client.force_login(billing_user)
    with CaptureQueriesContext(connection) as small:
        client.get(HOME)
    for i in range(12):
        person = billable_participant(author, program, payer, first_name=f"P{i}")
        signed_note(person, author, day=days_ago(3 + i))
        signed_note(person, author, day=days_ago(75), modality="video", place="99")
        ClaimBatchFactory(payer=payer, created_by=billing_user)
    with django_assert_max_num_queries(len(small.captured_queries)):
        work = client.get(HOME).context["work"]
    assert (work["ready"], work["open_batches"]) == (14, 13)
