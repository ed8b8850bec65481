import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable
from decimal import Decimal

from django.db.models import (
    DateField,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role

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


def workforce(user, *, today: datetime.date | None = None, program=None, supervisor=None, status: str = ""):
    """The specialists `user` may see, with the figures the workforce page shows.

    Query count is fixed whatever the number of rows: figures are annotated subqueries,
    programs and groups are prefetched.
    """
    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    year_start = today.replace(month=1, day=1)
    latest_expiry = (
        Certification.objects.filter(profile=OuterRef("pk"), issued_on__lte=today)
        .order_by("-expires_on")
        .values("expires_on")[:1]
    )
    profiles = (
        visible_profiles(user)
        .filter(is_active=True, user__groups__name=Role.PEER_SPECIALIST)
        .select_related("user", "supervisor")
        .prefetch_related(Prefetch("programs", queryset=Program.objects.order_by("name")))
        .annotate(
            latest_expiry=Subquery(latest_expiry, output_field=DateField()),
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
        .order_by("user__last_name", "user__first_name")
    )
    if program is not None:
        profiles = profiles.filter(programs=program)
    if supervisor is not None:
        profiles = profiles.filter(supervisor=supervisor)
    if status == CertificationStatus.NONE:
        profiles = profiles.filter(latest_expiry__isnull=True)
    elif status == CertificationStatus.EXPIRED:
        profiles = profiles.filter(latest_expiry__lt=today)
    elif status == CertificationStatus.EXPIRING:
        profiles = profiles.filter(
            latest_expiry__gte=today, latest_expiry__lte=today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
        )
    elif status == CertificationStatus.VALID:
        profiles = profiles.filter(latest_expiry__gt=today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS))
    rows = list(profiles.distinct())
    for profile in rows:
        profile.certification_status = certification_status(profile.latest_expiry, today)
        profile.supervision_hours = Decimal(profile.supervision_minutes) / 60
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


def supervisors_for_filter(user) -> QuerySet[User]:
    if user.has_role(Role.PROGRAM_ADMIN):
        return User.objects.filter(groups__name=Role.SUPERVISOR, is_active=True).order_by("last_name", "first_name")
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
