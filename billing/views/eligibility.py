"""Eligibility pages: inquiries (270) built and downloaded, responses (271) imported and read,
and the coverages a payer reports inactive. Billing staff and program admins only."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import role_required
from audit.context import AuditContext
from audit.inputs import whole_numbers

from ..access import BILLING_ROLES, get_eligibility_response_for_user, get_inquiry_for_user
from ..eligibility import importing, inquiry, selectors
from ..eligibility.forms import CoverageSearchForm, ResponseImportForm
from ..models import EligibilityInquiry

PAGE_SIZE = 50


@role_required(*BILLING_ROLES)
def eligibility(request: HttpRequest) -> HttpResponse:
    context = {
        "inquiries": Paginator(selectors.inquiries(), PAGE_SIZE).get_page(request.GET.get("page")),
        "responses": Paginator(selectors.responses(), PAGE_SIZE).get_page(request.GET.get("responses_page")),
        "inactive_count": selectors.reported_inactive(timezone.localdate()).count(),
    }
    return render(request, "billing/eligibility_list.html", context)


@role_required(*BILLING_ROLES)
def inquiry_new(request: HttpRequest) -> HttpResponse:
    """Choose participants with a Medicaid coverage in force today, a page at a time."""
    form = CoverageSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    rows = selectors.choosable(query, timezone.localdate())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    keep = urlencode({"q": query}) + "&" if query else ""  # the search, kept on the page links
    context = {"form": form, "page": page, "query": query, "keep": keep, "coming_days": inquiry.COMING_DAYS}
    return render(request, "billing/eligibility_inquiry_form.html", context)


@require_POST
@role_required(*BILLING_ROLES)
def inquiry_create(request: HttpRequest) -> HttpResponse:
    scope = request.POST.get("scope", "")
    coverage_ids = whole_numbers(request.POST.getlist("coverages"))
    if scope not in EligibilityInquiry.Scope.values or (scope == EligibilityInquiry.Scope.CHOSEN and not coverage_ids):
        messages.error(request, "Tick at least one participant, or ask about the coming week's contacts.")
        return redirect("billing:eligibility_inquiry_new")
    try:
        inquiries = inquiry.inquiry_create(
            scope=scope, coverage_ids=coverage_ids, ctx=AuditContext.from_request(request)
        )
    except ValidationError as error:
        messages.error(request, "No inquiry was made: " + " ".join(error.messages))
        return redirect("billing:eligibility_inquiry_new")
    subscribers = sum(i.lines.count() for i in inquiries)
    messages.success(request, f"{len(inquiries)} inquiry file(s) for {subscribers} member(s). Download and send them.")
    if len(inquiries) == 1:
        return redirect("billing:eligibility_inquiry_detail", pk=inquiries[0].pk)
    return redirect("billing:eligibility")


@role_required(*BILLING_ROLES)
def inquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_inquiry_for_user(request.user, pk)
    page = Paginator(selectors.inquiry_lines(found), PAGE_SIZE).get_page(request.GET.get("page"))
    answers = selectors.latest_results(page.object_list)
    rows = [(line, answers.get(line.pk)) for line in page.object_list]
    return render(request, "billing/eligibility_inquiry_detail.html", {"inquiry": found, "page": page, "rows": rows})


@role_required(*BILLING_ROLES)
def inquiry_download(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_inquiry_for_user(request.user, pk)
    text = inquiry.inquiry_download(inquiry=found, ctx=AuditContext.from_request(request))
    response = HttpResponse(text, content_type="text/plain; charset=us-ascii")
    response["Content-Disposition"] = f'attachment; filename="{found.file_name}"'
    return response


@role_required(*BILLING_ROLES)
def response_import(request: HttpRequest) -> HttpResponse:
    form = ResponseImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        ctx = AuditContext.from_request(request)
        try:
            name, text = form.cleaned_data["file"]
            imported = importing.response_import(text=text, file_name=name, ctx=ctx)
        except ValidationError as error:
            form.add_error("file", ["Not imported; nothing was changed.", *error.messages])
        else:
            _say_imported(request, imported)
            return redirect("billing:eligibility_response_detail", pk=imported.response.pk)
    context = {"form": form, "cancel_url": reverse("billing:eligibility")}
    return render(request, "billing/eligibility_import.html", context)


def _say_imported(request: HttpRequest, imported: importing.Imported) -> None:
    response = imported.response
    if imported.created:
        messages.success(request, f"Imported {response}: {response.results.count()} answer(s) recorded.")
    else:
        when = f"{response.imported_at:%b} {response.imported_at.day}, {response.imported_at.year}"
        messages.info(request, f"{response} was imported before, on {when}. Nothing new was recorded.")


@role_required(*BILLING_ROLES)
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_eligibility_response_for_user(request.user, pk)
    page = Paginator(selectors.response_results(found), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "billing/eligibility_response_detail.html", {"response": found, "page": page})


@role_required(*BILLING_ROLES)
def inactive_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.reported_inactive(timezone.localdate())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "billing/eligibility_inactive.html", {"page": page})
