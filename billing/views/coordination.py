"""Pages for coordination of benefits: the notes waiting for another payer's adjudication, and
the form that records it (or corrects it), after which Medicaid is billed as secondary."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import role_required
from audit.context import AuditContext

from .. import coordination, selectors
from ..access import BILLING_ROLES, get_note_for_billing
from ..coordination_forms import (
    AdjustmentFormSet,
    PrimaryAdjudicationForm,
    PrimaryRemittanceForm,
    adjustment_rows,
    initial_of,
)


@require_GET
@role_required(*BILLING_ROLES)
def primary_list(request: HttpRequest) -> HttpResponse:
    """Waiting: held until the other payer's adjudication is recorded. Recorded: on their way to
    Medicaid as secondary, each correctable until it is on a claim."""
    recorded = request.GET.get("show") == "recorded"
    if recorded:
        rows = coordination.notes_with_primary_recorded()
    else:
        rows = coordination.notes_waiting_for_primary(cutoff=selectors.filing_cutoff())
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {"page": page, "recorded": recorded, "keep": "show=recorded&" if recorded else ""}
    return render(request, "billing/primary_list.html", context)


@require_http_methods(["GET", "POST"])
@role_required(*BILLING_ROLES)
def primary_record(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_note_for_billing(request.user, pk)
    history = coordination.adjudication_history(note)
    current = history[0] if history and history[0].is_current else None
    assessment = coordination.assessment_of(note)
    if request.method == "POST":
        form = PrimaryAdjudicationForm(request.POST, note=note, correcting=current is not None)
        formset = AdjustmentFormSet(request.POST, prefix="adj")
        if form.is_valid() and formset.is_valid() and _saved(request, note, current, form, formset):
            return redirect("billing:primary_list")
    else:
        charge = assessment.amount if assessment and assessment.rate is not None else None
        initial, rows = initial_of(current, coverage=coordination.default_coverage(note), billed=charge)
        form = PrimaryAdjudicationForm(initial=initial, note=note, correcting=current is not None)
        formset = AdjustmentFormSet(initial=rows, prefix="adj")
    context = {
        "note": note, "form": form, "formset": formset, "current": current, "history": history,
        "assessment": assessment, "live_line": coordination.live_line(note), "era_form": PrimaryRemittanceForm(),
    }  # fmt: skip
    return render(request, "billing/primary_record.html", context)


def _saved(request, note, current, form, formset) -> bool:
    """Record or correct with the service; its objections go beside the fields they concern."""
    data = form.cleaned_data
    fields = {name: data[name] for name in ("coverage", "claim_number", "adjudicated_on", "billed", "paid")}
    fields |= {"filing_indicator": data["filing_indicator"], "adjustments": adjustment_rows(formset)}
    ctx = AuditContext.from_request(request)
    try:
        if current is None:
            coordination.primary_adjudication_record(note=note, ctx=ctx, **fields)
        else:
            reason = data["correction_reason"]
            coordination.primary_adjudication_correct(adjudication=current, reason=reason, ctx=ctx, **fields)
    except ValidationError as error:
        for name, problems in (error.message_dict if hasattr(error, "error_dict") else {None: error.messages}).items():
            form.add_error(name if name in form.fields else None, problems)
        return False
    verb = "recorded" if current is None else "corrected"
    messages.success(
        request,
        f"{data['coverage'].payer}'s adjudication {verb}. The note bills Medicaid as secondary unless the work page "
        "shows another hold.",
    )
    return True


@require_POST
@role_required(*BILLING_ROLES)
def primary_from_835(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the primary's adjudication from that payer's own 835."""
    note = get_note_for_billing(request.user, pk)
    form = PrimaryRemittanceForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        _, text = form.cleaned_data["file"]
        adjudication = coordination.primary_adjudication_from_835(
            note=note, text=text, ctx=AuditContext.from_request(request)
        )
    except ValidationError as error:
        for message in error.messages[:10]:
            messages.error(request, message)
        return redirect("billing:primary_record", pk=note.pk)
    messages.success(
        request,
        f"{adjudication.coverage.payer}'s adjudication read from its 835: paid ${adjudication.paid:.2f}. The note "
        "bills Medicaid as secondary unless the work page shows another hold.",
    )
    return redirect("billing:primary_list")
