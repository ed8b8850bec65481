"""The charts of a report's sections, gathered for the page's script (json_script), each with
the id of the canvas `_body.html` puts above the chart's table."""

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
            charts.append(
                {
                    "id": f"chart-{section.get('key', 'section')}-{chart.get('id', len(charts))}",
                    "title": chart.get("title", ""),
                    "type": kind,
                    "labels": chart.get("labels", []),
                    # A series may say it is drawn as a line over the bars (a target).
                    "series": [
                        {"label": s.get("label", ""), "values": s.get("values", []), "type": s.get("type", "")}
                        for s in series
                    ],
                }
            )
    return charts
