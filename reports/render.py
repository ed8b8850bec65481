"""The report's files, drawn from `report.figures` only (the shape documented in
reports/figures/__init__.py), so the page, the PDF, the XLSX and the CSV show the same numbers.

Figures keep money and hours as decimal strings and dates as ISO strings (JSON keeps them
exact); here they become real numbers and dates again for the spreadsheet."""

import csv
import datetime
import io
from decimal import Decimal, InvalidOperation

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# One guard against spreadsheet formula injection, billing's (OWASP "CSV Injection").
from billing.exports import csv_safe

NUMBER_FORMATS = {
    "int": "#,##0",
    "decimal": "#,##0.00",
    "money": '"$"#,##0.00',
    "percent": '0.0"%"',  # figures hold percents as numbers of percent (82.5 means 82.5%)
    "date": "yyyy-mm-dd",
}
UNIT_KINDS = {"$": "money", "%": "percent", "h": "decimal", "days": "decimal"}
BOLD = Font(bold=True)


def typed(value, kind: str):
    """A figure as the Python value a spreadsheet cell should hold: int, Decimal, date or text."""
    if value is None or value == "":
        return None
    if kind == "date":
        return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
    if kind in ("int", "decimal", "money", "percent"):
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return str(value)  # not a number after all: shown as it is, never guessed
        return int(number) if kind == "int" and number == number.to_integral_value() else number
    return str(value)


def number_kind(number: dict) -> str:
    """A headline number's kind, from its unit."""
    kind = UNIT_KINDS.get(number.get("unit", ""))
    if kind:
        return kind
    return "int" if isinstance(number.get("value"), int) else "decimal"


def chart_table(chart: dict) -> dict:
    """A chart as the table it was drawn from: one row per label, one column per series."""
    series = chart.get("series", [])
    rows = [[label, *(s["values"][i] if i < len(s["values"]) else None for s in series)]
            for i, label in enumerate(chart.get("labels", []))]  # fmt: skip
    return {
        "title": chart.get("title", ""),
        "columns": ["", *(s.get("label", "") for s in series)],
        "kinds": ["text", *("decimal" for _ in series)],
        "rows": rows,
    }


def numbers_table(section: dict) -> dict:
    numbers = section.get("numbers", [])
    return {
        "title": "Headline figures",
        "columns": ["Figure", "Value", "Unit"],
        "kinds": ["text", "mixed", "text"],
        "rows": [[n.get("label", ""), n.get("value"), n.get("unit", "")] for n in numbers],
        "row_kinds": [["text", number_kind(n), "text"] for n in numbers],
    }


def section_tables(section: dict) -> list[dict]:
    """Every table of a section as the files list them: headline figures, tables, charts."""
    tables = [numbers_table(section)] if section.get("numbers") else []
    tables += section.get("tables", [])
    tables += [chart_table(c) for c in section.get("charts", [])]
    return tables


def _row_kinds(table: dict, index: int) -> list[str]:
    if "row_kinds" in table:
        return table["row_kinds"][index]
    return table.get("kinds") or []


def cells(values: list, kinds: list[str]) -> list[tuple]:
    """Each value with its column's kind; a column without one is text."""
    return [(value, kinds[i] if i < len(kinds) else "text") for i, value in enumerate(values)]


# --- PDF ----------------------------------------------------------------------------------


def load_pdf_engine() -> None:
    """Import WeasyPrint (and through it Pango and its fonts' bindings): 0.5 to 1 s, paid by the
    worker once at start (reports.tasks) rather than by its first report. The web processes
    never render a PDF and never load it."""
    import weasyprint  # noqa: F401


def pdf_bytes(report) -> bytes:
    from weasyprint import HTML  # loaded at the worker's start (load_pdf_engine)

    html = render_to_string("reports/report_pdf.html", {"report": report, "figures": report.figures})
    return HTML(string=html).write_pdf()


# --- XLSX ---------------------------------------------------------------------------------


