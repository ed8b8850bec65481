import datetime
import re
from dataclasses import dataclass

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from programs.models import StaffProfile

from .access import visible_participants
from .models import CaseloadAssignment, Consent, Coverage, Enrollment, Participant, SessionNote

# Coverage or consent ending within this many days raises an alert.
ENDING_SOON_DAYS = 30


@dataclass
class CaseloadRow:
    participant: Participant
    specialist_id: int
    programs: list
    last_contact_on: datetime.date | None
    contact_baseline: datetime.date
    days_since_contact: int
    contact_frequency_days: int
    next_review_on: datetime.date | None
    coverage_ends_on: datetime.date | None
    consent_expires_on: datetime.date | None
    contact_overdue: bool
    has_plan: bool
    review_due: bool

    @property
    def alerts(self) -> list[str]:
        alerts = []
        if self.contact_overdue:
            alerts.append(
                f"No contact in {self.days_since_contact} days (every {self.contact_frequency_days} required)"
            )
        if not self.has_plan:
            alerts.append("No recovery plan")
        elif self.review_due:
            alerts.append("Plan review due")
        if self.coverage_ends_on:
            alerts.append(f"Coverage ends {self.coverage_ends_on:%b} {self.coverage_ends_on.day}")
        if self.consent_expires_on:
            alerts.append(f"Consent expires {self.consent_expires_on:%b} {self.consent_expires_on.day}")
        return alerts


def contact_is_overdue(baseline: datetime.date, frequency_days: int, today: datetime.date) -> bool:
    """'At least one contact every N days': on day N after the last contact the next one is
    due today, not late; from day N + 1 it is overdue."""
    return (today - baseline).days > frequency_days


def caseload(specialist_ids, *, today: datetime.date | None = None) -> list[CaseloadRow]:
    """The active caseloads (open assignment, at least one active enrollment) of the given
    specialists, with everything the caseload pages show. A fixed number of queries."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=ENDING_SOON_DAYS)
    assignments = (
        CaseloadAssignment.objects.filter(
            ended_on__isnull=True,
            specialist_id__in=specialist_ids,
            participant__enrollments__end_date__isnull=True,
        )
        .annotate(
            last_contact=Max(
                "participant__session_notes__date",
                filter=~Q(participant__session_notes__status=SessionNote.Status.DRAFT),
            )
        )
        .distinct()
        .select_related("participant__plan")
        .prefetch_related(
            Prefetch(
                "participant__enrollments",
                queryset=Enrollment.objects.filter(end_date__isnull=True).select_related("program"),
                to_attr="active_enrollments",
            ),
            Prefetch(
                "participant__coverages",
                queryset=Coverage.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today)),
                to_attr="current_coverages",
            ),
            Prefetch(
                "participant__consents",
                queryset=Consent.objects.filter(revoked_on__isnull=True, expires_on__gte=today),
                to_attr="dated_consents",
            ),
        )
    )
    rows = []
    for assignment in assignments:
        participant = assignment.participant
        enrollments = participant.active_enrollments
        programs = sorted({e.program for e in enrollments}, key=lambda p: p.name)
        frequency = min(p.contact_frequency_days for p in programs)
        # The last signed or pending session note is the last contact; before the first
        # one, intake (the latest active enrollment) is where the clock starts.
        last_contact = assignment.last_contact
        baseline = max(filter(None, [last_contact, *(e.start_date for e in enrollments)]))
        plan = getattr(participant, "plan", None)
        next_review = plan.next_review_on(min(p.plan_review_days for p in programs)) if plan else None
        coverage_end = min(
            (c.end_date for c in participant.current_coverages if c.end_date and c.end_date <= soon), default=None
        )
        consent_end = min(
            (c.expires_on for c in participant.dated_consents if c.expires_on <= soon and c.signed_on <= today),
            default=None,
        )
        rows.append(
            CaseloadRow(
                participant=participant,
                specialist_id=assignment.specialist_id,
                programs=programs,
                last_contact_on=last_contact,
                contact_baseline=baseline,
                days_since_contact=(today - baseline).days,
                contact_frequency_days=frequency,
                next_review_on=next_review,
                coverage_ends_on=coverage_end,
                consent_expires_on=consent_end,
                contact_overdue=contact_is_overdue(baseline, frequency, today),
                has_plan=plan is not None,
                review_due=plan is None or next_review <= today,
            )
        )
    return rows


SORTS = {
    "name": lambda row: (row.participant.last_name.lower(), row.participant.first_name.lower()),
    "contact": lambda row: -row.days_since_contact,
    "review": lambda row: row.next_review_on or datetime.date.min,
    "alerts": lambda row: -len(row.alerts),
}


def sort_and_filter(rows: list[CaseloadRow], *, sort: str = "name", program_id=None, alerts_only=False):
    if program_id:
        rows = [r for r in rows if any(p.pk == program_id for p in r.programs)]
    if alerts_only:
        rows = [r for r in rows if r.alerts]
    return sorted(rows, key=SORTS.get(sort, SORTS["name"]))


@dataclass
class TeamRow:
    profile: StaffProfile
    caseload_size: int
    target: int | None
    overdue_contacts: int
    reviews_due: int


def team_caseloads(supervisor: User, *, today: datetime.date | None = None) -> list[TeamRow]:
    profiles = list(
        StaffProfile.objects.filter(supervisor=supervisor, is_active=True)
        .select_related("user")
        .prefetch_related("programs")
        .order_by("user__last_name", "user__first_name")
    )
    rows_by_specialist: dict[int, list[CaseloadRow]] = {}
    for row in caseload([p.user_id for p in profiles], today=today):
        rows_by_specialist.setdefault(row.specialist_id, []).append(row)
    team = []
    for profile in profiles:
        rows = rows_by_specialist.get(profile.user_id, [])
        targets = [p.target_caseload for p in profile.programs.all()]
        team.append(
            TeamRow(
                profile=profile,
                caseload_size=len(rows),
                target=max(targets) if targets else None,
                overdue_contacts=sum(r.contact_overdue for r in rows),
                reviews_due=sum(r.review_due for r in rows),
            )
        )
    return team


_DATE_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y"]


def _as_date(text: str) -> datetime.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar date, no time)
        except ValueError:
            continue
    return None


def search(user, query: str) -> QuerySet[Participant]:
    """Participants the user may see, matched by name, date of birth or member/Medicaid ID."""
    query = query.strip()
    participants = visible_participants(user)
    if not query:
        return participants.none()
    day = _as_date(query)
    if day:
        return participants.filter(date_of_birth=day)
    if re.fullmatch(r"[A-Za-z]*\d[\dA-Za-z-]*", query):
        return participants.filter(coverages__member_id__iexact=query).distinct()
    matches = participants
    for word in query.split():
        matches = matches.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(preferred_name__icontains=word)
        )
    return matches


def possible_duplicates(*, first_name: str, last_name: str, date_of_birth, member_id: str = "") -> QuerySet:
    """Same date of birth and a similar name (same last name, or same first name, or last
    names sharing their first three letters), or the same member ID. Agency-wide: a duplicate
    may be on someone else's caseload."""
    similar_name = (
        Q(last_name__iexact=last_name) | Q(first_name__iexact=first_name) | Q(last_name__istartswith=last_name[:3])
    )
    condition = Q(date_of_birth=date_of_birth) & similar_name
    if member_id:
        condition |= Q(coverages__member_id__iexact=member_id)
    return Participant.objects.filter(condition).distinct()


