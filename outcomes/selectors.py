"""Reads for the program outcome dashboard: a cohort's matched pairs of timepoints and the
figures per participant, computed by SQL, and the exclusions, classified in one pass over
the cohort's enrollments by `schedule.statuses`; a fixed number of queries whatever the size
of the cohort (see test_dashboard's query-count test).

Utilization periods (the rule is also written under the table, from `UTILIZATION_RULE`):
the intake check-in's counts cover the six months before enrollment; every later check-in
covers the time since the one before it. So for a pair of timepoints (A, B):
- the "A" utilization is A's own counts when A is intake, otherwise the sum of the
  follow-up check-ins (every non-intake check-in, "between" ones included) up to A;
- the "B" utilization is the sum of the check-ins after A up to B.
Each period's length is the sum of the days its check-ins cover (covers_from to
covers_until), which turns counts into rates per person per six months.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from audit.sql import DaysBetween
from billing.models import ClaimLine
from notes.models import SessionNote
from participants.models import Enrollment
from programs.models import Program

from . import schedule
from .models import LOOKBACK_DAYS, SCHEDULED, Assessment, CheckIn, Instrument, Timepoint, UnitCosts

UTILIZATION_RULE = (
    "The intake check-in counts the six months before enrollment; every later check-in counts "
    "the time since the one before it. So the “{a}” figures are {a_rule}, and the “{b}” "
    "figures are the check-ins after {a} up to {b}. Rates are per person per six months "
    "({days} days), from the days each period covers."
)

# Counts summed over a period, each from the check-in fields listed.
COUNTS = {
    "er_visits": ("er_visits",),
    "inpatient_days": ("inpatient_days",),
    "admissions": ("admissions_voluntary", "admissions_involuntary"),
    "outpatient_visits": ("outpatient_visits",),
    "crisis_calls": ("crisis_calls",),
    "jail_days": ("jail_days",),
}


class Exclusion:
    NO_A = "no_a"
    NOT_YET = "not_yet"
    MISSED = "missed"
    DISCHARGED = "discharged"

    LABELS = {
        NO_A: "no check-in at {a}",
        NOT_YET: "no check-in at {b} yet: its window has not closed",
        MISSED: "missed the check-in at {b}",
        DISCHARGED: "discharged before the {b} window",
    }


@dataclass(frozen=True)
class Filters:
    program: Program
    enrolled_from: datetime.date
    enrolled_to: datetime.date
    time_from: str
    time_to: str

    @property
    def a_label(self) -> str:
        return Timepoint(self.time_from).label.lower()

    @property
    def b_label(self) -> str:
        return Timepoint(self.time_to).label.lower()

    def as_dict(self) -> dict:
        return {
            "program": self.program.name,
            "enrolled_from": self.enrolled_from.isoformat(),
            "enrolled_to": self.enrolled_to.isoformat(),
            "from": self.time_from,
            "to": self.time_to,
        }


@dataclass
class Cohort:
    size: int = 0
    matched: list[dict] = field(default_factory=list)
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def excluded_count(self) -> int:
        return sum(self.excluded.values())


def utilization_rule(filters: Filters) -> str:
    a, b = filters.a_label, filters.b_label
    a_rule = (
        "the intake check-in's counts for the six months before enrollment"
        if filters.time_from == Timepoint.INTAKE
        else f"the sum of the follow-up check-ins from enrollment up to {a}"
    )
    return UTILIZATION_RULE.format(a=a, b=b, a_rule=a_rule, days=LOOKBACK_DAYS)


def cohort_enrollments(filters: Filters) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(
        program=filters.program, start_date__gte=filters.enrolled_from, start_date__lte=filters.enrolled_to
    )


def _at(timepoint: str) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(enrollment=OuterRef("pk"), timepoint=timepoint)


def _value_at(timepoint: str, name: str) -> Subquery:
    return Subquery(_at(timepoint).values(name)[:1])


def _total(rows: QuerySet, expression, default=0, output_field=None) -> Coalesce:
    """The sum of `expression` over `rows` (correlated to the outer row), `default` when none."""
    summed = rows.order_by().values(one=Value(1)).annotate(total=Sum(expression)).values("total")[:1]
    return Coalesce(Subquery(summed), Value(default), output_field=output_field or IntegerField())


def _period(filters: Filters, which: str) -> QuerySet[CheckIn]:
    """The check-ins whose counts make up the A or the B period (module docstring)."""
    follow_ups = CheckIn.objects.filter(enrollment=OuterRef("pk")).exclude(timepoint=Timepoint.INTAKE)
    a_is_intake = filters.time_from == Timepoint.INTAKE
    if which == "a":
        return _at(Timepoint.INTAKE) if a_is_intake else follow_ups.filter(taken_on__lte=OuterRef("a_date"))
    rows = follow_ups.filter(taken_on__lte=OuterRef("b_date"))
    return rows if a_is_intake else rows.filter(taken_on__gt=OuterRef("a_date"))


def _period_sums(filters: Filters) -> dict:
    sums = {}
    for which in ("a", "b"):
        rows = _period(filters, which)
        for name, fields in COUNTS.items():
            expression = F(fields[0]) if len(fields) == 1 else sum((F(f) for f in fields[1:]), F(fields[0]))
            sums[f"{which}_{name}"] = _total(rows, expression)
        sums[f"{which}_days"] = _total(rows, DaysBetween(F("covers_from"), F("covers_until")))
    sums["b_start"] = Subquery(
        _period(filters, "b").order_by().values(one=Value(1)).annotate(first=Min("covers_from")).values("first")[:1]
    )
    return sums


def _scores(filters: Filters, codes: list[str]) -> dict:
    scores = {}
    # Named by position: instrument codes ("PHQ-9") are not SQL names.
    for index, code in enumerate(codes):
        for which, timepoint in (("a", filters.time_from), ("b", filters.time_to)):
            rows = Assessment.objects.filter(enrollment=OuterRef("pk"), instrument__code=code, timepoint=timepoint)
            scores[f"{which}_score_{index}"] = Subquery(rows.values("total")[:1])
    return scores


def _peer_services() -> dict:
    """What the peer services in B's period cost: the billed charges of live claim lines,
    and the minutes of signed notes no live claim line bills (grant-funded work). A group
    note's minutes are shared among the group's attendees, so a group hour counts once."""
    in_period = {
        "date__gte": OuterRef("b_start"),
        "date__lte": OuterRef("b_date"),
        "participant_id": OuterRef("participant_id"),
    }
    billed = ClaimLine.objects.filter(voided=False, **{f"note__{k}": v for k, v in in_period.items()})
    attendees = (
        SessionNote.objects.filter(group_id=OuterRef("group_id"))
        .order_by()
        .values("group_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    unbilled = SessionNote.objects.filter(status__in=SessionNote.LOCKED, **in_period).filter(
        ~Exists(ClaimLine.objects.filter(note=OuterRef("pk"), voided=False))
    )
    length = ExpressionWrapper(F("end_time") - F("start_time"), output_field=DurationField())
    shared = ExpressionWrapper(length / Coalesce(Subquery(attendees), Value(1)), output_field=DurationField())
    return {
        "billed": _total(billed, F("charge"), Decimal("0"), DecimalField(max_digits=12, decimal_places=2)),
        "grant_time": _total(unbilled, shared, datetime.timedelta(0), DurationField()),
    }


def active_instruments() -> list[Instrument]:
    return list(Instrument.objects.filter(is_active=True).order_by("code"))


def matched_pairs(filters: Filters, codes: list[str]) -> list[dict]:
    """One row per enrollment of the cohort with a check-in at both timepoints: status at A
    and at B, each period's counts and days, scores, and the cost of its peer services."""
    a, b = filters.time_from, filters.time_to
    rows = (
        cohort_enrollments(filters)
        .filter(Exists(_at(a)), Exists(_at(b)))
        .annotate(
            a_date=_value_at(a, "taken_on"),
            b_date=_value_at(b, "taken_on"),
            a_housing=_value_at(a, "housing"),
            b_housing=_value_at(b, "housing"),
            a_employment=_value_at(a, "employment"),
            b_employment=_value_at(b, "employment"),
            a_income=_value_at(a, "monthly_income_from_work"),
            b_income=_value_at(b, "monthly_income_from_work"),
        )
        .annotate(**_period_sums(filters))
        .annotate(**_scores(filters, codes), **_peer_services())
        .order_by("pk")
    )
    return list(rows.values("pk", "participant_id", *_annotation_names(codes)))


