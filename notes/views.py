"""Session notes: the editor (with autosave), signing, the supervisor queue, review and
addenda. The group session form is in peersupport (it needs billing's group-size limit)."""

import uuid

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.roles import Role
from audit.context import AuditContext
from audit.services import audit_read
from participants.access import Need, get_participant_for_user
from participants.models import Participant

from . import desk, selectors, services
from .access import NoteAccess, get_note_for_user
from .forms import AddendumForm, EditorKeysForm, ReviewDecisionForm, SessionNoteForm
from .models import SessionNote, default_places
from .rules import ATTESTATION, COSIGN_ATTESTATION

SIGNED_MESSAGES = {
    SessionNote.Status.FINAL: "Note signed. It is final.",
    SessionNote.Status.SUBMITTED: "Note signed and sent to your supervisor for co-signature.",
}


def _keys(request) -> EditorKeysForm:
    keys = EditorKeysForm(request.POST)
    if not keys.is_valid():
        raise BadRequest("This page is out of date. Reload it.")
    return keys


def _target_note(
    request, participant: Participant, keys: EditorKeysForm, read: SessionNote | None = None
) -> SessionNote | None:
    """The note a post from the editor is for: the one its page already saved (note_id, handed
    back by autosave), else the one an earlier send of the same page made (client_key), else
    none yet. `read`: that note, already read for this user by the caller."""
    if keys.cleaned_data["note_id"]:
        if read is not None and read.pk == keys.cleaned_data["note_id"]:
            note = read
        else:
            note, _ = get_note_for_user(request.user, keys.cleaned_data["note_id"], authoring=True)
        if note.participant_id != participant.pk:
            raise PermissionDenied("That note is for someone else.")
        return note
    return services.note_for_key(author=request.user, client_key=keys.cleaned_data["client_key"])


def _signed_by_this_page(request, note: SessionNote, keys: EditorKeysForm) -> bool:
    key = keys.cleaned_data["client_key"]
    signed = note.status not in (*SessionNote.EDITABLE, SessionNote.Status.DISCARDED)
    return signed and note.author_id == request.user.pk and key is not None and note.client_key == key


def _expected_version(note: SessionNote | None, keys: EditorKeysForm) -> int | None:
    """The version the page loaded. A page may leave it out only for the note it made itself
    (the answer to its first save was lost); a page naming a note without it is refused (0)."""
    version = keys.cleaned_data["version"]
    if version is not None or note is None:
        return version
    return None if note.client_key and note.client_key == keys.cleaned_data["client_key"] else 0


def _already_signed(request, note: SessionNote) -> HttpResponse:
    # A double tap or a retry of a sign that went through: not an error. The phone's sender
    # takes the redirect as success.
    messages.info(request, "This note was already signed.")
    return redirect(reverse("notes:note_detail", args=[note.pk]) + "?signed=1")


def _returned(note: SessionNote | None) -> bool:
    return note is not None and note.status == SessionNote.Status.RETURNED


def _editor(request, participant, note, form, status: int = 200, **extra) -> HttpResponse:
    keys = extra.pop("keys", None)
    posted_key = keys.cleaned_data.get("client_key") if keys is not None and keys.is_bound else None
    context = {
        # The server holds what this page shows (just saved), so the browser's copy can go.
        "server_has_it": extra.pop("server_has_it", False) or bool(request.GET.get("saved")),
        "participant": participant,
        "note": note,
        "form": form,
        "client_key": posted_key or (note and note.client_key) or uuid.uuid4(),
        "version": extra.pop("version", note.version if note else ""),
        "attested": bool(request.POST.get("attest")),
        "attestation": ATTESTATION,
        "default_places": default_places(),
        # Shown on a returned note only: a draft's page does not ask.
        "returned_comment": note.events.filter(action="returned").last() if _returned(note) else None,
        # A payer's 271 said a coverage is inactive: seen before the note is written (issue 13).
        "coverage_flags": [c.inactive_flag for c in participant.coverages.all() if c.inactive_flag],
        **extra,
    }
    return render(request, "notes/note_form.html", context, status=status)


@role_required(Role.PEER_SPECIALIST)
def note_new(request: HttpRequest, pk: int) -> HttpResponse:
    participant = get_participant_for_user(request.user, pk, Need.EDIT).participant
    if request.method == "POST":
        keys = _keys(request)
        return _note_post(request, participant, _target_note(request, participant, keys), keys)
    drafts = selectors.drafts_for(request.user, participant)
    if drafts and not request.GET.get("another"):
        return render(request, "notes/note_drafts.html", {"participant": participant, "drafts": drafts})
    last = selectors.last_note_for(participant, author=request.user)
    form = SessionNoteForm(participant=participant, last=last)
    return _editor(request, participant, None, form, prefilled_from=last)