def _sheet_title(title: str, used: set[str]) -> str:
    clean = "".join(c for c in title if c not in "[]:*?/\\")[:28] or "Section"
    name, n = clean, 2
    while name.lower() in used:
        name, n = f"{clean[:25]} {n}", n + 1
    used.add(name.lower())
    return name


def _put(sheet, row: int, column: int, value, kind: str = "text", *, bold: bool = False) -> None:
    cell = sheet.cell(row=row, column=column, value=typed(value, kind) if kind != "text" else value)
    if isinstance(cell.value, str):
        cell.data_type = "s"  # text stays text: openpyxl would otherwise store "=..." as a formula
    elif kind in NUMBER_FORMATS and cell.value is not None:
        cell.number_format = NUMBER_FORMATS[kind]
    if bold:
        cell.font = BOLD


def _write_section(sheet, figures: dict, section: dict) -> None:
    program = figures.get("program", {}).get("name", "")
    period = figures.get("period", {}).get("label", "")
    _put(sheet, 1, 1, f"{section.get('title', '')}: {program}, {period}", bold=True)
    row = 3
    for table in section_tables(section):
        _put(sheet, row, 1, table.get("title", ""), bold=True)
        row += 1
        for column, heading in enumerate(table.get("columns", []), start=1):
            _put(sheet, row, column, heading, bold=True)
        row += 1
        for index, values in enumerate(table.get("rows", [])):
            for column, (value, kind) in enumerate(cells(values, _row_kinds(table, index)), start=1):
                _put(sheet, row, column, value, kind)
            row += 1
        if table.get("total"):
            for column, (value, kind) in enumerate(cells(table["total"], table.get("kinds", [])), start=1):
                _put(sheet, row, column, value, kind, bold=True)
            row += 1
        row += 1
    for note in section.get("notes", []):
        _put(sheet, row, 1, note)
        row += 1
    sheet.column_dimensions[get_column_letter(1)].width = 40
    for column in range(2, 10):
        sheet.column_dimensions[get_column_letter(column)].width = 16


def xlsx_bytes(report) -> bytes:
    """One sheet per section; numbers, money and dates as typed cells, not text."""
    figures = report.figures
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for section in figures.get("sections", []):
        _write_section(book.create_sheet(_sheet_title(section.get("title", ""), used)), figures, section)
    if not book.worksheets:
        book.create_sheet("Report")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- CSV ----------------------------------------------------------------------------------


def _csv_value(value, kind: str) -> str:
    typed_value = typed(value, kind)
    if typed_value is None:
        return ""
    if isinstance(typed_value, int | Decimal):
        return str(typed_value)  # a real number is never a formula, and "-3" must stay -3
    if isinstance(typed_value, datetime.date):
        return typed_value.isoformat()
    return csv_safe(typed_value)


def csv_text(report) -> str:
    """Each table under its section and table title: a heading row (section, table, columns),
    then its rows, then its total."""
    out = io.StringIO()
    writer = csv.writer(out)
    figures = report.figures
    writer.writerow(["Program", csv_safe(figures.get("program", {}).get("name", ""))])
    writer.writerow(["Period", figures.get("period", {}).get("start", ""), figures.get("period", {}).get("end", "")])
    for section in figures.get("sections", []):
        name = csv_safe(section.get("title", ""))
        for table in section_tables(section):
            title = csv_safe(table.get("title", ""))
            writer.writerow(["Section", "Table", *(csv_safe(c) for c in table.get("columns", []))])
            for index, values in enumerate(table.get("rows", [])):
                row = cells(values, _row_kinds(table, index))
                writer.writerow([name, title, *(_csv_value(v, k) for v, k in row)])
            if table.get("total"):
                row = cells(table["total"], table.get("kinds", []))
                writer.writerow([name, title, *(_csv_value(v, k) for v, k in row)])
        for note in section.get("notes", []):
            writer.writerow([name, "Note", csv_safe(note)])
    return out.getvalue()
