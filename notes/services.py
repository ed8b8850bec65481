"""Writes to session notes. Each service takes the acting user in an AuditContext and writes
its audit row in the same transaction; permissions are checked by the views before."""

import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone

from accounts.models import User
from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import audit_record
from participants.models import Goal, Participant

from .models import Addendum, GroupSession, NoteEvent, Service, SessionNote
from .rules import submission_errors


class NoteRuleError(ValidationError):
    """The note breaks submission rules; `message_dict` maps fields to messages."""


class NoteNotEditable(ValidationError):
    """The note is no longer a draft or returned note of the acting user (it was signed,
    perhaps by an earlier send of the same page, or discarded)."""


class NoteConflict(ValidationError):
    """Another tab or device saved the note after this page loaded it: nothing is written."""

    def __init__(self, stored: SessionNote):
        when = formats.time_format(timezone.localtime(stored.updated_at), "g:i A")
        super().__init__(
            f"This draft changed elsewhere (another tab or device) at {when}. "
            "Reload to see it; what you typed here is kept on this page."
        )


class GroupAlreadyMade(ValidationError):
    """A re-sent group form: the group its key names exists already."""

    def __init__(self, group: GroupSession):
        super().__init__(f"“{group.topic}” was already saved.")
        self.group = group


def note_for_key(*, author: User, client_key: uuid.UUID | None) -> SessionNote | None:
    """The note an earlier send of the same editor page made, if any."""
    if client_key is None:
        return None
    return SessionNote.objects.filter(author=author, client_key=client_key).first()


def _snapshot(note: SessionNote, goals: Iterable[Goal] | None = None) -> dict:
    """What a note says, for the history and to compare saves. `goals`: the goals the note is
    being saved with, when the caller has them (not read again)."""
    goal_ids = note.goals_addressed.values_list("pk", flat=True) if goals is None else (g.pk for g in goals)
    return {
        "date": str(note.date),
        "start_time": str(note.start_time),
        "end_time": str(note.end_time),
        "modality": note.modality,
        "place_of_service": note.place_of_service,
        "service": note.service,
        "service_types": sorted(note.service_types),  # ticked boxes: their order says nothing
        "goals_addressed": sorted(goal_ids),
        "intervention": note.intervention,
        "response": note.response,
        "next_steps": note.next_steps,
    }


def note_save_draft(
    *,
    note: SessionNote,
    participant: Participant,
    goals: Iterable[Goal],
    ctx: AuditContext,
    version: int | None = None,
    client_key: uuid.UUID | None = None,
) -> SessionNote:
    """Save what has been typed so far, as the acting user's draft. Only the author's drafts
    and returned notes can change; the stored row is locked and checked, not the copy given.

    `version` is the one the page loaded (None: the page never learnt one, because the
    answer to its first save was lost; its `client_key` found the note). `client_key` names
    the page: a new note keeps it, so a re-sent first save finds this note instead of making
    a second one."""
    try:
        return _save_draft(note, participant, goals, ctx, version=version, client_key=client_key)
    except IntegrityError:
        # Two sends of one page at once (a double tap, a retry while the first was still on
        # its way): the unique (author, client_key) index made the second insert wait for the
        # first to commit, then refused it. The second is the same page, so it updates the note
        # the first made, checked like any other save.
        existing = note_for_key(author=ctx.actor, client_key=client_key)
        if existing is None:
            raise
        note.pk, note.created_at = existing.pk, existing.created_at
        note._state.adding = False
        return _save_draft(note, participant, goals, ctx, version=version, client_key=client_key)