def _annotation_names(codes: list[str]) -> list[str]:
    names = [f"{w}_{n}" for w in "ab" for n in ("date", "housing", "employment", "income", "days", *COUNTS)]
    names += [f"{w}_score_{index}" for w in "ab" for index in range(len(codes))]
    return [*names, "b_start", "billed", "grant_time"]


def cohort(filters: Filters, codes: list[str], today: datetime.date) -> Cohort:
    """The cohort's size, its matched pairs, and why the others are excluded (two queries
    for the rows, one for the program's windows)."""
    a, b = filters.time_from, filters.time_to
    everyone = cohort_enrollments(filters).annotate(has_a=Exists(_at(a)), has_b=Exists(_at(b)))
    everyone = list(everyone.only("pk", "start_date", "end_date", "program_id"))
    days = schedule.window_days([filters.program.pk])[filters.program.pk]
    result = Cohort(size=len(everyone))
    for enrollment in everyone:
        if reason := _exclusion(enrollment, days, b, today):
            result.excluded[reason] = result.excluded.get(reason, 0) + 1
    if result.excluded_count < result.size:
        result.matched = matched_pairs(filters, codes)
    return result


def _exclusion(enrollment: Enrollment, days: dict, b: str, today: datetime.date) -> str | None:
    """Why an enrollment has no pair, in the words of `schedule.statuses`, the one rule for
    when a timepoint is due: with no check-in at B, B is not yet due (or is the discharge of
    someone still enrolled), was missed, or was never due because they left first."""
    if not enrollment.has_a:
        return Exclusion.NO_A
    if enrollment.has_b:
        return None
    status = {s.timepoint: s.status for s in schedule.statuses(enrollment, days, {}, today)}.get(b)
    if status is None:
        return Exclusion.NOT_YET if b == Timepoint.DISCHARGE else Exclusion.DISCHARGED
    return Exclusion.MISSED if status in (schedule.Status.OVERDUE, schedule.Status.MISSED) else Exclusion.NOT_YET


def exclusion_labels(filters: Filters, excluded: dict[str, int]) -> list[tuple[str, int]]:
    order = [Exclusion.NO_A, Exclusion.NOT_YET, Exclusion.MISSED, Exclusion.DISCHARGED]
    return [
        (Exclusion.LABELS[key].format(a=filters.a_label, b=filters.b_label), excluded[key])
        for key in order
        if excluded.get(key)
    ]


def unit_costs(program: Program) -> UnitCosts | None:
    return UnitCosts.objects.filter(program=program).first()


def timepoint_after(first: str, second: str) -> bool:
    order = [t.value for t in SCHEDULED]
    return order.index(second) > order.index(first)
