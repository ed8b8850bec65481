import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django.forms.utils import pretty_name
from django.utils import timezone
from django.utils.html import format_html

from audit.inputs import COMMENT_MAX, NARRATIVE_MAX
from participants.forms import DATE
from participants.models import Goal, Participant

from .extensions import services_offered
from .models import GroupSession, Service, ServiceType, SessionNote
from .rules import REQUIRED

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")

# Strength-based prompts shown beside the narrative fields.
PROMPTS = {
    "intervention": "What did you do together, and why? Name the skill, resource or goal you worked on.",
    "response": "How did they respond? Note strengths they showed and their own words where you can.",
    "next_steps": "What will each of you do before you meet again? When is the next contact?",
}


SERVICE_HELP = "Only the services this participant's coverage pays for on the session's date are listed."
GROUP_SERVICE_HELP = "Peer support, or a service with a group code under your caseload's coverage."
SERVICE_NOT_OFFERED = "Choose one of the services listed: the coverage on this date pays only for those."


def _session_day(form: forms.BaseForm, saved: datetime.date | None = None) -> datetime.date:
    """The day the offered services are worked out for: the date being posted, else the one
    saved, else today."""
    raw = form.data.get(form.add_prefix("date")) if form.is_bound else None
    try:
        posted = form.fields["date"].clean(raw) if raw else None
    except ValidationError:
        posted = None
    return posted or saved or timezone.localdate()


def _offer(field: forms.ChoiceField, offered: list[Service], *, help_text: str, keep: str = "") -> None:
    # A draft keeps the service it was saved with even when the coverage has changed since:
    # autosave must not fail on it, and billing holds the note with the reason.
    field.choices = [(s.value, s.label) for s in Service if s in offered or s.value == keep]
    field.help_text = help_text
    field.error_messages["invalid_choice"] = SERVICE_NOT_OFFERED


def required_mark(label: str) -> str:
    """The label with crispy's required mark: the same asterisk as on every other form."""
    return format_html('{}<span class="asteriskField">*</span>', label)


class ChoicesReadOnce(forms.models.ModelChoiceIterator):
    """A model field's choices from its own queryset, read from the database once however
    often the page asks: the editor tests whether there are goals to offer, then renders
    them. Django's iterator reads the table again each time."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class EditorKeysForm(forms.Form):
    """The editor's hidden inputs: the note its page already saved (handed back by autosave),
    the page's own key (one note per page however often it is sent) and the version it loaded."""

    note_id = forms.IntegerField(required=False, min_value=1)
    client_key = forms.UUIDField(required=False)
    version = forms.IntegerField(required=False, min_value=1)


# What a new note takes from the participant's last one: how and where they usually meet,
# and what the work is; never the narrative, which is this session's own.
CARRIED_OVER = ("modality", "place_of_service", "service", "service_types")


