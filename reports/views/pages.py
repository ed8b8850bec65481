"""The reports pages: the list (with the forms that ask for a report), a report in the
browser, and the status partial the list polls while a report is queued or running. The
pages show figures only, no participant, so they write no audit row; each download does."""

import datetime

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.access import role_required

from ..access import REPORT_ROLES, get_report_for_user, may_generate, may_run_range, report_programs, reports_for_user
from ..forms import FilterForm, MonthReportForm, RangeReportForm
from .charts import report_charts, report_sections

PER_PAGE = 20
LIST_TEMPLATE = "reports/report_list.html"


def request_forms(user, data=None) -> dict:
    """The forms that ask for a report, unbound (or bound to `data`), for those who may use them."""
    programs, today = report_programs(user), timezone.localdate()
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    forms = {}
    if may_generate(user):
        initial = {"month": last_month}
        forms["month_form"] = MonthReportForm(data, prefix="month", programs=programs, today=today, initial=initial)
    if may_run_range(user):
        forms["range_form"] = RangeReportForm(data, prefix="range", programs=programs, today=today)
    return forms


def list_page(request: HttpRequest, filter_form: FilterForm, *, forms: dict | None = None, status: int = 200):
    """The list at the filter's program, a page at a time, with the request forms (`forms`
    replaces one with its bound, invalid self when a request came back with errors)."""
    reports = reports_for_user(request.user)
    program = filter_form.cleaned_data.get("program") if filter_form.is_valid() else None
    if program is not None:
        reports = reports.filter(program=program)
    page = Paginator(reports, PER_PAGE).get_page(request.GET.get("page"))
    context = request_forms(request.user) | (forms or {})
    context |= {
        "filter_form": filter_form,
        "program": program,
        "page": page,
        "may_generate": may_generate(request.user),
        "has_programs": filter_form.fields["program"].queryset.exists(),
    }
    return TemplateResponse(request, LIST_TEMPLATE, context, status=status)


@require_safe
@role_required(*REPORT_ROLES)
def report_list(request: HttpRequest) -> HttpResponse:
    filter_form = FilterForm(request.GET, programs=report_programs(request.user))
    if not filter_form.is_valid():
        raise Http404("No such program among your reports.")
    return list_page(request, filter_form)


@require_safe
@role_required(*REPORT_ROLES)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    sections = report_sections(report)
    context = {
        "report": report,
        "sections": sections,
        "charts": report_charts(sections),
        "may_generate": may_generate(request.user),
        "on_detail": True,
    }
    return TemplateResponse(request, "reports/report_detail.html", context)


@never_cache
@require_safe
@role_required(*REPORT_ROLES)
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's row; it carries the polling trigger only while the report is queued or
    running, so the page stops asking once it is ready or failed."""
    report = get_report_for_user(request.user, pk)
    on_detail = request.GET.get("on") == "detail"  # the line on the report's own page, without its link
    context = {"report": report, "may_generate": may_generate(request.user), "on_detail": on_detail}
    # Polled from the report's own page, a report that has just become ready offers its figures.
    context["offer_figures"] = on_detail and report.status == report.Status.READY
    return TemplateResponse(request, "reports/_report_row.html", context)
