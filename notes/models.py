"""Session notes: the legal record of each service, individual or in a group.

The tables keep the names they had when notes lived in the participants app
(`participants_sessionnote` and so on): moving the code moved no row.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from audit.inputs import COMMENT_MAX, NARRATIVE_MAX, plausible_date, text_limit
from participants.models import Goal, Participant


class Modality(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video"
    AUDIO_ONLY = "audio_only", "Audio only"


class PlaceOfService(models.TextChoices):
    """CMS place-of-service codes used for peer support claims."""

    OFFICE = "11", "11 Office"
    HOME = "12", "12 Home"
    COMMUNITY = "99", "99 Community (other place)"
    EMERGENCY_ROOM = "23", "23 Emergency room"
    CMHC = "53", "53 Community mental health center"
    TELEHEALTH_HOME = "10", "10 Telehealth in the participant's home"
    TELEHEALTH_OTHER = "02", "02 Telehealth elsewhere"


# The place of service a modality suggests; the specialist can change it.
DEFAULT_PLACE_FOR_MODALITY = {
    Modality.IN_PERSON: PlaceOfService.COMMUNITY,
    Modality.PHONE: PlaceOfService.TELEHEALTH_HOME,
    Modality.VIDEO: PlaceOfService.TELEHEALTH_HOME,
    Modality.AUDIO_ONLY: PlaceOfService.TELEHEALTH_HOME,
}


TELEHEALTH_PLACES = (PlaceOfService.TELEHEALTH_HOME, PlaceOfService.TELEHEALTH_OTHER)


def place_mismatch(modality: str, place: str) -> str:
    """Why a place of service does not fit how the session happened; "" when it fits.

    CMS place-of-service codes 02 and 10 are telehealth; a session by video, phone or audio
    only is reported there (with modifier 95 for video, 93 for audio only: TMHP notices of
    2022-01-20 and 2022-07-15), and an in-person one never is. The note warns its author; the
    billing assessment holds the note until the two agree.
    """
    if not (modality and place):
        return ""
    remote = modality != Modality.IN_PERSON
    if remote and place not in TELEHEALTH_PLACES:
        session = {Modality.AUDIO_ONLY: "An audio-only session"}.get(modality, f"A {modality} session")
        return f"{session} is reported at place of service 02 or 10 (telehealth), not {place}."
    if not remote and place in TELEHEALTH_PLACES:
        return f"An in-person session can't be reported at a telehealth place of service ({place})."
    return ""


def default_places() -> dict[str, str]:
    """DEFAULT_PLACE_FOR_MODALITY as plain strings, for the note forms' script (json_script)."""
    return {str(modality): str(place) for modality, place in DEFAULT_PLACE_FOR_MODALITY.items()}


class ServiceType(models.TextChoices):
    RECOVERY_COACHING = "recovery_coaching", "Recovery coaching"
    SELF_ADVOCACY = "self_advocacy", "Self-advocacy support"
    RESOURCE_LINKAGE = "resource_linkage", "Resource linkage"
    GOAL_SETTING = "goal_setting", "Goal setting and review"
    SKILL_BUILDING = "skill_building", "Skill building"
    SUPPORT_GROUP = "support_group", "Support group"
    OUTREACH = "outreach", "Outreach and engagement"
    CRISIS_SUPPORT = "crisis_support", "Crisis support"
    CARE_TRANSITION = "care_transition", "Care transition / peer bridging"
    WELLNESS_CHECK_IN = "wellness_check_in", "Wellness check-in"


class Service(models.TextChoices):
    """The Medicaid service a session was: what the claim bills (billing chooses the code by
    billing program, service and kind). Texas peer providers may also deliver some mental
    health rehabilitative services (billing-rules.md); the note forms offer a service only
    where the participant's coverage has an active code for it (notes/extensions.py).

    Day program for acute needs has no known code: no reference data bills it, so it is
    offered nowhere until an agency enters its code in the admin.
    """

    PEER_SUPPORT = "peer_support", "Peer support"
    MEDICATION_TRAINING = "medication_training", "Medication training and support"
    PSYCHOSOCIAL_REHABILITATION = "psychosocial_rehabilitation", "Psychosocial rehabilitation"
    SKILLS_TRAINING = "skills_training", "Skills training and development"
    CRISIS_INTERVENTION = "crisis_intervention", "Crisis intervention"
    DAY_PROGRAM = "day_program", "Day program for acute needs"


