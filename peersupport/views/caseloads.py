"""The caseload pages: participants' records with the contact figures from session notes."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.access import role_required
from accounts.models import User
from accounts.roles import Role
from audit.context import AuditContext
from audit.services import audit_read
from outcomes.models import FOLLOW_UP_TARGET
from participants.forms import CaseloadFilterForm, specialists_for
from participants.selectors import sort_and_filter

from .. import selectors

PAGE_SIZE = 50


def _filtered(request, specialist_ids: list[int], team: bool) -> tuple[CaseloadFilterForm, str | None, list]:
    """The caseload's rows sorted and filtered as asked. One specialist's caseload (bounded by
    their programs' target caseload) is built outright, cheaper than two passes; a team's is
    read as keys (the database's figures for every row), and only the page shown is built,
    whatever the team's size (one supervisee or twenty: the same queries)."""
    form = CaseloadFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    show = request.GET.get("show")
    show = show if show in selectors.CASELOAD_SHOWS else None  # anything else: the whole caseload
    program_id = filters["program"].pk if filters.get("program") else None
    sort, alerts_only = filters.get("sort") or "name", filters.get("alerts_only", False)
    if not team:
        rows = selectors.caseload(specialist_ids)
    else:
        check_ins = selectors.needs_check_ins(sort=sort, alerts_only=alerts_only, show=show)
        rows = selectors.caseload_keys(specialist_ids, check_ins=check_ins, program_id=program_id)
        program_id = None  # filtered there
    rows = sort_and_filter(
        selectors.rows_showing(rows, show), sort=sort, program_id=program_id, alerts_only=alerts_only
    )
    return form, show, rows


def _caseload_page(request, specialist_ids: list[int], *, title: str, specialist: User | None = None) -> HttpResponse:
    """A caseload (one specialist's, or a supervisor's whole team's when `specialist` is None),
    sorted and filtered; `?show=` keeps only the participants a home page count counted."""
    team = specialist is None
    form, show, rows = _filtered(request, specialist_ids, team)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    if team:  # keys: the page's rows are built now
        page.object_list = selectors.caseload_page(specialist_ids, page.object_list)
    kept = request.GET.copy()
    kept.pop("page", None)
    context = {
        "rows": page.object_list,
        "page": page,
        "keep": f"{kept.urlencode()}&" if kept else "",
        "form": form,
        "title": title,
        "specialist": specialist,
        "show": show,
        "show_label": selectors.CASELOAD_SHOWS[show][0] if show else "",
        "today": timezone.localdate(),
    }
    shown = [row.participant.pk for row in page.object_list]
    audit_read(ctx=AuditContext.from_request(request), target=specialist, page="caseload", shown=shown)
    return render(request, "peersupport/caseload.html", context)


@role_required(Role.PEER_SPECIALIST)
def my_caseload(request: HttpRequest) -> HttpResponse:
    return _caseload_page(request, [request.user.pk], title="My caseload", specialist=request.user)


@role_required(Role.SUPERVISOR)
def team_caseloads(request: HttpRequest) -> HttpResponse:
    context = {"team": selectors.team_caseloads(request.user), "follow_up_target": FOLLOW_UP_TARGET}
    return render(request, "peersupport/team.html", context)


@role_required(Role.SUPERVISOR)
def team_participants(request: HttpRequest) -> HttpResponse:
    """Every participant on the supervisor's team's caseloads; the home page's overdue
    contacts and plan reviews due open it filtered (`?show=`)."""
    return _caseload_page(request, selectors.team_ids(request.user), title="Team participants")


@role_required(Role.SUPERVISOR, Role.PROGRAM_ADMIN)
def specialist_caseload(request: HttpRequest, specialist_pk: int) -> HttpResponse:
    specialist = get_object_or_404(specialists_for(request.user), pk=specialist_pk)
    return _caseload_page(request, [specialist.pk], title=f"Caseload of {specialist}", specialist=specialist)
