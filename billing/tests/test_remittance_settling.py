"""What a claim becomes after its remittances, whatever order they come in: lines that matched
nothing, claim-level decisions, reversals of corrections, older files imported late, denied
money paid later."""

from decimal import Decimal

import pytest

from audit.context import AuditContext
from billing import services
from billing.models import Claim, ClaimLine, Remittance
from billing.remittance.importing import remittance_import
from billing.remittance.simulate import deny, pay, remittance_835
from notes.tests.factories import signed_note

from .factories import days_ago

D = Decimal
CHARGE = D("73.08")


@pytest.fixture
def batch(identity, payer, author, program, person):
    """Exported: Rosa's claim with two lines (4 and 3 days ago), $73.08 each."""
    notes = [signed_note(person, author, day=days_ago(4)), signed_note(person, author, day=days_ago(3))]
    built = services.batch_build(payer=payer, note_ids=[n.pk for n in notes], ctx=AuditContext(author))
    return services.batch_export(batch=built, ctx=AuditContext(author))


@pytest.fixture
def ctx(billing_user):
    return AuditContext(billing_user)


def amounts(claim) -> list[tuple]:
    return [(line.paid, line.adjusted, line.denied) for line in ClaimLine.objects.filter(claim=claim)]


def imported(text: str, ctx) -> Remittance:
    [outcome] = remittance_import(text=text, file_name="era.835", ctx=ctx)
    assert outcome.remittance.status == Remittance.Status.POSTED, outcome.remittance.problems
    return outcome.remittance


@pytest.mark.parametrize("decision", [pay(code="H0039"), deny(code="H0039")], ids=["paid", "denied"])
def test_a_claim_none_of_whose_lines_matched_keeps_its_status_and_says_why(batch, ctx, decision):
    claim = batch.claims.get()
    remittance = imported(remittance_835(batch, decisions=dict.fromkeys(claim.lines.all(), decision)), ctx)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SENT and claim.adjudicated_on is None and claim.status_detail == ""
    assert amounts(claim) == [(0, 0, 0)] * 2
    event = claim.events.last()
    assert event.remittance == remittance and event.status == ""
    assert event.text == (
        f"Decided on remittance {remittance.trace_number} ({remittance.claims.get().status_text.lower()}), "
        "but no line matched: see the unmatched list."
    )