@role_required(Role.PEER_SPECIALIST)
def note_edit(request: HttpRequest, note_pk: int) -> HttpResponse:
    note, access = get_note_for_user(request.user, note_pk, authoring=True)
    if request.method == "POST":
        return _note_post(request, note.participant, note, _keys(request))
    if not access.edit:
        raise PermissionDenied("Only the author edits a draft or returned note; signed notes take addenda.")
    return _editor(request, note.participant, note, SessionNoteForm(instance=note, participant=note.participant))


def _save_draft(form: SessionNoteForm, participant: Participant, keys, ctx: AuditContext, note) -> SessionNote:
    return services.note_save_draft(
        note=form.instance,
        participant=participant,
        goals=form.cleaned_data["goals_addressed"],
        version=_expected_version(note, keys),
        client_key=keys.cleaned_data["client_key"],
        ctx=ctx,
    )


def _note_post(request, participant: Participant, note: SessionNote | None, keys) -> HttpResponse:
    if note is not None and not NoteAccess.for_user(request.user, note).edit:
        if _signed_by_this_page(request, note, keys):
            return _already_signed(request, note)
        raise PermissionDenied("This note can no longer be edited.")
    form = SessionNoteForm(request.POST, instance=note, participant=participant)
    if not form.is_valid():
        return _editor(request, participant, note, form, status=400, keys=keys, version=keys.cleaned_data["version"])
    ctx = AuditContext.from_request(request)
    try:
        note = _save_draft(form, participant, keys, ctx, note)
        if request.POST.get("action") == "submit" and request.POST.get("attest"):
            note = services.note_submit(note=note, ctx=ctx)
    except services.NoteRuleError as error:
        return _refused(request, participant, note, form, error, keys=keys, status=400, server_has_it=True)
    except ValidationError as error:
        # form.instance: a racing first send may have made the note while this one waited.
        stored = SessionNote.objects.filter(pk=form.instance.pk).first() if form.instance.pk else None
        if stored is not None and _signed_by_this_page(request, stored, keys):
            return _already_signed(request, stored)
        return _refused(request, participant, note, form, error, keys=keys, status=409)
    return _after_save(request, participant, note, form, keys)


def _refused(request, participant, note, form, error: ValidationError, **kwargs) -> HttpResponse:
    fields = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for field, problems in fields.items():
        form.add_error(field if field in form.fields else None, problems)
    if kwargs["status"] == 409:
        kwargs["version"] = kwargs["keys"].cleaned_data["version"]  # nothing was saved
    return _editor(request, participant, note if note is not None and note.pk else None, form, **kwargs)


def _after_save(request, participant, note: SessionNote, form, keys) -> HttpResponse:
    if request.POST.get("action") != "submit":
        messages.success(request, "Draft saved.")
        return redirect(reverse("notes:note_edit", args=[note.pk]) + "?saved=1")
    if note.status in SessionNote.EDITABLE:
        form.add_error(None, "Tick the attestation to sign and submit the note.")
        return _editor(request, participant, note, form, status=400, server_has_it=True, keys=keys)
    messages.success(request, SIGNED_MESSAGES[note.status])
    return redirect(reverse("notes:note_detail", args=[note.pk]) + "?signed=1")


@require_POST
@role_required(Role.PEER_SPECIALIST)
def note_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: save the draft as it is typed. Answers a small status line, and hands the note's
    id and new version back so the next save updates the same draft. 409 when another tab or
    device saved it since, or it was signed."""
    participant, read = _autosave_participant(request, pk)
    keys = _keys(request)
    note = _target_note(request, participant, keys, read)
    stale = note is not None and not NoteAccess.for_user(request.user, note).edit
    if stale and not _signed_by_this_page(request, note, keys):
        raise PermissionDenied("This note can no longer be edited.")
    form = SessionNoteForm(request.POST, instance=note, participant=participant)
    if not form.is_valid():
        return render(request, "notes/_autosave_status.html", {"error": True, "form": form})
    try:
        note = _save_draft(form, participant, keys, AuditContext.from_request(request), note)
    except ValidationError as error:
        return render(request, "notes/_autosave_status.html", {"refused": error.messages[0]}, status=409)
    response = render(request, "notes/_autosave_status.html", {"note": note, "saved_at": timezone.localtime()})
    response["HX-Replace-Url"] = reverse("notes:note_edit", args=[note.pk])
    return response


def _autosave_participant(request, pk: int) -> tuple[Participant, SessionNote | None]:
    """Whose note the autosave is for, and the draft it names when the user may open it (read
    once per autosave, the commonest request of all). A draft already saved is the author's to
    edit even where the participant's record is not theirs (a group attendee from a shared
    program): the note decides then; a new note needs the participant's record."""
    try:
        note, _ = get_note_for_user(request.user, int(request.POST.get("note_id") or 0), authoring=True)
    except (ValueError, TypeError, Http404):
        note = None
    if note is not None and note.participant_id == pk and note.author_id == request.user.pk:
        return note.participant, note
    return get_participant_for_user(request.user, pk, Need.EDIT).participant, note