def current_disclosures(participant: Participant, today: datetime.date | None = None) -> list[Consent]:
    today = today or timezone.localdate()
    consents = participant.consents.filter(kind=Consent.Kind.PART2_DISCLOSURE).select_related("recipient_payer")
    return [c for c in consents if c.is_current_on(today)]


@dataclass
class TimelineEvent:
    on: datetime.date
    title: str
    detail: str = ""
    clinical: bool = False
    url: str = ""


def timeline(participant: Participant, *, clinical: bool, viewer=None) -> list[TimelineEvent]:
    """Everything that happened to this record, newest first: enrollments, coverage,
    assignments, every session note (drafts only to their author) and, for those who may
    read them, consents and the plan. Later issues add assessments."""
    events = []
    notes = participant.session_notes.filter(date__isnull=False).select_related("author")
    notes = (
        notes.exclude(~Q(author=viewer), status=SessionNote.Status.DRAFT) if viewer else notes.exclude(status="draft")
    )
    for note in notes:
        services = ", ".join(note.get_service_types_display()) or "Session"
        events.append(
            TimelineEvent(
                note.date,
                f"{services} with {note.author}",
                note.get_status_display(),
                url=reverse("participants:note_detail", args=[note.pk]),
            )
        )
    for e in participant.enrollments.select_related("program"):
        events.append(TimelineEvent(e.start_date, f"Enrolled in {e.program}", e.referral))
        if e.end_date:
            events.append(TimelineEvent(e.end_date, f"Discharged from {e.program}", e.get_discharge_reason_display()))
    for c in participant.coverages.all():
        events.append(TimelineEvent(c.start_date, f"Coverage began: {c}"))
    for a in participant.assignments.select_related("specialist"):
        events.append(TimelineEvent(a.started_on, f"Assigned to {a.specialist}", a.reason))
    if clinical:
        for c in participant.consents.all():
            events.append(TimelineEvent(c.signed_on, f"Signed: {c}", clinical=True))
            if c.revoked_on:
                events.append(TimelineEvent(c.revoked_on, f"Revoked: {c}", clinical=True))
        plan = getattr(participant, "plan", None)
        if plan:
            events.append(TimelineEvent(plan.started_on, "Recovery plan started", clinical=True))
            if plan.last_reviewed_on:
                events.append(TimelineEvent(plan.last_reviewed_on, "Recovery plan reviewed", clinical=True))
    return sorted(events, key=lambda e: e.on, reverse=True)


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
