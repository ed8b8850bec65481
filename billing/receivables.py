"""Accounts receivable: what payers still owe on what we exported, by age, and month by month
what was billed, paid, adjusted, denied and written off; and the same two tables as CSV and XLSX.

Every figure is summed in PostgreSQL (one grouped query each), so the page's time and query
count do not grow with the history. Money stays Decimal from the database to the files: CSV
cells are the Decimal's own digits, XLSX cells are numbers with a currency format."""

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DateField, DecimalField, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import audit_record

# One guard against spreadsheet formula injection, the batch CSV's (OWASP "CSV Injection").
from .exports import csv_safe
from .models import ClaimBatch, Remittance, WriteOff

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=12, decimal_places=2)
MONEY_FORMAT = '"$"#,##0.00'
MONTHS = 12
# Days since the batch's export: (label, first day, last day); None: no end.
BUCKETS = [("0–30 days", 0, 30), ("31–60 days", 31, 60), ("61–90 days", 61, 90), ("Over 90 days", 91, None)]
PAYER_COLUMNS = ["Payer", *(label for label, _, _ in BUCKETS), "Total"]
MONTH_COLUMNS = ["Month", "Billed", "Paid", "Adjusted", "Denied", "Written off"]


@dataclass
class PayerRow:
    payer: str
    buckets: list[Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, ZERO)


@dataclass
class MonthRow:
    month: datetime.date  # its first day
    billed: Decimal = ZERO
    paid: Decimal = ZERO
    adjusted: Decimal = ZERO
    denied: Decimal = ZERO
    written_off: Decimal = ZERO

    @property
    def figures(self) -> list[Decimal]:
        return [self.billed, self.paid, self.adjusted, self.denied, self.written_off]


@dataclass
class Receivables:
    """Both tables as of one day: the page and the files are drawn from one of these."""

    as_of: datetime.date
    by_payer: list[PayerRow] = field(default_factory=list)
    by_month: list[MonthRow] = field(default_factory=list)

    @property
    def payer_totals(self) -> list[Decimal]:
        columns = zip(*(r.buckets for r in self.by_payer), strict=True)
        return [sum(column, ZERO) for column in columns] or [ZERO] * len(BUCKETS)

    @property
    def payer_total(self) -> Decimal:
        return sum(self.payer_totals, ZERO)

    @property
    def month_totals(self) -> list[Decimal]:
        return [sum(column, ZERO) for column in zip(*(r.figures for r in self.by_month), strict=True)]


