"""Figures that combine several apps, for the pages that show them together. Each app keeps
its own rules; this module only composes their selectors."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db.models import Count, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from audit.models import AuditEvent
from notes.selectors import last_contact as notes_last_contact
from notes.selectors import last_contacts
from outcomes import follow_up
from outcomes.models import SafetyFlag
from participants import caseload_keys as keys
from participants.models import Enrollment
from participants.selectors import CaseloadRow, caseload_assignments, caseload_counts, caseload_rows
from programs.models import StaffProfile
from programs.selectors import with_workforce_figures

from .team_figures import kept_for_team


def caseload(specialist_ids, *, today: datetime.date | None = None) -> list[CaseloadRow]:
    """The caseload pages' rows: participants' records with the last contact from notes and
    the check-ins due or overdue from outcomes. Kept while the caseloads' stamp stays
    (peersupport.team_figures)."""
    today = today or timezone.localdate()
    due = partial(follow_up.needing_action, today=today)
    return kept_for_team(
        "rows",
        specialist_ids,
        (None,),
        lambda: caseload_rows(specialist_ids, last_contacts=last_contacts, follow_ups=due, today=today),
        today,
    )


def caseload_keys(
    specialist_ids, *, check_ins: bool, program_id: int | None = None, today: datetime.date | None = None
):
    """Every row of these caseloads as far as the caseload pages sort and filter them
    (participants.caseload_keys), in two queries: the page then builds its own rows only.
    `check_ins`: whether the order or the filter reads the check-ins due (`needs_check_ins`);
    when not, they are not counted (half the cost of the keys for a team), and the keys'
    alerts leave them out. Kept for the team, the day and the question while the team's
    stamp stays (peersupport.team_figures)."""

    def follow_up_counts(participant_ids: list[int]) -> dict[int, int]:
        if not check_ins:
            return {}
        enrollments = Enrollment.objects.current().filter(participant__in=participant_ids)
        counts = follow_up.action_counts(enrollments, today=today)
        return {pk: c["due"] + c["overdue"] for pk, c in counts.items()}

    def computed():
        return keys.caseload_keys(
            specialist_ids,
            last_contact=notes_last_contact,
            follow_up_counts=follow_up_counts,
            program_id=program_id,
            today=today,
        )

    today = today or timezone.localdate()
    return kept_for_team("keys", specialist_ids, (check_ins, program_id), computed, today)


def caseload_page(specialist_ids, page_keys, *, today: datetime.date | None = None) -> list[CaseloadRow]:
    """The caseload rows of one page, in the order of its keys: built for those participants
    only, whatever the size of the caseloads they come from, and kept while the caseloads'
    stamp stays (peersupport.team_figures)."""
    wanted = [key.participant.pk for key in page_keys]
    today = today or timezone.localdate()
    due = partial(follow_up.needing_action, today=today)
    rows = kept_for_team(
        "rows",
        specialist_ids,
        (tuple(wanted),),
        lambda: caseload_rows(
            specialist_ids, last_contacts=last_contacts, follow_ups=due, today=today, participant_ids=wanted
        ),
        today,
    )
    by_participant = {row.participant.pk: row for row in rows}
    return [by_participant[pk] for pk in wanted if pk in by_participant]  # one moved since: left out


# What the home pages count on caseload rows, each also a filter of the caseload pages
# (`?show=`): a count opens exactly the participants it counted.
CASELOAD_SHOWS: dict[str, tuple[str, Callable[[CaseloadRow], bool]]] = {
    "attention": ("Needing attention", lambda row: bool(row.alerts)),
    "overdue_contacts": ("Contact overdue", lambda row: row.contact_overdue),
    "reviews_due": ("Plan review due", lambda row: row.review_due),
    "check_ins": ("Check-in due or overdue", lambda row: bool(row.follow_ups)),
}


def needs_check_ins(*, sort: str, alerts_only: bool, show: str | None) -> bool:
    """Whether a caseload page's order or filters read the check-ins due: the alerts (which
    count them) or the check-ins filter."""
    return sort == "alerts" or alerts_only or show in ("attention", "check_ins")


def count_showing(rows: list[CaseloadRow], show: str) -> int:
    rule = CASELOAD_SHOWS[show][1]
    return sum(rule(row) for row in rows)


def rows_showing(rows: list[CaseloadRow], show: str | None) -> list[CaseloadRow]:
    """The rows a `show` filter keeps; all of them when it names none of CASELOAD_SHOWS."""
    if show not in CASELOAD_SHOWS:
        return rows
    rule = CASELOAD_SHOWS[show][1]
    return [row for row in rows if rule(row)]


def active_supervisees(supervisor: User) -> QuerySet[StaffProfile]:
    return StaffProfile.objects.filter(supervisor=supervisor, is_active=True)


def team_ids(supervisor: User) -> list[int]:
    """The user ids of `supervisor`'s active supervisees: whose caseloads make the team's."""
    return list(active_supervisees(supervisor).values_list("user_id", flat=True))


def team_caseload_rows(supervisor: User, *, today: datetime.date | None = None) -> list[CaseloadRow]:
    """The caseload rows of every active supervisee of `supervisor`, by participant name."""
    return caseload(team_ids(supervisor), today=today)


def _team_figures(specialist_ids: list[int], today: datetime.date | None) -> dict[int, dict]:
    """`_computed_team_figures`, kept for the team and the day while its stamp stays
    (peersupport.team_figures): the home and the team caseloads page read them on every view."""
    today = today or timezone.localdate()
    return kept_for_team("figures", specialist_ids, (), lambda: _computed_team_figures(specialist_ids, today), today)


def _computed_team_figures(specialist_ids: list[int], today: datetime.date | None) -> dict[int, dict]:
    """specialist id -> their caseload's size, overdue contacts, plan reviews due and
    check-ins due and overdue: the caseload rows' figures, counted without building the
    rows, in five queries whatever the caseloads (the check-ins from enrollments read as
    values, not ~500 enrollments and programs built as model objects: issue 16)."""
    figures = caseload_counts(specialist_ids, last_contact=notes_last_contact, today=today)
    specialist_of = dict(caseload_assignments(specialist_ids).values_list("participant_id", "specialist_id"))
    # The ids as a list, not a subquery: the planner then knows it counts a caseload, not the agency.
    on_caseload = Enrollment.objects.current().filter(participant__in=list(specialist_of))
    check_ins = follow_up.action_counts(on_caseload, today=today)
    for row in figures.values():
        row["check_ins"] = {"due": 0, "overdue": 0}
    for participant_id, counts in check_ins.items():
        row = figures.get(specialist_of.get(participant_id))
        if row:  # None only for someone moved between these queries
            row["check_ins"]["due"] += counts["due"]
            row["check_ins"]["overdue"] += counts["overdue"]
    return figures


def team_counts(supervisor: User, *, today: datetime.date | None = None) -> dict:
    """The supervisor home's figures, summed over the team: the same numbers as the team
    participants page's `?show=` lists, which the home links them to."""
    team = list(active_supervisees(supervisor).values_list("user_id", flat=True))
    figures = _team_figures(team, today).values()
    return {
        "team_size": len(team),
        "overdue_contacts": sum(f["overdue_contacts"] for f in figures),
        "reviews_due": sum(f["reviews_due"] for f in figures),
        "check_ins": {key: sum(f["check_ins"][key] for f in figures) for key in ("due", "overdue")},
    }


