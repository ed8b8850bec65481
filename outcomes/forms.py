"""Forms for recording assessments and check-ins. They collect input; the rules (an answer on
the item's scale, a date inside the enrollment, a timepoint recorded once, day counts within
the days covered) live on the models and in the services, and their errors come back to the
field they name."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.inputs import plausible_date
from participants.models import Enrollment

from . import schedule
from .models import CheckIn, Instrument, Timepoint

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def offered_enrollments(participant) -> list[Enrollment]:
    """The enrollments a new record may belong to: the open ones, or (once discharged) the
    latest, so the discharge timepoint can still be recorded."""
    enrollments = list(participant.enrollments.select_related("program").order_by("-start_date"))
    return [e for e in enrollments if e.end_date is None] or enrollments[:1]


def suggested_timepoint(enrollment: Enrollment, recorded: set[str], today: datetime.date) -> str:
    """The first scheduled timepoint not yet recorded whose window is open today; otherwise
    a record between timepoints."""
    days = schedule.window_days([enrollment.program_id])[enrollment.program_id]
    for window in schedule.windows(enrollment, days):
        if window.timepoint not in recorded and window.holds(today):
            return window.timepoint
    return Timepoint.BETWEEN


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's errors next to the fields they name; the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)


class RecordFields(forms.Form):
    """Enrollment, timepoint and date, shared by the assessment and check-in forms."""

    enrollment = forms.ModelChoiceField(queryset=Enrollment.objects.none(), empty_label=None)
    timepoint = forms.ChoiceField(choices=Timepoint.choices)
    taken_on = forms.DateField(label="Date", widget=DATE_INPUT, validators=[plausible_date])

    def setup_record_fields(self, enrollments: list[Enrollment], suggested: str | None, amend: bool) -> None:
        if amend:
            del self.fields["enrollment"], self.fields["timepoint"]
            self.fields["reason"] = forms.CharField(
                label="Why is this being changed?", max_length=300, widget=forms.Textarea(attrs={"rows": 2})
            )
            return
        self.fields["enrollment"].queryset = Enrollment.objects.filter(
            pk__in=[e.pk for e in enrollments]
        ).select_related("program")
        self.fields["enrollment"].label_from_instance = lambda e: f"{e.program} since {e.start_date:%b %-d, %Y}"
        self.fields["enrollment"].initial = enrollments[0].pk if enrollments else None
        # One enrollment needs no choosing; it is still posted, as a hidden field.
        self.show_enrollment = len(enrollments) > 1
        if not self.show_enrollment:
            self.fields["enrollment"].widget = forms.HiddenInput()
        self.fields["timepoint"].initial = suggested
        self.fields["taken_on"].initial = timezone.localdate()


class AssessmentForm(RecordFields):
    """One screen per instrument: a radio group per item. Items are not required here: the
    instrument's own `answer_errors` says what is missing or off the scale, in one place."""

    def __init__(self, *args, instrument: Instrument, enrollments=(), suggested=None, amend=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.setup_record_fields(list(enrollments), suggested, amend)
        for item in instrument.spec.items:
            choices = [(str(option.value), option.label) for option in item.options]
            self.fields[f"item_{item.number}"] = forms.CharField(
                label=item.text, required=False, widget=forms.RadioSelect(choices=choices)
            )

    def items(self):
        """(item, bound field) pairs, for the template's large answer buttons."""
        return [(item, self[f"item_{item.number}"]) for item in self.instrument.spec.items]

    def answers(self) -> dict[str, str]:
        return {
            str(item.number): self.cleaned_data.get(f"item_{item.number}", "") for item in self.instrument.spec.items
        }


def assessment_initial(assessment) -> dict:
    return {"taken_on": assessment.taken_on} | {f"item_{k}": str(v) for k, v in assessment.answers.items()}


class CheckInForm(RecordFields, forms.ModelForm):
    SECTIONS = [
        ("Housing", ["housing"]),
        ("Employment and education", ["employment", "in_school"]),
        ("Income", ["monthly_income_from_work"]),
        ("Services and events", list(CheckIn.COUNTS)),
        ("Social connectedness", ["social_support"]),
        ("Children", ["children_returned_home"]),
    ]

    class Meta:
        model = CheckIn
        fields = list(CheckIn.ANSWERS)
        labels = {"housing": "Where they live now", "employment": "Work"}
        widgets = {"social_support": forms.RadioSelect}

    def __init__(self, *args, enrollments=(), suggested=None, amend=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_record_fields(list(enrollments), suggested, amend)
        if amend:
            self.fields["taken_on"].initial = self.instance.taken_on
        for name in [*CheckIn.COUNTS, "children_returned_home"]:
            self.fields[name].widget.attrs |= {"inputmode": "numeric", "min": 0}
        self.fields["monthly_income_from_work"].widget.attrs |= {"inputmode": "decimal", "min": 0}
        # A ModelForm's choice fields from a model with a default offer a blank; these have none.
        self.fields["social_support"].choices = CheckIn.Agreement.choices

    @property
    def at_intake(self) -> bool:
        timepoint = self.instance.timepoint if self.instance.pk else self["timepoint"].value()
        return timepoint == Timepoint.INTAKE

    def sections(self):
        """(title, bound fields) in the order a check-in interview goes."""
        result = []
        for title, names in self.SECTIONS:
            if title == "Services and events":
                title = "In the six months before enrollment" if self.at_intake else "Since the last check-in"
            result.append((title, [self[name] for name in names]))
        return result

    def _post_clean(self):
        # The model's own rules (a date inside the enrollment, day counts) need these, which
        # are not model fields of this form.
        self.instance.taken_on = self.cleaned_data.get("taken_on")
        if self.cleaned_data.get("enrollment"):
            self.instance.enrollment = self.cleaned_data["enrollment"]
        if self.cleaned_data.get("timepoint"):
            self.instance.timepoint = self.cleaned_data["timepoint"]
        if self.instance.pk:
            # An amended date moves the period the counts cover; the service works out the
            # new period and checks the counts against it, so the old one must not judge here.
            self.instance.covers_from = self.instance.covers_until = None
        super()._post_clean()

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in [*self.Meta.fields, "taken_on"]}


class FollowUpForm(forms.Form):
    note = forms.CharField(
        label="What was done to follow up",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example: safety check done by phone at 2:10 pm; crisis line number given; plan agreed.",
    )
