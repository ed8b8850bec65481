"""The denial work queue and its actions: correct and resubmit, appeal, write off."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import role_required
from audit.context import AuditContext

from .. import denials
from ..access import BILLING_ROLES, get_line_for_user
from ..forms_revenue import AppealForm, DenialFilterForm, WriteOffForm, first_error

PAGE_SIZE = 50
# The queue's own parameters an action returns to (its filters and pages), nothing else.
BACK_KEYS = ("payer", "reason", "page", "appealed_page")


@role_required(*BILLING_ROLES)
def denial_list(request: HttpRequest) -> HttpResponse:
    form = DenialFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    counted = denials.counts(filters)
    context = {
        "form": form,
        "page": denials.queue_page(filters, counted, request.GET.get("page"), PAGE_SIZE),
        "waiting": denials.appealed_page(filters, counted, request.GET.get("appealed_page"), PAGE_SIZE),
        "by_reason": counted.by_reason,
        "urgent_days": denials.URGENT_DAYS,
        "back": request.GET.urlencode(),
        # The filters, kept on the pagination and reason links (each sets its own page or reason).
        "payer_query": urlencode({k: v for k, v in request.GET.items() if k == "payer"}),
    }
    filters_query = urlencode({k: v for k, v in request.GET.items() if k in ("payer", "reason")})
    context["keep"] = f"{filters_query}&" if filters_query else ""
    return render(request, "billing/denial_list.html", context)


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the queue as the clerk left it: its filters and pages only."""
    sent = QueryDict(request.POST.get("back", ""))
    query = urlencode({k: sent[k] for k in BACK_KEYS if sent.get(k)})
    return redirect(reverse("billing:denial_list") + (f"?{query}" if query else ""))


def _refused(request: HttpRequest, line, message: str) -> HttpResponse:
    messages.error(
        request, f"{line.claim.claim_number}, {line.hcpcs} of {line.service_date:%b} {line.service_date.day}: {message}"
    )
    return _back(request)


@require_POST
@role_required(*BILLING_ROLES)
def denial_correct(request: HttpRequest, pk: int) -> HttpResponse:
    line = get_line_for_user(request.user, pk)
    try:
        batch = denials.line_correct(line=line, ctx=AuditContext.from_request(request))
    except ValidationError as error:
        return _refused(request, line, error.messages[0])
    messages.success(
        request,
        f"Replacement claim for {line.claim.claim_number} built in batch {batch.pk}. Export it to send it; "
        "the denied lines left the queue.",
    )
    return redirect("billing:batch_detail", pk=batch.pk)


@require_POST
@role_required(*BILLING_ROLES)
def denial_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    line = get_line_for_user(request.user, pk)
    form = AppealForm(request.POST)
    if not form.is_valid():
        return _refused(request, line, first_error(form))
    try:
        denials.line_appeal(line=line, ctx=AuditContext.from_request(request), **form.cleaned_data)
    except ValidationError as error:
        return _refused(request, line, error.messages[0])
    messages.success(request, f"Appeal recorded for {line.claim.claim_number}; the line waits under “Appealed”.")
    return _back(request)


@require_POST
@role_required(*BILLING_ROLES)
def denial_write_off(request: HttpRequest, pk: int) -> HttpResponse:
    line = get_line_for_user(request.user, pk)
    form = WriteOffForm(request.POST)
    if not form.is_valid():
        return _refused(request, line, first_error(form))
    try:
        write_off = denials.line_write_off(line=line, ctx=AuditContext.from_request(request), **form.cleaned_data)
    except ValidationError as error:
        return _refused(request, line, error.messages[0])
    messages.success(request, f"${write_off.amount:.2f} written off on {line.claim.claim_number}.")
    return _back(request)
