"""Follow-ups, defined once: which timepoints need a check-in now (for the caseload and home
pages) and the follow-up rate (for the team page and the dashboard).

The rate follows SAMHSA's GPRA follow-up rule: over the 3-, 6- and 12-month follow-ups, one
is *due* when its window closed within the period and the participant was still enrolled when
the window opened (someone discharged before then was never due), and it is *done* when its
check-in is dated within its window (as the program sets it now). Rate = done / due, against
`FOLLOW_UP_TARGET`. It is counted in the database, a fixed number of queries whatever the
number of enrollments."""

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import NamedTuple

from django.db import models
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from accounts.models import User
from audit.sql import PlusDays
from participants.models import CaseloadAssignment, Enrollment

from . import schedule
from .kept import every_stamp, kept
from .models import FOLLOW_UP_TARGET, FOLLOW_UPS, CheckIn, Timepoint, TimepointWindow

# "The last 12 months", the team page's period.
DEFAULT_PERIOD_DAYS = 365


# --- Due and overdue, for the caseload -----------------------------------------------------


def needing_action(enrollments: Iterable[Enrollment], *, today: datetime.date | None = None) -> dict[int, list]:
    """participant id -> the timepoints of these enrollments that are due or overdue now
    (`schedule.TimepointStatus`, each with its `.text`), in the order they fall. Two queries
    whatever the number of enrollments: the check-ins recorded and the programs' windows."""
    today = today or timezone.localdate()
    enrollments = list(enrollments)
    if not enrollments:
        return {}
    recorded: dict[int, dict[str, datetime.date]] = {}
    rows = CheckIn.objects.filter(enrollment__in=[e.pk for e in enrollments]).exclude(timepoint=Timepoint.BETWEEN)
    for enrollment_id, timepoint, taken_on in rows.values_list("enrollment_id", "timepoint", "taken_on"):
        recorded.setdefault(enrollment_id, {})[timepoint] = taken_on
    days = schedule.window_days({e.program_id for e in enrollments})
    result: dict[int, list] = {}
    programs_of = Counter(e.participant_id for e in enrollments)
    for enrollment in sorted(enrollments, key=lambda e: e.start_date):
        statuses = schedule.statuses(enrollment, days[enrollment.program_id], recorded.get(enrollment.pk, {}), today)
        action = [s for s in statuses if s.needs_action]
        if programs_of[enrollment.participant_id] > 1:  # say which program each one is for
            action = [replace(s, program=enrollment.program.name) for s in action]
        if action:
            result.setdefault(enrollment.participant_id, []).extend(action)
    return result


class _Open(NamedTuple):
    """An open enrollment as `schedule.statuses` reads it, without a model object."""

    pk: int
    participant_id: int
    program_id: int
    start_date: datetime.date
    end_date: None = None


def action_counts(enrollments: QuerySet[Enrollment], *, today: datetime.date | None = None) -> dict[int, dict]:
    """participant id -> {"due": n, "overdue": m}: how many timepoints `needing_action` gives
    as due and overdue for these enrollments (open ones only, as the caseload's are), for the
    pages that show only the figures: the same rules (`schedule.statuses`) on rows read as
    values, three queries whatever their number, not ~500 enrollments and their programs built
    as model objects for a supervisor's team (issue 16)."""
    today = today or timezone.localdate()
    fields = ("pk", "participant_id", "program_id", "start_date")
    rows = [_Open(*row) for row in enrollments.filter(end_date__isnull=True).order_by().values_list(*fields)]
    if not rows:
        return {}
    recorded: dict[int, dict[str, datetime.date]] = {}
    check_ins = CheckIn.objects.filter(enrollment__in=[row.pk for row in rows]).exclude(timepoint=Timepoint.BETWEEN)
    for enrollment_id, timepoint, taken_on in check_ins.order_by().values_list(
        "enrollment_id", "timepoint", "taken_on"
    ):
        recorded.setdefault(enrollment_id, {})[timepoint] = taken_on
    days = schedule.window_days({row.program_id for row in rows})
    counts: dict[int, dict] = {}
    for row in rows:
        for status in schedule.statuses(row, days[row.program_id], recorded.get(row.pk, {}), today):
            if status.needs_action:
                figures = counts.setdefault(row.participant_id, {"due": 0, "overdue": 0})
                figures["due" if status.status == schedule.Status.DUE else "overdue"] += 1
    return counts


