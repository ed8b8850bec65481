"""The caseload pages: participants' records with the contact figures from session notes."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.access import role_required
from accounts.models import User
from accounts.roles import Role
from outcomes.models import FOLLOW_UP_TARGET
from participants.forms import CaseloadFilterForm, specialists_for
from participants.selectors import sort_and_filter

from .. import selectors


def _caseload_page(request, specialist: User, *, title: str) -> HttpResponse:
    form = CaseloadFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = sort_and_filter(
        selectors.caseload([specialist.pk]),
        sort=filters.get("sort") or "name",
        program_id=filters["program"].pk if filters.get("program") else None,
        alerts_only=filters.get("alerts_only", False),
    )
    context = {"rows": rows, "form": form, "title": title, "specialist": specialist}
    return render(request, "peersupport/caseload.html", context)


@role_required(Role.PEER_SPECIALIST)
def my_caseload(request: HttpRequest) -> HttpResponse:
    return _caseload_page(request, request.user, title="My caseload")


@role_required(Role.SUPERVISOR)
def team_caseloads(request: HttpRequest) -> HttpResponse:
    context = {"team": selectors.team_caseloads(request.user), "follow_up_target": FOLLOW_UP_TARGET}
    return render(request, "peersupport/team.html", context)


@role_required(Role.SUPERVISOR, Role.PROGRAM_ADMIN)
def specialist_caseload(request: HttpRequest, specialist_pk: int) -> HttpResponse:
    specialist = get_object_or_404(specialists_for(request.user), pk=specialist_pk)
    return _caseload_page(request, specialist, title=f"Caseload of {specialist}")
