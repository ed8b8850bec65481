"""The outcome dashboard as CSV and XLSX: the same lines in both, so a funder's copy carries the
filters, the n, the exclusions, the methods and the note on regression to the mean, not
only the figures. The table is small (a row per measure), so both are built in memory."""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from .dashboard_figures import Dashboard

HEADER = ["Measure", "n", "At {a}", "At {b}", "Change", "95% CI of the change", "Test", "p-value", "Totals"]


def lines(dashboard: Dashboard) -> list[list]:
    """Title, filters, cohort, the table, then the notes: one list per line."""
    f = dashboard.filters
    a, b = f.a_label, f.b_label
    out = [
        ["Program outcomes", f.program.name],
        ["Enrolled from", f.enrolled_from.isoformat(), "to", f.enrolled_to.isoformat()],
        ["Timepoints", f"{a} -> {b}"],
        ["Enrollments in the cohort", dashboard.cohort.size],
        ["Matched (check-ins at both timepoints)", len(dashboard.cohort.matched)],
        ["Excluded", dashboard.cohort.excluded_count],
        *[[f"  {label}", count] for label, count in dashboard.exclusions],
        [],
        [h.format(a=a, b=b) for h in HEADER],
    ]
    for row in dashboard.rows:
        totals = f"{row.totals[0]} -> {row.totals[1]}" if row.totals else ""
        test = row.change.test_name if row.change.p_value is not None else ""
        out.append([row.label, row.change.n, row.at_a, row.at_b, row.difference, row.ci, test, row.p_value, totals])
    out += [[], ["Note", dashboard.note], ["Utilization", dashboard.rule]]
    out += [["Method", text] for text in dashboard.methods]
    out += [[], *_cost_lines(dashboard)]
    return out


def _cost_lines(dashboard: Dashboard) -> list[list]:
    cost = dashboard.cost
    if cost.costs is None:
        return [["Cost offset", "No unit costs are set for this program."]]
    text = cost.text()
    return [
        ["Cost offset", f"{cost.n} participants", f"{cost.without_services} with no peer services on record"],
        *[
            [f"  {item.label}", f"expected {item.expected}", f"actual {item.actual}", f"avoided {item.avoided_text}"]
            for item in cost.items
        ],
        ["Avoided cost", text["avoided"]],
        ["Billed", text["billed"]],
        ["Peer hours without a claim (grant-funded or not yet billed)", str(cost.grant_hours), text["grant_cost"]],
        ["Cost of peer services", text["cost"]],
        ["Return per dollar", text["per_dollar"] or "no cost of peer services in the period"],
        ["Method", dashboard.cost_method],
        ["Unit costs from", cost.costs.source],
        *[["Published", text] for text in dashboard.published],
    ]


def as_csv(dashboard: Dashboard) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(lines(dashboard))
    return buffer.getvalue()


def as_xlsx(dashboard: Dashboard) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Outcomes"
    for line in lines(dashboard):
        sheet.append(line)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 48
    for column in "BCDEFGHI":
        sheet.column_dimensions[column].width = 18
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