def count_by_status(follow_ups: Iterable) -> dict[str, int]:
    """{"due": n, "overdue": m} over timepoint statuses."""
    follow_ups = list(follow_ups)
    return {
        "due": sum(s.status == schedule.Status.DUE for s in follow_ups),
        "overdue": sum(s.status == schedule.Status.OVERDUE for s in follow_ups),
    }


# --- The follow-up rate --------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpRate:
    program_id: int | None
    specialist_id: int | None
    due: int
    done: int

    @property
    def rate(self) -> float | None:
        """Percent done in window, or None when nothing was due."""
        return round(100 * self.done / self.due, 1) if self.due else None

    @property
    def meets_target(self) -> bool | None:
        return None if self.rate is None else self.rate >= FOLLOW_UP_TARGET

    @property
    def target(self) -> int:
        return FOLLOW_UP_TARGET


def _window_day(timepoint: str, which: str):
    """The program's opens/closes day for a timepoint: its own window, else the default."""
    default = schedule.DEFAULT_WINDOWS[timepoint][0 if which == "opens_day" else 1]
    own = TimepointWindow.objects.filter(program_id=OuterRef("program_id"), timepoint=timepoint)
    own = own.order_by().values(which)[:1]  # one row at most: no join to the program for Meta.ordering
    return Cast(Coalesce(Subquery(own), Value(default)), models.IntegerField())


def _specialist_on_closing_day():
    """The specialist assigned when the window closed. On a hand-over day both assignments
    are in force (both ends are inclusive); the follow-up belongs to the one taking over."""
    assignments = CaseloadAssignment.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=OuterRef("closes")),
        participant_id=OuterRef("participant_id"),
        started_on__lte=OuterRef("closes"),
    )
    return Subquery(assignments.order_by("-started_on", "-pk").values("specialist_id")[:1])


def _due(timepoint: str, start: datetime.date, end: datetime.date, program_ids, closes_within: tuple[int, int]):
    """The enrollments whose `timepoint` follow-up is due in [start, end], with `done`: a
    check-in for it dated within its window (the window as the program sets it now)."""
    enrollments = (
        Enrollment.objects.all() if program_ids is None else Enrollment.objects.filter(program_id__in=program_ids)
    )
    # Only enrollments that started in reach of the period, so the scan is an index range
    # over the start dates, not all history: `closes_within` bounds every program's window.
    earliest, latest = closes_within
    enrollments = enrollments.filter(
        start_date__gte=start - datetime.timedelta(days=latest), start_date__lte=end - datetime.timedelta(days=earliest)
    )
    done = CheckIn.objects.filter(
        enrollment_id=OuterRef("pk"),
        timepoint=timepoint,
        taken_on__gte=OuterRef("opens"),
        taken_on__lte=OuterRef("closes"),
    )
    return (
        enrollments.annotate(
            opens=PlusDays(F("start_date"), _window_day(timepoint, "opens_day")),
            closes=PlusDays(F("start_date"), _window_day(timepoint, "closes_day")),
        )
        .filter(closes__gte=start, closes__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=F("opens")))
        .annotate(done=Exists(done))
    )


def _closing_days() -> dict[str, tuple[int, int]]:
    """Per follow-up timepoint, the earliest and latest day any program's window closes."""
    bounds = {t: (schedule.DEFAULT_WINDOWS[t][1],) * 2 for t in FOLLOW_UPS}
    rows = TimepointWindow.objects.filter(timepoint__in=FOLLOW_UPS).values("timepoint")
    for timepoint, low, high in rows.annotate(low=Min("closes_day"), high=Max("closes_day")).values_list(
        "timepoint", "low", "high"
    ):
        bounds[timepoint] = (min(low, bounds[timepoint][0]), max(high, bounds[timepoint][1]))
    return bounds