def _save_draft(note, participant, goals, ctx, *, version, client_key) -> SessionNote:
    author = ctx.actor
    with transaction.atomic():
        is_new = note.pk is None
        if is_new:
            note.client_key, note.version = client_key, 1
        else:
            locked = SessionNote.objects.select_for_update().get(pk=note.pk)
            if locked.status not in SessionNote.EDITABLE or locked.author_id != author.pk:
                raise NoteNotEditable("This note can no longer be edited.")
            if version is not None and locked.version != version:
                if version and _holds(locked, note, goals):  # 0: the page sent no version
                    return locked  # a re-send of a save that went through (its answer was lost)
                raise NoteConflict(locked)
            note.version = locked.version + 1
            note.client_key = locked.client_key or client_key
            before = _snapshot(locked)
        note.participant = participant
        note.author = author
        note.status = SessionNote.Status.DRAFT if is_new else locked.status
        note.updated_at = timezone.now()
        with transaction.atomic():  # a savepoint: a duplicate key leaves the outer block usable
            note.save()
        # An autosave mostly changes the text: the goals are written only when they differ.
        if is_new or before["goals_addressed"] != sorted(g.pk for g in goals):
            note.goals_addressed.set(goals)
        if is_new:
            audit_record(action=AuditEvent.Action.CREATE, ctx=ctx, target=note)
        else:
            # Every change to a draft, autosave included, is one row naming the fields that
            # changed, never their text: the text is PHI and stays in the note's history.
            after = _snapshot(note, goals)
            changed = [name for name, value in after.items() if before[name] != value]
            audit_record(action=AuditEvent.Action.UPDATE, ctx=ctx, target=note, details={"draft": changed})
    return note


def _holds(stored: SessionNote, note: SessionNote, goals: Iterable[Goal]) -> bool:
    """The stored note already says all that `note` with `goals` would write: the phone sent
    the same save twice (the outbox retries one whose answer it never saw). Nothing to write,
    and nothing changed elsewhere."""
    return _snapshot(stored) == _snapshot(note, goals)


def note_discard(*, note: SessionNote, ctx: AuditContext) -> SessionNote:
    """Set a draft aside: kept (clinical records are never deleted) but never signed, never
    billed, and out of the author's lists and counts. The history says who and when."""
    with transaction.atomic():
        locked = SessionNote.objects.select_for_update().get(pk=note.pk)
        if locked.author_id != ctx.actor.pk or locked.status != SessionNote.Status.DRAFT:
            raise NoteNotEditable("Only a draft of yours can be discarded.")
        locked.status = SessionNote.Status.DISCARDED
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "version", "updated_at"])
        NoteEvent.objects.create(note=locked, action=NoteEvent.Action.DISCARDED, actor=ctx.actor)
        audit_record(action=AuditEvent.Action.UPDATE, ctx=ctx, target=locked, details={"status": locked.status})
    return locked


def _sign(note: SessionNote, *, ctx: AuditContext, group_id=None) -> SessionNote:
    author = ctx.actor
    errors = submission_errors(note, participant_id=note.participant_id, author_id=author.pk, group_id=group_id)
    if errors:
        raise NoteRuleError(errors)
    profile = getattr(author, "staff_profile", None)
    needs_cosignature = profile is None or profile.requires_cosignature
    resubmitted = note.status == SessionNote.Status.RETURNED
    note.status = SessionNote.Status.SUBMITTED if needs_cosignature else SessionNote.Status.FINAL
    note.signed_at = timezone.now()
    note.signature = author.get_full_name() or author.email
    note.version += 1
    note.save(update_fields=["status", "signed_at", "signature", "version"])
    action = NoteEvent.Action.SUBMITTED if needs_cosignature else NoteEvent.Action.FINALIZED
    NoteEvent.objects.create(note=note, action=action, actor=author, snapshot=_snapshot(note))
    audit_record(
        action=AuditEvent.Action.UPDATE,
        ctx=ctx,
        target=note,
        details={"status": note.status, "resubmitted": resubmitted},
    )
    return note


def note_submit(*, note: SessionNote, ctx: AuditContext) -> SessionNote:
    """Sign the note as its author. With co-signature required it waits for the supervisor;
    otherwise it is final at once."""
    with transaction.atomic():
        # Lock the author: two submissions at once must not both pass the overlap check.
        User.objects.select_for_update().get(pk=ctx.actor.pk)
        note = SessionNote.objects.select_for_update().get(pk=note.pk)
        if note.author_id != ctx.actor.pk or note.status not in SessionNote.EDITABLE:
            raise NoteNotEditable("Only the author submits a draft or returned note.")
        return _sign(note, ctx=ctx, group_id=note.group_id)