def check_ins_due(rows: list[CaseloadRow]) -> dict[str, int]:
    """{"due": n, "overdue": m}: the check-ins needing action on these caseload rows."""
    return follow_up.count_by_status(s for row in rows for s in row.follow_ups)


@dataclass
class TeamRow:
    profile: StaffProfile
    caseload_size: int
    target: int | None
    overdue_contacts: int
    reviews_due: int
    check_ins_due: int
    check_ins_overdue: int
    follow_up_rate: follow_up.FollowUpRate | None


def team_caseloads(supervisor: User, *, today: datetime.date | None = None) -> list[TeamRow]:
    """Each supervisee's caseload figures (counted, not built row by row) and follow-up
    rate, for the team caseloads page; the supervisor's home sums the same figures."""
    profiles = list(
        active_supervisees(supervisor)
        .select_related("user")
        .prefetch_related("programs")
        .order_by("user__last_name", "user__first_name")
    )
    figures = _team_figures([p.user_id for p in profiles], today)
    nothing = {"caseload_size": 0, "overdue_contacts": 0, "reviews_due": 0, "check_ins": {"due": 0, "overdue": 0}}
    rates = follow_up.team_follow_up_rates([p.user_id for p in profiles], today=today)
    rates_by_specialist = {rate.specialist_id: rate for rate in rates}
    team = []
    for profile in profiles:
        counts = figures.get(profile.user_id, nothing)
        targets = [p.target_caseload for p in profile.programs.all()]
        team.append(
            TeamRow(
                profile=profile,
                caseload_size=counts["caseload_size"],
                target=max(targets) if targets else None,
                overdue_contacts=counts["overdue_contacts"],
                reviews_due=counts["reviews_due"],
                check_ins_due=counts["check_ins"]["due"],
                check_ins_overdue=counts["check_ins"]["overdue"],
                follow_up_rate=rates_by_specialist.get(profile.user_id),
            )
        )
    return team


def workforce_rows(rows) -> list[StaffProfile]:
    """One page of the workforce list, with each one's caseload size (the participants
    app's caseload), kept for the page's staff while their caseload versions stay: counted,
    the open assignments of 50 staff (some 2,000) were joined to a hash of every open
    enrollment of the agency, 3-5 ms a view (issue 16)."""
    rows = with_workforce_figures(rows)
    ids = [row.user_id for row in rows]
    sizes = kept_for_team("caseload-sizes", ids, (), lambda: _caseload_sizes(ids))
    for row in rows:
        row.caseload_size = sizes.get(row.user_id, 0)
    return rows


def _caseload_sizes(specialist_ids: list[int]) -> dict[int, int]:
    counts = caseload_assignments(specialist_ids).values("specialist_id").annotate(size=Count("pk"))
    return dict(counts.values_list("specialist_id", "size"))


def open_safety_flags(user) -> QuerySet[SafetyFlag]:
    """Safety flags no one has followed up yet, oldest first: for a supervisor those of the
    participants now on their supervisees' caseloads, for a program admin all of them."""
    flags = SafetyFlag.objects.filter(followed_up_at__isnull=True)
    if not user.has_role(Role.PROGRAM_ADMIN):
        team = StaffProfile.objects.filter(supervisor=user).values_list("user_id", flat=True)
        flags = flags.filter(participant_id__in=caseload_assignments(team).values("participant_id"))
    return flags.select_related("participant", "assessment__instrument").order_by("raised_at")


# The admin's home counts the failed sign-ins of this window, and its list shows them.
FAILED_SIGN_IN_WINDOW = datetime.timedelta(hours=24)


def recent_failed_sign_ins(now: datetime.datetime) -> QuerySet[AuditEvent]:
    """Failed sign-ins in the last 24 hours, newest first (on the `at` index)."""
    since = now - FAILED_SIGN_IN_WINDOW
    return AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, at__gte=since).order_by("-at", "-pk")
