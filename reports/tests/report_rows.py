"""Reports in the states the pages show, built directly (the worker that makes them is
helper G's; the pages only read the rows)."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from reports.models import Report

FIGURES = {
    "sections": [
        {
            "key": "census",
            "title": "Census",
            "numbers": [{"label": "Participants served", "value": 42, "unit": ""}],
            "tables": [],
            "charts": [
                {
                    "id": "caseload",
                    "title": "Caseload against target",
                    "type": "bar",
                    "labels": ["Ana", "Ben"],
                    "series": [{"label": "Caseload", "values": [14, 9]}, {"label": "Target", "values": [12, 12]}],
                }
            ],
            "notes": [],
        },
        {"key": "services", "title": "Services", "numbers": [], "tables": [], "charts": [], "notes": []},
    ]
}


def month(year: int, number: int) -> tuple[datetime.date, datetime.date]:
    first = datetime.date(year, number, 1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def make_report(program, start, end, *, status=Report.Status.READY, files=True, **fields) -> Report:
    report = Report(program=program, period_start=start, period_end=end, status=status, **fields)
    if files:
        report.generated_at = timezone.now()
        report.figures = FIGURES
        report.pdf.save("report.pdf", ContentFile(b"%PDF-1.7 stub"), save=False)
        report.xlsx.save("report.xlsx", ContentFile(b"PK stub"), save=False)
        report.csv.save("report.csv", ContentFile(b"section,label,value\r\n"), save=False)
    report.save()
    return report


def monthly_reports(program, count: int, *, last_year: int = 2026) -> list[Report]:
    """`count` ready monthly reports, one per month going back from December `last_year`."""
    reports = []
    year, number = last_year, 12
    for _ in range(count):
        reports.append(make_report(program, *month(year, number), files=False, generated_at=timezone.now()))
        year, number = (year, number - 1) if number > 1 else (year - 1, 12)
    return reports
