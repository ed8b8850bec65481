"""Acknowledgments (999, 277CA): import one, list them, and send a rejected claim again."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from accounts.access import role_required
from audit.context import AuditContext

from .. import corrections, selectors
from ..access import BILLING_ROLES, get_claim_for_user
from ..acks import services
from ..acks.forms import AcknowledgmentUploadForm
from ..acks.reading import AcknowledgmentError
from ..models import Acknowledgment

REJECTED_SHOWN = 50


@role_required(*BILLING_ROLES)
def acknowledgment_list(request: HttpRequest) -> HttpResponse:
    rows = Acknowledgment.objects.select_related("batch__payer", "imported_by").defer("file_text")
    page = Paginator(rows.order_by("-imported_at", "-pk"), 50).get_page(request.GET.get("page"))
    # Oldest first: the filing limit runs from the date of service. Bounded, like every list.
    rejected = selectors.rejected_claims().select_related("participant", "batch__payer").order_by("pk")
    context = {"page": page, "rejected": rejected[:REJECTED_SHOWN], "rejected_count": rejected.count()}
    return render(request, "billing/acknowledgment_list.html", context)


@role_required(*BILLING_ROLES)
def acknowledgment_import(request: HttpRequest) -> HttpResponse:
    form = AcknowledgmentUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        ctx = AuditContext.from_request(request)
        name, text = form.cleaned_data["file"]
        try:
            result = services.acknowledgment_import(text=text, file_name=name, ctx=ctx)
        except AcknowledgmentError as error:
            problems = error.messages
        else:
            ack = result.acknowledgment
            if result.created:
                messages.success(request, f"{ack.kind} {ack.control_number} imported: {ack.summary}")
            else:
                when = f"{date_format(timezone.localtime(ack.imported_at), 'M j, Y')} by {ack.imported_by}"
                messages.info(request, f"This file was already imported on {when}; nothing changed.")
            return redirect("billing:batch_detail", pk=ack.batch_id)
    return render(request, "billing/acknowledgment_import.html", {"form": form, "problems": problems})


@require_POST
@role_required(*BILLING_ROLES)
def claim_resend(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_claim_for_user(request.user, pk)
    ctx = AuditContext.from_request(request)
    try:
        if claim.frequency != claim.Frequency.ORIGINAL:  # a correction goes again as a correction
            batch = corrections.correction_resend(claim=claim, ctx=ctx)
            messages.success(request, f"The {claim.get_frequency_display().lower()} is built again in this batch.")
            return redirect("billing:batch_detail", pk=batch.pk)
        count = services.claim_resend(claim=claim, ctx=ctx)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            f"{claim.claim_number}'s {count} note(s) are back on the billing work page: fix what the payer "
            "rejected, then bill them in a new batch.",
        )
    return redirect("billing:batch_detail", pk=claim.batch_id)
