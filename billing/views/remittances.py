"""Remittances (835): the list, the import page, a remittance's page (with a held one's review),
and the unmatched lines billing staff resolve or dismiss. Billing staff and program admins only."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import role_required
from audit.context import AuditContext
from audit.paging import counted_page

from ..access import BILLING_ROLES, get_exported_claim_for_user, get_remittance_for_user, get_remittance_line_for_user
from ..models import Adjustment, Remittance, RemittanceLine
from ..remittance import importing, matching
from ..uploads import X12FileForm

MAX_MESSAGES = 50  # of pyx12's findings shown on the page; a broken file can have thousands


class ImportForm(X12FileForm):
    kind = "835 remittance advice"


class NoteForm(forms.Form):
    note = forms.CharField(max_length=500, strip=True)


class ResolveForm(forms.Form):
    claim = forms.CharField(max_length=20, strip=True)


@role_required(*BILLING_ROLES)
def remittance_list(request: HttpRequest) -> HttpResponse:
    # A file's text is up to 5 MB: the list never reads it.
    remittances = Remittance.objects.select_related("payer", "imported_by").defer("file_text")
    status = request.GET.get("status", "")
    if status in Remittance.Status.values:
        remittances = remittances.filter(status=status)
    page = Paginator(remittances.order_by("-imported_at", "-pk"), 50).get_page(request.GET.get("page"))
    unmatched = matching.unmatched_lines().count()
    context = {"page": page, "unmatched": unmatched, "status": status, "statuses": Remittance.Status.choices}
    context["keep"] = f"status={status}&" if status in Remittance.Status.values else ""
    return render(request, "billing/remittance_list.html", context)


@role_required(*BILLING_ROLES)
def remittance_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    found: list[str] = []
    if request.method == "POST" and form.is_valid():
        name, text = form.cleaned_data["file"]
        try:
            outcomes = importing.remittance_import(text=text, file_name=name, ctx=AuditContext.from_request(request))
        except importing.RemittanceFileError as error:
            found = error.messages
        else:
            for outcome in outcomes:
                level = messages.warning if outcome.held or not outcome.created else messages.success
                level(request, outcome.message)
            if len(outcomes) == 1:
                return redirect("billing:remittance_detail", pk=outcomes[0].remittance.pk)
            return redirect("billing:remittance_list")
    context = {"form": form, "found": found[:MAX_MESSAGES], "more": max(len(found) - MAX_MESSAGES, 0)}
    return render(request, "billing/remittance_import.html", context)


@role_required(*BILLING_ROLES)
def remittance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    remittance = get_remittance_for_user(request.user, pk)
    # Lists (to_attr), not managers: a prefetch into a manager builds a queryset for each of the
    # page's claims and lines (some 130), which cost more than reading them.
    adjustments = Prefetch("adjustments", queryset=Adjustment.objects.all(), to_attr="adjustment_list")
    lines = RemittanceLine.objects.select_related("claim_line").prefetch_related(adjustments).order_by("position")
    claims = remittance.claims.select_related("claim").prefetch_related(
        Prefetch("adjustments", queryset=Adjustment.objects.filter(line=None), to_attr="claim_adjustments"),
        Prefetch("lines", queryset=lines, to_attr="line_list"),
    )
    # Counted at import: the page never counts the file's claims.
    page = counted_page(claims.order_by("position"), 25, request.GET.get("page"), count=remittance.claim_count)
    context = {"remittance": remittance, "page": page, "plb": list(remittance.provider_adjustments.all())}
    return render(request, "billing/remittance_detail.html", context)


@require_POST
@role_required(*BILLING_ROLES)
def remittance_post(request: HttpRequest, pk: int) -> HttpResponse:
    remittance = get_remittance_for_user(request.user, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write what you checked before posting a remittance that does not balance.")
        return redirect("billing:remittance_detail", pk=pk)
    ctx = AuditContext.from_request(request)
    try:
        posted = importing.remittance_post_held(remittance=remittance, note=form.cleaned_data["note"], ctx=ctx)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"Posted after review: {posted} line{'s' if posted != 1 else ''} posted to claims.")
    return redirect("billing:remittance_detail", pk=pk)


@require_POST
@role_required(*BILLING_ROLES)
def remittance_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    remittance = get_remittance_for_user(request.user, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why this remittance is dismissed.")
        return redirect("billing:remittance_detail", pk=pk)
    ctx = AuditContext.from_request(request)
    try:
        importing.remittance_dismiss(remittance=remittance, reason=form.cleaned_data["note"], ctx=ctx)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"Remittance {remittance.trace_number} dismissed; nothing of it was posted.")
    return redirect("billing:remittance_detail", pk=pk)


@role_required(*BILLING_ROLES)
def unmatched_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(matching.unmatched_lines(), 50).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    reasons, suggestions = matching.unmatched_reasons(rows), matching.claim_suggestions(rows)
    table = [(rline, reasons[rline.pk], suggestions.get(rline.pk, [])) for rline in rows]
    return render(request, "billing/unmatched_list.html", {"page": page, "rows": table})


@require_POST
@role_required(*BILLING_ROLES)
def unmatched_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    rline = get_remittance_line_for_user(request.user, pk)
    form = ResolveForm(request.POST)
    number = form.cleaned_data["claim"] if form.is_valid() else ""
    claim = get_exported_claim_for_user(request.user, number)
    if claim is None:
        typed = f"“{number}” is not one" if number else "No claim was given"
        messages.error(request, f"{typed} of our exported claims; type its number as sent, such as PS00000012.")
        return redirect("billing:unmatched_list")
    try:
        found = matching.remittance_line_resolve(rline=rline, claim=claim, ctx=AuditContext.from_request(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        day = found.line.service_date
        messages.success(
            request, f"Posted to {found.claim.claim_number}, the {day:%b} {day.day} {found.line.hcpcs} line."
        )
    return redirect("billing:unmatched_list")


@require_POST
@role_required(*BILLING_ROLES)
def unmatched_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    rline = get_remittance_line_for_user(request.user, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the line is dismissed.")
        return redirect("billing:unmatched_list")
    try:
        matching.remittance_line_dismiss(
            rline=rline, reason=form.cleaned_data["note"], ctx=AuditContext.from_request(request)
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "Dismissed: the line will not be posted.")
    return redirect("billing:unmatched_list")