def _start_of(day: datetime.date) -> datetime.datetime:
    """The first moment of `day` in the agency's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def aging(today: datetime.date) -> list[PayerRow]:
    """Outstanding by payer, in buckets of days since the batch's export (its date in the
    agency's time zone), over live lines of exported batches: a voided line is superseded by
    its correction, which is owed from its own export. Read from each exported batch's stored
    owed (billing.owed), not its lines: one query over the batches, conditional sums."""
    sums = {}
    for index, (_, first, last) in enumerate(BUCKETS):
        # Exported `first` to `last` days ago: from the start of the day `last` days ago up to
        # (not including) the start of the day `first - 1` days ago.
        condition = Q(exported_at__lt=_start_of(today - datetime.timedelta(days=first - 1))) if first else Q()
        if last is not None:
            condition &= Q(exported_at__gte=_start_of(today - datetime.timedelta(days=last)))
        sums[f"b{index}"] = Sum("owed", filter=condition, default=ZERO)
    rows = (
        ClaimBatch.objects.filter(status=ClaimBatch.Status.EXPORTED)
        .exclude(owed=0)
        .values("payer_id", "payer__name")
        .annotate(**sums)
        .order_by("payer__name")
    )
    return [PayerRow(r["payer__name"], [r[f"b{i}"] for i in range(len(BUCKETS))]) for r in rows]


def months(today: datetime.date, count: int = MONTHS) -> list[datetime.date]:
    """The first days of the last `count` months, this one included, the oldest first."""
    firsts = [today.replace(day=1)]
    while len(firsts) < count:
        firsts.append((firsts[-1] - datetime.timedelta(days=1)).replace(day=1))
    return firsts[::-1]


def _by_month(rows, month_field: str, **sums) -> dict[datetime.date, dict]:
    """{first day of a month: its sums}, one grouped query."""
    grouped = (
        rows.order_by()
        .annotate(month=TruncMonth(month_field, output_field=DateField()))
        .values("month")
        .annotate(**sums)
        .order_by("month")
    )
    return {r.pop("month"): r for r in grouped}


def monthly(today: datetime.date) -> list[MonthRow]:
    """The last twelve months: billed (the charges of the batches exported that month, as frozen
    at export), paid, adjusted and denied (what posted remittances dated that month, BPR16,
    posted to our lines, as each remittance stores it at posting: Remittance.posted_*), and
    written off (by the month it was recorded). A query each over batches, remittances and
    write-offs of the year, none over their lines."""
    firsts = months(today)
    since, start = _start_of(firsts[0]), firsts[0]
    billed = _by_month(
        ClaimBatch.objects.filter(status=ClaimBatch.Status.EXPORTED, exported_at__gte=since),
        "exported_at",
        billed=Sum("total_charge"),
    )
    posted = _by_month(
        Remittance.objects.filter(status=Remittance.Status.POSTED, paid_on__gte=start),
        "paid_on",
        paid=Sum("posted_paid"),
        adjusted=Sum("posted_adjusted"),
        denied=Sum("posted_denied"),
    )
    written_off = _by_month(WriteOff.objects.filter(recorded_at__gte=since), "recorded_at", written_off=Sum("amount"))
    rows = []
    for first in firsts:
        figures = {k: v for found in (billed, posted, written_off) for k, v in found.get(first, {}).items()}
        rows.append(MonthRow(first, **{name: value or ZERO for name, value in figures.items()}))
    return rows


def receivables(today: datetime.date | None = None) -> Receivables:
    today = today or timezone.localdate()
    return Receivables(as_of=today, by_payer=aging(today), by_month=monthly(today))


# --- Files ---------------------------------------------------------------------------------


def _money(value: Decimal) -> str:
    return f"{value:.2f}"  # a Decimal's own digits; a number is never a formula, "-3.00" stays -3.00


def as_csv(report: Receivables) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Accounts receivable as of", report.as_of.isoformat()])
    writer.writerow([])
    writer.writerow(["Outstanding by payer, by days since export"])
    writer.writerow(PAYER_COLUMNS)
    for row in report.by_payer:
        writer.writerow([csv_safe(row.payer), *(_money(v) for v in row.buckets), _money(row.total)])
    writer.writerow(["Total", *(_money(v) for v in report.payer_totals), _money(report.payer_total)])
    writer.writerow([])
    writer.writerow([f"Per month, the last {MONTHS} months"])
    writer.writerow(MONTH_COLUMNS)
    for row in report.by_month:
        writer.writerow([f"{row.month:%Y-%m}", *(_money(v) for v in row.figures)])
    writer.writerow(["Total", *(_money(v) for v in report.month_totals)])
    return out.getvalue()


def _put_row(sheet, values: list, *, bold: bool = False) -> None:
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # text stays text: openpyxl would otherwise store "=..." as a formula
        elif isinstance(cell.value, Decimal):
            cell.number_format = MONEY_FORMAT
        elif isinstance(cell.value, datetime.date):
            cell.number_format = "mmm yyyy"
        if bold:
            cell.font = Font(bold=True)


def as_xlsx(report: Receivables) -> bytes:
    """Two sheets, by payer and by month; amounts are numeric cells (Decimal in, currency format)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "By payer"
    _put_row(sheet, [f"Outstanding by payer, by days since export, as of {report.as_of.isoformat()}"], bold=True)
    _put_row(sheet, PAYER_COLUMNS, bold=True)
    for row in report.by_payer:
        _put_row(sheet, [row.payer, *row.buckets, row.total])
    _put_row(sheet, ["Total", *report.payer_totals, report.payer_total], bold=True)
    sheet.column_dimensions["A"].width = 36
    sheet = book.create_sheet("By month")
    _put_row(sheet, [f"Per month, the last {MONTHS} months, as of {report.as_of.isoformat()}"], bold=True)
    _put_row(sheet, MONTH_COLUMNS, bold=True)
    for row in report.by_month:
        _put_row(sheet, [row.month, *row.figures])
    _put_row(sheet, ["Total", *report.month_totals], bold=True)
    for sheet in book.worksheets:
        for letter in "BCDEF":
            sheet.column_dimensions[letter].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FORMATS = {
    "csv": ("text/csv; charset=utf-8", as_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", as_xlsx),
}


def receivables_download(*, fmt: str, ctx: AuditContext) -> tuple[str, str, str | bytes]:
    """Both tables as a file (`fmt` one of FORMATS): (file name, content type, body). The
    download is audited, saying what was downloaded."""
    report = receivables()
    content_type, render = FORMATS[fmt]
    body = render(report)
    audit_record(
        action=AuditEvent.Action.VIEW,
        ctx=ctx,
        details={
            "download": "accounts receivable",
            "format": fmt,
            "tables": ["outstanding by payer", "per month"],
            "as_of": report.as_of.isoformat(),
        },
    )
    return f"accounts-receivable-{report.as_of.isoformat()}.{fmt}", content_type, body