class SessionNoteForm(forms.ModelForm):
    """Every field may be empty in a draft; submission checks completeness (rules.py). Those
    it requires are marked "required to sign". A new note (`last`: the participant's last
    note) starts from how that one went, with its goals that are still active."""

    service_types = forms.MultipleChoiceField(
        choices=ServiceType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = SessionNote
        fields = [
            "date",
            "start_time",
            "end_time",
            "modality",
            "place_of_service",
            "service",
            "service_types",
            "goals_addressed",
            "intervention",
            "response",
            "next_steps",
        ]
        widgets = {
            "date": DATE,
            "start_time": TIME,
            "end_time": TIME,
            "goals_addressed": forms.CheckboxSelectMultiple,
            "intervention": forms.Textarea(attrs={"rows": 3}),
            "response": forms.Textarea(attrs={"rows": 3}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, participant: Participant, last: SessionNote | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        plan = getattr(participant, "plan", None)
        goals = plan.goals.filter(status=Goal.Status.ACTIVE) if plan else Goal.objects.none()
        self.fields["goals_addressed"].iterator = ChoicesReadOnce
        self.fields["goals_addressed"].queryset = goals
        self.fields["goals_addressed"].label = "Goals from the recovery plan addressed"
        for name, prompt in PROMPTS.items():
            self.fields[name].help_text = prompt
        for name in REQUIRED:
            self.fields[name].label = required_mark(self.fields[name].label or pretty_name(name))
        if not self.instance.pk:
            self.fields["date"].initial = timezone.localdate()
        if last is not None and not self.is_bound:
            self.initial |= {name: getattr(last, name) for name in CARRIED_OVER}
            self.initial["goals_addressed"] = [g.pk for g in goals.filter(session_notes=last)]
        day = _session_day(self, self.instance.date)
        offered = services_offered([participant.pk], day=day)
        _offer(self.fields["service"], offered, help_text=SERVICE_HELP, keep=self.instance.service)
        self.fields["service"].required = False  # drafts may be incomplete; see clean_service

    def clean_service(self) -> str:
        # A post without it (an autosave from a page opened before the field existed) keeps
        # what the note has: peer support for a new one.
        return self.cleaned_data.get("service") or self.instance.service


class GroupSessionForm(forms.ModelForm):
    """The group's shared facts. `caseload_ids` are who may attend: the services offered are
    peer support and those with a group code under a program covering one of them."""

    service = forms.ChoiceField(label="Service delivered", initial=Service.PEER_SUPPORT)
    service_types = forms.MultipleChoiceField(
        choices=ServiceType.choices, widget=forms.CheckboxSelectMultiple, initial=[ServiceType.SUPPORT_GROUP]
    )
    # Copied into each attendee's note, so held to a note field's limit.
    intervention = forms.CharField(
        label="What the group did",
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=PROMPTS["intervention"],
    )
    next_steps = forms.CharField(
        label="Next steps for the group", max_length=NARRATIVE_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = GroupSession
        fields = ["topic", "date", "start_time", "end_time", "modality", "place_of_service"]
        widgets = {"date": DATE, "start_time": TIME, "end_time": TIME}

    def __init__(self, *args, caseload_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        offered = services_offered(caseload_ids, day=_session_day(self), group=True)
        _offer(self.fields["service"], offered, help_text=GROUP_SERVICE_HELP)


class GroupAttendeesForm(forms.Form):
    """Who came to a group: the facilitator's caseload, and those added by searching the
    programs they work in (`added`), each with a short note of how they took part and the plan
    goal it served; and whether to sign now. The inputs are named attend-<id>, note-<id> and
    goal-<id>, with a hidden row=<id> for each row, so a re-sent form brings its rows back.
    `refused`: how many ticked attendees the facilitator may not list (the view decides)."""

    action = forms.ChoiceField(choices=[("submit", "Sign and submit"), ("draft", "Save as drafts")], required=False)
    attest = forms.BooleanField(required=False)
    client_key = forms.UUIDField(required=False, error_messages={"invalid": "This page is out of date. Reload it."})

    def __init__(self, *args, caseload, added=(), refused: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.caseload = list(caseload)
        self.added = [p for p in added if p not in self.caseload]
        self.people = self.caseload + self.added
        self.refused = refused
        self.goals = {p.pk: [] for p in self.people}
        active = Goal.objects.filter(plan__participant__in=self.people, status=Goal.Status.ACTIVE)
        for goal in active.annotate(participant_id=F("plan__participant_id")).order_by("target_date", "pk"):
            self.goals[goal.participant_id].append(goal)
        # The rows' fields check what was sent. The page writes its rows by hand from `rows()`
        # (peersupport/templatetags/attendee_rows.py), so an unsent form needs none: three
        # fields for each of 50 rows were a fifth of the page (issue 16).
        if self.is_bound:
            for participant in self.people:
                self._add_row_fields(participant)

    def _add_row_fields(self, participant) -> None:
        self.fields[f"attend-{participant.pk}"] = forms.BooleanField(required=False)
        self.fields[f"note-{participant.pk}"] = forms.CharField(
            required=False,
            max_length=COMMENT_MAX,
            error_messages={"max_length": f"Keep the note for {participant} to {COMMENT_MAX:,} characters."},
        )
        self.fields[f"goal-{participant.pk}"] = forms.TypedChoiceField(
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", "No goal"), *((g.pk, str(g)) for g in self.goals[participant.pk])],
            error_messages={"invalid_choice": f"Choose one of {participant}'s plan goals."},
        )

    @property
    def submit(self) -> bool:
        return self.cleaned_data.get("action") == "submit"

    def clean(self):
        cleaned = super().clean()
        if self.refused:
            # Never named: they are outside what the facilitator may see.
            self.add_error(None, GROUP_ATTENDEE_REFUSED)
        chosen = []
        for p in self.people:
            if cleaned.get(f"attend-{p.pk}"):
                goal = next((g for g in self.goals[p.pk] if g.pk == cleaned.get(f"goal-{p.pk}")), None)
                chosen.append((p, cleaned.get(f"note-{p.pk}", ""), [goal] if goal else []))
        for participant, note, _ in chosen:
            if not note:
                self.add_error(None, f"Write a short note for {participant}.")
        if not chosen and not self.refused:
            self.add_error(None, "Choose at least one attendee.")
        if cleaned.get("action") == "submit" and not cleaned.get("attest"):
            self.add_error(None, "Tick the attestation to sign and submit the notes.")
        cleaned["attendees"] = chosen
        return cleaned

    def rows(self) -> list[tuple]:
        """(participant, ticked, note typed, their active goals, goal chosen) for each row, as
        the form was sent; unsent, those added by search come ticked (they were added to attend)."""
        data = self.data if self.is_bound else {}
        return [
            (p, bool(data.get(f"attend-{p.pk}")) if self.is_bound else p in self.added,
             data.get(f"note-{p.pk}", ""), self.goals[p.pk], data.get(f"goal-{p.pk}", ""))
            for p in self.people
        ]  # fmt: skip


GROUP_ATTENDEE_REFUSED = (
    "An attendee on this form is not enrolled in a program you work in, so you cannot write a group note "
    "for them. They were taken off the form; check the others and send it again."
)


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("cosign", "Co-sign"), ("return", "Return")],
        error_messages={"required": "Choose co-sign or return.", "invalid_choice": "Choose co-sign or return."},
    )
    attest = forms.BooleanField(required=False)
    comment = forms.CharField(
        required=False,
        max_length=COMMENT_MAX,
        error_messages={"max_length": f"Keep the comment to {COMMENT_MAX:,} characters; say what to fix."},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "cosign" and not cleaned.get("attest"):
            raise forms.ValidationError("Tick the attestation to co-sign.")
        return cleaned


class AddendumForm(forms.Form):
    text = forms.CharField(
        max_length=NARRATIVE_MAX,
        error_messages={
            "required": "Write the correction before adding it.",
            "max_length": f"An addendum is at most {NARRATIVE_MAX:,} characters.",
        },
    )
