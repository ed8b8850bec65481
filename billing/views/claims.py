"""One claim's page: where it is in the revenue cycle and how it got there."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import role_required

from .. import corrections, selectors
from ..access import BILLING_ROLES, get_claim_for_user


@role_required(*BILLING_ROLES)
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_claim_for_user(request.user, pk)
    claim.days_left = corrections.correction_days_left(claim, claim.batch) if claim.batch.is_frozen else None
    claim.resend_days_left = corrections.resend_days_left(claim)
    context = selectors.claim_page(claim)
    # A claim's history is short, but a claim sent, rejected and resent for years is paged too.
    context["events"] = Paginator(context["events"], 50).get_page(request.GET.get("page"))
    return render(request, "billing/claim_detail.html", {"claim": claim, "batch": claim.batch, **context})