def _review(note: SessionNote, *, to_status: str, event: str, comment: str, ctx: AuditContext) -> SessionNote:
    reviewer = ctx.actor
    if note.author_id == reviewer.pk:
        raise ValidationError("You can't co-sign or return your own note.")
    profile = getattr(note.author, "staff_profile", None)
    if profile is None or profile.supervisor_id != reviewer.pk:
        raise ValidationError("Only the author's supervisor co-signs or returns this note.")
    with transaction.atomic():
        # Conditional update: of two reviewers acting at once, only the first one counts.
        changes = {"status": to_status, "version": F("version") + 1}
        if to_status == SessionNote.Status.COSIGNED:
            changes |= {"cosigned_by": reviewer, "cosigned_at": timezone.now()}
        claimed = SessionNote.objects.filter(pk=note.pk, status=SessionNote.Status.SUBMITTED).update(**changes)
        if not claimed:
            raise ValidationError("This note is no longer waiting for review.")
        note.refresh_from_db()
        NoteEvent.objects.create(note=note, action=event, actor=reviewer, comment=comment)
        # The comment's text stays on the note's history; the audit row only says there was one.
        details = {"status": to_status, "fields": ["comment"] if comment else []}
        audit_record(action=AuditEvent.Action.UPDATE, ctx=ctx, target=note, details=details)
    return note


def note_cosign(*, note: SessionNote, ctx: AuditContext) -> SessionNote:
    return _review(note, to_status=SessionNote.Status.COSIGNED, event=NoteEvent.Action.COSIGNED, comment="", ctx=ctx)


def note_return(*, note: SessionNote, comment: str, ctx: AuditContext) -> SessionNote:
    if not comment.strip():
        raise ValidationError("Say what the author should change.")
    return _review(
        note, to_status=SessionNote.Status.RETURNED, event=NoteEvent.Action.RETURNED, comment=comment.strip(), ctx=ctx
    )


def note_add_addendum(*, note: SessionNote, text: str, ctx: AuditContext) -> Addendum:
    if not note.is_locked:
        raise ValidationError("Edit the note itself until it is signed; addenda are for signed notes.")
    with transaction.atomic():
        addendum = Addendum.objects.create(note=note, author=ctx.actor, text=text)
        audit_record(action=AuditEvent.Action.UPDATE, ctx=ctx, target=note, details={"addendum": addendum.pk})
    return addendum


def group_session_create(
    *,
    group: GroupSession,
    service_types: list[str],
    intervention: str,
    next_steps: str,
    attendees: list[tuple[Participant, str, list[Goal]]],
    max_size: int | None,
    submit: bool,
    ctx: AuditContext,
    service: str = Service.PEER_SUPPORT,
    client_key: uuid.UUID | None = None,
) -> GroupSession:
    """The group and one note per attendee (with how they took part and the plan goals it
    served), saved (and, with `submit`, signed) all together.
    Every attendee's note is checked; the first rule broken stops the whole group.
    `max_size` is the group-size limit of the service code that bills the group (None: no
    code, so no limit of a payer's applies). Every attendee's note records `service`.
    A re-sent form (its `client_key` made a group already) makes nothing: GroupAlreadyMade."""
    if max_size is not None and len(attendees) > max_size:
        label = Service(service).label.lower()
        raise ValidationError(f"A {label} group has at most {max_size} attendees; you chose {len(attendees)}.")
    # One note per person per group: a second note for the same service would bill it twice.
    seen = set()
    for participant, *_ in attendees:
        if participant.pk in seen:
            raise ValidationError(f"{participant} is listed twice. List each attendee once.")
        seen.add(participant.pk)
    author = ctx.actor
    with transaction.atomic():
        # The author's lock also serializes two sends of one form: the second finds the first's group.
        User.objects.select_for_update().get(pk=author.pk)
        made = GroupSession.objects.filter(facilitator=author, client_key=client_key).first() if client_key else None
        if made is not None:
            raise GroupAlreadyMade(made)
        group.facilitator = author
        group.client_key = client_key
        group.save()
        audit_record(action=AuditEvent.Action.CREATE, ctx=ctx, target=group)
        for participant, individual_note, goals in attendees:
            note = SessionNote.objects.create(
                participant=participant,
                author=author,
                group=group,
                date=group.date,
                start_time=group.start_time,
                end_time=group.end_time,
                modality=group.modality,
                place_of_service=group.place_of_service,
                service=service,
                service_types=service_types,
                intervention=intervention,
                response=individual_note,
                next_steps=next_steps,
            )
            note.goals_addressed.set(goals)
            if submit:
                try:
                    _sign(note, ctx=ctx, group_id=group.pk)
                except NoteRuleError as error:
                    messages = "; ".join(m for ms in error.message_dict.values() for m in ms)
                    raise ValidationError(f"{participant}: {messages}") from error
    return group
