import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import audit_record, save_with_audit

from . import selectors
from .access import visible_participants
from .models import (
    CaseloadAssignment,
    Coverage,
    Enrollment,
    Goal,
    GoalStatusChange,
    Participant,
    RecoveryPlan,
)


def participant_intake(
    *,
    participant: Participant,
    enrollment: Enrollment,
    specialist: User,
    coverage: Coverage | None,
    ctx: AuditContext,
) -> Participant:
    """Create the participant, their first enrollment, assignment to `specialist` and
    (optionally) coverage together: an intake is saved whole or not at all."""
    with transaction.atomic():
        participant.created_by = ctx.actor
        participant.full_clean()
        participant.save()
        enrollment.participant = participant
        enrollment.full_clean()
        enrollment.save()
        CaseloadAssignment.objects.create(
            participant=participant,
            specialist=specialist,
            started_on=enrollment.start_date,
            reason="Intake",
            assigned_by=ctx.actor,
        )
        if coverage is not None:
            coverage.participant = participant
            coverage.full_clean()
            coverage.save()
        audit_record(action=AuditEvent.Action.CREATE, ctx=ctx, target=participant)
    return participant


# Enough to tell a person "check before saving"; a longer list is a search, not a check.
DUPLICATE_CHECK_LIMIT = 20


def intake_duplicate_check(
    *, first_name: str, last_name: str, date_of_birth: datetime.date, member_id: str, ctx: AuditContext
) -> tuple[list[Participant], bool]:
    """The possible matches for an intake that the user may see, and whether others exist
    outside their scope. Those others are never named: that a person is a participant, here
    possibly in a substance-use program, is itself protected (42 CFR 2.13(c), 45 CFR 164.502(b)).
    Every match is a read of someone's record, so each is written to the audit log, with the
    fields compared but not the values typed (45 CFR 164.312(b))."""
    matches = list(
        selectors.possible_duplicates(
            first_name=first_name, last_name=last_name, date_of_birth=date_of_birth, member_id=member_id
        ).order_by("pk")[:DUPLICATE_CHECK_LIMIT]
    )
    visible = set(visible_participants(ctx.actor).filter(pk__in=[m.pk for m in matches]).values_list("pk", flat=True))
    fields = ["first_name", "last_name", "date_of_birth"] + (["member_id"] if member_id else [])
    with transaction.atomic():
        for match in matches:
            details = {"via": "intake duplicate check", "compared": fields, "outside_scope": match.pk not in visible}
            audit_record(action=AuditEvent.Action.VIEW, ctx=ctx, target=match, details=details)
    return [m for m in matches if m.pk in visible], len(visible) < len(matches)


def _reassign(participant: Participant, to: User, *, reason: str, on: datetime.date, ctx: AuditContext) -> None:
    current = participant.assignments.current().select_for_update().first()
    if current is not None and current.specialist_id == to.pk:
        raise ValidationError(f"{participant} is already on {to}'s caseload.")
    if current is not None:
        current.ended_on = on
        current.save(update_fields=["ended_on"])
    CaseloadAssignment.objects.create(
        participant=participant, specialist=to, started_on=on, reason=reason, assigned_by=ctx.actor
    )
    audit_record(
        action=AuditEvent.Action.UPDATE,
        ctx=ctx,
        target=participant,
        details={
            "reassigned": {
                "from": current.specialist.email if current else "",
                "to": to.email,
                "reason": reason,
            }
        },
    )


def assignment_change(*, participant: Participant, to: User, reason: str, ctx: AuditContext) -> None:
    with transaction.atomic():
        _reassign(participant, to, reason=reason, on=timezone.localdate(), ctx=ctx)


def caseload_transfer(*, moves: list[tuple[Participant, User]], reason: str, ctx: AuditContext) -> int:
    """Move each chosen participant to their new specialist in one transaction: either the
    whole transfer happens or none of it."""
    today = timezone.localdate()
    with transaction.atomic():
        for participant, to in moves:
            _reassign(participant, to, reason=reason, on=today, ctx=ctx)
    return len(moves)