@require_POST
@role_required(Role.PEER_SPECIALIST)
def note_discard(request: HttpRequest, note_pk: int) -> HttpResponse:
    note, access = get_note_for_user(request.user, note_pk, authoring=True)
    if not access.edit or note.status != SessionNote.Status.DRAFT:
        raise PermissionDenied("Only a draft of yours can be discarded.")
    services.note_discard(note=note, ctx=AuditContext.from_request(request))
    messages.success(request, f"Draft for {note.participant} discarded. It is kept in the record, never signed.")
    if note.group_id:  # a group attendee's record may not be the author's to open
        return redirect(reverse("notes:my_notes") + "?tab=drafts")
    return redirect("notes:note_new", pk=note.participant_id)


@role_required(Role.PEER_SPECIALIST, Role.SUPERVISOR, Role.BILLING, Role.PROGRAM_ADMIN)
def note_detail(request: HttpRequest, note_pk: int) -> HttpResponse:
    note, access = get_note_for_user(request.user, note_pk)
    context = {
        "note": note,
        "access": access,
        "events": note.events.select_related("actor") if access.narrative else [],
        "addenda": note.addenda.select_related("author"),
        "goals": note.goals_addressed.all() if access.narrative else [],
        "cosign_attestation": COSIGN_ATTESTATION,
        # After signing, the author's next step: another session, or back to the caseload.
        "just_signed": bool(request.GET.get("signed")) and note.author_id == request.user.pk and not access.edit,
    }
    audit_read(ctx=AuditContext.from_request(request), target=note, page="note")
    return render(request, "notes/note_detail.html", context)


@require_POST
@role_required(Role.SUPERVISOR)
def note_review(request: HttpRequest, note_pk: int) -> HttpResponse:
    note, access = get_note_for_user(request.user, note_pk)
    if not access.review:
        raise PermissionDenied("Only the author's supervisor reviews this note, while it waits for review.")
    form = ReviewDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return desk.back_to_note(request, note.pk)
    ctx = AuditContext.from_request(request)
    try:
        if form.cleaned_data["decision"] == "cosign":
            services.note_cosign(note=note, ctx=ctx)
        else:
            services.note_return(note=note, comment=form.cleaned_data["comment"], ctx=ctx)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return desk.back_to_note(request, note.pk)
    cosigned = form.cleaned_data["decision"] == "cosign"
    messages.success(request, "Note co-signed. It is now locked." if cosigned else f"Note returned to {note.author}.")
    return desk.next_in_queue(request)


@require_POST
@role_required(Role.PEER_SPECIALIST, Role.SUPERVISOR)
def note_addendum(request: HttpRequest, note_pk: int) -> HttpResponse:
    note, access = get_note_for_user(request.user, note_pk)
    if not access.addendum:
        raise PermissionDenied("Addenda are added to signed notes by their author or the author's supervisor.")
    form = AddendumForm(request.POST)
    if form.is_valid():
        services.note_add_addendum(note=note, text=form.cleaned_data["text"], ctx=AuditContext.from_request(request))
        messages.success(request, "Addendum added. The original note is unchanged.")
    else:
        messages.error(request, form.errors["text"][0])
    return redirect("notes:note_detail", note_pk=note.pk)


@role_required(Role.SUPERVISOR)
def note_queue(request: HttpRequest) -> HttpResponse:
    """Notes of the supervisor's team waiting for co-signature, oldest first, filtered by
    specialist and program."""
    return render(request, "notes/note_queue.html", desk.queue_page(request))


@role_required(Role.PEER_SPECIALIST)
def my_notes(request: HttpRequest) -> HttpResponse:
    """The author's notes by state (open, drafts, returned, waiting, signed, all), searched."""
    return render(request, "notes/my_notes.html", desk.my_notes_page(request))
