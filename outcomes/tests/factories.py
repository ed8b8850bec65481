"""Helpers for outcomes tests: instruments as shipped, and records written the way the
pages write them (through the services), so stored scores and coverage are real."""

import datetime
import importlib

from django.apps import apps

from audit.context import AuditContext
from outcomes.models import CheckIn, Instrument, Timepoint
from outcomes.services import assessment_record, check_in_record
from participants.models import Enrollment


def load_shipped_instruments() -> None:
    """Migration 0002 loads the shipped instruments, but a transactional test (a browser test,
    a race) flushes every table when it ends, and them with it. Load them again: the
    migration's get_or_create makes this harmless when they are there."""
    importlib.import_module("outcomes.migrations.0002_shipped_instruments").load(apps, None)


def instrument(code: str) -> Instrument:
    """A shipped instrument."""
    found = Instrument.objects.filter(code=code, is_active=True).first()
    if found is None:
        load_shipped_instruments()
        found = Instrument.objects.get(code=code, is_active=True)
    return found


def answers_totalling(code: str, total: int) -> dict[str, int]:
    """Answers to `code` adding up to `total`, filling items from the first, each with the
    highest value its scale allows until the total is reached."""
    spec = instrument(code).spec
    remaining = total - spec.lowest
    answers = {}
    for item in spec.items:
        low, high = min(item.values), max(item.values)
        step = min(high - low, remaining)
        value = next(v for v in sorted(item.values) if v - low >= step) if step else low
        answers[str(item.number)] = value
        remaining -= value - low
    assert remaining == 0, f"{code} can't total {total}"
    return answers


def record_assessment(enrollment: Enrollment, code: str, *, total: int, timepoint=Timepoint.INTAKE, taken_on=None, by):
    assessment, _ = assessment_record(
        enrollment=enrollment,
        instrument=instrument(code),
        timepoint=timepoint,
        taken_on=taken_on or enrollment.start_date,
        answers=answers_totalling(code, total),
        ctx=AuditContext(actor=by),
    )
    return assessment


CHECK_IN_DEFAULTS = {
    "housing": CheckIn.Housing.SHELTER,
    "employment": CheckIn.Employment.LOOKING,
    "social_support": CheckIn.Agreement.UNDECIDED,
}


def record_check_in(
    enrollment: Enrollment, *, timepoint=Timepoint.INTAKE, taken_on: datetime.date | None = None, by, **fields
) -> CheckIn:
    check_in = CheckIn(timepoint=timepoint, taken_on=taken_on or enrollment.start_date, **(CHECK_IN_DEFAULTS | fields))
    return check_in_record(check_in=check_in, enrollment=enrollment, ctx=AuditContext(actor=by))
