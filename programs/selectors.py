import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import (
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from audit.prepared import Prepared, Slot

from . import workforce_sql as sql
from .access import visible_profiles
from .models import (
    EXPIRING_WITHIN_DAYS,
    Agency,
    Certification,
    CertificationStatus,
    Program,
    StaffProfile,
    certification_status,
)


def current_agency() -> Agency | None:
    """The agency this installation serves (one per installation today)."""
    return Agency.objects.order_by("pk").first()


class StaffState:
    """A profile's state on the workforce page: active, invited (with the invitation's own
    state), or deactivated. Decided in SQL (`workforce_sql.STAFF_STATE`) so it can be
    filtered and sorted."""

    ACTIVE = "active"
    INVITED = "invited"
    EXPIRED = "invitation expired"
    WITHDRAWN = "invitation withdrawn"
    DEACTIVATED = "deactivated"
    CURRENT = (ACTIVE, INVITED, EXPIRED)  # what the page lists unless asked otherwise
    FILTERS = [
        ("", "Active and invited"),
        (ACTIVE, "Active"),
        (INVITED, "Invited, waiting"),
        (EXPIRED, "Invitation expired"),
        (WITHDRAWN, "Invitation withdrawn"),
        (DEACTIVATED, "Deactivated"),
    ]


# ?sort= values and the columns they order by (a leading "-" reverses); anything else falls
# back to the name. Ties are broken by name, then by pk, so pages never overlap.
WORKFORCE_SORTS = {
    "name": ("user__last_name", "user__first_name"),
    "role": ("role",),
    "programs": ("program_count",),
    "supervisor": ("supervisor__last_name", "supervisor__first_name"),
    "expiry": ("latest_expiry",),
    "status": ("state_rank",),
}


def workforce(
    user,
    *,
    today: datetime.date | None = None,
    query: str = "",
    role: str = "",
    program=None,
    supervisor=None,
    status: str = "",
    state: str = "",
    sort: str = "name",
) -> QuerySet[StaffProfile]:
    """The staff `user` may see, every role, with the figures the workforce page shows, sorted
    in the database by one of WORKFORCE_SORTS. A queryset, for the page to paginate: figures
    are annotated subqueries and programs are prefetched (`program_list`, by name), so the
    query count is fixed."""
    today = today or timezone.localdate()
    expired_before = timezone.now() - datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    # The figures as SQL written once (programs.workforce_sql): built as ORM subqueries, they
    # were most of the page's Python time (issue 16). The sorts' own figures only when sorted by.
    sorted_by = {
        "programs": {"program_count": sql.program_count()},
        "status": {"state_rank": sql.state_rank(expired_before, [value for value, _ in StaffState.FILTERS[1:]])},
    }.get(sort.removeprefix("-"), {})
    profiles = (
        visible_profiles(user)
        .select_related("user", "supervisor")
        # As a list (`program_list`): a related manager built per row, to prefetch into and
        # again to read, was the page's costliest object (issue 16).
        .prefetch_related(Prefetch("programs", queryset=Program.objects.order_by("name"), to_attr="program_list"))
        .annotate(
            latest_expiry=sql.latest_expiry(today),
            staff_state=sql.staff_state(expired_before),
            invitation_id=sql.latest_invitation_id(),
            role=sql.home_role(),
            training_hours=sql.training_hours(today.replace(month=1, day=1), today),
            supervision_minutes=sql.supervision_minutes(today.replace(day=1), today),
            **sorted_by,
        )
    )
    profiles = profiles.filter(staff_state=state) if state else profiles.filter(staff_state__in=StaffState.CURRENT)
    for word in query.split():
        profiles = profiles.filter(
            Q(user__first_name__icontains=word) | Q(user__last_name__icontains=word) | Q(user__email__icontains=word)
        )
    # Exists rather than joins: a join on the groups or programs would repeat rows and
    # inflate the programs count.
    if role:
        profiles = profiles.filter(Exists(Group.objects.filter(user=OuterRef("user"), name=role)))
    if program is not None:
        in_program = StaffProfile.programs.through.objects.filter(staffprofile=OuterRef("pk"), program=program)
        profiles = profiles.filter(Exists(in_program))
    if supervisor is not None:
        profiles = profiles.filter(supervisor=supervisor)
    profiles = _filter_certification_status(profiles, status, today)
    return profiles.order_by(*workforce_ordering(sort))


def workforce_ordering(sort: str) -> list:
    key = sort.removeprefix("-")
    columns = WORKFORCE_SORTS.get(key) or WORKFORCE_SORTS["name"]
    descending = sort.startswith("-") and key in WORKFORCE_SORTS
    ordered = [F(c).desc(nulls_last=True) if descending else F(c).asc(nulls_last=True) for c in columns]
    return [*ordered, "user__last_name", "user__first_name", "pk"]


def _filter_certification_status(profiles: QuerySet, status: str, today: datetime.date) -> QuerySet:
    expiring_by = today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
    if status == CertificationStatus.NONE:
        return profiles.filter(latest_expiry__isnull=True)
    if status == CertificationStatus.EXPIRED:
        return profiles.filter(latest_expiry__lt=today)
    if status == CertificationStatus.EXPIRING:
        return profiles.filter(latest_expiry__gte=today, latest_expiry__lte=expiring_by)
    if status == CertificationStatus.VALID:
        return profiles.filter(latest_expiry__gt=expiring_by)
    return profiles


def with_workforce_figures(rows: Iterable[StaffProfile], today: datetime.date | None = None) -> list[StaffProfile]:
    """The figures computed from the annotations, for the rows of one page."""
    today = today or timezone.localdate()
    rows = list(rows)
    for profile in rows:
        profile.certification_status = certification_status(profile.latest_expiry, today)
        profile.supervision_hours = Decimal(profile.supervision_minutes) / 60
        # The invitation can still be sent again or withdrawn (accounts.services decides).
        waiting = profile.staff_state in (StaffState.INVITED, StaffState.EXPIRED)
        profile.invitation_waiting = waiting and profile.invitation_id is not None
    return rows


# Compiled once (audit/prepared.py): billing's work page asks for one window of notes, and
# writing this query's SQL took longer than running it.
_certifications = Prepared(
    lambda: (
        Certification.objects.filter(profile__user_id__in=Slot("specialists", many=True))
        .overlapping(Slot("first"), Slot("last"))
        .annotate(specialist_id=F("profile__user_id"))
    )
)


def certification_types_on(pairs: Iterable[tuple[int, datetime.date]]) -> dict[tuple[int, datetime.date], frozenset]:
    """(specialist user id, day) -> the types of certification that specialist had in force
    that day (empty when none), for many pairs in one query."""
    pairs = set(pairs)
    if not pairs:
        return {}
    days = [day for _, day in pairs]
    held = defaultdict(list)
    certifications = _certifications(specialists={user_id for user_id, _ in pairs}, first=min(days), last=max(days))
    for certification in certifications:
        held[certification.specialist_id].append(certification)
    return {(user_id, day): frozenset(c.type for c in held[user_id] if c.in_force_on(day)) for user_id, day in pairs}


def certified_on(
    pairs: Iterable[tuple[int, datetime.date]], types: Collection[str] | None = None
) -> set[tuple[int, datetime.date]]:
    """The (specialist user id, day) pairs on which that specialist had a certification in
    force, of one of `types` when given: `StaffProfile.is_certified_on` for many notes at
    once, in one query."""
    wanted = None if types is None else set(types)
    return {pair for pair, held in certification_types_on(pairs).items() if held and (wanted is None or held & wanted)}


def active_supervisors() -> QuerySet[User]:
    """Who may be chosen as a supervisor: active users holding the role (not an invitee)."""
    return User.objects.filter(groups__name=Role.SUPERVISOR, is_active=True).order_by("last_name", "first_name")


def supervisors_for_filter(user) -> QuerySet[User]:
    if user.has_role(Role.PROGRAM_ADMIN):
        return active_supervisors()
    return User.objects.filter(pk=user.pk)


def supervision_hours_by_month(profile: StaffProfile, *, months: int = 6, today: datetime.date | None = None):
    """[(first day of month, hours)] for the last `months` months, newest first, in one query."""
    today = today or timezone.localdate()
    starts = []
    month = today.replace(day=1)
    for _ in range(months):
        starts.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    sessions = profile.supervision_sessions.filter(date__gte=starts[-1], date__lte=today).values_list("date", "minutes")
    minutes = dict.fromkeys(starts, 0)
    for date, mins in sessions:
        minutes[date.replace(day=1)] += mins
    return [(start, Decimal(minutes[start]) / 60) for start in starts]


def training_hours_in_year(profile: StaffProfile, year: int) -> Decimal:
    total = profile.training.filter(completed_on__year=year).aggregate(total=Sum("hours"))["total"]
    return total or Decimal(0)


def certification_warnings(profiles: QuerySet[StaffProfile], *, today: datetime.date | None = None):
    """(profile, status, latest expiry) for those whose certification is expiring, expired or missing."""
    today = today or timezone.localdate()
    latest_expiry = (
        Certification.objects.filter(profile=OuterRef("pk"), issued_on__lte=today)
        .order_by("-expires_on")
        .values("expires_on")[:1]
    )
    rows = profiles.filter(is_active=True).select_related("user").annotate(latest_expiry=Subquery(latest_expiry))
    warnings = []
    for profile in rows:
        status = certification_status(profile.latest_expiry, today)
        if status != CertificationStatus.VALID:
            warnings.append((profile, status, profile.latest_expiry))
    return warnings
