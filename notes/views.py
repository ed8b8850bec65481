"""Session notes: the editor (with autosave), signing, the supervisor queue, review and
addenda. The group session form is in peersupport (it needs billing's group-size limit)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.roles import Role
from audit.context import AuditContext
from participants.access import Need, get_participant_for_user
from participants.models import Participant

from . import desk, services
from .access import get_note_for_user
from .forms import AddendumForm, ReviewDecisionForm, SessionNoteForm
from .models import SessionNote, default_places
from .rules import ATTESTATION, COSIGN_ATTESTATION

SIGNED_MESSAGES = {
    SessionNote.Status.FINAL: "Note signed. It is final.",
    SessionNote.Status.SUBMITTED: "Note signed and sent to your supervisor for co-signature.",
}


def _editable_note(request, participant: Participant, note_id) -> SessionNote | None:
    """The draft being edited, from the hidden note_id an earlier autosave handed back."""
    if not note_id:
        return None
    try:
        note, access = get_note_for_user(request.user, int(note_id))
    except (ValueError, TypeError):
        raise PermissionDenied("That is not a note of yours.") from None
    if not access.edit or note.participant_id != participant.pk:
        raise PermissionDenied("This note can no longer be edited.")
    return note


def _editor(request, participant, note, form, status: int = 200, *, server_has_it=False) -> HttpResponse:
    context = {
        # The server holds what this page shows (just saved), so the browser's copy can go.
        "server_has_it": server_has_it or bool(request.GET.get("saved")),
        "participant": participant,
        "note": note,
        "form": form,
        "attestation": ATTESTATION,
        "default_places": default_places(),
        "returned_comment": note.events.filter(action="returned").last() if note else None,
        # A payer's 271 said a coverage is inactive: seen before the note is written (issue 13).
        "coverage_flags": [c.inactive_flag for c in participant.coverages.all() if c.inactive_flag],
    }
    return render(request, "notes/note_form.html", context, status=status)


@role_required(Role.PEER_SPECIALIST)
def note_new(request: HttpRequest, pk: int) -> HttpResponse:
    participant = get_participant_for_user(request.user, pk, Need.EDIT).participant
    if request.method == "POST":
        return _note_post(request, participant, _editable_note(request, participant, request.POST.get("note_id")))
    return _editor(request, participant, None, SessionNoteForm(participant=participant))


@role_required(Role.PEER_SPECIALIST)
def note_edit(request: HttpRequest, note_pk: int) -> HttpResponse:
    note, access = get_note_for_user(request.user, note_pk)
    if not access.edit:
        raise PermissionDenied("Only the author edits a draft or returned note; signed notes take addenda.")
    if request.method == "POST":
        return _note_post(request, note.participant, note)
    return _editor(request, note.participant, note, SessionNoteForm(instance=note, participant=note.participant))


def _save_draft(form: SessionNoteForm, participant: Participant, ctx: AuditContext) -> SessionNote:
    return services.note_save_draft(
        note=form.instance, participant=participant, goals=form.cleaned_data["goals_addressed"], ctx=ctx
    )


def _note_post(request, participant: Participant, note: SessionNote | None) -> HttpResponse:
    form = SessionNoteForm(request.POST, instance=note, participant=participant)
    if not form.is_valid():
        return _editor(request, participant, note, form, status=400)
    ctx = AuditContext.from_request(request)
    try:
        note = _save_draft(form, participant, ctx)
    except ValidationError as error:
        form.add_error(None, error)
        return _editor(request, participant, note, form, status=409)
    if request.POST.get("action") != "submit":
        messages.success(request, "Draft saved.")
        return redirect(reverse("notes:note_edit", args=[note.pk]) + "?saved=1")
    if not request.POST.get("attest"):
        form.add_error(None, "Tick the attestation to sign and submit the note.")
        return _editor(request, participant, note, form, status=400, server_has_it=True)
    try:
        note = services.note_submit(note=note, ctx=ctx)
    except services.NoteRuleError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return _editor(request, participant, note, form, status=400, server_has_it=True)
    messages.success(request, SIGNED_MESSAGES[note.status])
    return redirect("notes:note_detail", note_pk=note.pk)


@require_POST
@role_required(Role.PEER_SPECIALIST)
def note_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: save the draft as it is typed. Answers a small status line, and hands the new
    note's id back so the next save updates the same draft."""
    participant = get_participant_for_user(request.user, pk, Need.EDIT).participant
    note = _editable_note(request, participant, request.POST.get("note_id"))
    form = SessionNoteForm(request.POST, instance=note, participant=participant)
    if not form.is_valid():
        return render(request, "notes/_autosave_status.html", {"error": True, "form": form})
    note = _save_draft(form, participant, AuditContext.from_request(request))
    response = render(request, "notes/_autosave_status.html", {"note": note, "saved_at": timezone.localtime()})
    response["HX-Replace-Url"] = reverse("notes:note_edit", args=[note.pk])
    return response


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
    }
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
        return redirect("notes:note_detail", note_pk=note.pk)
    ctx = AuditContext.from_request(request)
    try:
        if form.cleaned_data["decision"] == "cosign":
            services.note_cosign(note=note, ctx=ctx)
        else:
            services.note_return(note=note, comment=form.cleaned_data["comment"], ctx=ctx)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("notes:note_detail", note_pk=note.pk)
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
