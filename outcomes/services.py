"""Writes to outcomes records. Each service is one transaction that writes its audit row;
views check access first and pass an AuditContext. Audit rows name the fields that changed,
never their values: answers and life status are clinical content."""

import datetime
import json

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import audit_record, save_with_audit
from participants.models import Enrollment

from . import instruments
from .models import LOOKBACK_DAYS, Amendment, Assessment, CheckIn, Instrument, SafetyFlag, Timepoint

ALREADY_RECORDED = "The {what} at {timepoint} is already recorded for this enrollment; amend it instead."


def snapshot(record: Model, fields: list[str]) -> dict:
    return {name: json.loads(json.dumps(getattr(record, name), default=str)) for name in fields}


def _save_once(record, *, what: str, ctx: AuditContext, extra=None):
    """Save a new record; a second one for the same scheduled timepoint is refused, by the
    unique constraint when two arrive at once."""
    try:
        with transaction.atomic():
            record.full_clean(validate_constraints=False)
            record.save()
            if extra:
                extra(record)
            audit_record(action=AuditEvent.Action.CREATE, ctx=ctx, target=record.participant, details={"record": what})
    except IntegrityError as error:
        if "per_timepoint" not in str(error):
            raise
        label = Timepoint(record.timepoint).label.lower()
        raise ValidationError({"timepoint": ALREADY_RECORDED.format(what=what, timepoint=label)}) from error
    return record


# --- Assessments ---------------------------------------------------------------------------


def assessment_record(
    *,
    enrollment: Enrollment,
    instrument: Instrument,
    timepoint: str,
    taken_on: datetime.date,
    answers: dict,
    ctx: AuditContext,
) -> tuple[Assessment, instruments.Score]:
    assessment = Assessment(
        enrollment=enrollment,
        participant_id=enrollment.participant_id,
        instrument=instrument,
        timepoint=timepoint,
        taken_on=taken_on,
        answers=answers,
        recorded_by=ctx.actor,
    )
    assessment.full_clean(exclude=["total", "band"], validate_constraints=False)
    score = assessment.apply_score()

    return _save_once(assessment, what=instrument.code, ctx=ctx, extra=lambda saved: _raise_flags(saved, score)), score


def _raise_flags(assessment: Assessment, score: instruments.Score) -> None:
    """A same-day flag for each the answers call for, once per assessment however often it
    is amended."""
    for flag in score.flags:
        if flag.same_day and not assessment.safety_flags.filter(message=flag.message).exists():
            SafetyFlag.objects.create(
                assessment=assessment, participant_id=assessment.participant_id, message=flag.message
            )


def _amended(record, previous: dict, fields: list[str], reason: str, ctx: AuditContext, *, what: str) -> None:
    """Keep what the record held before, and audit which fields changed (not their values)."""
    owner = {"assessment": record} if isinstance(record, Assessment) else {"check_in": record}
    Amendment.objects.create(**owner, previous=previous, reason=reason.strip(), amended_by=ctx.actor)
    changed = [name for name in fields if previous[name] != snapshot(record, [name])[name]]
    details = {"record": f"{what} {record.pk}", "fields": changed}
    audit_record(action=AuditEvent.Action.UPDATE, ctx=ctx, target=record.participant, details=details)


ASSESSMENT_FIELDS = ["taken_on", "answers", "total", "band", "flags"]


def assessment_amend(
    *, assessment: Assessment, taken_on: datetime.date, answers: dict, reason: str, ctx: AuditContext
) -> Assessment:
    if not reason.strip():
        raise ValidationError({"reason": "Say why this assessment is being changed."})
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().select_related("instrument", "enrollment").get(pk=assessment.pk)
        previous = snapshot(locked, ASSESSMENT_FIELDS)
        locked.taken_on, locked.answers = taken_on, answers
        locked.full_clean(exclude=["total", "band"], validate_constraints=False)
        score = locked.apply_score()
        locked.amended_at = timezone.now()
        locked.save()
        _raise_flags(locked, score)
        _amended(locked, previous, ASSESSMENT_FIELDS, reason, ctx, what=f"{locked.instrument.code} assessment")
    return locked


def safety_flag_follow_up(*, flag: SafetyFlag, note: str, ctx: AuditContext) -> SafetyFlag:
    if not note.strip():
        raise ValidationError({"note": "Write what was done to follow up."})
    with transaction.atomic():
        # A conditional update: two supervisors closing the same flag record one follow-up.
        closed = SafetyFlag.objects.filter(pk=flag.pk, followed_up_at__isnull=True).update(
            followed_up_at=timezone.now(), followed_up_by=ctx.actor, follow_up_note=note.strip()
        )
        if not closed:
            raise ValidationError("Someone has already recorded the follow-up for this flag.")
        flag.refresh_from_db()
        audit_record(
            action=AuditEvent.Action.UPDATE,
            ctx=ctx,
            target=flag.participant,
            details={"record": f"safety flag {flag.pk}"},
        )
    return flag