MIN_SESSION_MINUTES = 1
MAX_SESSION_MINUTES = 8 * 60


class GroupSession(models.Model):
    """The shared facts of a group; each attendee gets their own SessionNote linked here."""

    facilitator = models.ForeignKey(  # indexed first in notes_group_client_key_once
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="groups_led", db_index=False
    )
    topic = models.CharField(max_length=200)
    date = models.DateField(validators=[plausible_date])
    start_time = models.TimeField()
    end_time = models.TimeField()
    modality = models.CharField(max_length=20, choices=Modality.choices)
    place_of_service = models.CharField(max_length=2, choices=PlaceOfService.choices)
    # The form's key, made in the browser (or by the server into the form): a re-sent
    # submission of one group (a double tap, a retry from the phone) finds what it made.
    client_key = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "participants_groupsession"
        constraints = [
            models.UniqueConstraint(fields=["facilitator", "client_key"], name="notes_group_client_key_once"),
        ]

    def __str__(self) -> str:
        return f"Group: {self.topic} ({self.date})"


# A contact: a dated note that was signed, i.e. not in SessionNote.UNSIGNED (spelled out
# here because Meta cannot see the class's names; a test keeps the two equal). The partial
# index notes_last_contact_idx carries exactly this condition, so a query must filter on
# this Q, unchanged, for PostgreSQL to prove the index applies.
CONTACT = ~models.Q(status__in=["draft", "discarded"]) & models.Q(date__isnull=False)


