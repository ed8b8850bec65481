from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.roles import Role
from programs.models import Payer

from . import services
from .billability import GRANT, HOLD, READY, assess, billable_notes
from .exports import batch_csv
from .forms import BillingFilterForm
from .models import Claim, ClaimBatch, ClaimLine
from .x12 import ExportError

BILLING_ROLES = (Role.BILLING, Role.PROGRAM_ADMIN)


def filtered_assessments(params) -> tuple[BillingFilterForm, list]:
    form = BillingFilterForm(params or None)
    filters = form.cleaned_data if form.is_valid() else {}
    notes = billable_notes()
    if filters.get("specialist"):
        notes = notes.filter(author=filters["specialist"])
    if filters.get("month"):
        notes = notes.filter(date__range=filters["month"])
    rows = assess(notes)
    if filters.get("program"):
        rows = [a for a in rows if a.program == filters["program"]]
    if filters.get("payer"):
        rows = [a for a in rows if a.payer == filters["payer"]]
    return form, rows


@role_required(*BILLING_ROLES)
def work(request: HttpRequest) -> HttpResponse:
    form, rows = filtered_assessments(request.GET)
    ready = [a for a in rows if a.status == READY]
    holds = [a for a in rows if a.status == HOLD]
    grants = defaultdict(lambda: {"notes": 0, "minutes": 0})
    for a in rows:
        if a.status == GRANT:
            grants[a.funding]["notes"] += 1
            grants[a.funding]["minutes"] += a.note.duration_minutes or 0
    by_payer = defaultdict(list)
    for a in ready:
        by_payer[a.payer].append(a)
    context = {
        "form": form,
        "ready_count": len(ready),
        "ready_amount": sum((a.amount for a in ready), Decimal(0)),
        "hold_count": len(holds),
        "hold_amount": sum((a.amount for a in holds), Decimal(0)),
        "grants": [(source, figures["notes"], Decimal(figures["minutes"]) / 60) for source, figures in grants.items()],
        "by_payer": [
            (payer, items, sum(a.units for a in items), Decimal(sum(a.note.duration_minutes for a in items)) / 60)
            for payer, items in sorted(by_payer.items(), key=lambda item: item[0].name)
        ],
        "holds": Paginator(holds, 50).get_page(request.GET.get("page")),
        "query": request.GET.copy(),
    }
    return render(request, "billing/work.html", context)


@require_POST
@role_required(*BILLING_ROLES)
def batch_create(request: HttpRequest) -> HttpResponse:
    payer_id = request.POST.get("payer", "")
    payer = Payer.objects.filter(pk=payer_id).first() if payer_id.isdigit() else None
    note_ids = [int(n) for n in request.POST.getlist("notes") if n.isdigit()]
    if payer is None or not note_ids:
        messages.error(request, "Choose a payer and at least one ready note.")
        return redirect("billing:work")
    try:
        batch = services.batch_build(payer=payer, note_ids=note_ids, actor=request.user, request=request)
    except (ValidationError, services.BatchConflict) as error:
        messages.error(request, error.messages[0] if isinstance(error, ValidationError) else str(error))
        return redirect("billing:work")
    messages.success(request, f"Batch {batch.pk} built with {batch.claims.count()} claim(s). Check it, then export.")
    return redirect("billing:batch_detail", pk=batch.pk)


@role_required(*BILLING_ROLES)
def batch_list(request: HttpRequest) -> HttpResponse:
    batches = (
        ClaimBatch.objects.select_related("payer", "created_by")
        .annotate(claim_count=Count("claims", distinct=True))
        .order_by("-created_at")
    )
    totals = dict(
        ClaimLine.objects.filter(claim__batch__in=batches, voided=False)
        .values_list("claim__batch")
        .annotate(total=Sum("charge"))
    )
    page = Paginator(batches, 50).get_page(request.GET.get("page"))
    rows = [(batch, totals.get(batch.pk, Decimal(0))) for batch in page.object_list]
    return render(request, "billing/batch_list.html", {"page": page, "rows": rows})


@role_required(*BILLING_ROLES)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ClaimBatch.objects.select_related("payer"), pk=pk)
    claims = batch.claims.select_related("participant", "original").prefetch_related("lines", "corrections")
    return render(request, "billing/batch_detail.html", {"batch": batch, "claims": claims})


@require_POST
@role_required(*BILLING_ROLES)
def batch_export(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ClaimBatch, pk=pk)
    try:
        services.batch_export(batch=batch, actor=request.user, request=request)
    except ExportError as error:
        messages.error(request, f"Not exported: {error}")
    else:
        messages.success(request, "Exported. The batch is frozen; download the 837P or CSV below.")
    return redirect("billing:batch_detail", pk=pk)


@role_required(*BILLING_ROLES)
def batch_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    batch = get_object_or_404(ClaimBatch, pk=pk)
    if not batch.is_frozen:
        raise Http404("Export the batch before downloading it.")
    if fmt == "837p":
        response = HttpResponse(batch.file_837, content_type="text/plain; charset=utf-8")
        name = f"batch-{batch.pk}-{batch.interchange_control_number:09d}.837"
    elif fmt == "csv":
        response = HttpResponse(batch_csv(batch), content_type="text/csv; charset=utf-8")
        name = f"batch-{batch.pk}.csv"
    else:
        raise Http404("Unknown format.")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@role_required(*BILLING_ROLES)
def claim_correct(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim.objects.select_related("batch"), pk=pk)
    frequency = request.POST.get("frequency", "")
    try:
        batch = services.claim_correct(claim=claim, frequency=frequency, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("billing:batch_detail", pk=claim.batch_id)
    kind = "Void" if frequency == Claim.Frequency.VOID else "Replacement"
    messages.success(request, f"{kind} claim for {claim.claim_number} built in batch {batch.pk}. Export it to send it.")
    return redirect("billing:batch_detail", pk=batch.pk)
