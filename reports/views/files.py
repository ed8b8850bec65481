"""A report's files. They live under MEDIA_ROOT, never in static, and are served only here:
after the access check, with one audit VIEW row per download (45 CFR 164.312(b))."""

from django.http import FileResponse, Http404, HttpRequest
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.access import role_required
from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import audit_record

from ..access import REPORT_ROLES, get_report_for_user
from ..models import Report

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def download_name(report: Report, fmt: str) -> str:
    """peer-bridger-2026-10.pdf for a month, peer-bridger-2026-01-01-to-2026-03-31.pdf otherwise."""
    start, end = report.period_start, report.period_end
    period = f"{start:%Y-%m}" if report.is_month else f"{start}-to-{end}"
    return f"{slugify(report.program.name) or 'program'}-{period}.{fmt}"


@never_cache
@require_safe
@role_required(*REPORT_ROLES)
def report_download(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    report = get_report_for_user(request.user, pk)
    stored = getattr(report, fmt)
    if not stored:
        raise Http404("This report has no such file yet.")
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("This report's file is missing.") from None
    details = {"record": f"report {fmt.upper()}", "format": fmt, "period": report.period_label}
    audit_record(action=AuditEvent.Action.VIEW, ctx=AuditContext.from_request(request), target=report, details=details)
    name = download_name(report, fmt)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=CONTENT_TYPES[fmt])
