"""What payers still owe on each exported batch (ClaimBatch.owed), and what is still denied in
each batch by reason (BatchDenial): accounts receivable's aging sums the first by payer and age
instead of joining every open claim line to its claim and batch, a scan of every claim ever
made, and the denial queue's counts by reason add up the second instead of reading every
denied line (issue 16).

Every write that changes a line's money or takes a line out (the export, posting a remittance,
resolving an unmatched remittance line, a write-off, a void or correction, a rejected claim
sent again, a withdrawal) calls `refresh` with the batches it touched, inside its own
transaction: the figures are summed again from the live lines, never adjusted by hand, so they
cannot drift from what they say. The billing tests check both after every test."""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .models import BatchDenial, ClaimBatch, ClaimLine
from .models.claims import line_owed, open_denied_lines

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


def _denials_of(**lines) -> list[BatchDenial]:
    """The BatchDenial rows of the open denied money of the lines filtered so, by batch and reason."""
    rows = (
        open_denied_lines()
        .filter(**lines)
        .order_by()
        .values(batch=F("claim__batch"), reason=F("denial_reason"))
        .annotate(count=Count("pk"), total=Sum("open_denied"))
    )
    return [BatchDenial(batch_id=r["batch"], reason=r["reason"], lines=r["count"], amount=r["total"]) for r in rows]


def refresh(batch_ids: Iterable[int | None]) -> None:
    """Sum the owed and the denials of these batches again from their lines. Call it in the
    transaction that wrote them. The UPDATE of the batches comes first: it holds their rows until
    the transaction ends, so two writers refreshing one batch take turns, and the second deletes
    the denial rows the first wrote (it reads them once the first has committed) before writing
    its own, instead of both inserting one batch's rows."""
    ids = sorted({pk for pk in batch_ids if pk is not None})
    if ids:
        _refresh(ClaimBatch.objects.filter(pk__in=ids), claim__batch__in=ids)


def refresh_all() -> None:
    """Every batch's owed and denials from its lines (the migrations that add them, and the large seed)."""
    _refresh(ClaimBatch.objects.all())


def _refresh(batches, **lines) -> None:
    batches.update(owed=owed_of_lines())
    BatchDenial.objects.filter(batch__in=batches).delete()
    BatchDenial.objects.bulk_create(_denials_of(**lines))
