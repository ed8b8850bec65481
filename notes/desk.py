"""The author's and the supervisor's desks: My notes' tabs and search, and the co-sign
queue's filters, kept from the queue to each note and on to the next one after a review."""

from urllib.parse import urlencode

from django import forms
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from programs.models import Program

from . import selectors

PAGE_SIZE = 25


class MyNotesFilterForm(forms.Form):
    tab = forms.ChoiceField(choices=list(selectors.MY_NOTES_TABS.items()), required=False)
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search",
        widget=forms.SearchInput(
            attrs={"class": "form-control", "placeholder": "Participant, group topic or words in the note"}
        ),
    )


class QueueFilterForm(forms.Form):
    """Only the supervisor's own supervisees, and the programs they work in, can be chosen."""

    specialist = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="All specialists",
        error_messages={"invalid_choice": "Choose one of the specialists you supervise."},
    )
    program = forms.ModelChoiceField(
        queryset=Program.objects.none(),
        required=False,
        empty_label="All programs",
        error_messages={"invalid_choice": "Choose one of your team's programs."},
    )

    def __init__(self, *args, supervisor: User, **kwargs):
        super().__init__(*args, **kwargs)
        team = User.objects.filter(staff_profile__supervisor=supervisor)
        self.fields["specialist"].queryset = team.order_by("last_name", "first_name")
        self.fields["program"].queryset = Program.objects.filter(staff__user__in=team).distinct().order_by("name")
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


def my_notes_page(request: HttpRequest) -> dict:
    """My notes' context: the tab, the search and the page of notes they select."""
    form = MyNotesFilterForm(request.GET)
    form.is_valid()  # an unknown tab or an over-long search falls back to the open notes, unsearched
    tab = form.cleaned_data.get("tab") or "open"
    query = form.cleaned_data.get("q", "")
    notes = selectors.my_notes(request.user, tab=tab, query=query)
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    keep = urlencode({"tab": tab, "q": query} if query else {"tab": tab})
    tabs = selectors.MY_NOTES_TABS.items()
    return {"form": form, "tab": tab, "query": query, "tabs": tabs, "page": page, "keep": f"{keep}&"}


def queue_filters(request: HttpRequest) -> tuple[QueueFilterForm, dict | None, str]:
    """The queue's filters from the query string: the form, the selector's arguments (None
    when a filter is not the supervisor's to choose) and the query text that keeps them."""
    form = QueueFilterForm(request.GET, supervisor=request.user)
    if not form.is_valid():
        return form, None, ""
    specialist, program = form.cleaned_data["specialist"], form.cleaned_data["program"]
    chosen = {"specialist": specialist.pk if specialist else None, "program": program.pk if program else None}
    keep = urlencode({name: pk for name, pk in chosen.items() if pk})
    return form, {"specialist_id": chosen["specialist"], "program_id": chosen["program"]}, keep


def queue_page(request: HttpRequest) -> dict:
    form, filters, keep = queue_filters(request)
    notes = selectors.notes_waiting_for(request.user, **filters) if filters is not None else []
    page: Page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(note, (today - timezone.localdate(note.signed_at)).days) for note in page]
    return {"form": form, "page": page, "rows": rows, "keep": f"{keep}&" if keep else "", "filters": keep}


def next_in_queue(request: HttpRequest) -> HttpResponse:
    """After a review: the next note waiting in the queue as the supervisor had filtered it,
    or, when none is left, the queue itself (which says so)."""
    _, filters, keep = queue_filters(request)
    following = selectors.notes_waiting_for(request.user, **filters).first() if filters is not None else None
    suffix = f"?{keep}" if keep else ""
    if following is None:
        return redirect(reverse("notes:note_queue") + suffix)
    return redirect(reverse("notes:note_detail", args=[following.pk]) + suffix)


def back_to_note(request: HttpRequest, note_pk: int) -> HttpResponse:
    """The note again when a review was refused (no attestation, no reason), with the queue's
    filters kept, so the review that follows still opens the next note of the filtered queue."""
    _, _, keep = queue_filters(request)
    return redirect(reverse("notes:note_detail", args=[note_pk]) + (f"?{keep}" if keep else ""))
