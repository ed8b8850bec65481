from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import role_required
from audit.context import AuditContext
from audit.inputs import whole_number, whole_numbers
from audit.paging import counted_page
from audit.services import audit_read
from participants import selectors as participant_selectors
from participants.access import visible_participants
from programs.models import Payer

from .. import corrections, selectors, services, withdrawal
from ..access import (
    BILLING_ROLES,
    get_authorization_for_user,
    get_batch_for_user,
    get_claim_for_user,
    get_line_for_user,
    get_note_for_billing,
)
from ..assessment import READY
from ..forms import (
    AuthorizationFilterForm,
    AuthorizationForm,
    BillingFilterForm,
    CorrectionForm,
    DuplicateDecisionForm,
    PayerClaimNumberForm,
)
from ..models import Claim, ClaimBatch
from ..x12 import ExportError


@role_required(*BILLING_ROLES)
def work(request: HttpRequest) -> HttpResponse:
    form = BillingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    # Only a window of the notes awaiting billing is assessed and shown, however long the
    # history: the time of the page stays flat (BILLING_WORK_WINDOW, oldest notes first).
    window = selectors.work_window(filters, request.GET.get("window"))
    rows = selectors.work_assessments(filters, note_ids=window.object_list)
    context = {"form": form, "window": window, **selectors.work_summary(rows, filters.get("reason", ""))}
    context["holds"] = Paginator(context["holds"], 50).get_page(request.GET.get("page"))
    context["past_fixing"] = Paginator(context["past_fixing"], 50).get_page(request.GET.get("late_page"))
    selectors.limit_fix_links(request.user, [*context["holds"].object_list, *context["past_fixing"].object_list])
    # The filters, to keep on the pagination and reason links (each sets its own page or reason).
    context["filter_query"] = urlencode(
        {k: v for k, v in request.GET.items() if k not in ("page", "late_page", "reason")}
    )
    context["window_query"] = urlencode(
        {k: v for k, v in request.GET.items() if k not in ("page", "late_page", "window")}
    )
    return render(request, "billing/work.html", context)


@require_POST
@role_required(*BILLING_ROLES)
def batch_create(request: HttpRequest) -> HttpResponse:
    """A batch of the ticked notes, or, with "all", of every note ready for the payer under the
    work page's filters (posted along): the assessment is made again here either way."""
    payer_id = whole_number(request.POST.get("payer"))
    payer = Payer.objects.filter(pk=payer_id).first() if payer_id else None
    note_ids = whole_numbers(request.POST.getlist("notes"))
    if payer is not None and request.POST.get("all"):
        form = BillingFilterForm(request.POST)
        filters = form.cleaned_data if form.is_valid() else {}
        window = selectors.work_window(filters, request.POST.get("window"))
        ready = selectors.work_assessments(filters, note_ids=window.object_list)
        note_ids = [a.note.pk for a in ready if a.status == READY and a.payer == payer]
    if payer is None or not note_ids:
        messages.error(request, "Choose a payer and at least one ready note.")
        return redirect("billing:work")
    try:
        batch = services.batch_build(payer=payer, note_ids=note_ids, ctx=AuditContext.from_request(request))
    except (ValidationError, services.BatchConflict) as error:
        messages.error(request, error.messages[0] if isinstance(error, ValidationError) else str(error))
        return redirect("billing:work")
    messages.success(request, f"Batch {batch.pk} built with {batch.claims.count()} claim(s). Check it, then export.")
    return redirect("billing:batch_detail", pk=batch.pk)


@role_required(*BILLING_ROLES)
def batch_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page = Paginator(selectors.batches(status), 50).get_page(request.GET.get("page"))
    rows = selectors.batch_rows(page.object_list)
    open_only = status == ClaimBatch.Status.OPEN
    return render(request, "billing/batch_list.html", {"page": page, "rows": rows, "open_only": open_only})


@role_required(*BILLING_ROLES)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    # Counted at export (an exported batch's claims never change); an open batch's, here.
    page = counted_page(selectors.batch_claims(batch), 25, request.GET.get("page"), count=batch.claim_count)
    for claim in page.object_list:  # the correction limits, from data already loaded
        claim.days_left = corrections.correction_days_left(claim, batch) if batch.is_frozen else None
        claim.resend_days_left = corrections.resend_days_left(claim)
    # An acknowledgment's file is up to 5 MB: the page shows what it said, never its text.
    acknowledgments = batch.acknowledgments.defer("file_text").order_by("imported_at", "pk")
    context = {"batch": batch, "claims": page.object_list, "page": page, "acknowledgments": acknowledgments}
    context["may_withdraw"] = withdrawal.may_withdraw(batch)
    return render(request, "billing/batch_detail.html", context)