class SessionNote(models.Model):
    """The legal record of one service to one participant.

    Draft and returned notes belong to their author alone. A submitted note waits for the
    author's supervisor; a co-signed (or final, when no co-signature is required) note is
    locked: corrections are addenda, and the original text never changes.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Waiting for co-signature"
        RETURNED = "returned", "Returned"
        COSIGNED = "cosigned", "Co-signed"
        FINAL = "final", "Final"
        # A draft its author set aside: kept (a clinical record is never deleted), never
        # signed, never billed, and shown to no one but its author.
        DISCARDED = "discarded", "Discarded"

    LOCKED = (Status.COSIGNED, Status.FINAL)
    EDITABLE = (Status.DRAFT, Status.RETURNED)
    # Never signed: no contact happened on the record, and only the author may open it.
    UNSIGNED = (Status.DRAFT, Status.DISCARDED)
    CONTACT = CONTACT

    # No index of their own: each leads a composite index below (participant, date; author,
    # status), which serves every lookup by it as well (tests/test_indexes.py).
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="session_notes", db_index=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="session_notes", db_index=False
    )
    group = models.ForeignKey(GroupSession, null=True, blank=True, on_delete=models.PROTECT, related_name="notes")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # Drafts may be incomplete; submission requires every field below.
    date = models.DateField(null=True, blank=True, validators=[plausible_date])
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    modality = models.CharField(max_length=20, choices=Modality.choices, blank=True)
    place_of_service = models.CharField(max_length=2, choices=PlaceOfService.choices, blank=True)
    # Peer support by default: every note written before rehabilitative services were offered
    # was peer support, and bills as it did.
    service = models.CharField(
        "service delivered", max_length=40, choices=Service.choices, default=Service.PEER_SUPPORT
    )
    service_types = models.JSONField(default=list, blank=True)
    goals_addressed = models.ManyToManyField(
        Goal, blank=True, related_name="session_notes", db_table="participants_sessionnote_goals_addressed"
    )
    intervention = models.TextField("what was done", blank=True, **text_limit(NARRATIVE_MAX))
    response = models.TextField("the participant's response", blank=True, **text_limit(NARRATIVE_MAX))
    next_steps = models.TextField(blank=True, **text_limit(NARRATIVE_MAX))
    signed_at = models.DateTimeField(null=True, blank=True)
    signature = models.CharField(max_length=200, blank=True)
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cosigned_at = models.DateTimeField(null=True, blank=True)
    # The editor page's key (see GroupSession.client_key): every save of one page, however
    # often it is re-sent, lands on one note.
    client_key = models.UUIDField(null=True, blank=True, editable=False)
    # Bumped on every save: a save from a page that loaded an older version is refused
    # rather than silently overwriting what another tab or device saved since.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Billing is done with this note: it is on a live claim line, or its line was voided "do not
    # rebill", or it was decided "not billed" as a duplicate. Kept by billing (billing/marks.py)
    # in the same transaction as every write that changes it, so that the notes awaiting billing
    # are read from one index (billing.billability.billable_notes) instead of three anti-joins.
    # (A database default too: the large seed copies notes in without naming it.)
    billing_closed = models.BooleanField(default=False, db_default=False, editable=False)

    class Meta:
        db_table = "participants_sessionnote"
        ordering = ["-date", "-start_time"]
        constraints = [
            models.UniqueConstraint(fields=["author", "client_key"], name="notes_note_client_key_once"),
        ]
        indexes = [
            # An author's notes in a state: My notes' tabs and the peer's home counts
            # (notes.selectors.my_notes, note_counts), and the co-sign queue, one range per
            # supervisee (notes_waiting_for, status submitted).
            models.Index(fields=["author", "status"], name="participant_author__6a02e4_idx"),
            # A participant's notes newest first: the timeline's page of notes (read backward
            # to the page's end, not the whole history) and the record's note lists.
            models.Index(fields=["participant", "date"], name="participant_partici_fb8649_idx"),
            # The monthly documentation report's notes signed in a period, by state
            # (reports.figures.documentation).
            models.Index(fields=["status", "signed_at"], name="participant_status_c96294_idx"),
            # Reports count a period's co-signatures and returns without reading all history.
            models.Index(fields=["cosigned_at"], name="notes_cosigned_at_idx"),
            # notes.selectors.last_contacts: each participant's latest contact is the first
            # entry under their id, whatever their history (the caseload pages).
            models.Index(fields=["participant", "-date"], condition=CONTACT, name="notes_last_contact_idx"),
            # billing.billability.billable_notes, oldest first from the filing cutoff: the billing
            # work page's window and its count (billing.selectors.work_window), and billing's home.
            models.Index(
                fields=["date", "start_time", "id"],
                condition=models.Q(status__in=("cosigned", "final"), billing_closed=False),
                name="notes_awaiting_billing_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Session note {self.date or 'undated'} for {self.participant}"

    @property
    def is_locked(self) -> bool:
        return self.status in self.LOCKED

    @property
    def duration_minutes(self) -> int | None:
        if not (self.start_time and self.end_time):
            return None
        start = datetime.datetime.combine(datetime.date.min, self.start_time)
        end = datetime.datetime.combine(datetime.date.min, self.end_time)
        return int((end - start).total_seconds() // 60)

    @property
    def place_warning(self) -> str:
        return place_mismatch(self.modality, self.place_of_service)

    def overlaps(self, other: "SessionNote") -> bool:
        """Do the two sessions share some minute? Touching (one ends as the other starts) is fine."""
        return self.date == other.date and self.start_time < other.end_time and other.start_time < self.end_time

    def get_service_types_display(self) -> list[str]:
        labels = dict(ServiceType.choices)
        return [labels.get(code, code) for code in self.service_types]


class NoteEvent(models.Model):
    """The history of a note: each submission (with the text as submitted), return,
    co-signature and addendum. Nothing here is ever changed."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned"
        COSIGNED = "cosigned", "Co-signed"
        FINALIZED = "finalized", "Signed as final"
        DISCARDED = "discarded", "Discarded"

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True, **text_limit(COMMENT_MAX))
    snapshot = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "participants_noteevent"
        ordering = ["at", "pk"]
        indexes = [
            # The documentation report's returns in a period (reports.figures.documentation).
            models.Index(fields=["action", "at"], name="notes_event_action_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"


class Addendum(models.Model):
    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(**text_limit(NARRATIVE_MAX))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "participants_addendum"
        ordering = ["created_at"]
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"Addendum by {self.author} on {self.created_at:%Y-%m-%d}"