def follow_up_rates(
    *,
    program_ids: Iterable[int] | None,
    start: datetime.date,
    end: datetime.date,
    by_specialist: bool = False,
    specialist_ids: Iterable[int] | None = None,
) -> list[FollowUpRate]:
    """The follow-up rate per program (or, `by_specialist`, per specialist assigned on the
    day each window closed) over the follow-ups due in [start, end]. `program_ids` None means
    every program. A window that closes after today has not closed yet: the period stops
    today. One query per follow-up timepoint."""
    end = min(end, timezone.localdate())
    program_ids = None if program_ids is None else list(program_ids)
    totals: dict[int | None, list[int]] = {}
    closing_days = _closing_days()
    for timepoint in FOLLOW_UPS:
        due = _due(timepoint, start, end, program_ids, closing_days[timepoint])
        key = "program_id"
        if by_specialist:
            due = due.annotate(specialist=_specialist_on_closing_day())
            key = "specialist"
            if specialist_ids is not None:
                specialist_ids = list(specialist_ids)
                # Only participants these specialists were ever assigned (an index range),
                # before the assignment on the closing day is looked up: else it is looked
                # up for every enrollment of the agency in the period (issue 16).
                theirs = CaseloadAssignment.objects.filter(specialist_id__in=specialist_ids)
                due = due.filter(participant_id__in=theirs.values("participant_id"))
                due = due.filter(specialist__in=specialist_ids)
        counts = due.values(key).annotate(due=Count("pk"), done=Count("pk", filter=Q(done=True))).order_by()
        for row in counts.values_list(key, "due", "done"):
            total = totals.setdefault(row[0], [0, 0])
            total[0] += row[1]
            total[1] += row[2]
    return [
        FollowUpRate(
            program_id=None if by_specialist else key,
            specialist_id=key if by_specialist else None,
            due=due,
            done=done,
        )
        for key, (due, done) in sorted(totals.items(), key=lambda item: (item[0] is None, item[0] or 0))
    ]


def team_follow_up_rates(specialist_ids: Iterable[int], *, today: datetime.date | None = None) -> list[FollowUpRate]:
    """The team caseloads page's rate per specialist over the last 12 months, kept (`kept`)
    for the team and the day: its three queries cost more than the rest of the page. The
    stamp is every program's (check-ins, assessments and enrollments: outcomes.versions) and
    the team's caseload assignments (whose caseload a follow-up falls to); a program's
    windows, changed in its settings, are seen within `LIFETIME`."""
    today = today or timezone.localdate()
    ids = sorted(specialist_ids)
    assignments = CaseloadAssignment.objects.filter(specialist_id__in=ids).aggregate(
        count=Count("pk"), last=Max("pk"), ended=Count("ended_on"), latest_end=Max("ended_on"), latest=Max("started_on")
    )
    start, end = default_period(today)
    rates, _ = kept(
        "team_follow_up",
        None,
        (ids, today),
        lambda: follow_up_rates(program_ids=None, start=start, end=end, by_specialist=True, specialist_ids=ids),
        stamped=(every_stamp(), tuple(assignments.values())),
    )
    return rates


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=DEFAULT_PERIOD_DAYS - 1), today


@dataclass(frozen=True)
class ProgramFollowUp:
    """A program's follow-up rate over a period, and each specialist's within it."""

    start: datetime.date
    end: datetime.date
    program: FollowUpRate | None
    specialists: list[tuple[User | None, FollowUpRate]]
    target: int = FOLLOW_UP_TARGET


def program_follow_up(program_id: int, *, today: datetime.date | None = None, fresh: bool = False) -> ProgramFollowUp:
    """The dashboard's figures: the last 12 months, for the program and per specialist, kept
    for a few minutes as the dashboard's are (`kept`)."""
    today = today or timezone.localdate()
    figures, _ = kept("follow_up", program_id, (today,), lambda: _program_follow_up(program_id, today), fresh=fresh)
    return figures


def _program_follow_up(program_id: int, today: datetime.date) -> ProgramFollowUp:
    start, end = default_period(today)
    overall = follow_up_rates(program_ids=[program_id], start=start, end=end)
    per_specialist = follow_up_rates(program_ids=[program_id], start=start, end=end, by_specialist=True)
    users = User.objects.in_bulk([rate.specialist_id for rate in per_specialist if rate.specialist_id])
    specialists = sorted(
        ((users.get(rate.specialist_id), rate) for rate in per_specialist),
        key=lambda pair: (pair[0] is None, pair[0].last_name if pair[0] else "", pair[0].first_name if pair[0] else ""),
    )
    return ProgramFollowUp(start, end, overall[0] if overall else None, specialists)
