"""The eligibility pages' reads: a page of rows each, in a fixed number of queries."""

import datetime

from django.db.models import Count, Q, QuerySet

from participants.models import Coverage

from ..models import EligibilityInquiry, EligibilityResponse, EligibilityResult
from .inquiry import medicaid_coverages


def inquiries() -> QuerySet[EligibilityInquiry]:
    return (
        EligibilityInquiry.objects.select_related("payer", "created_by")
        .defer("file_text")
        .annotate(subscribers=Count("lines"))
        .order_by("-created_at", "-pk")
    )


def responses() -> QuerySet[EligibilityResponse]:
    return (
        EligibilityResponse.objects.select_related("payer", "imported_by")
        .defer("file_text")
        .annotate(
            answers=Count("results"),
            inactive=Count("results", filter=Q(results__status=Coverage.Eligibility.INACTIVE)),
        )
        .order_by("-imported_at", "-pk")
    )


def choosable(query: str, today: datetime.date) -> QuerySet[Coverage]:
    """Medicaid coverages in force today, for the build form, found by name or member ID."""
    rows = medicaid_coverages(today).select_related("participant", "payer")
    for word in query.split():
        rows = rows.filter(
            Q(participant__first_name__icontains=word)
            | Q(participant__last_name__icontains=word)
            | Q(participant__preferred_name__icontains=word)
            | Q(member_id__iexact=word)
        )
    return rows.order_by("participant__last_name", "participant__first_name", "pk")


def reported_inactive(today: datetime.date) -> QuerySet[Coverage]:
    """Coverages a payer last reported inactive that still run today or later."""
    return (
        Coverage.objects.filter(eligibility_status=Coverage.Eligibility.INACTIVE)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("participant", "payer")
        .order_by("-eligibility_checked_on", "pk")
    )


def inquiry_lines(inquiry: EligibilityInquiry):
    return inquiry.lines.select_related("coverage__participant").order_by("position")


def latest_results(lines) -> dict[int, EligibilityResult]:
    """line id -> the latest answer to it, for a page of lines, in one query."""
    latest = {}
    for result in EligibilityResult.objects.filter(line__in=list(lines)).order_by("pk"):
        latest[result.line_id] = result
    return latest


def response_results(response: EligibilityResponse):
    return response.results.select_related("coverage__participant", "line").order_by("position", "pk")
