"""Accounts receivable and the denial queue read only the lines still open, through partial
indexes, and their figures stay those of every line summed one by one."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.context import AuditContext
from billing import denials, receivables
from billing.models import ClaimBatch, ClaimLine, Remittance
from billing.models.claims import line_open_denied
from billing.selectors import rejected_claims, work_window
from notes.tests.factories import signed_note

from .factories import TODAY, days_ago
from .posted import deny, exported, post

CHARGE = Decimal("73.08")


def varied(payer, author, person) -> None:
    """Lines paid in full, overpaid, partly paid, denied, denied and partly written off."""
    ctx = AuditContext(author)
    claims = [
        exported(payer, [signed_note(person, author, day=days_ago(d))], by=author, days_ago=age).claims.get()
        for d, age in ((3, 5), (4, 40), (5, 70), (6, 100), (7, 20))
    ]
    post(claims[0], [(CHARGE, [])], paid_on=days_ago(2), trace="A", by=author)
    post(claims[1], [("80.00", [])], paid_on=days_ago(30), trace="B", by=author)  # owed -6.92
    post(claims[2], [("40.00", [("CO", "45", "13.08")])], paid_on=days_ago(60), trace="C", by=author)
    deny(claims[3], paid_on=days_ago(90), trace="D", by=author)
    deny(claims[4], paid_on=days_ago(10), trace="E", by=author, reason=("CO", "197"))
    denials.line_write_off(line=claims[4].lines.get(), amount=Decimal("30.00"), reason="Part", ctx=ctx)


def live_exported() -> list[ClaimLine]:
    return list(ClaimLine.objects.filter(voided=False, claim__batch__status=ClaimBatch.Status.EXPORTED))


@pytest.mark.django_db
def test_outstanding_and_open_denials_equal_every_line_summed_one_by_one(identity, payer, author, person):
    varied(payer, author, person)
    lines = live_exported()

    report = receivables.receivables()
    assert (
        report.payer_total
        == sum(line.outstanding for line in lines)
        == CHARGE * 2 + Decimal("20.00") - Decimal("6.92") - Decimal("30.00")
    )
    open_denied = {
        line.pk: min(line.denied - line.written_off, line.outstanding)
        for line in lines
        if min(line.denied - line.written_off, line.outstanding) > 0
    }
    queue = list(denials.queue({}))
    assert {line.pk: line.open_denied for line in queue} == open_denied
    assert sum(row["lines"] for row in denials.counts({}).by_reason) == len(open_denied) == 2
    assert sum(row["amount"] for row in denials.counts({}).by_reason) == sum(open_denied.values())


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        # With sequential scans priced out, PostgreSQL takes a partial index whenever the
        # query's conditions imply the index's: so this shows the two still match.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.django_db
def test_the_aging_reads_the_batches_and_the_queue_its_partial_index(identity, payer, author, person):
    varied(payer, author, person)
    with CaptureQueriesContext(connection) as aging:
        receivables.aging(TODAY)
    # Each batch's stored owed (billing.owed): no claim line, however long the history.
    assert [q["sql"] for q in aging.captured_queries if "billing_claimline" in q["sql"]] == []
    # The queue's condition on the line itself (open_denials joins the claim and batch too,
    # which a table of a few rows may be read from first).
    lines = ClaimLine.objects.filter(voided=False).annotate(open_denied=line_open_denied()).filter(open_denied__gt=0)
    with CaptureQueriesContext(connection) as queue:
        list(lines.values("denial_reason", "claim"))
    assert "claimline_open_denied_idx" in _plan(queue.captured_queries[-1]["sql"])


@pytest.mark.django_db
def test_the_remittance_list_counts_each_remittances_claims(client, billing_user, identity, payer, author, person):
    one = exported(payer, [signed_note(person, author, day=days_ago(3))], by=author).claims.get()
    post(one, [(CHARGE, [])], paid_on=days_ago(1), trace="ONE", by=author)
    client.force_login(billing_user)
    response = client.get(reverse("billing:remittance_list"))
    counts = {r.trace_number: r.claim_count for r in response.context["page"].object_list}
    assert counts == {"ONE": 1}
    assert counts == {r.trace_number: r.claims.count() for r in Remittance.objects.all()}


@pytest.mark.django_db
def test_the_work_window_reads_the_notes_awaiting_billing_from_their_partial_index(identity, payer, author, person):
    """billable_notes() reads the notes' stored mark (billing/marks.py), oldest first from the
    filing cutoff, from notes_awaiting_billing_idx: no claim line is read."""
    varied(payer, author, person)
    signed_note(person, author, day=days_ago(2))  # not billed
    with CaptureQueriesContext(connection) as notes:
        window = work_window({})
        assert len(window.object_list) == 1
    count, page = (q["sql"] for q in notes.captured_queries if "participants_sessionnote" in q["sql"])
    for sql in (count, page):
        plan = _plan(sql)
        assert "notes_awaiting_billing_idx" in plan and "billing_claimline" not in plan, plan


@pytest.mark.django_db
def test_rejected_claims_are_read_from_their_partial_index(identity, payer, author, person):
    """The only status a claim is looked up by (the acknowledgments page, billing's home) has a
    partial index: building, sending and paying claims write no index entry for their status."""
    varied(payer, author, person)
    with CaptureQueriesContext(connection) as rejected:
        list(rejected_claims().order_by("pk"))
    assert "claim_rejected_idx" in _plan(rejected.captured_queries[-1]["sql"])