def coverage_save(*, coverage: Coverage, ctx: AuditContext) -> Coverage:
    """Save a coverage. The participant row is locked first, so two people adding coverage
    at once can't both pass the overlap check (save_with_audit runs it, in full_clean)."""
    with transaction.atomic():
        Participant.objects.select_for_update().get(pk=coverage.participant_id)
        return save_with_audit(coverage, ctx=ctx)


def enrollment_discharge(
    *, enrollment: Enrollment, end_date: datetime.date, reason: str, note: str, ctx: AuditContext
) -> Enrollment:
    with transaction.atomic():
        enrollment.end_date = end_date
        enrollment.discharge_reason = reason
        enrollment.discharge_note = note
        enrollment.full_clean()
        enrollment.save(update_fields=["end_date", "discharge_reason", "discharge_note"])
        audit_record(
            action=AuditEvent.Action.UPDATE,
            ctx=ctx,
            target=enrollment.participant,
            details={"discharged": {"program": str(enrollment.program), "on": str(end_date), "reason": reason}},
        )
    return enrollment


def goal_status_change(*, goal: Goal, to_status: str, note: str, ctx: AuditContext) -> Goal:
    if goal.status == to_status:
        raise ValidationError("The goal already has this status.")
    from_status = goal.status
    with transaction.atomic():
        GoalStatusChange.objects.create(
            goal=goal, from_status=from_status, to_status=to_status, note=note, changed_by=ctx.actor
        )
        goal.status = to_status
        goal.save(update_fields=["status"])
        audit_record(
            action=AuditEvent.Action.UPDATE,
            ctx=ctx,
            target=goal.plan.participant,
            details={"goal": goal.pk, "status": [from_status, to_status], "note": note},
        )
    return goal


SIGNERS = ("participant", "specialist", "supervisor")


def plan_sign(
    *, plan: RecoveryPlan, signer: str, name: str, signed_on: datetime.date, ctx: AuditContext
) -> RecoveryPlan:
    """Record one signature: the participant's typed name, or a staff member's own (the
    staff signer is `ctx.actor`)."""
    if signed_on > timezone.localdate():
        raise ValidationError("A signature can't be dated in the future.")
    if signed_on < plan.started_on:
        raise ValidationError("A signature can't be dated before the plan started.")
    with transaction.atomic():
        setattr(plan, f"{signer}_signature", name)
        setattr(plan, f"{signer}_signed_on", signed_on)
        fields = [f"{signer}_signature", f"{signer}_signed_on"]
        if signer != "participant":
            setattr(plan, f"{signer}_signed_by", ctx.actor)
            fields.append(f"{signer}_signed_by")
        plan.save(update_fields=fields)
        audit_record(
            action=AuditEvent.Action.UPDATE,
            ctx=ctx,
            target=plan.participant,
            details={"plan_signed_by": signer, "name": name, "on": str(signed_on)},
        )
    return plan


def plan_review(*, plan: RecoveryPlan, reviewed_on: datetime.date, ctx: AuditContext) -> RecoveryPlan:
    with transaction.atomic():
        plan.last_reviewed_on = reviewed_on
        plan.full_clean()
        plan.save(update_fields=["last_reviewed_on"])
        audit_record(
            action=AuditEvent.Action.UPDATE,
            ctx=ctx,
            target=plan.participant,
            details={"plan_reviewed_on": str(reviewed_on)},
        )
    return plan


def goal_create(*, goal: Goal, ctx: AuditContext) -> Goal:
    """A new goal starts its status history as 'active'."""
    with transaction.atomic():
        save_with_audit(goal, ctx=ctx)
        GoalStatusChange.objects.create(goal=goal, from_status="", to_status=goal.status, changed_by=ctx.actor)
    return goal
