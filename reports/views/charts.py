"""The charts of a report's sections, gathered for the page's script (json_script), each with
a canvas id unique on the page and a short label for screen readers."""

CHART_TYPES = {"bar", "line"}


def report_sections(report) -> list[dict]:
    figures = report.figures or {}
    return figures.get("sections", []) if isinstance(figures, dict) else []


def report_charts(sections: list[dict]) -> list[dict]:
    charts = []
    for section in sections:
        for chart in section.get("charts", []):
            kind = chart.get("type") if chart.get("type") in CHART_TYPES else "bar"
            series = chart.get("series", [])
            labels = chart.get("labels", [])
            # The same numbers as a table, one row per label, for those who can't see the chart.
            rows = [[label, *(_at(s.get("values", []), i) for s in series)] for i, label in enumerate(labels)]
            charts.append(
                {
                    "id": f"chart-{section.get('key', 'section')}-{chart.get('id', len(charts))}",
                    "title": chart.get("title", ""),
                    "section": section.get("title", ""),
                    "type": kind,
                    "labels": labels,
                    "rows": rows,
                    "series": [{"label": s.get("label", ""), "values": s.get("values", [])} for s in series],
                    "summary": f"{kind.capitalize()} chart, {chart.get('title', '')}, numbers in the table below.",
                }
            )
    return charts


def _at(values: list, index: int):
    return values[index] if index < len(values) else ""
