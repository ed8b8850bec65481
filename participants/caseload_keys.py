"""The caseload pages' order and filters, read for every row in one query (issue 16).

A caseload page shows 50 rows, but sorts and filters the whole caseload (a supervisor's team
holds hundreds of participants). Building every row (`selectors.caseload_rows`: enrollments,
coverage, consents, check-ins as model objects) to show 50 made the page's cost follow the
team's size. Here each row is only what `selectors.sort_and_filter` and the `?show=` filters
read of it, computed by the database with the same rules; the page then builds its own rows."""

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import Count, Exists, Expression, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .eligibility import Eligibility
from .models import Consent, Coverage, Enrollment
from .selectors import ENDING_SOON_DAYS, caseload_figures


@dataclass
class CaseloadKey:
    """A caseload row as far as ordering and filtering go: the attributes of `CaseloadRow`
    that `sort_and_filter` and the show filters read. `alerts` and `follow_ups` hold as many
    entries as the row's (only how many matters)."""

    participant: SimpleNamespace  # pk, first_name, last_name
    specialist_id: int
    days_since_contact: int
    next_review_on: datetime.date | None
    contact_overdue: bool
    review_due: bool
    follow_ups: list = field(default_factory=list)
    alerts: list = field(default_factory=list)
    programs: list = field(default_factory=list)  # filtered in the query instead


def caseload_keys(
    specialist_ids: Iterable[int],
    *,
    last_contact: Callable[[str], Expression],
    follow_up_counts: Callable[[list[int]], Mapping[int, int]],
    program_id: int | None = None,
    today: datetime.date | None = None,
) -> list[CaseloadKey]:
    """The caseload now as `CaseloadKey`s, in `caseload_rows`' order, in two queries whatever
    its size: this one, and `follow_up_counts` (participant ids -> how many check-ins are due
    or overdue; outcomes, to the right of this app, answers it). `program_id`: only those
    enrolled in that program now."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=ENDING_SOON_DAYS)
    mine = {"participant": OuterRef("participant_id")}
    current_coverage = Coverage.objects.overlapping(today, None).filter(**mine).order_by()
    inactive = current_coverage.filter(eligibility_status=Eligibility.INACTIVE, eligibility_checked_on__isnull=False)
    rows = caseload_figures(specialist_ids, last_contact=last_contact, today=today).annotate(
        inactive=Coalesce(
            Subquery(inactive.values("participant").annotate(n=Count("pk")).values("n")),
            Value(0),
            output_field=IntegerField(),
        ),
        coverage_ending=Exists(current_coverage.filter(end_date__isnull=False, end_date__lte=soon)),
        consent_ending=Exists(Consent.objects.in_force_on(today).filter(expires_on__lte=soon, **mine)),
    )
    if program_id:
        rows = rows.filter(Exists(Enrollment.objects.current().filter(program_id=program_id, **mine)))
    values = list(
        rows.values_list(
            "participant_id",
            "participant__first_name",
            "participant__last_name",
            "specialist_id",
            "baseline",
            "contact_due_on",
            "review_on",
            "participant__plan",
            "inactive",
            "coverage_ending",
            "consent_ending",
        )
    )
    due = follow_up_counts([row[0] for row in values])
    keys = []
    for (
        pk,
        first,
        last,
        specialist_id,
        baseline,
        contact_due_on,
        review_on,
        plan,
        inactive,
        coverage,
        consent,
    ) in values:
        overdue = contact_due_on < today
        review_due = plan is None or review_on <= today
        follow_ups = [None] * due.get(pk, 0)
        alerts = inactive + overdue + review_due + coverage + consent + len(follow_ups)
        keys.append(
            CaseloadKey(
                participant=SimpleNamespace(pk=pk, first_name=first, last_name=last),
                specialist_id=specialist_id,
                days_since_contact=(today - baseline).days,
                next_review_on=review_on if plan is not None else None,
                contact_overdue=overdue,
                review_due=review_due,
                follow_ups=follow_ups,
                alerts=[None] * alerts,
            )
        )
    return keys
