"""Figures written by hand in the shape of reports/figures/__init__.py, so the renderers can
be tested with content before (and whatever) the real sections compute."""

from programs.tests.factories import ProgramFactory
from reports.models import Report


def sample_figures(program_name: str = "Peer Bridger") -> dict:
    return {
        "program": {"id": 1, "name": program_name},
        "period": {"start": "2026-10-01", "end": "2026-10-31", "label": "October 2026"},
        "computed_at": "2026-11-01T02:00:05-05:00",
        "sections": [
            {
                "key": "census",
                "title": "Census",
                "numbers": [
                    {"label": "Participants served", "value": 1042, "unit": ""},
                    {"label": "Average caseload per specialist", "value": "12.50", "unit": ""},
                    {"label": "Contacted within frequency", "value": "82.5", "unit": "%"},
                ],
                "tables": [
                    {
                        "title": "Discharges by reason",
                        "columns": ["Reason", "Participants"],
                        "kinds": ["text", "int"],
                        "rows": [["Goals met", 3], ['=HYPERLINK("http://x")', 2]],
                        "total": ["Total", 5],
                    }
                ],
                "charts": [
                    {
                        "id": "caseload",
                        "title": "Caseload against target",
                        "type": "bar",
                        "labels": ["Pat", "Sam"],
                        "series": [{"label": "Caseload", "values": [14, 9]}, {"label": "Target", "values": [25, 25]}],
                    }
                ],
                "notes": ["A participant counts once however many sessions they had."],
            },
            {
                "key": "billing",
                "title": "Billing",
                "numbers": [{"label": "Billed", "value": "1234.50", "unit": "$"}],
                "tables": [
                    {
                        "title": "Billed by payer",
                        "columns": ["Payer", "First service", "Units", "Hours", "Amount"],
                        "kinds": ["text", "date", "int", "decimal", "money"],
                        "rows": [
                            ["Texas Medicaid", "2026-10-02", 40, "10.00", "1000.00"],
                            ["Superior", "2026-10-09", 10, "2.50", "234.50"],
                        ],
                        "total": ["Total", None, 50, "12.50", "1234.50"],
                    }
                ],
                "charts": [],
                "notes": [],
            },
            {
                "key": "outcomes",
                "title": "Outcomes",
                "numbers": [{"label": "Median change in PHQ-9", "value": "-3.5", "unit": ""}],
                "tables": [],
                "charts": [],
                "notes": [],
            },
        ],
    }


def report_with_figures(figures: dict | None = None, **fields) -> Report:
    figures = figures or sample_figures()
    program = fields.pop("program", None) or ProgramFactory(name=figures["program"]["name"])
    return Report.objects.create(
        program=program, period_start="2026-10-01", period_end="2026-10-31", figures=figures, **fields
    )
