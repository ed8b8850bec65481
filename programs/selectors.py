import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import (
    Case,
    DateField,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.roles import HOME_PRIORITY, Role

from .access import visible_profiles
from .models import (
    EXPIRING_WITHIN_DAYS,
    Agency,
    Certification,
    CertificationStatus,
    Program,
    StaffProfile,
    SupervisionSession,
    TrainingRecord,
    certification_status,
)


def current_agency() -> Agency | None:
    """The agency this installation serves (one per installation today)."""
    return Agency.objects.order_by("pk").first()


def _sum_subquery(rows: QuerySet, group_by: str, field: str, output):
    # One correlated subquery per figure: summing over two joined relations at once
    # would multiply the rows and inflate both sums.
    totals = rows.values(group_by).annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(totals, output_field=output), Value(0, output_field=output))


class StaffState:
    """A profile's state on the workforce page: active, invited (with the invitation's own
    state), or deactivated. Decided in SQL (`_staff_state`) so it can be filtered and sorted."""

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


def _latest_expiry(today: datetime.date):
    return (
        Certification.objects.filter(profile=OuterRef("pk"), issued_on__lte=today)
        .order_by("-expires_on")
        .values("expires_on")[:1]
    )


def _staff_state(now: datetime.datetime):
    """The profile's state from its own flag and its user's latest invitation (matched by email:
    the invitation names its user only once accepted)."""
    latest = Invitation.objects.filter(email=OuterRef("user__email")).order_by("-created_at")
    expired_before = now - datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    waiting = latest.filter(accepted_at__isnull=True, revoked_at__isnull=True)
    return Case(
        When(is_active=True, then=Value(StaffState.ACTIVE)),
        When(Exists(latest.filter(accepted_at__isnull=False)), then=Value(StaffState.DEACTIVATED)),
        When(Exists(waiting.filter(sent_at__gt=expired_before)), then=Value(StaffState.INVITED)),
        When(Exists(waiting), then=Value(StaffState.EXPIRED)),
        When(Exists(latest), user__last_login__isnull=True, then=Value(StaffState.WITHDRAWN)),
        default=Value(StaffState.DEACTIVATED),
    )


def _rank(field: str, values) -> Case:
    return Case(*(When(**{field: v}, then=Value(i)) for i, v in enumerate(values)), default=Value(len(values)))


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
    are annotated subqueries and programs are prefetched, so the query count is fixed."""
    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    year_start = today.replace(month=1, day=1)
    # The user's role, the one their home page follows when they hold several.
    role_groups = Group.objects.filter(user=OuterRef("user"), name__in=HOME_PRIORITY)
    profiles = (
        visible_profiles(user)
        .select_related("user", "supervisor")
        .prefetch_related(Prefetch("programs", queryset=Program.objects.order_by("name")))
        .annotate(
            latest_expiry=Subquery(_latest_expiry(today), output_field=DateField()),
            staff_state=_staff_state(timezone.now()),
            invitation_id=Subquery(
                Invitation.objects.filter(email=OuterRef("user__email")).order_by("-created_at").values("pk")[:1]
            ),
            role=Subquery(role_groups.order_by(_rank("name", HOME_PRIORITY)).values("name")[:1]),
            # A subquery, not Count("programs"): an aggregate groups the rows, so the page's
            # count had to wrap every figure's subquery to count them (issue 16); now it
            # counts the profiles with only the annotations its filters use.
            program_count=_sum_subquery(
                StaffProfile.programs.through.objects.filter(staffprofile=OuterRef("pk")),
                "staffprofile",
                Value(1),
                IntegerField(),
            ),
            training_hours=_sum_subquery(
                TrainingRecord.objects.filter(
                    profile=OuterRef("pk"), completed_on__gte=year_start, completed_on__lte=today
                ),
                "profile",
                "hours",
                DecimalField(max_digits=7, decimal_places=2),
            ),
            supervision_minutes=_sum_subquery(
                SupervisionSession.objects.filter(supervisee=OuterRef("pk"), date__gte=month_start, date__lte=today),
                "supervisee",
                "minutes",
                IntegerField(),
            ),
        )
        .annotate(state_rank=_rank("staff_state", [value for value, _ in StaffState.FILTERS[1:]]))
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


def certification_types_on(pairs: Iterable[tuple[int, datetime.date]]) -> dict[tuple[int, datetime.date], frozenset]:
    """(specialist user id, day) -> the types of certification that specialist had in force
    that day (empty when none), for many pairs in one query."""
    pairs = set(pairs)
    if not pairs:
        return {}
    days = [day for _, day in pairs]
    held = defaultdict(list)
    certifications = (
        Certification.objects.filter(profile__user_id__in={user_id for user_id, _ in pairs})
        .overlapping(min(days), max(days))
        .annotate(specialist_id=F("profile__user_id"))
    )
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
