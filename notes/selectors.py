import datetime
from collections.abc import Iterable

from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from participants.extensions import PageAction, TimelineEvent

from .models import Service, SessionNote


def last_contacts(participant_ids: Iterable[int]) -> dict[int, datetime.date]:
    """participant id -> day of their last contact: the latest note that is not a draft
    (signed, waiting, returned or co-signed). One query, on the (participant, date) index."""
    rows = (
        SessionNote.objects.filter(participant_id__in=list(participant_ids))
        .exclude(status__in=SessionNote.UNSIGNED)
        .values("participant_id")
        .annotate(last=Max("date"))
        .values_list("participant_id", "last")
    )
    return dict(rows)


def note_counts(user) -> dict:
    """The author's home page figures, in one query."""
    today = timezone.localdate()
    week_start = today - datetime.timedelta(days=today.weekday())
    status = SessionNote.Status
    return SessionNote.objects.filter(author=user).aggregate(
        drafts=Count("pk", filter=Q(status=status.DRAFT)),
        returned=Count("pk", filter=Q(status=status.RETURNED)),
        waiting=Count("pk", filter=Q(status=status.SUBMITTED)),
        cosigned_this_week=Count("pk", filter=Q(status=status.COSIGNED, cosigned_at__date__gte=week_start)),
    )


def notes_waiting_for(supervisor) -> QuerySet[SessionNote]:
    """Notes of the supervisor's team waiting for co-signature, oldest first."""
    return (
        SessionNote.objects.filter(status=SessionNote.Status.SUBMITTED, author__staff_profile__supervisor=supervisor)
        .select_related("participant", "author")
        .order_by("signed_at")
    )


def my_open_notes(author) -> QuerySet[SessionNote]:
    """The author's drafts and returned notes, to finish, and those waiting for co-signature."""
    return (
        SessionNote.objects.filter(author=author)
        .exclude(status__in=(*SessionNote.LOCKED, SessionNote.Status.DISCARDED))
        .select_related("participant")
        .order_by("status", "-updated_at")
    )


def drafts_for(author, participant) -> list[SessionNote]:
    """The author's drafts for this participant, newest saved first: offered before another
    is started. Bounded: a handful at most in practice."""
    notes = SessionNote.objects.filter(author=author, participant=participant, status=SessionNote.Status.DRAFT)
    return list(notes.order_by("-updated_at")[:20])


def last_note_for(participant, *, author) -> SessionNote | None:
    """The participant's last signed note by this author, else by anyone: what a new note
    is filled in from. Two indexed queries at most."""
    signed = SessionNote.objects.filter(participant=participant, date__isnull=False, group__isnull=True)
    signed = signed.exclude(status__in=SessionNote.UNSIGNED).order_by("-date", "-start_time", "-pk")
    return signed.filter(author=author).first() or signed.first()


def timeline_events(participant, access, viewer) -> list[TimelineEvent]:
    """Every dated session note of the participant for their page's timeline; drafts only
    to their author. Registered with participants.extensions (see apps.py)."""
    notes = participant.session_notes.filter(date__isnull=False).select_related("author", "group")
    notes = notes.exclude(status=SessionNote.Status.DISCARDED)
    notes = notes.exclude(~Q(author=viewer), status=SessionNote.Status.DRAFT)
    return [
        TimelineEvent(
            note.date,
            f"{_session_title(note)} with {note.author}",
            note.get_status_display(),
            url=reverse("notes:note_detail", args=[note.pk]),
        )
        for note in notes
    ]


def _session_title(note: SessionNote) -> str:
    """What the session was: its service types, led by the service when it is not peer support,
    and a group's topic."""
    kinds = ", ".join(note.get_service_types_display()) or "Session"
    if note.service != Service.PEER_SUPPORT:
        kinds = f"{note.get_service_display()}: {kinds}"
    return f"Group “{note.group.topic}”: {kinds}" if note.group_id else kinds


def page_actions(participant, access, viewer) -> list[PageAction]:
    """ "Log a session", for a peer specialist who serves the participant."""
    if access.edit and viewer.has_role(Role.PEER_SPECIALIST):
        return [PageAction("Log a session", reverse("notes:note_new", args=[participant.pk]))]
    return []
