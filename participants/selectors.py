import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import (
    Count,
    Exists,
    Expression,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.models import User
from audit.sql import PlusDays

from . import extensions
from .access import group_attendees, visible_participants
from .models import CaseloadAssignment, Consent, Coverage, Enrollment, GoalStatusChange, Participant
from .search_query import Query, parse

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
    # Whose caseload the row is on (a team's list names them).
    specialist: User | None = None
    # Timepoints needing a check-in, from the outcomes app to the right (each with a `.text`
    # and a `.status`); the page that composes both passes them in.
    follow_ups: list = field(default_factory=list)

    # Worked out once a row: the caseload page reads both for every alert it shows.
    @cached_property
    def eligibility_warnings(self) -> list[str]:
        """A payer reported a current coverage inactive (271): first, so it is seen before the
        next session is written up."""
        coverages = getattr(self.participant, "current_coverages", [])
        return [c.eligibility_warning for c in coverages if c.reported_inactive]

    @cached_property
    def alerts(self) -> list[str]:
        alerts = list(self.eligibility_warnings)
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
        alerts += [follow_up.text for follow_up in self.follow_ups]
        return alerts


def contact_is_overdue(baseline: datetime.date, frequency_days: int, today: datetime.date) -> bool:
    """'At least one contact every N days': on day N after the last contact the next one is
    due today, not late; from day N + 1 it is overdue."""
    return (today - baseline).days > frequency_days


def caseload_assignments(specialist_ids: Iterable[int], *, on: datetime.date | None = None):
    """The caseload, defined once: the assignments of these specialists whose participant is
    on their caseload on a day. That is an assignment and an enrollment both in force that
    day. Without a day it is the caseload as it stands now: the open assignment and an open
    enrollment, so someone moved or discharged today has already left it."""
    assignments = CaseloadAssignment.objects.filter(specialist_id__in=specialist_ids)
    enrollments = Enrollment.objects.filter(participant=OuterRef("participant_id"))
    if on is None:
        assignments, enrollments = assignments.current(), enrollments.current()
    else:
        assignments, enrollments = assignments.in_force_on(on), enrollments.in_force_on(on)
    return assignments.filter(Exists(enrollments))


def caseload(specialist: User, *, on: datetime.date | None = None) -> QuerySet[Participant]:
    """The participants on `specialist`'s caseload on a day (now, without one).

    The ids are read first and given as a list: as a subquery, the planner could not tell a
    caseload from the agency and, asked for the first 50 by name, walked the name index over
    every participant (10,849 rows and 28 ms for a caseload of 54 on the large demo, issue 16)."""
    ids = list(caseload_assignments([specialist.pk], on=on).values_list("participant_id", flat=True))
    return Participant.objects.filter(pk__in=ids)


# What `caseload_rows` reads of the assignments, participants, plans and specialists, of the
# enrollments and their programs, and of the coverages.
ROW_FIELDS = ("participant__first_name", "participant__last_name", "participant__preferred_name", "specialist")
ROW_FIELDS += ("participant__plan__started_on", "participant__plan__last_reviewed_on")
ROW_FIELDS += ("specialist__first_name", "specialist__last_name", "specialist__email")
ENROLLMENT_FIELDS = ("participant", "start_date", "end_date", "program__name")
ENROLLMENT_FIELDS += ("program__contact_frequency_days", "program__plan_review_days")
COVERAGE_FIELDS = ("participant", "kind", "start_date", "end_date", "eligibility_status", "eligibility_checked_on")


def caseload_rows(
    specialist_ids: Iterable[int],
    *,
    last_contacts: Callable[[list[int]], Mapping[int, datetime.date]],
    follow_ups: Callable[[list[Enrollment]], Mapping[int, list]] | None = None,
    today: datetime.date | None = None,
    participant_ids: Iterable[int] | None = None,
) -> list[CaseloadRow]:
    """The caseloads of the given specialists now, with everything the caseload pages show,
    from a fixed number of queries. `last_contacts` answers, for participant ids, the day of
    each one's last contact: contacts are session notes, which live to the right of this app,
    so the page that composes both passes it in. `follow_ups` likewise answers, for the rows'
    current enrollments, participant id -> the outcome timepoints needing action.
    `participant_ids`: only their rows (one page of a caseload ordered by `caseload_keys`)."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=ENDING_SOON_DAYS)
    assignments = caseload_assignments(specialist_ids)
    if participant_ids is not None:
        assignments = assignments.filter(participant_id__in=list(participant_ids))
    # Only the fields the rows read: the caseload pages keep their rows in the cache
    # (peersupport.team_figures), and diagnoses, addresses, member IDs and consents'
    # recipients have no place there.
    enrollments = Enrollment.objects.current().select_related("program")
    coverages = Coverage.objects.overlapping(today, None)  # in force now or later
    assignments = list(
        assignments.select_related("participant__plan", "specialist")
        .only(*ROW_FIELDS)
        .prefetch_related(
            Prefetch("participant__enrollments", enrollments.only(*ENROLLMENT_FIELDS), to_attr="active_enrollments"),
            Prefetch("participant__coverages", coverages.only(*COVERAGE_FIELDS), to_attr="current_coverages"),
            Prefetch(
                "participant__consents",
                queryset=Consent.objects.in_force_on(today)
                .filter(expires_on__lte=soon)
                .only("participant", "expires_on"),
                to_attr="ending_consents",
            ),
        )
    )
    # One program or specialist object shared by the rows: kept, each copy was unpickled per view (issue 16).
    shared = {}
    for a in assignments:
        a.specialist = shared.setdefault(("specialist", a.specialist_id), a.specialist)
        for e in a.participant.active_enrollments:
            e.program = shared.setdefault(("program", e.program_id), e.program)
    contacts = last_contacts([a.participant_id for a in assignments])
    due = follow_ups([e for a in assignments for e in a.participant.active_enrollments]) if follow_ups else {}
    rows = []
    for assignment in assignments:
        participant = assignment.participant
        enrollments = participant.active_enrollments
        programs = sorted({e.program for e in enrollments}, key=lambda p: p.name)
        frequency = min(p.contact_frequency_days for p in programs)
        # The last signed or pending session note is the last contact; before the first
        # one, intake (the latest active enrollment) is where the clock starts.
        last_contact = contacts.get(participant.pk)
        baseline = max(filter(None, [last_contact, *(e.start_date for e in enrollments)]))
        plan = getattr(participant, "plan", None)
        next_review = plan.next_review_on(min(p.plan_review_days for p in programs)) if plan else None
        coverage_end = min(
            (c.end_date for c in participant.current_coverages if c.end_date and c.end_date <= soon), default=None
        )
        consent_end = min((c.expires_on for c in participant.ending_consents), default=None)
        rows.append(
            CaseloadRow(
                participant=participant,
                specialist_id=assignment.specialist_id,
                specialist=assignment.specialist,
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
                follow_ups=list(due.get(participant.pk, [])),
            )
        )
    return rows


def caseload_counts(
    specialist_ids: Iterable[int], *, last_contact: Callable[[str], Expression], today: datetime.date | None = None
) -> dict[int, dict[str, int]]:
    """specialist id -> {"caseload_size", "overdue_contacts", "reviews_due"}: how many rows
    of their caseload `caseload_rows` would give, and how many of those it would mark contact
    overdue and plan review due (the same rules), counted by the database in one query
    whatever the caseloads, for the pages that show only the numbers. `last_contact` gives,
    for the outer query's participant id field, the day of the last contact (notes live to
    the right of this app)."""
    today = today or timezone.localdate()
    rows = caseload_figures(specialist_ids, last_contact=last_contact, today=today)
    counts = (
        rows.order_by()
        .values("specialist_id")
        .annotate(
            caseload_size=Count("pk"),
            overdue_contacts=Count("pk", filter=Q(contact_due_on__lt=today)),
            reviews_due=Count("pk", filter=Q(participant__plan__isnull=True) | Q(review_on__lte=today)),
        )
    )
    return {row.pop("specialist_id"): row for row in counts}


def caseload_figures(specialist_ids: Iterable[int], *, last_contact: Callable[[str], Expression], today: datetime.date):
    """The caseload's assignments, each annotated with what `caseload_rows` computes in Python:
    `baseline` (where the contact clock starts), `contact_due_on` (contact overdue after it),
    `review_on` (the next plan review, None without a plan). For the pages that count or
    order the rows in the database."""
    open_enrollments = Enrollment.objects.current().filter(participant=OuterRef("participant_id")).order_by()

    def over_enrollments(aggregate, field: str) -> Subquery:
        return Subquery(open_enrollments.values("participant").annotate(v=aggregate(field)).values("v"))

    intake = over_enrollments(Max, "start_date")
    rows = caseload_assignments(specialist_ids).annotate(
        # As in caseload_rows: the clock starts at the last contact, or the latest intake.
        baseline=Greatest(Coalesce(last_contact("participant_id"), intake), intake),
        every=over_enrollments(Min, "program__contact_frequency_days"),
        review_every=over_enrollments(Min, "program__plan_review_days"),
        reviewed=Coalesce("participant__plan__last_reviewed_on", "participant__plan__started_on"),
    )
    return rows.annotate(
        # contact_is_overdue: today - baseline > every, that is baseline + every < today.
        # PlusDays: a date plus a whole number of days on SQLite too (`+` there adds numbers).
        contact_due_on=PlusDays(F("baseline"), F("every")),
        review_on=PlusDays(F("reviewed"), F("review_every")),
    )


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


def search(user, query: str) -> QuerySet[Participant]:
    """The participants `user` may see that match `query`, read by `search_query.parse`: a
    date of birth, a phone number in any format, part of a member or Medicaid ID, "Last,
    First" or names in any order. With no query, every one they may see: for a specialist
    their caseload, for a supervisor their team's. One query, on SQLite and PostgreSQL alike."""
    wanted = parse(query)
    participants = visible_participants(user)
    if wanted.date:
        return participants.filter(date_of_birth=wanted.date)
    if wanted.phone or wanted.member_id:
        match = Q()
        if wanted.phone:
            match |= Q(phone_digits__contains=wanted.phone)
        if wanted.member_id:
            member = Coverage.objects.filter(participant=OuterRef("pk"), member_id__icontains=wanted.member_id)
            match |= Q(Exists(member))
        return participants.filter(match)
    return match_names(participants, wanted)


