"""Accounts receivable: outstanding by payer and age, the monthly figures, the downloads."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from audit.models import AuditEvent
from billing import denials, receivables, services
from billing.models import ClaimBatch, Remittance, WriteOff
from notes.tests.factories import signed_note

from .factories import TODAY, billable_participant, days_ago, make_payer
from .posted import deny, exported, noon, post

CHARGE = Decimal("73.08")
ZERO = Decimal("0.00")


def one_line(payer, author, person, day, **export):
    return exported(payer, [signed_note(person, author, day=days_ago(day))], by=author, **export).claims.get()


def aging_of(report) -> dict[str, list[Decimal]]:
    return {row.payer: row.buckets for row in report.by_payer}


@pytest.mark.django_db
def test_outstanding_by_payer_falls_in_buckets_of_days_since_export(identity, payer, author, person, program):
    ctx = AuditContext(author)
    one_line(payer, author, person, 3, days_ago=10)  # unpaid
    partly = one_line(payer, author, person, 4, days_ago=40)
    post(
        partly, [("40.00", [("CO", "45", "13.08"), ("CO", "16", "20.00")])], paid_on=days_ago(30), trace="A", by=author
    )
    written = one_line(payer, author, person, 5, days_ago=70)
    deny(written, paid_on=days_ago(60), trace="B", by=author)
    denials.line_write_off(line=written.lines.get(), amount=Decimal("30.00"), reason="Part", ctx=ctx)
    old = exported(payer, [signed_note(person, author, day=days_ago(d)) for d in (6, 7)], by=author, days_ago=100)
    post(old.claims.get(), [(CHARGE, []), ("0", [])], paid_on=days_ago(90), trace="C", by=author)
    # A denied claim corrected: its lines are voided; the replacement counts once exported, from then.
    corrected = one_line(payer, author, person, 8, days_ago=50)
    deny(corrected, paid_on=days_ago(45), trace="D", by=author)
    replacement = denials.line_correct(line=corrected.lines.get(), ctx=ctx)
    assert aging_of(receivables.receivables())["Texas Medicaid"][1] == Decimal("20.00")  # not yet exported
    services.batch_export(batch=replacement, ctx=ctx)
    ClaimBatch.objects.filter(pk=replacement.pk).update(exported_at=noon(days_ago(5)))
    # Another payer, at the edges of the first bucket: 30 days is 0–30, 31 days is 31–60.
    superior = make_payer("Superior HealthPlan", payer_id="SHP01")
    other = billable_participant(author, program, superior, first_name="Ana", last_name="Reyes")
    one_line(superior, author, other, 3, days_ago=30)
    one_line(superior, author, other, 4, days_ago=31)
    # Built, never exported: owed nothing yet.
    services.batch_build(payer=payer, note_ids=[signed_note(person, author, day=days_ago(9)).pk], ctx=ctx)

    report = receivables.receivables()
    assert aging_of(report) == {
        "Superior HealthPlan": [CHARGE, CHARGE, ZERO, ZERO],
        "Texas Medicaid": [CHARGE * 2, Decimal("20.00"), Decimal("43.08"), CHARGE],
    }
    assert report.payer_totals == [CHARGE * 3, CHARGE + Decimal("20.00"), Decimal("43.08"), CHARGE]
    assert report.payer_total == CHARGE * 5 + Decimal("63.08")
    assert all(isinstance(v, Decimal) for row in report.by_payer for v in row.buckets)


@pytest.mark.django_db
def test_each_month_shows_billed_paid_adjusted_denied_and_written_off(identity, payer, author, person):
    ctx = AuditContext(author)
    this_month, last_month = receivables.months(TODAY)[-1], receivables.months(TODAY)[-2]
    now_claim = one_line(payer, author, person, 3)  # exported now
    post(now_claim, [(CHARGE, [])], paid_on=TODAY, trace="A", by=author)
    earlier = exported(payer, [signed_note(person, author, day=days_ago(d)) for d in (4, 5)], by=author)
    ClaimBatch.objects.filter(pk=earlier.pk).update(exported_at=noon(last_month))
    claim = earlier.claims.get()
    post(claim, [("40.00", [("CO", "45", "13.08"), ("CO", "16", "20.00")]), ("0", [("CO", "16", CHARGE)])],
         paid_on=last_month, trace="B", by=author)  # fmt: skip
    first, second = claim.lines.order_by("service_date", "pk")
    denials.line_write_off(line=second, amount=Decimal("50.00"), reason="Small", ctx=ctx)
    denials.line_write_off(line=first, amount=Decimal("20.00"), reason="Small", ctx=ctx)
    WriteOff.objects.filter(line=first).update(recorded_at=noon(last_month))
    # Held for review, not posted: none of its money counts.
    held = one_line(payer, author, person, 6)
    Remittance.objects.filter(pk=post(held, [(CHARGE, [])], paid_on=TODAY, trace="H", by=author).pk).update(
        status=Remittance.Status.HELD
    )
    # Thirteen months ago: outside the table.
    old = one_line(payer, author, person, 7)
    ClaimBatch.objects.filter(pk=old.batch_id).update(exported_at=noon(receivables.months(TODAY, 13)[0]))

    rows = receivables.receivables().by_month
    assert [row.month for row in rows] == receivables.months(TODAY) and len(rows) == 12
    assert rows[-1].month == this_month and rows[0].month.day == 1
    by_month = {row.month: row.figures for row in rows}
    assert by_month[this_month] == [CHARGE * 2, CHARGE, ZERO, ZERO, Decimal("50.00")]
    assert by_month[last_month] == [CHARGE * 2, Decimal("40.00"), Decimal("13.08"), Decimal("93.08"), Decimal("20.00")]
    assert all(figures == [ZERO] * 5 for month, figures in by_month.items() if month not in (this_month, last_month))


def _figures(client):
    """The CSV and the XLSX downloaded, each read back into (by payer, by month) rows."""
    text = client.get(reverse("billing:receivable_download", args=["csv"])).content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    start = rows.index(receivables.PAYER_COLUMNS) + 1
    end = rows.index(receivables.MONTH_COLUMNS)
    csv_payers = [[r[0], *(Decimal(v) for v in r[1:])] for r in rows[start : end - 3]]
    csv_months = [[r[0], *(Decimal(v) for v in r[1:])] for r in rows[end + 1 : end + 13]]
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("billing:receivable_download", args=["xlsx"])).content))
    sheets = {name: list(book[name].iter_rows(min_row=3)) for name in ("By payer", "By month")}
    for row in [*sheets["By payer"], *sheets["By month"]]:
        for cell in row[1:]:
            assert cell.data_type == "n" and cell.number_format == receivables.MONEY_FORMAT
    money = lambda cell: Decimal(str(cell.value)).quantize(Decimal("0.01"))  # noqa: E731
    xlsx_payers = [[row[0].value, *(money(c) for c in row[1:])] for row in sheets["By payer"][:-1]]
    xlsx_months = [[f"{row[0].value:%Y-%m}", *(money(c) for c in row[1:])] for row in sheets["By month"][:-1]]
    return (csv_payers, csv_months), (xlsx_payers, xlsx_months)


@pytest.mark.django_db
def test_the_downloads_read_back_equal_the_page(client, billing_user, identity, payer, author, person, program):
    denied = one_line(payer, author, person, 3, days_ago=45)
    deny(denied, paid_on=days_ago(40), trace="A", by=author)
    one_line(payer, author, person, 4, days_ago=5)
    injected = make_payer("=HYPERLINK(1)", payer_id="EVIL")
    one_line(injected, author, billable_participant(author, program, injected), 5, days_ago=95)
    client.force_login(billing_user)
    report = receivables.receivables()
    payers = [[r.payer, *r.buckets, r.total] for r in report.by_payer]
    months = [[f"{r.month:%Y-%m}", *r.figures] for r in report.by_month]
    (csv_payers, csv_months), (xlsx_payers, xlsx_months) = _figures(client)
    assert csv_payers == [["'=HYPERLINK(1)", *payers[0][1:]], payers[1]]  # a formula stays text
    assert xlsx_payers == payers and csv_months == months == xlsx_months
    body = client.get(reverse("billing:receivable_list")).content.decode()
    assert '<td data-label="Total" class="text-end">$73.08</td>' in body and "$146.16" in body  # the figures shown
    audits = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, details__download="accounts receivable")
    assert sorted(audits.values_list("details__format", flat=True)) == ["csv", "xlsx"]
    assert audits.first().details["tables"] == ["outstanding by payer", "per month"]
    assert audits.first().actor == billing_user


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_page_and_downloads_take_as_many_queries_for_30_lines_as_for_2(
    client, billing_user, identity, payer, author, person
):
    urls = [reverse("billing:receivable_list")] + [
        reverse("billing:receivable_download", args=[fmt]) for fmt in ("csv", "xlsx")
    ]
    claim = exported(payer, [signed_note(person, author, day=days_ago(d)) for d in (3, 4)], by=author).claims.get()
    post(claim, [(CHARGE, []), ("0", [("CO", "16", CHARGE)])], paid_on=TODAY, trace="A", by=author)
    client.force_login(billing_user)
    few = [_queries(client, url) for url in urls]
    many = exported(payer, [signed_note(person, author, day=days_ago(d)) for d in range(5, 33)], by=author)
    deny(many.claims.get(), paid_on=days_ago(1), trace="B", by=author)
    for line in many.claims.get().lines.all()[:10]:
        denials.line_write_off(line=line, reason="x", ctx=AuditContext(author))
    assert [_queries(client, url) for url in urls] == few
    assert few[0] <= 12  # sign-in (5 with the session), and one query for each of the 6 sums


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.PEER_SPECIALIST, Role.SUPERVISOR])
def test_only_billing_staff_and_admins_see_receivables(client, role):
    client.force_login(UserFactory(role=role))
    for url in [reverse("billing:receivable_list"), reverse("billing:receivable_download", args=["csv"])]:
        assert client.get(url).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).exists()


@pytest.mark.django_db
def test_an_unknown_download_format_is_not_found(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("billing:receivable_list")).status_code == 200
    assert client.get(reverse("billing:receivable_download", args=["pdf"])).status_code == 404
    assert not AuditEvent.objects.filter(details__download="accounts receivable").exists()


def test_months_are_the_last_twelve_first_days_oldest_first():
    assert receivables.months(datetime.date(2026, 3, 31)) == [
        *(datetime.date(2025, m, 1) for m in range(4, 13)),
        *(datetime.date(2026, m, 1) for m in range(1, 4)),
    ]
