"""Accounts receivable: outstanding by payer and age, the monthly flow, and their downloads."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import role_required
from audit.context import AuditContext

from .. import receivables
from ..access import BILLING_ROLES


@role_required(*BILLING_ROLES)
def receivable_list(request: HttpRequest) -> HttpResponse:
    report = receivables.receivables()
    buckets = [label for label, _, _ in receivables.BUCKETS]
    context = {"report": report, "buckets": buckets}
    context["month_columns"] = receivables.MONTH_COLUMNS[1:]
    return render(request, "billing/receivable_list.html", context)


@role_required(*BILLING_ROLES)
def receivable_download(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in receivables.FORMATS:
        raise Http404("Download accounts receivable as csv or xlsx.")
    name, content_type, body = receivables.receivables_download(fmt=fmt, ctx=AuditContext.from_request(request))
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