def match_names(participants: QuerySet[Participant], wanted: Query) -> QuerySet[Participant]:
    """The participants whose names match the parsed query (`search_query.parse`): "Last,
    First" or names in any order. How a person is found by name, in the search and among a
    group's possible attendees alike."""
    for word in wanted.last:
        participants = participants.filter(last_name__icontains=word)
    for word in wanted.first:
        participants = participants.filter(Q(first_name__icontains=word) | Q(preferred_name__icontains=word))
    for word in wanted.words:
        participants = participants.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(preferred_name__icontains=word)
        )
    return participants


@dataclass
class ListRow:
    participant: Participant
    programs: list
    specialist: User | None
    last_contact_on: datetime.date | None


def list_rows(participants: Iterable[Participant]) -> list[ListRow]:
    """One page of the participant list with each one's programs, specialist (the open
    assignment) and last contact: three queries whatever the page holds."""
    participants = list(participants)
    prefetch_related_objects(
        participants,
        Prefetch(
            "enrollments", queryset=Enrollment.objects.current().select_related("program"), to_attr="open_enrollments"
        ),
        Prefetch(
            "assignments",
            queryset=CaseloadAssignment.objects.current().select_related("specialist"),
            to_attr="open_assignments",
        ),
    )
    contacts = extensions.last_contacts([p.pk for p in participants])
    return [
        ListRow(
            participant=p,
            programs=sorted({e.program for e in p.open_enrollments}, key=lambda program: program.name),
            specialist=p.open_assignments[0].specialist if p.open_assignments else None,
            last_contact_on=contacts.get(p.pk),
        )
        for p in participants
    ]


