"""The group session form: one form for the group, a note per attendee. It lives here because
its size limit is the billing service code's, and notes sits left of billing."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.access import role_required
from accounts.roles import Role
from audit.context import AuditContext
from audit.inputs import whole_numbers
from billing.selectors import group_size_limit
from notes import services
from notes.forms import GroupAttendeesForm, GroupSessionForm
from notes.models import default_places
from notes.rules import ATTESTATION
from participants.access import group_attendees
from participants.selectors import ATTENDEE_QUERY_MIN, caseload, group_attendee_search

# More rows than any group code allows; ids past this are not looked at.
ROWS_MAX = 100
# The form lists at most this many of the facilitator's caseload, by name, and says how many
# it left out; the others are found by the attendee search like anyone in their programs.
CASELOAD_ROWS = 50


def _ids(values: list[str]) -> list[int]:
    return whole_numbers(values, ROWS_MAX)


def _attendees_form(request: HttpRequest, members: list) -> GroupAttendeesForm:
    """The attendees part of the group form: the caseload, and the rows the form brought
    (hidden row=<id>, or a ticked attend-<id>) that the facilitator may list. A ticked row
    they may not list is refused whole, never named."""
    if request.method != "POST":
        return GroupAttendeesForm(caseload=members)
    ticked = set(_ids([key.removeprefix("attend-") for key in request.POST if key.startswith("attend-")]))
    posted = ticked | set(_ids(request.POST.getlist("row")))
    mine = {p.pk for p in members}
    added = list(group_attendees(request.user).filter(pk__in=posted - mine).order_by("last_name", "first_name"))
    refused = ticked - mine - {p.pk for p in added}
    return GroupAttendeesForm(request.POST, caseload=members, added=added, refused=len(refused))


@role_required(Role.PEER_SPECIALIST)
def group_new(request: HttpRequest) -> HttpResponse:
    everyone = caseload(request.user)  # its ids read once: the first rows and the count use them
    members = list(everyone.order_by("last_name", "first_name", "pk")[:CASELOAD_ROWS])
    size = len(members) if len(members) < CASELOAD_ROWS else everyone.count()
    attendees = _attendees_form(request, members)
    form = GroupSessionForm(request.POST or None, caseload_ids=[p.pk for p in attendees.people])
    if request.method == "POST" and form.is_valid() and attendees.is_valid():
        return _group_post(request, form, attendees, size)
    return _group_page(request, form, attendees, size)


def _group_post(request, form: GroupSessionForm, attendees: GroupAttendeesForm, size: int) -> HttpResponse:
    chosen = attendees.cleaned_data["attendees"]
    service = form.cleaned_data["service"]
    try:
        group = services.group_session_create(
            group=form.instance,
            service=service,
            service_types=form.cleaned_data["service_types"],
            intervention=form.cleaned_data["intervention"],
            next_steps=form.cleaned_data["next_steps"],
            attendees=chosen,
            max_size=group_size_limit([p.pk for p, *_ in chosen], form.cleaned_data["date"], service=service),
            submit=attendees.submit,
            client_key=attendees.cleaned_data["client_key"],
            ctx=AuditContext.from_request(request),
        )
    except services.GroupAlreadyMade as made:
        # A double tap or a retry: what the first send made stands. Not an error; the
        # phone's sender takes the redirect as success.
        messages.info(request, made.messages[0])
        return redirect("notes:my_notes")
    except ValidationError as error:
        attendees.add_error(None, error)
    else:
        verb = "signed" if attendees.submit else "saved as drafts"
        messages.success(request, f"“{group.topic}”: {len(chosen)} note{'s' * (len(chosen) != 1)} {verb}.")
        return redirect("notes:my_notes")
    return _group_page(request, form, attendees, size)


def _group_page(request, form: GroupSessionForm, attendees: GroupAttendeesForm, size: int) -> HttpResponse:
    """The group form; `size`: how many are on the facilitator's caseload (its first rows are listed)."""
    shown = len(attendees.caseload)
    context = {
        "caseload_shown": shown,
        "caseload_size": size,
        "form": form,
        "attendees": attendees,
        "rows": attendees.rows(),
        "attestation": ATTESTATION,
        "max_size": group_size_limit([p.pk for p in attendees.people], timezone.localdate()),
        "default_places": default_places(),
        # The form's key: one group however often the form is sent (see GroupSession.client_key).
        "client_key": attendees.data.get("client_key") or uuid.uuid4(),
        "attested": bool(attendees.data.get("attest")),
    }
    return render(request, "peersupport/group_form.html", context, status=400 if request.method == "POST" else 200)


@require_GET
@role_required(Role.PEER_SPECIALIST)
def attendee_search(request: HttpRequest) -> HttpResponse:
    """The group form's search (htmx): people in the facilitator's programs not on the form yet."""
    query = request.GET.get("q", "").strip()
    people = group_attendee_search(request.user, query, exclude=_ids(request.GET.getlist("row")))
    context = {"people": people, "query": query, "too_short": len(query) < ATTENDEE_QUERY_MIN}
    return render(request, "peersupport/_group_attendee_results.html", context | {"min_length": ATTENDEE_QUERY_MIN})


@require_GET
@role_required(Role.PEER_SPECIALIST)
def attendee_rows(request: HttpRequest) -> HttpResponse:
    """Attendee rows for the group form (htmx): those the search found, ticked to attend."""
    people = list(group_attendees(request.user).filter(pk__in=_ids(request.GET.getlist("id"))).order_by("pk"))
    if not people:
        raise Http404("No such participant.")
    rows = GroupAttendeesForm(caseload=[], added=people).rows()
    return render(request, "peersupport/_group_attendee_rows.html", {"rows": rows})
