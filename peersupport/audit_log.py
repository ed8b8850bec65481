"""The audit log as program admins read it: filtered by who, which participant, what and when,
a page at a time or as one streamed CSV, and a participant's accounting of disclosures.

The log only grows (audit.models), so nothing here counts or scans it whole: pages go back by
id from the newest (keyset, no OFFSET and no COUNT), a participant is found through the
indexed AuditSubject rows, and the CSV is one query read through a server-side cursor."""

import csv
import datetime
import json
from collections.abc import Iterator
from functools import cached_property
from itertools import groupby

from django import forms
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from audit.inputs import plausible_date, whole_number
from audit.models import AuditEvent, AuditSubject
from audit.widgets import Select as LongSelect
from billing.exports import csv_safe
from participants.extensions import PageAction
from participants.models import Participant

PAGE_SIZE = 50
DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control"})
DATE_ERRORS = {"invalid": "Give a real date, as YYYY-MM-DD (the calendar picker does this)."}


class AuditFilterForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.order_by("last_name", "first_name", "email"),
        required=False,
        empty_label="Anyone",
        label="Who",
        widget=LongSelect(attrs={"class": "form-select"}),  # every member of staff
    )
    participant = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        label="Participant record number",
        help_text="The number in the address of the participant's page; their page links here.",
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        error_messages={"invalid": "Give the participant's record number, in digits."},
    )
    action = forms.ChoiceField(
        choices=[("", "Any action"), *AuditEvent.Action.choices],
        required=False,
        widget=LongSelect(attrs={"class": "form-select"}),
    )
    date_from = forms.DateField(
        required=False, label="From", widget=DATE_WIDGET, validators=[plausible_date], error_messages=DATE_ERRORS
    )
    date_to = forms.DateField(
        required=False, label="To", widget=DATE_WIDGET, validators=[plausible_date], error_messages=DATE_ERRORS
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date: swap them or change one.")
        return data

    def events(self) -> QuerySet[AuditEvent]:
        """The rows the valid filters keep, newest first."""
        data = self.cleaned_data
        events = AuditEvent.objects.order_by("-id")
        if data.get("user"):
            events = events.filter(actor=data["user"])
        if data.get("participant"):
            events = events.filter(pk__in=about(data["participant"]))
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("date_from"):
            events = events.filter(at__gte=_start_of(data["date_from"]))
        if data.get("date_to"):
            events = events.filter(at__lt=_start_of(data["date_to"] + datetime.timedelta(days=1)))
        return events

    @cached_property
    def named_participant(self) -> Participant | None:
        """The participant the valid filters name, if that record exists."""
        number = self.cleaned_data.get("participant")
        return Participant.objects.filter(pk=number).first() if number else None

    def as_details(self) -> dict:
        """The filters as the audit row of this read keeps them (ids and dates, no names)."""
        data = self.cleaned_data
        kept = {
            "user": data["user"].pk if data.get("user") else None,
            "participant": data.get("participant"),
            "action": data.get("action") or None,
            "from": str(data["date_from"]) if data.get("date_from") else None,
            "to": str(data["date_to"]) if data.get("date_to") else None,
        }
        return {name: value for name, value in kept.items() if value is not None}


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the agency (TIME_ZONE), so a day's filter is that day where the staff are."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def page_before(events: QuerySet[AuditEvent], before: str | None) -> tuple[list[AuditEvent], int | None]:
    """One page of `events` older than the id `before` (the newest page without it), each with
    its participants prefetched, and the id to ask for the page after it (None on the last)."""
    start = whole_number(before)
    if start is not None:
        events = events.filter(id__lt=start)
    rows = list(events.prefetch_related("subjects")[: PAGE_SIZE + 1])
    older = rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None
    return rows[:PAGE_SIZE], older


CSV_HEADER = [
    "When",
    "Who",
    "Action",
    "Record type",
    "Record number",
    "Record",
    "Participants",
    "Address",
    "Browser or command",
    "Details",
]


class _Echo:
    """csv.writer wants a file; a streamed response wants each line back."""

    def write(self, value: str) -> str:
        return value


def csv_lines(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """The rows of `events` as CSV lines, streamed. One query: each row joined to its
    participants (one line of the join per participant), read through a server-side cursor and
    folded back into one CSV row per audit row, so memory stays flat however many rows there are."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    fields = ["id", "at", "actor_label", "action", "target_type", "target_id", "target_label"]
    fields += ["ip_address", "user_agent", "details"]
    joined = events.annotate(participant=F("subjects__participant_id")).values(*fields, "participant")
    actions = dict(AuditEvent.Action.choices)
    for _, group in groupby(joined.iterator(chunk_size=2000), key=lambda row: row["id"]):
        rows = list(group)
        row = rows[0]
        # In ascending order: the join leaves it open, and a file downloaded twice should read the same.
        participants = " ".join(
            str(pk) for pk in sorted(r["participant"] for r in rows if r["participant"] is not None)
        )
        cells = [
            timezone.localtime(row["at"]).isoformat(timespec="seconds"),
            row["actor_label"],
            actions.get(row["action"], row["action"]),
            row["target_type"],
            row["target_id"],
            row["target_label"],
            participants,
            row["ip_address"] or "",
            row["user_agent"],
            json.dumps(row["details"], sort_keys=True) if row["details"] else "",
        ]
        yield writer.writerow([csv_safe(cell) for cell in cells])


def about(participant_id: int) -> QuerySet[AuditSubject]:
    """The ids of the audit rows about one participant: a semi-join on the subjects' index, so
    a row about many people still comes once, and the row's own subjects stay joinable."""
    return AuditSubject.objects.filter(participant_id=participant_id).values("event_id")


def disclosures_of(participant: Participant) -> QuerySet[AuditEvent]:
    """Every file holding this participant's PHI that left the app, newest first."""
    return AuditEvent.objects.filter(action=AuditEvent.Action.DISCLOSE, pk__in=about(participant.pk)).order_by("-id")


def page_actions(participant, access, viewer) -> list[PageAction]:
    """The participant page's links to their audit trail and accounting: program admins only."""
    if not viewer.has_role(Role.PROGRAM_ADMIN):
        return []
    return [
        PageAction("Audit trail", f"{reverse('audit_log')}?participant={participant.pk}"),
        PageAction("Accounting of disclosures", reverse("participant_disclosures", args=[participant.pk])),
    ]
