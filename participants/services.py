import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record, save_form_with_audit

from .models import CaseloadAssignment, Coverage, Enrollment, Goal, GoalStatusChange, Participant, RecoveryPlan


def participant_intake(
    *,
    participant: Participant,
    enrollment: Enrollment,
    specialist: User,
    coverage: Coverage | None,
    actor: User,
    request: HttpRequest,
) -> Participant:
    """Create the participant, their first enrollment, assignment and (optionally) coverage
    together: an intake is saved whole or not at all."""
    with transaction.atomic():
        participant.created_by = actor
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
            assigned_by=actor,
        )
        if coverage is not None:
            coverage.participant = participant
            coverage.full_clean()
            coverage.save()
        audit_record(action=AuditEvent.Action.CREATE, actor=actor, target=participant, request=request)
    return participant


def _reassign(participant: Participant, to: User, *, reason: str, actor: User, on: datetime.date, request) -> None:
    current = participant.assignments.select_for_update().filter(ended_on__isnull=True).first()
    if current is not None and current.specialist_id == to.pk:
        raise ValidationError(f"{participant} is already on {to}'s caseload.")
    if current is not None:
        current.ended_on = on
        current.save(update_fields=["ended_on"])
    CaseloadAssignment.objects.create(
        participant=participant, specialist=to, started_on=on, reason=reason, assigned_by=actor
    )
    audit_record(
        action=AuditEvent.Action.UPDATE,
        actor=actor,
        target=participant,
        request=request,
        details={
            "reassigned": {
                "from": current.specialist.email if current else "",
                "to": to.email,
                "reason": reason,
            }
        },
    )


def assignment_change(*, participant: Participant, to: User, reason: str, actor: User, request: HttpRequest) -> None:
    with transaction.atomic():
        _reassign(participant, to, reason=reason, actor=actor, on=timezone.localdate(), request=request)


def caseload_transfer(*, moves: list[tuple[Participant, User]], reason: str, actor: User, request: HttpRequest) -> int:
    """Move each chosen participant to their new specialist in one transaction: either the
    whole transfer happens or none of it."""
    today = timezone.localdate()
    with transaction.atomic():
        for participant, to in moves:
            _reassign(participant, to, reason=reason, actor=actor, on=today, request=request)
    return len(moves)


def coverage_save(form, *, actor: User, request: HttpRequest) -> Coverage:
    """Save a coverage. The participant row is locked first, so two people adding coverage
    at once can't both pass the overlap check."""
    with transaction.atomic():
        Participant.objects.select_for_update().get(pk=form.instance.participant_id)
        form.instance.full_clean()
        return save_form_with_audit(form, actor=actor, request=request)


def enrollment_discharge(
    *, enrollment: Enrollment, end_date: datetime.date, reason: str, note: str, actor: User, request: HttpRequest
) -> Enrollment:
    with transaction.atomic():
        enrollment.end_date = end_date
        enrollment.discharge_reason = reason
        enrollment.discharge_note = note
        enrollment.full_clean()
        enrollment.save(update_fields=["end_date", "discharge_reason", "discharge_note"])
        audit_record(
            action=AuditEvent.Action.UPDATE,
            actor=actor,
            target=enrollment.participant,
            request=request,
            details={"discharged": {"program": str(enrollment.program), "on": str(end_date), "reason": reason}},
        )
    return enrollment


def goal_status_change(*, goal: Goal, to_status: str, note: str, actor: User, request: HttpRequest) -> Goal:
    if goal.status == to_status:
        raise ValidationError("The goal already has this status.")
    from_status = goal.status
    with transaction.atomic():
        GoalStatusChange.objects.create(
            goal=goal, from_status=from_status, to_status=to_status, note=note, changed_by=actor
        )
        goal.status = to_status
        goal.save(update_fields=["status"])
        audit_record(
            action=AuditEvent.Action.UPDATE,
            actor=actor,
            target=goal.plan.participant,
            request=request,
            details={"goal": goal.pk, "status": [from_status, to_status], "note": note},
        )
    return goal


SIGNERS = ("participant", "specialist", "supervisor")


def plan_sign(
    *, plan: RecoveryPlan, signer: str, name: str, signed_on: datetime.date, actor: User, request: HttpRequest
) -> RecoveryPlan:
    """Record one signature: the participant's typed name, or a staff member's own."""
    if signed_on > timezone.localdate():
        raise ValidationError("A signature can't be dated in the future.")
    if signed_on < plan.started_on:
        raise ValidationError("A signature can't be dated before the plan started.")
    with transaction.atomic():
        setattr(plan, f"{signer}_signature", name)
        setattr(plan, f"{signer}_signed_on", signed_on)
        fields = [f"{signer}_signature", f"{signer}_signed_on"]
        if signer != "participant":
            setattr(plan, f"{signer}_signed_by", actor)
            fields.append(f"{signer}_signed_by")
        plan.save(update_fields=fields)
        audit_record(
            action=AuditEvent.Action.UPDATE,
            actor=actor,
            target=plan.participant,
            request=request,
            details={"plan_signed_by": signer, "name": name, "on": str(signed_on)},
        )
    return plan


def plan_review(*, plan: RecoveryPlan, reviewed_on: datetime.date, actor: User, request: HttpRequest) -> RecoveryPlan:
    with transaction.atomic():
        plan.last_reviewed_on = reviewed_on
        plan.full_clean()
        plan.save(update_fields=["last_reviewed_on"])
        audit_record(
            action=AuditEvent.Action.UPDATE,
            actor=actor,
            target=plan.participant,
            request=request,
            details={"plan_reviewed_on": str(reviewed_on)},
        )
    return plan


def goal_create(form, *, actor: User, request: HttpRequest) -> Goal:
    """A new goal starts its status history as 'active'."""
    with transaction.atomic():
        goal = save_form_with_audit(form, actor=actor, request=request)
        GoalStatusChange.objects.create(goal=goal, from_status="", to_status=goal.status, changed_by=actor)
    return goal
