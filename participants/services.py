import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record, save_form_with_audit

from .models import (
    Addendum,
    CaseloadAssignment,
    Coverage,
    Enrollment,
    Goal,
    GoalStatusChange,
    GroupSession,
    NoteEvent,
    Participant,
    RecoveryPlan,
    SessionNote,
)
from .notes import submission_errors


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


# --- Session notes ----------------------------------------------------------------------


class NoteRuleError(ValidationError):
    """The note breaks submission rules; `message_dict` maps fields to messages."""


def _snapshot(note: SessionNote) -> dict:
    return {
        "date": str(note.date),
        "start_time": str(note.start_time),
        "end_time": str(note.end_time),
        "modality": note.modality,
        "place_of_service": note.place_of_service,
        "service_types": list(note.service_types),
        "goals_addressed": sorted(note.goals_addressed.values_list("pk", flat=True)),
        "intervention": note.intervention,
        "response": note.response,
        "next_steps": note.next_steps,
    }


def note_save_draft(*, form, participant: Participant, author: User, request: HttpRequest) -> SessionNote:
    """Save what has been typed so far. Only drafts and returned notes can change."""
    with transaction.atomic():
        note = form.save(commit=False)
        if note.pk:
            locked = SessionNote.objects.select_for_update().get(pk=note.pk)
            if locked.status not in SessionNote.EDITABLE or locked.author_id != author.pk:
                raise ValidationError("This note can no longer be edited.")
        is_new = note.pk is None
        note.participant = participant
        note.author = author
        note.updated_at = timezone.now()
        note.save()
        form.save_m2m()
        if is_new:
            audit_record(action=AuditEvent.Action.CREATE, actor=author, target=note, request=request)
    return note


def _sign(note: SessionNote, *, author: User, request, group_id=None) -> SessionNote:
    errors = submission_errors(note, participant_id=note.participant_id, author_id=author.pk, group_id=group_id)
    if errors:
        raise NoteRuleError(errors)
    profile = getattr(author, "staff_profile", None)
    needs_cosignature = profile is None or profile.requires_cosignature
    resubmitted = note.status == SessionNote.Status.RETURNED
    note.status = SessionNote.Status.SUBMITTED if needs_cosignature else SessionNote.Status.FINAL
    note.signed_at = timezone.now()
    note.signature = author.get_full_name() or author.email
    note.save(update_fields=["status", "signed_at", "signature"])
    action = NoteEvent.Action.SUBMITTED if needs_cosignature else NoteEvent.Action.FINALIZED
    NoteEvent.objects.create(note=note, action=action, actor=author, snapshot=_snapshot(note))
    audit_record(
        action=AuditEvent.Action.UPDATE,
        actor=author,
        target=note,
        request=request,
        details={"status": note.status, "resubmitted": resubmitted},
    )
    return note


def note_submit(*, note: SessionNote, author: User, request: HttpRequest) -> SessionNote:
    """Sign the note as its author. With co-signature required it waits for the supervisor;
    otherwise it is final at once."""
    with transaction.atomic():
        # Lock the author: two submissions at once must not both pass the overlap check.
        User.objects.select_for_update().get(pk=author.pk)
        note = SessionNote.objects.select_for_update().get(pk=note.pk)
        if note.author_id != author.pk or note.status not in SessionNote.EDITABLE:
            raise ValidationError("Only the author submits a draft or returned note.")
        return _sign(note, author=author, request=request, group_id=note.group_id)


def _review(note: SessionNote, *, reviewer: User, to_status: str, event: str, comment: str, request) -> SessionNote:
    with transaction.atomic():
        # Conditional update: of two reviewers acting at once, only the first one counts.
        changes = {"status": to_status}
        if to_status == SessionNote.Status.COSIGNED:
            changes |= {"cosigned_by": reviewer, "cosigned_at": timezone.now()}
        claimed = SessionNote.objects.filter(pk=note.pk, status=SessionNote.Status.SUBMITTED).update(**changes)
        if not claimed:
            raise ValidationError("This note is no longer waiting for review.")
        note.refresh_from_db()
        NoteEvent.objects.create(note=note, action=event, actor=reviewer, comment=comment)
        audit_record(
            action=AuditEvent.Action.UPDATE,
            actor=reviewer,
            target=note,
            request=request,
            details={"status": to_status, "comment": comment},
        )
    return note


def _check_reviewer(note: SessionNote, reviewer: User) -> None:
    if note.author_id == reviewer.pk:
        raise ValidationError("You can't co-sign or return your own note.")
    profile = getattr(note.author, "staff_profile", None)
    if profile is None or profile.supervisor_id != reviewer.pk:
        raise ValidationError("Only the author's supervisor co-signs or returns this note.")


def note_cosign(*, note: SessionNote, reviewer: User, request: HttpRequest) -> SessionNote:
    _check_reviewer(note, reviewer)
    return _review(
        note, reviewer=reviewer, to_status=SessionNote.Status.COSIGNED, event=NoteEvent.Action.COSIGNED,
        comment="", request=request,
    )  # fmt: skip


def note_return(*, note: SessionNote, reviewer: User, comment: str, request: HttpRequest) -> SessionNote:
    _check_reviewer(note, reviewer)
    if not comment.strip():
        raise ValidationError("Say what the author should change.")
    return _review(
        note, reviewer=reviewer, to_status=SessionNote.Status.RETURNED, event=NoteEvent.Action.RETURNED,
        comment=comment.strip(), request=request,
    )  # fmt: skip


def note_add_addendum(*, note: SessionNote, author: User, text: str, request: HttpRequest) -> Addendum:
    if not note.is_locked:
        raise ValidationError("Edit the note itself until it is signed; addenda are for signed notes.")
    with transaction.atomic():
        addendum = Addendum.objects.create(note=note, author=author, text=text)
        audit_record(
            action=AuditEvent.Action.UPDATE,
            actor=author,
            target=note,
            request=request,
            details={"addendum": addendum.pk},
        )
    return addendum


def group_session_create(
    *, group: GroupSession, service_types: list[str], intervention: str, next_steps: str,
    attendees: list[tuple[Participant, str]], submit: bool, author: User, request: HttpRequest,
) -> GroupSession:  # fmt: skip
    """The group and one note per attendee, saved (and, with `submit`, signed) all together.
    Every attendee's note is checked; the first rule broken stops the whole group."""
    with transaction.atomic():
        User.objects.select_for_update().get(pk=author.pk)
        group.facilitator = author
        group.save()
        audit_record(action=AuditEvent.Action.CREATE, actor=author, target=group, request=request)
        for participant, individual_note in attendees:
            note = SessionNote.objects.create(
                participant=participant,
                author=author,
                group=group,
                date=group.date,
                start_time=group.start_time,
                end_time=group.end_time,
                modality=group.modality,
                place_of_service=group.place_of_service,
                service_types=service_types,
                intervention=intervention,
                response=individual_note,
                next_steps=next_steps,
            )
            if submit:
                try:
                    _sign(note, author=author, request=request, group_id=group.pk)
                except NoteRuleError as error:
                    messages = "; ".join(m for ms in error.message_dict.values() for m in ms)
                    raise ValidationError(f"{participant}: {messages}") from error
    return group