# --- Check-ins -----------------------------------------------------------------------------

CHECK_IN_FIELDS = ["taken_on", *CheckIn.ANSWERS]


def _set_coverage(check_in: CheckIn) -> None:
    """Intake counts the six months before enrollment. Every other check-in counts from the
    one before it in date order (from the enrollment's start for the first), so the periods
    meet without gap or overlap; `_rechain` keeps the others so after a change."""
    start = check_in.enrollment.start_date
    if check_in.timepoint == Timepoint.INTAKE:
        check_in.covers_from, check_in.covers_until = start - datetime.timedelta(days=LOOKBACK_DAYS), start
        return
    earlier = _follow_ups(check_in.enrollment_id).exclude(pk=check_in.pk).filter(taken_on__lte=check_in.taken_on)
    check_in.covers_from = earlier.values_list("taken_on", flat=True).last() or start
    check_in.covers_until = check_in.taken_on


def _follow_ups(enrollment_id: int):
    """An enrollment's check-ins after intake, in the order their periods follow each other."""
    return (
        CheckIn.objects.filter(enrollment_id=enrollment_id)
        .exclude(timepoint=Timepoint.INTAKE)
        .order_by("taken_on", "pk")
    )


def _rechain(saved: CheckIn) -> None:
    """Recompute every period of the enrollment (a handful of rows) after a check-in is
    recorded or its date changed: an insert, a late intake or a moved date never leaves a
    gap or counts a day twice. A shorter period that no longer holds another check-in's
    count of days refuses the change; that check-in is corrected first."""
    start = saved.enrollment.start_date
    for row in _follow_ups(saved.enrollment_id).select_for_update():
        if (row.covers_from, row.covers_until) != (start, row.taken_on):
            row.covers_from, row.covers_until = start, row.taken_on
            if errors := row.day_count_errors():
                raise ValidationError(
                    {
                        "taken_on": f"On this date the {row} would cover only {row.days_covered} days, "
                        f"fewer than it counts ({' '.join(errors.values())}) Amend that check-in first."
                    }
                )
            CheckIn.objects.filter(pk=row.pk).update(covers_from=start, covers_until=row.taken_on)
        start = row.taken_on


def check_in_record(*, check_in: CheckIn, enrollment: Enrollment, ctx: AuditContext) -> CheckIn:
    check_in.enrollment = enrollment
    check_in.participant_id = enrollment.participant_id
    check_in.recorded_by = ctx.actor
    if check_in.taken_on:
        _set_coverage(check_in)
    return _save_once(check_in, what="check-in", ctx=ctx, extra=_rechain)


def check_in_amend(*, check_in: CheckIn, changes: dict, reason: str, ctx: AuditContext) -> CheckIn:
    if not reason.strip():
        raise ValidationError({"reason": "Say why this check-in is being changed."})
    with transaction.atomic():
        locked = CheckIn.objects.select_for_update().select_related("enrollment").get(pk=check_in.pk)
        previous = snapshot(locked, CHECK_IN_FIELDS)
        for name, value in changes.items():
            if name in CHECK_IN_FIELDS:
                setattr(locked, name, value)
        _set_coverage(locked)
        locked.amended_at = timezone.now()
        locked.full_clean(validate_constraints=False)
        locked.save()
        _rechain(locked)
        _amended(locked, previous, CHECK_IN_FIELDS, reason, ctx, what="check-in")
    return locked


# --- Definitions and settings --------------------------------------------------------------


def instrument_load(*, data: dict, ctx: AuditContext) -> tuple[Instrument, bool]:
    """Load a definition; (instrument, created). Loading the same version again is a no-op,
    but a changed definition under a version already loaded is refused: assessments taken
    with it would no longer match it."""
    spec = instruments.parse(data)
    with transaction.atomic():
        existing = Instrument.objects.select_for_update().filter(code=spec.code, version=spec.version).first()
        if existing is not None:
            if existing.definition != data:
                raise ValidationError(
                    f"{spec.code} version {spec.version} is already loaded with a different definition. "
                    "Give the changed definition a new version number."
                )
            return existing, False
        instrument = Instrument.objects.create(code=spec.code, version=spec.version, name=spec.name, definition=data)
        Instrument.objects.filter(code=spec.code, version__lt=spec.version).update(is_active=False)
        audit_record(action=AuditEvent.Action.CREATE, ctx=ctx, target=instrument)
    return instrument, True


def unit_costs_save(*, unit_costs, ctx: AuditContext):
    unit_costs.updated_by = ctx.actor
    unit_costs.updated_at = timezone.now()
    return save_with_audit(unit_costs, ctx=ctx)
