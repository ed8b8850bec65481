import datetime
from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.links import url_for
from participants.extensions import PageAction, TimelineEvent
from participants.models import Enrollment, Participant

from .models import NoteEvent, Service, SessionNote

_S = SessionNote.Status
_OPEN = (_S.DRAFT, _S.RETURNED, _S.SUBMITTED)  # on the author's desk: to finish, or waiting
# The tabs of My notes. The home page's counts are counts of these tabs (note_counts), so
# a count always opens exactly the notes it counted.
MY_NOTES_TABS = {
    "open": "Open",
    "drafts": "Drafts",
    "returned": "Returned",
    "waiting": "Waiting",
    "this_week": "Co-signed this week",
    "signed": "Signed",
    "all": "All",
}


def my_notes_tab(tab: str, today: datetime.date | None = None) -> Q:
    """Which of an author's notes a tab holds. A status not named here (such as a discarded
    draft) is in no tab: it is off the author's desk, and its history is in the audit log."""
    today = today or timezone.localdate()
    week_start = today - datetime.timedelta(days=today.weekday())
    return {
        "open": Q(status__in=_OPEN),
        "drafts": Q(status=_S.DRAFT),
        "returned": Q(status=_S.RETURNED),
        "waiting": Q(status=_S.SUBMITTED),
        "this_week": Q(status=_S.COSIGNED, cosigned_at__date__gte=week_start),
        "signed": Q(status__in=SessionNote.LOCKED),
        "all": Q(status__in=_OPEN + SessionNote.LOCKED),
    }[tab]


def last_contacts(participant_ids: Iterable[int]) -> dict[int, datetime.date]:
    """participant id -> day of their last contact: the latest note that is not a draft
    (signed, waiting, returned or co-signed). One query: per participant, the top row of
    the notes_last_contact_idx partial index, not every note of every participant (a
    supervisor's caseload held 46,649 notes; issue 16)."""
    return {pk: last for pk, last in last_contact_rows(participant_ids) if last is not None}


def last_contact(participant_ref: str = "pk") -> Subquery:
    """The day of the last contact of the participant whose id the outer query holds in
    `participant_ref`: the top row of notes_last_contact_idx."""
    latest = SessionNote.objects.filter(SessionNote.CONTACT, participant_id=OuterRef(participant_ref))
    return Subquery(latest.order_by("-date").values("date")[:1])


def last_contact_rows(participant_ids: Iterable[int]) -> QuerySet:
    return (
        Participant.objects.filter(pk__in=list(participant_ids))
        .annotate(last=last_contact("pk"))
        .values_list("pk", "last")
        .order_by()
    )


def note_counts(user) -> dict:
    """The author's home page figures, in one query: how many notes each of these tabs of
    My notes holds."""
    tabs = ("drafts", "returned", "waiting", "this_week")
    counts = {tab: Count("pk", filter=my_notes_tab(tab)) for tab in tabs}
    # Only the rows these tabs can hold, on the (author, status) index: not years of history.
    counted = my_notes_tab("open") | my_notes_tab("this_week")
    return SessionNote.objects.filter(counted, author=user).aggregate(**counts)


def notes_waiting_for(supervisor, *, specialist_id: int | None = None, program_id: int | None = None):
    """Notes of the supervisor's team waiting for co-signature, oldest first; the queue and
    the home page's count. `program_id`: only those whose participant was enrolled in the
    program on the session's day."""
    notes = SessionNote.objects.filter(status=_S.SUBMITTED, author__staff_profile__supervisor=supervisor)
    if specialist_id:
        notes = notes.filter(author_id=specialist_id)
    if program_id:
        enrolled = Enrollment.objects.in_force_on(OuterRef("date")).filter(
            participant_id=OuterRef("participant_id"), program_id=program_id
        )
        notes = notes.filter(Exists(enrolled))
    return notes.select_related("participant", "author", "group").order_by("signed_at", "pk")


def my_notes(author, *, tab: str = "open", query: str = "") -> QuerySet[SessionNote]:
    """The author's notes in one of My notes' tabs, most recently changed first, matched by
    `query` (each word in the participant's name, the group's topic or the note's text),
    each with the supervisor's latest reason when it was returned."""
    notes = SessionNote.objects.filter(my_notes_tab(tab), author=author)
    for word in query.split():
        notes = notes.filter(
            Q(participant__first_name__icontains=word)
            | Q(participant__last_name__icontains=word)
            | Q(participant__preferred_name__icontains=word)
            | Q(group__topic__icontains=word)
            | Q(intervention__icontains=word)
            | Q(response__icontains=word)
            | Q(next_steps__icontains=word)
        )
    reasons = NoteEvent.objects.filter(note=OuterRef("pk"), action=NoteEvent.Action.RETURNED).order_by("-at", "-pk")
    return (
        notes.annotate(returned_reason=Subquery(reasons.values("comment")[:1]))
        .select_related("participant", "group")
        .order_by("-updated_at", "-pk")
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


# What a timeline row shows (its title, author and status), and nothing else: not the session's
# narrative, three texts of up to NARRATIVE_MAX each, for each of a page's 25 notes.
TIMELINE_FIELDS = (
    *("participant", "date", "start_time", "status", "service", "service_types", "author", "group", "group__topic"),
    *("author__first_name", "author__last_name", "author__email"),
)


def _timeline_notes(participant, viewer) -> QuerySet[SessionNote]:
    """The dated session notes of the participant for their page's timeline; drafts only
    to their author."""
    notes = participant.session_notes.filter(date__isnull=False).exclude(status=SessionNote.Status.DISCARDED)
    return notes.exclude(~Q(author=viewer), status=SessionNote.Status.DRAFT)


def timeline_event_count(participant, access, viewer) -> int:
    return _timeline_notes(participant, viewer).count()


def timeline_events(participant, access, viewer, *, limit: int | None = None) -> list[TimelineEvent]:
    """The newest `limit` (all, without one) of the timeline's notes, newest first, on the
    (participant, date) index. Registered with participants.extensions (see apps.py)."""
    notes = (
        _timeline_notes(participant, viewer)
        .select_related("author", "group")
        .only(*TIMELINE_FIELDS)
        .order_by("-date", "-start_time", "-pk")
    )
    return [
        TimelineEvent(
            note.date,
            f"{_session_title(note)} with {note.author}",
            note.get_status_display(),
            url=url_for("notes:note_detail", note.pk),
        )
        for note in (notes[:limit] if limit is not None else notes)
    ]


def _session_title(note: SessionNote) -> str:
    """What the session was: its service types, led by the service when it is not peer support,
    and a group's topic."""
    kinds = ", ".join(note.get_service_types_display()) or "Session"
    if note.service != Service.PEER_SUPPORT:
        kinds = f"{note.get_service_display()}: {kinds}"
    return f"Group: {note.group.topic} · {kinds}" if note.group_id else kinds


def page_actions(participant, access, viewer) -> list[PageAction]:
    """ "Log a session", for a peer specialist who serves the participant."""
    if access.edit and viewer.has_role(Role.PEER_SPECIALIST):
        return [PageAction("Log a session", reverse("notes:note_new", args=[participant.pk]))]
    return []
