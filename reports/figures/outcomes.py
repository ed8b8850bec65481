"""Outcomes: the assessments and check-ins done in the period; the check-ins due and overdue
at its end; the follow-up rate against its target; and, for the participants who reached a
follow-up timepoint in the period, their life status and scores then against their intake.

Every rule is outcomes': `follow_up.needing_action` says what is due or overdue,
`follow_up.follow_up_rates` counts the rate, `CheckIn.housed` / `.employed` say who is housed
and employed, and `statistics.paired_proportions` / `paired_values` make the before and after.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, OuterRef, Subquery

from outcomes.follow_up import count_by_status, follow_up_rates, needing_action
from outcomes.models import FOLLOW_UP_TARGET, FOLLOW_UPS, Assessment, CheckIn, Timepoint
from outcomes.statistics import paired_proportions, paired_values
from participants.models import Enrollment

title = "Outcomes"

NOTES = [
    "Done: assessments and check-ins dated within the period, for this program's enrollments.",
    "Due and overdue: the scheduled check-ins of the enrollments active on the period's last "
    "day, as of that day, as the caseload pages count them (check-ins recorded since count "
    "as done).",
    "Follow-up rate: of the 3-, 6- and 12-month follow-ups whose window closed within the "
    f"period (up to today), the share done within the window; the target is {FOLLOW_UP_TARGET}%.",
    "Change: participants with a 3-, 6- or 12-month check-in (or assessment) dated in the "
    "period and one at intake in the same enrollment; a participant who reached two timepoints "
    "in the period counts once, at the later one. Housed means owning or renting; employed, "
    "full or part time. The same people before and after, without a comparison group: people "
    "often enrol at a low point, so this can overstate the effect of peer support.",
]


def _percent(value: float | None) -> str | None:
    """A share (0-1) or a percentage as a string of one decimal, None when there is none."""
    if value is None:
        return None
    return str(Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _mean(value: float | None) -> str | None:
    return None if value is None else str(Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _latest_per(rows, key) -> list:
    """The last row (rows come in date order) for each key: one per enrollment."""
    return list({key(row): row for row in rows}.values())


def _done_by_timepoint(program, start, end) -> list[list]:
    counts = {}
    for model, column in ((CheckIn, 0), (Assessment, 1)):
        rows = model.objects.filter(enrollment__program=program, taken_on__gte=start, taken_on__lte=end)
        for timepoint, n in rows.values_list("timepoint").annotate(n=Count("pk")).order_by():
            counts.setdefault(timepoint, [0, 0])[column] = n
    return [[label, *counts[value]] for value, label in Timepoint.choices if value in counts]


def _follow_ups_reached(model, program, start, end):
    """Records at a follow-up timepoint dated in the period, oldest first (the later one wins)."""
    return model.objects.filter(
        enrollment__program=program, timepoint__in=FOLLOW_UPS, taken_on__gte=start, taken_on__lte=end
    ).order_by("taken_on", "pk")


def _status_change(program, start, end) -> list[list]:
    intake = CheckIn.objects.filter(enrollment=OuterRef("enrollment"), timepoint=Timepoint.INTAKE)
    rows = (
        _follow_ups_reached(CheckIn, program, start, end)
        .annotate(
            intake_housing=Subquery(intake.values("housing")[:1]),
            intake_employment=Subquery(intake.values("employment")[:1]),
        )
        .filter(intake_housing__isnull=False)
        .values("enrollment_id", "housing", "employment", "intake_housing", "intake_employment")
    )
    rows = _latest_per(rows, lambda row: row["enrollment_id"])
    # CheckIn's own rule for housed and employed, applied to the values read.
    housed = paired_proportions(
        [(CheckIn(housing=r["intake_housing"]).housed, CheckIn(housing=r["housing"]).housed) for r in rows]
    )
    employed = paired_proportions(
        [
            (CheckIn(employment=r["intake_employment"]).employed, CheckIn(employment=r["employment"]).employed)
            for r in rows
        ]
    )
    return [
        [label, change.n, _percent(_share(change.before)), _percent(_share(change.after))]
        for label, change in (("Housed (own or rent)", housed), ("Employed (full or part time)", employed))
        if change.n
    ]


def _share(value: float | None) -> float | None:
    return None if value is None else value * 100


def _score_change(program, start, end) -> list[list]:
    intake = Assessment.objects.filter(
        enrollment=OuterRef("enrollment"), instrument=OuterRef("instrument"), timepoint=Timepoint.INTAKE
    )
    rows = (
        _follow_ups_reached(Assessment, program, start, end)
        .annotate(intake_total=Subquery(intake.values("total")[:1]))
        .filter(intake_total__isnull=False)
        .values("enrollment_id", "instrument__code", "total", "intake_total")
    )
    pairs: dict[str, list] = {}
    for row in _latest_per(rows, lambda row: (row["instrument__code"], row["enrollment_id"])):
        pairs.setdefault(row["instrument__code"], []).append((row["intake_total"], row["total"]))
    result = []
    for code in sorted(pairs):
        change = paired_values(pairs[code])
        result.append([code, change.n, _mean(change.before), _mean(change.after), _mean(change.change)])
    return result


def _due_at_end(program, end: datetime.date) -> dict[str, int]:
    active = Enrollment.objects.filter(program=program).in_force_on(end).select_related("program")
    return count_by_status(s for statuses in needing_action(active, today=end).values() for s in statuses)


def section(program, start, end) -> dict:
    done = _done_by_timepoint(program, start, end)
    check_ins, assessments = sum(r[1] for r in done), sum(r[2] for r in done)
    due = _due_at_end(program, end)
    rates = follow_up_rates(program_ids=[program.pk], start=start, end=end)
    rate = rates[0] if rates else None
    rate_value = _percent(rate.rate) if rate else None
    return {
        "title": title,
        "numbers": [
            {"label": "Check-ins done", "value": check_ins, "unit": ""},
            {"label": "Assessments done", "value": assessments, "unit": ""},
            {"label": "Check-ins due at the period's end", "value": due["due"], "unit": ""},
            {"label": "Check-ins overdue at the period's end", "value": due["overdue"], "unit": ""},
            {"label": "Follow-up rate", "value": rate_value, "unit": "%"},
            {"label": "Follow-up target", "value": FOLLOW_UP_TARGET, "unit": "%"},
        ],
        "tables": [
            {
                "title": "Done in the period by timepoint",
                "columns": ["Timepoint", "Check-ins", "Assessments"],
                "kinds": ["text", "int", "int"],
                "rows": done,
                "total": ["Total", check_ins, assessments],
            },
            {
                "title": "Follow-ups due in the period",
                "columns": ["Due", "Done in window", "Rate", "Target"],
                "kinds": ["int", "int", "percent", "percent"],
                "rows": [[rate.due if rate else 0, rate.done if rate else 0, rate_value, _percent(FOLLOW_UP_TARGET)]],
            },
            {
                "title": "Life status at intake and at the timepoint reached",
                "columns": ["Measure", "Participants", "At intake", "Now"],
                "kinds": ["text", "int", "percent", "percent"],
                "rows": _status_change(program, start, end),
            },
            {
                "title": "Average scores at intake and at the timepoint reached",
                "columns": ["Instrument", "Participants", "At intake", "Now", "Change"],
                "kinds": ["text", "int", "decimal", "decimal", "decimal"],
                "rows": _score_change(program, start, end),
            },
        ],
        "charts": [
            {
                "id": "follow-up-rate",
                "title": "Follow-up rate against the target",
                "type": "bar",
                "labels": ["Follow-up rate"],
                "series": [
                    {"label": "Rate (%)", "values": [float(rate_value) if rate_value is not None else None]},
                    {"label": "Target (%)", "values": [FOLLOW_UP_TARGET]},
                ],
            }
        ],
        "notes": NOTES,
    }
