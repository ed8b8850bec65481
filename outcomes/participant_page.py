"""What outcomes adds to a participant's page (registered in apps.py): buttons to record an
assessment or a check-in, and the Outcomes section: a chart per instrument with its bands,
the life-status history and the open enrollment's timepoints. The section reads a fixed
number of queries however many records there are."""

from django.urls import reverse
from django.utils import timezone

from participants.extensions import PageAction, PageSection

from . import schedule
from .models import Assessment, CheckIn, Instrument, Timepoint

# Light band colours from best to worst, so a reader sees at a glance where a score sits.
BAND_COLOURS = ["#d1f0d8", "#eef6d0", "#fff3c4", "#ffe0bd", "#ffd0cc", "#f6c1c1"]


def page_actions(participant, access, viewer) -> list[PageAction]:
    if not access.edit:
        return []
    return [
        PageAction("Record an assessment", reverse("outcomes:assessment_new", args=[participant.pk])),
        PageAction("Record a check-in", reverse("outcomes:check_in_new", args=[participant.pk])),
    ]


def _band_colours(spec) -> list[dict]:
    """Each band's range and colour; the worst band gets the strongest colour."""
    worst_last = list(spec.bands) if not spec.higher_is_better else list(reversed(spec.bands))
    rank = {band: round(i * (len(BAND_COLOURS) - 1) / max(len(worst_last) - 1, 1)) for i, band in enumerate(worst_last)}
    return [
        {"low": band.low, "high": band.high, "label": band.label, "colour": BAND_COLOURS[rank[band]]}
        for band in spec.bands
    ]


def _charts(participant) -> list[dict]:
    rows = list(
        Assessment.objects.filter(participant=participant)
        .order_by("taken_on", "recorded_at")
        .values("pk", "instrument_id", "taken_on", "timepoint", "total", "band")
    )
    instruments = Instrument.objects.in_bulk({row["instrument_id"] for row in rows})
    charts = {}
    for row in rows:
        instrument = instruments[row["instrument_id"]]
        chart = charts.get(instrument.code)
        if chart is None:
            spec = instrument.spec
            chart = charts[instrument.code] = {
                "code": instrument.code,
                "name": spec.name,
                "measures": spec.measures,
                "rows": [],
                "data": {
                    "label": f"{instrument.code} total",
                    "lowest": spec.lowest,
                    "highest": spec.highest,
                    "bands": _band_colours(spec),
                    "points": [],
                },  # fmt: skip
            }
        row["url"] = reverse("outcomes:assessment_detail", args=[row["pk"]])
        row["timepoint_label"] = Timepoint(row["timepoint"]).label
        chart["rows"].append(row)
        chart["data"]["points"].append({"x": f"{row['taken_on']:%b %-d, %Y}", "y": row["total"]})
    for index, chart in enumerate(charts.values()):
        chart["id"], chart["data_id"] = f"outcome-chart-{index}", f"outcome-chart-{index}-data"
        chart["rows"].reverse()  # the table reads newest first, like the history below
    return list(charts.values())


def _timepoints(participant, check_ins: list[CheckIn], can_record: bool) -> list[dict]:
    # The participant page has read the few enrollments already (participants.record.with_record).
    open_ones = [e for e in participant.enrollments.all() if e.end_date is None]
    enrollment = max(open_ones, key=lambda e: e.start_date, default=None)
    if enrollment is None:
        return []
    days = schedule.window_days([enrollment.program_id])[enrollment.program_id]
    recorded = {c.timepoint: c.taken_on for c in check_ins if c.enrollment_id == enrollment.pk}
    record_url = reverse("outcomes:check_in_new", args=[participant.pk])
    return [
        {
            "status": status,
            "label": schedule.Status(status.status).label,
            "url": f"{record_url}?timepoint={status.timepoint}" if can_record else "",
        }
        for status in schedule.statuses(enrollment, days, recorded, timezone.localdate())
    ]


def sections(participant, access, viewer) -> list[PageSection]:
    # Billing staff (and anyone else without clinical access) see no outcomes at all.
    if not access.clinical:
        return []
    check_ins = list(CheckIn.objects.filter(participant=participant).order_by("-taken_on", "-recorded_at"))
    context = {
        "participant": participant,
        "charts": _charts(participant),
        "check_ins": check_ins,
        "timepoints": _timepoints(participant, check_ins, access.edit),
        "can_record": access.edit,
    }
    return [PageSection("Outcomes", "outcomes/_participant_outcomes.html", context)]