# The group form's attendee search: at least this many characters, at most this many answers.
ATTENDEE_QUERY_MIN = 2
ATTENDEE_RESULTS = 10


def group_attendee_search(user, query: str, *, exclude: Iterable[int] = ()) -> list[Participant]:
    """Whom `user` may add to a group they lead (participants.access.group_attendees) matched
    by name, without those already on the form: at most ATTENDEE_RESULTS, each with
    `.shared_programs`, the programs of `user`'s they are enrolled in now. Two queries."""
    wanted = parse(query)
    if len(query.strip()) < ATTENDEE_QUERY_MIN or not (wanted.last or wanted.first or wanted.words):
        return []  # by name only: no dates of birth, phones or IDs of people outside one's care
    found = match_names(group_attendees(user), wanted).exclude(pk__in=list(exclude))
    mine = Enrollment.objects.current().filter(program__staff__user=user).select_related("program")
    found = found.prefetch_related(Prefetch("enrollments", queryset=mine, to_attr="shared_enrollments"))
    people = list(found.order_by("last_name", "first_name", "pk")[:ATTENDEE_RESULTS])
    for person in people:
        person.shared_programs = [e.program for e in person.shared_enrollments]
    return people


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


def plan_goals(plan) -> QuerySet:
    """The plan's goals with their status changes and who made each, read in two queries: the
    changes' users are joined to them, not read by a third."""
    changes = GoalStatusChange.objects.select_related("changed_by")
    return plan.goals.prefetch_related(Prefetch("status_changes", changes))


def current_disclosures(participant: Participant, today: datetime.date | None = None) -> list[Consent]:
    today = today or timezone.localdate()
    return [c for c in participant.consents.all() if c.kind == Consent.Kind.PART2_DISCLOSURE and c.in_force_on(today)]
