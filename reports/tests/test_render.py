"""The files are drawn from the stored figures: the PDF parses back, the spreadsheet holds
real numbers and dates, the CSV holds the same numbers, and text can't become a formula."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pypdf
import pytest
from django.urls import reverse

from reports import render

from .sample_figures import report_with_figures, sample_figures

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_parses_back_with_the_programs_name_and_a_total():
    report = report_with_figures()
    text = pdf_text(render.pdf_bytes(report))
    assert "Peer Bridger" in text and "October 2026" in text
    assert "$1,234.50" in text and "1,042" in text  # the billing total and a headline number
    assert "Caseload against target" in text  # a chart, listed as a table in print


def test_the_spreadsheet_has_one_sheet_per_section_with_typed_cells():
    report = report_with_figures()
    book = openpyxl.load_workbook(io.BytesIO(render.xlsx_bytes(report)))
    assert book.sheetnames == ["Census", "Billing", "Outcomes"]
    rows = {row[0].value: row for row in book["Billing"].iter_rows() if row[0].value}
    texas, total = rows["Texas Medicaid"], rows["Total"]
    assert texas[1].value.date() == datetime.date(2026, 10, 2) and texas[1].is_date
    assert texas[2].value == 40 and isinstance(texas[2].value, int)
    assert Decimal(str(total[4].value)) == Decimal("1234.50") and "$" in total[4].number_format
    assert Decimal(str(total[3].value)) == Decimal("12.50") and total[2].value == 50
    assert total[0].font.b and rows["Payer"][0].font.b  # totals and headers bold
    census = {row[0].value: row[1] for row in book["Census"].iter_rows() if row[0].value}
    assert census["Participants served"].value == 1042
    assert census["Contacted within frequency"].value == 82.5
    assert book["Outcomes"]["B5"].value == -3.5


def test_text_in_the_spreadsheet_stays_text():
    report = report_with_figures()
    book = openpyxl.load_workbook(io.BytesIO(render.xlsx_bytes(report)))
    cells = [c for row in book["Census"].iter_rows() for c in row if c.value and str(c.value).startswith("=")]
    assert [c.data_type for c in cells] == ["s"]


def test_the_csv_holds_the_same_figures_and_no_formulas():
    report = report_with_figures()
    rows = list(csv.reader(io.StringIO(render.csv_text(report))))
    assert rows[0] == ["Program", "Peer Bridger"]
    assert ["Billing", "Billed by payer", "Texas Medicaid", "2026-10-02", "40", "10.00", "1000.00"] in rows
    assert ["Billing", "Billed by payer", "Total", "", "50", "12.50", "1234.50"] in rows
    assert ["Census", "Headline figures", "Participants served", "1042", ""] in rows
    assert ["Census", "Discharges by reason", '\'=HYPERLINK("http://x")', "2"] in rows  # billing's guard
    assert ["Outcomes", "Headline figures", "Median change in PHQ-9", "-3.5", ""] in rows  # a number, not a formula
    assert ["Census", "Caseload against target", "Pat", "14", "25"] in rows


def test_the_spreadsheet_and_csv_totals_equal_the_figures():
    figures = sample_figures()
    report = report_with_figures(figures)
    [billing] = [s for s in figures["sections"] if s["key"] == "billing"]
    expected = [Decimal(str(v)) for v in billing["tables"][0]["total"][2:]]
    sheet = openpyxl.load_workbook(io.BytesIO(render.xlsx_bytes(report)))["Billing"]
    [xlsx_total] = [r for r in sheet.iter_rows(values_only=True) if r[0] == "Total"]
    assert [Decimal(str(v)) for v in xlsx_total[2:5]] == expected
    csv_rows = csv.reader(io.StringIO(render.csv_text(report)))
    [csv_total] = [r for r in csv_rows if r[1:3] == ["Billed by payer", "Total"]]
    assert [Decimal(v) for v in csv_total[4:]] == expected


def test_an_empty_report_still_renders():
    report = report_with_figures({"program": {"name": "Warmline"}, "period": {"label": "May 2026"}, "sections": []})
    assert "Warmline" in pdf_text(render.pdf_bytes(report))
    assert openpyxl.load_workbook(io.BytesIO(render.xlsx_bytes(report))).sheetnames == ["Report"]
    assert render.csv_text(report).startswith("Program,Warmline")


def test_the_page_shows_the_totals_the_spreadsheet_holds(client, admin_user):
    """One set of figures, four renderings: the billing total on the report's page is the one
    in the spreadsheet's cells."""
    report = report_with_figures(status="ready")
    client.force_login(admin_user)
    page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    sheet = openpyxl.load_workbook(io.BytesIO(render.xlsx_bytes(report)))["Billing"]
    [total] = [r for r in sheet.iter_rows(values_only=True) if r[0] == "Total"]
    units, hours, amount = total[2:5]
    assert (units, Decimal(str(amount))) == (50, Decimal("1234.50"))
    assert f"${amount:,.2f}" in page and f">{units}<" in page
