"""Session notes: the editor (with autosave), signing, the supervisor queue, review,
addenda and group sessions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.roles import Role

from . import services
from .access import Need, get_note_for_user, get_participant_for_user
from .forms import GroupSessionForm, SessionNoteForm
from .models import DEFAULT_PLACE_FOR_MODALITY, Participant, SessionNote
from .notes import ATTESTATION, COSIGN_ATTESTATION
from .selectors import notes_waiting_for

MAX_GROUP_SIZE = 12


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


def _editor(
    request, participant: Participant, note: SessionNote | None, form, status: int = 200, *, server_has_it=False
) -> HttpResponse:
    context = {
        # The server holds what this page shows (just saved), so the browser's copy can go.
        "server_has_it": server_has_it or bool(request.GET.get("saved")),
        "participant": participant,
        "note": note,
        "form": form,
        "attestation": ATTESTATION,
        "default_places": {str(k): str(v) for k, v in DEFAULT_PLACE_FOR_MODALITY.items()},
        "returned_comment": note.events.filter(action="returned").last() if note else None,
    }
    return render(request, "participants/note_form.html", context, status=status)


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


def _note_post(request, participant: Participant, note: SessionNote | None) -> HttpResponse:
    form = SessionNoteForm(request.POST, instance=note, participant=participant)
    if not form.is_valid():
        return _editor(request, participant, note, form, status=400)
    try:
        note = services.note_save_draft(form=form, participant=participant, author=request.user, request=request)
    except ValidationError as error:
        form.add_error(None, error)
        return _editor(request, participant, note, form, status=409)
    if request.POST.get("action") != "submit":
        messages.success(request, "Draft saved.")
        return redirect(reverse("participants:note_edit", args=[note.pk]) + "?saved=1")
    if not request.POST.get("attest"):
        form.add_error(None, "Tick the attestation to sign and submit the note.")
        return _editor(request, participant, note, form, status=400, server_has_it=True)
    try:
        note = services.note_submit(note=note, author=request.user, request=request)
    except services.NoteRuleError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return _editor(request, participant, note, form, status=400, server_has_it=True)
    if note.status == SessionNote.Status.FINAL:
        messages.success(request, "Note signed. It is final.")
    else:
        messages.success(request, "Note signed and sent to your supervisor for co-signature.")
    return redirect("participants:note_detail", note_pk=note.pk)


@require_POST
@role_required(Role.PEER_SPECIALIST)
def note_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: save the draft as it is typed. Answers a small status line, and hands the new
    note's id back so the next save updates the same draft."""
    participant = get_participant_for_user(request.user, pk, Need.EDIT).participant
    note = _editable_note(request, participant, request.POST.get("note_id"))
    form = SessionNoteForm(request.POST, instance=note, participant=participant)
    if not form.is_valid():
        return render(request, "participants/_autosave_status.html", {"error": True, "form": form})
    note = services.note_save_draft(form=form, participant=participant, author=request.user, request=request)
    response = render(request, "participants/_autosave_status.html", {"note": note, "saved_at": timezone.localtime()})
    response["HX-Replace-Url"] = reverse("participants:note_edit", args=[note.pk])
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
    return render(request, "participants/note_detail.html", context)


@require_POST
@role_required(Role.SUPERVISOR)
def note_review(request: HttpRequest, note_pk: int) -> HttpResponse:
    note, access = get_note_for_user(request.user, note_pk)
    if not access.review:
        raise PermissionDenied("Only the author's supervisor reviews this note, while it waits for review.")
    try:
        if request.POST.get("decision") == "cosign":
            if not request.POST.get("attest"):
                raise ValidationError("Tick the attestation to co-sign.")
            services.note_cosign(note=note, reviewer=request.user, request=request)
            messages.success(request, "Note co-signed. It is now locked.")
        elif request.POST.get("decision") == "return":
            services.note_return(
                note=note, reviewer=request.user, comment=request.POST.get("comment", ""), request=request
            )
            messages.success(request, f"Note returned to {note.author}.")
        else:
            raise ValidationError("Choose co-sign or return.")
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("participants:note_detail", note_pk=note.pk)
    return redirect("participants:note_queue")


