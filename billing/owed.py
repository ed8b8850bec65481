"""What payers still owe on each exported batch (ClaimBatch.owed): accounts receivable's aging
sums it by payer and age instead of joining every open claim line to its claim and batch, a
scan of every claim ever made (issue 16).

Every write that changes a line's money or takes a line out (the export, posting a remittance,
resolving an unmatched remittance line, a write-off, a void or correction, a rejected claim
sent again, a withdrawal) calls `refresh` with the batches it touched, inside its own
transaction: the figure is summed again from the live lines, never adjusted by hand, so it
cannot drift from what they say. The billing tests check it after every test."""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .models import ClaimBatch, ClaimLine
from .models.claims import line_owed

MONEY = DecimalField(max_digits=14, decimal_places=2)


def owed_of_lines():
    """A batch's owed, as a subquery: its live lines' line_owed, summed."""
    lines = (
        ClaimLine.objects.filter(claim__batch=OuterRef("pk"), voided=False)
        .order_by()
        .values("claim__batch")
        .annotate(total=Sum(line_owed()))
        .values("total")
    )
    return Coalesce(Subquery(lines, output_field=MONEY), Value(Decimal(0), output_field=MONEY))


def refresh(batch_ids: Iterable[int | None]) -> None:
    """Sum the owed of these batches again from their lines. Call it in the transaction that wrote them."""
    ids = sorted({pk for pk in batch_ids if pk is not None})
    if ids:
        ClaimBatch.objects.filter(pk__in=ids).update(owed=owed_of_lines())


def refresh_all() -> None:
    """Every batch's owed from its lines (the migration that adds it, and the large seed)."""
    ClaimBatch.objects.update(owed=owed_of_lines())
