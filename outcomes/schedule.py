"""When each timepoint is due. One definition of a timepoint's window and of its status
(done, due, overdue...), used by the forms, the caseload pages and the follow-up rate."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from participants.models import Enrollment

from .models import SCHEDULED, Timepoint, TimepointWindow

# Days from enrollment (from discharge, for the discharge timepoint) when each window opens
# and closes. The 6-month follow-up counts from 5 to 8 months, as SAMHSA's GPRA follow-up
# does; the others follow the same pattern around their month. Programs may set their own.
DEFAULT_WINDOWS: dict[str, tuple[int, int]] = {
    Timepoint.INTAKE: (0, 30),
    Timepoint.MONTH_3: (61, 122),
    Timepoint.MONTH_6: (152, 243),
    Timepoint.MONTH_12: (335, 456),
    Timepoint.DISCHARGE: (-30, 14),
}
ADJECTIVES = {Timepoint.MONTH_3: "3-month", Timepoint.MONTH_6: "6-month", Timepoint.MONTH_12: "12-month"}
# After its window closes a timepoint shows as overdue this long, then counts as missed.
OVERDUE_FOR_DAYS = 30


class Status(models.TextChoices):
    DONE = "done", "Done"
    DONE_LATE = "done_late", "Done outside its window"
    DUE = "due", "Due"
    OVERDUE = "overdue", "Overdue"
    MISSED = "missed", "Missed"
    UPCOMING = "upcoming", "Upcoming"


@dataclass(frozen=True)
class Window:
    timepoint: str
    opens: datetime.date
    closes: datetime.date

    def holds(self, day: datetime.date) -> bool:
        return self.opens <= day <= self.closes

    @property
    def label(self) -> str:
        """As an adjective: "6-month check-in", "Intake check-in"."""
        return ADJECTIVES.get(self.timepoint, Timepoint(self.timepoint).label)


@dataclass(frozen=True)
class TimepointStatus:
    window: Window
    status: str
    taken_on: datetime.date | None = None
    # Named only when the participant has timepoints in more than one program at once.
    program: str = ""

    @property
    def timepoint(self) -> str:
        return self.window.timepoint

    @property
    def needs_action(self) -> bool:
        return self.status in (Status.DUE, Status.OVERDUE)

    @property
    def text(self) -> str:
        closes = f"{self.window.closes:%b} {self.window.closes.day}"
        if self.status == Status.DUE:
            text = f"{self.window.label} check-in due by {closes}"
        elif self.status == Status.OVERDUE:
            text = f"{self.window.label} check-in overdue since {closes}"
        else:
            text = f"{self.window.label}: {Status(self.status).label.lower()}"
        return f"{text} ({self.program})" if self.program else text


def window_days(program_ids: Iterable[int]) -> dict[int, dict[str, tuple[int, int]]]:
    """Each program's window days by timepoint, the defaults filled in. One query."""
    days = {pk: dict(DEFAULT_WINDOWS) for pk in program_ids}
    for row in TimepointWindow.objects.filter(program_id__in=days):
        days[row.program_id][row.timepoint] = (row.opens_day, row.closes_day)
    return days


def windows(enrollment: Enrollment, days: dict[str, tuple[int, int]]) -> list[Window]:
    """The enrollment's windows in order; the discharge window only once it has ended."""
    result = []
    for timepoint in SCHEDULED:
        anchor = enrollment.end_date if timepoint == Timepoint.DISCHARGE else enrollment.start_date
        if anchor is None:
            continue
        opens, closes = days[timepoint]
        result.append(
            Window(timepoint, anchor + datetime.timedelta(days=opens), anchor + datetime.timedelta(days=closes))
        )
    return result


def window_for(enrollment: Enrollment, timepoint: str) -> Window | None:
    days = window_days([enrollment.program_id])[enrollment.program_id]
    return next((w for w in windows(enrollment, days) if w.timepoint == timepoint), None)


def statuses(
    enrollment: Enrollment,
    days: dict[str, tuple[int, int]],
    recorded: dict[str, datetime.date],
    today: datetime.date,
) -> list[TimepointStatus]:
    """Each scheduled timepoint's status, given the days its check-ins were `recorded` on.
    A follow-up whose window opens after discharge is not due at all."""
    result = []
    for window in windows(enrollment, days):
        taken_on = recorded.get(window.timepoint)
        ended_first = enrollment.end_date and window.timepoint != Timepoint.DISCHARGE
        if taken_on is not None:
            status = Status.DONE if window.holds(taken_on) else Status.DONE_LATE
        elif ended_first and enrollment.end_date < window.opens:
            continue
        elif today < window.opens:
            status = Status.UPCOMING
        elif today <= window.closes:
            status = Status.DUE
        elif (today - window.closes).days <= OVERDUE_FOR_DAYS and not enrollment.end_date:
            status = Status.OVERDUE
        else:
            status = Status.MISSED
        result.append(TimepointStatus(window, status, taken_on))
    return result
