"""Figures that combine several apps, for the pages that show them together. Each app keeps
its own rules; this module only composes their selectors."""

import datetime
from dataclasses import dataclass

from django.db.models import Count

from accounts.models import User
from notes.selectors import last_contacts
from participants.selectors import CaseloadRow, caseload_assignments, caseload_rows
from programs.models import StaffProfile
from programs.selectors import workforce


def caseload(specialist_ids, *, today: datetime.date | None = None) -> list[CaseloadRow]:
    """The caseload pages' rows: participants' records with the last contact from notes."""
    return caseload_rows(specialist_ids, last_contacts=last_contacts, today=today)


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


def workforce_rows(user, **filters) -> list[StaffProfile]:
    """The workforce page: programs' figures per specialist, with each one's caseload size
    (the participants app's caseload, counted in one query)."""
    rows = workforce(user, **filters)
    sizes = dict(
        caseload_assignments([row.user_id for row in rows])
        .values("specialist_id")
        .annotate(size=Count("pk"))
        .values_list("specialist_id", "size")
    )
    for row in rows:
        row.caseload_size = sizes.get(row.user_id, 0)
    return rows