@require_POST
@role_required(Role.PEER_SPECIALIST, Role.SUPERVISOR)
def note_addendum(request: HttpRequest, note_pk: int) -> HttpResponse:
    note, access = get_note_for_user(request.user, note_pk)
    if not access.addendum:
        raise PermissionDenied("Addenda are added to signed notes by their author or the author's supervisor.")
    text = request.POST.get("text", "").strip()
    if not text:
        messages.error(request, "Write the correction before adding it.")
    elif len(text) > 5000:
        messages.error(request, "An addendum is at most 5,000 characters.")
    else:
        services.note_add_addendum(note=note, author=request.user, text=text, request=request)
        messages.success(request, "Addendum added. The original note is unchanged.")
    return redirect("participants:note_detail", note_pk=note.pk)


@role_required(Role.SUPERVISOR)
def note_queue(request: HttpRequest) -> HttpResponse:
    """Notes of the supervisor's team waiting for co-signature, oldest first."""
    today = timezone.localdate()
    rows = [(note, (today - timezone.localdate(note.signed_at)).days) for note in notes_waiting_for(request.user)]
    return render(request, "participants/note_queue.html", {"rows": rows})


@role_required(Role.PEER_SPECIALIST)
def my_notes(request: HttpRequest) -> HttpResponse:
    """The author's drafts and returned notes, to finish; and what is waiting."""
    notes = (
        SessionNote.objects.filter(author=request.user)
        .exclude(status__in=SessionNote.LOCKED)
        .select_related("participant")
        .order_by("status", "-updated_at")
    )
    return render(request, "participants/my_notes.html", {"notes": notes})


# --- Group sessions ---------------------------------------------------------------------


@role_required(Role.PEER_SPECIALIST)
def group_new(request: HttpRequest) -> HttpResponse:
    caseload = Participant.objects.filter(
        assignments__specialist=request.user,
        assignments__ended_on__isnull=True,
        enrollments__end_date__isnull=True,
    ).distinct()
    form = GroupSessionForm(request.POST or None)
    chosen, problems = [], []
    if request.method == "POST":
        for participant in caseload:
            if request.POST.get(f"attend-{participant.pk}"):
                note = request.POST.get(f"note-{participant.pk}", "").strip()
                if not note:
                    problems.append(f"Write a short note for {participant}.")
                chosen.append((participant, note[:2000]))
        submit = request.POST.get("action") == "submit"
        if submit and not request.POST.get("attest"):
            problems.append("Tick the attestation to sign and submit the notes.")
        if not chosen:
            problems.append("Choose at least one attendee.")
        elif len(chosen) > MAX_GROUP_SIZE:
            problems.append(f"A peer support group has at most {MAX_GROUP_SIZE} attendees; you chose {len(chosen)}.")
        if form.is_valid() and not problems:
            try:
                group = services.group_session_create(
                    group=form.save(commit=False),
                    service_types=form.cleaned_data["service_types"],
                    intervention=form.cleaned_data["intervention"],
                    next_steps=form.cleaned_data["next_steps"],
                    attendees=chosen,
                    submit=submit,
                    author=request.user,
                    request=request,
                )
            except ValidationError as error:
                problems.extend(error.messages)
            else:
                verb = "signed" if submit else "saved as drafts"
                messages.success(
                    request, f"“{group.topic}”: {len(chosen)} note{'s' if len(chosen) != 1 else ''} {verb}."
                )
                return redirect("participants:my_notes")
    context = {
        "form": form,
        "caseload": caseload,
        "chosen": {p.pk: note for p, note in chosen},
        "problems": problems,
        "attestation": ATTESTATION,
        "max_size": MAX_GROUP_SIZE,
        "default_places": {str(k): str(v) for k, v in DEFAULT_PLACE_FOR_MODALITY.items()},
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "participants/group_form.html", context, status=status)
