"""Helpers for the tests of secondary claims: a participant's other insurance, and its
adjudication of a note recorded as a clerk or an 835 import would record it."""

from decimal import Decimal

from audit.context import AuditContext
from billing import coordination
from participants.tests.factories import CoverageFactory, PayerFactory

from .factories import days_ago

# 45 minutes of H0038: 3 units at $24.36, the Medicaid charge of a default signed note.
CHARGE = Decimal("73.08")
PAID = Decimal("40.00")
USUAL = [("CO", "45", Decimal("13.08")), ("PR", "2", Decimal("20.00"))]  # 73.08 - 33.08 = 40.00


def other_insurance(person, *, name="Blue Plan", payer_id="BLUE1", member_id="XK-2231"):
    """`person`'s employer plan, other insurance, in force for the last 300 days and on."""
    return CoverageFactory(
        participant=person, payer=PayerFactory(name=name, payer_id=payer_id), kind="other_insurance",
        billing_program="other", member_id=member_id, start_date=days_ago(300),
    )  # fmt: skip


def record(note, coverage, *, by, billed=CHARGE, paid=PAID, adjustments=USUAL, **fields):
    """Blue Plan paid $40.00 of $73.08 on the day of the service, on its claim EOB-77."""
    fields = {"adjudicated_on": note.date, "filing_indicator": "CI", "claim_number": "EOB-77", **fields}
    return coordination.primary_adjudication_record(
        note=note, coverage=coverage, billed=billed, paid=paid, adjustments=adjustments, ctx=AuditContext(by), **fields
    )