@require_POST
@role_required(*BILLING_ROLES)
def batch_export(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    try:
        services.batch_export(batch=batch, ctx=AuditContext.from_request(request))
    except ExportError as error:
        single = len(error.problems) == 1 and not error.problems[0].claim
        messages.error(request, f"Not exported: {error}" if single else "Not exported: the problems are listed below.")
    else:
        messages.success(request, "Exported. The batch is frozen; the 837P is offered once pyx12 has checked it.")
    return redirect("billing:batch_detail", pk=pk)


@role_required(*BILLING_ROLES)
def batch_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    if not batch.is_frozen:
        raise Http404("Export the batch before downloading it.")
    if fmt not in services.BATCH_FILES:
        raise Http404("Unknown format.")
    try:
        name, content_type, text = services.batch_download(batch=batch, fmt=fmt, ctx=AuditContext.from_request(request))
    except ExportError as error:  # pyx12 rejected the 837P: never offered
        raise Http404(str(error)) from error
    response = HttpResponse(text, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@role_required(*BILLING_ROLES)
def claim_correct(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_claim_for_user(request.user, pk)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect("billing:batch_detail", pk=claim.batch_id)
    frequency = form.cleaned_data["frequency"]
    try:
        batch = corrections.claim_correct(claim=claim, ctx=AuditContext.from_request(request), **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("billing:batch_detail", pk=claim.batch_id)
    kind = "Void" if frequency == Claim.Frequency.VOID else "Replacement"
    messages.success(request, f"{kind} claim for {claim.claim_number} built in batch {batch.pk}. Export it to send it.")
    return redirect("billing:batch_detail", pk=batch.pk)


@require_POST
@role_required(*BILLING_ROLES)
def batch_discard(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    try:
        services.batch_discard(batch=batch, ctx=AuditContext.from_request(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("billing:batch_detail", pk=pk)
    messages.success(request, f"Batch {pk} discarded. Its notes are ready to bill again.")
    return redirect("billing:work")


@require_POST
@role_required(*BILLING_ROLES)
def batch_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    try:
        rebuilt = withdrawal.batch_withdraw(batch=batch, ctx=AuditContext.from_request(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("billing:batch_detail", pk=pk)
    if rebuilt is not None:  # a correction: built again, to export
        messages.success(request, f"Batch {pk} withdrawn; it was never sent. Its correction is built again here.")
        return redirect("billing:batch_detail", pk=rebuilt.pk)
    messages.success(request, f"Batch {pk} withdrawn; it was never sent. Its notes are on the work page to bill again.")
    return redirect("billing:work")


@require_POST
@role_required(*BILLING_ROLES)
def line_remove(request: HttpRequest, pk: int) -> HttpResponse:
    line = get_line_for_user(request.user, pk)
    try:
        batch = services.batch_remove_line(line=line, ctx=AuditContext.from_request(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("billing:batch_detail", pk=line.claim.batch_id)
    messages.success(request, f"The {line.service_date:%b} {line.service_date.day} line is out of the batch.")
    if batch.is_open:
        return redirect("billing:batch_detail", pk=batch.pk)
    return redirect("billing:work")  # that was its last line: the batch is discarded


# --- Authorizations ---------------------------------------------------------------------


@role_required(*BILLING_ROLES)
def authorization_list(request: HttpRequest) -> HttpResponse:
    form = AuthorizationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.authorizations(query=filters.get("q", ""), current_only=filters.get("current_only", False))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "billing/authorization_list.html", {"form": form, "page": page})


@role_required(*BILLING_ROLES)
def authorization_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    authorization = get_authorization_for_user(request.user, pk) if pk else None
    participant = authorization.participant if authorization else _chosen_participant(request)
    if participant is None:
        return _choose_participant(request)
    initial = {"service_code": whole_number(request.GET.get("service_code"))}
    form = AuthorizationForm(request.POST or None, instance=authorization, initial=initial, participant=participant)
    if request.method == "POST" and form.is_valid():
        saved = services.authorization_save(authorization=form.instance, ctx=AuditContext.from_request(request))
        messages.success(request, f"Authorization {saved.number} saved.")
        return redirect("billing:authorization_list")
    title = f"Authorization {authorization.number}" if authorization else f"New authorization for {participant}"
    context = {"form": form, "title": title, "cancel_url": reverse("billing:authorization_list")}
    return TemplateResponse(request, "form_page.html", context)


def _chosen_participant(request: HttpRequest):
    """The participant named by ?participant= (a "Fix this" link, or the search step below)."""
    pk = whole_number(request.POST.get("participant") or request.GET.get("participant"))
    return visible_participants(request.user).filter(pk=pk).first() if pk else None


def _choose_participant(request: HttpRequest) -> HttpResponse:
    """A new authorization starts from its participant, found by search: a list of every
    participant of the agency would be thousands of options long."""
    query = request.GET.get("q", "")[:100]
    results = participant_selectors.search(request.user, query).order_by("last_name", "first_name", "pk")
    page = Paginator(results, 25).get_page(request.GET.get("page")) if query else None
    if page:  # names and birth dates shown: a read of PHI
        shown = [p.pk for p in page.object_list]
        audit_read(ctx=AuditContext.from_request(request), page="authorization search", shown=shown, query=query)
    return render(request, "billing/authorization_choose.html", {"query": query, "page": page})


@require_POST
@role_required(*BILLING_ROLES)
def claim_payer_number(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_claim_for_user(request.user, pk)
    form = PayerClaimNumberForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{claim.claim_number}: {form.errors['payer_claim_number'][0]}")
        return redirect("billing:batch_detail", pk=claim.batch_id)
    number = form.cleaned_data["payer_claim_number"]
    try:
        services.claim_set_payer_number(claim=claim, number=number, ctx=AuditContext.from_request(request))
    except ValidationError as error:
        messages.error(request, f"{claim.claim_number}: {error.messages[0]}")
    else:
        messages.success(request, f"Saved {claim.batch.payer}'s claim number {number} for {claim.claim_number}.")
    return redirect("billing:batch_detail", pk=claim.batch_id)


@require_POST
@role_required(*BILLING_ROLES)
def duplicate_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """From a held note's row on the work page: bill this note or the other one, not both."""
    note = get_note_for_billing(request.user, pk)
    form = DuplicateDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose which of the two notes is billed.")
        return redirect("billing:work")
    other = get_note_for_billing(request.user, form.cleaned_data["other"])
    stands, not_billed = (note, other) if form.cleaned_data["stands"] == "this" else (other, note)
    try:
        services.duplicate_decide(stands=stands, not_billed=not_billed, ctx=AuditContext.from_request(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"{stands.author}'s note stands; {not_billed.author}'s note will not be billed.")
    return redirect("billing:work")
