"""Program admins' audit pages: the log (45 CFR 164.312(b); the review of system activity of
164.308(a)(1)(ii)(D)) and a participant's accounting of disclosures (42 CFR 2.24, 45 CFR
164.528). Reading either is itself a read the log keeps."""

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.access import role_required
from accounts.roles import Role
from audit.context import AuditContext
from audit.services import audit_read
from participants.access import get_participant_for_user

from .. import audit_log


def _filtered(request: HttpRequest, page: str) -> audit_log.AuditFilterForm | HttpResponse:
    """The page's filters, checked, with this read of the log recorded; or the page again with
    what to fix (400)."""
    form = audit_log.AuditFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "peersupport/audit_log.html", {"form": form, "events": []}, status=400)
    named = form.named_participant
    ctx = AuditContext.from_request(request)
    audit_read(ctx=ctx, page=page, shown=[named.pk] if named else [], filters=form.as_details())
    return form


@never_cache
@require_safe
@role_required(Role.PROGRAM_ADMIN)
def audit_log_page(request: HttpRequest) -> HttpResponse:
    form = _filtered(request, "audit log")
    if isinstance(form, HttpResponse):
        return form
    events, older = audit_log.page_before(form.events(), request.GET.get("before"))
    filters = request.GET.copy()
    filters.pop("before", None)
    context = {"form": form, "events": events, "older": older, "participant": form.named_participant}
    return render(request, "peersupport/audit_log.html", {**context, "filters": filters.urlencode()})


@never_cache
@require_safe
@role_required(Role.PROGRAM_ADMIN)
def audit_log_csv(request: HttpRequest) -> HttpResponse:
    form = _filtered(request, "audit log CSV")
    if isinstance(form, HttpResponse):
        return form
    response = StreamingHttpResponse(audit_log.csv_lines(form.events()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{timezone.localtime():%Y-%m-%d-%H%M}.csv"'
    return response


@never_cache
@require_safe
@role_required(Role.PROGRAM_ADMIN)
def participant_disclosures(request: HttpRequest, pk: int) -> HttpResponse:
    participant = get_participant_for_user(request.user, pk).participant
    events, older = audit_log.page_before(audit_log.disclosures_of(participant), request.GET.get("before"))
    audit_read(ctx=AuditContext.from_request(request), target=participant, page="accounting of disclosures")
    context = {"participant": participant, "events": events, "older": older, "printed_at": timezone.localtime()}
    return render(request, "peersupport/disclosures.html", context)
