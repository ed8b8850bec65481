"""The workforce page: every member of staff (and those invited), searchable and sortable,
with programs' figures per person and their caseload size."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import role_required
from accounts.roles import Role
from programs.forms import WorkforceFilterForm
from programs.models import CertificationStatus, Program
from programs.selectors import WORKFORCE_SORTS, StaffState, current_agency, supervisors_for_filter, workforce

from .. import selectors

PAGE_SIZE = 50
FILTER_DEFAULTS = {"q": "", "role": "", "program": None, "supervisor": None, "status": "", "state": ""}
# The sortable columns, in the table's order: (sort key, heading).
SORT_COLUMNS = [
    ("name", "Name"),
    ("role", "Role"),
    ("programs", "Programs"),
    ("supervisor", "Supervisor"),
    ("expiry", "Certification"),
    ("status", "Status"),
]


@role_required(Role.PROGRAM_ADMIN, Role.SUPERVISOR)
def workforce_page(request: HttpRequest) -> HttpResponse:
    agency = current_agency()
    if agency is None:
        raise Http404("No agency has been set up yet.")
    form = WorkforceFilterForm(
        request.GET or None,
        programs=Program.objects.filter(agency=agency, is_active=True),
        supervisors=supervisors_for_filter(request.user),
        statuses=CertificationStatus.choices,
        states=StaffState.FILTERS,
    )
    filters = form.cleaned_data if form.is_valid() else {}
    sort = request.GET.get("sort", "name")
    params = {key: filters.get(key) or default for key, default in FILTER_DEFAULTS.items()}
    profiles = workforce(request.user, query=params.pop("q"), sort=sort, **params)
    page = Paginator(profiles, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": selectors.workforce_rows(page.object_list),
        "columns": _sort_columns(request, sort),
        "page_query": _query(request, drop=("page",)),
        "required_hours": agency.training_hours_required_per_year,
    }
    return render(request, "peersupport/workforce.html", context)


def _query(request: HttpRequest, *, drop: tuple[str, ...], **values) -> str:
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    for key, value in values.items():
        params[key] = value
    return params.urlencode()


def _sort_columns(request: HttpRequest, sort: str) -> list[dict]:
    """Each column heading's link (ascending, or reversed when it is the current sort) and its
    aria-sort; a `sort` outside WORKFORCE_SORTS is read as the name."""
    current = sort if sort.removeprefix("-") in WORKFORCE_SORTS else "name"
    columns = []
    for key, heading in SORT_COLUMNS:
        direction = {key: "ascending", f"-{key}": "descending"}.get(current, "none")
        next_sort = f"-{key}" if direction == "ascending" else key
        query = _query(request, drop=("page",), sort=next_sort)
        columns.append({"key": key, "heading": heading, "aria_sort": direction, "query": query})
    return columns
