"""The outcome dashboard's filters, read from GET. Missing values take their defaults (the
user's first program, enrollments of the last 24 months, intake -> 6 months), so the bare
URL shows a dashboard; a bad value gets a message next to its field."""

import datetime
from urllib.parse import urlencode

from django import forms

from audit.inputs import plausible_date

from .models import SCHEDULED, Timepoint
from .selectors import Filters, timepoint_after

DEFAULT_COHORT_DAYS = 730  # 24 months
FIELDS = ("program", "enrolled_from", "enrolled_to", "time_from", "time_to")


class DateInput(forms.DateInput):
    input_type = "date"


class ProgramForm(forms.Form):
    """A hand-rendered Bootstrap form about one of the programs a user may see (the outcome
    dashboard's filters, the reports' requests). A field with an error is marked invalid and
    points at its message; a program not in the list is `program_not_listed`, for a 404."""

    program = forms.ModelChoiceField(queryset=None, empty_label=None)

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs.order_by("name")
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] += " is-invalid"
                attrs["aria-describedby"] = f"{self.add_prefix(name)}-error"

    @property
    def program_not_listed(self) -> bool:
        return self.has_error("program", "invalid_choice")


class DashboardFilterForm(ProgramForm):
    enrolled_from = forms.DateField(label="Enrolled from", widget=DateInput, validators=[plausible_date])
    enrolled_to = forms.DateField(label="Enrolled to", widget=DateInput, validators=[plausible_date])
    time_from = forms.ChoiceField(label="From timepoint", choices=[(t.value, t.label) for t in SCHEDULED])
    time_to = forms.ChoiceField(label="To timepoint", choices=[(t.value, t.label) for t in SCHEDULED])

    def __init__(self, query, *, programs, today: datetime.date):
        given = {name: query.get(name) for name in FIELDS if query.get(name)}
        if "program" not in given:
            first = programs.order_by("name").values_list("pk", flat=True)[:1]
            given["program"] = next(iter(first), "")
        defaults = {
            "enrolled_from": (today - datetime.timedelta(days=DEFAULT_COHORT_DAYS)).isoformat(),
            "enrolled_to": today.isoformat(),
            "time_from": Timepoint.INTAKE.value,
            "time_to": Timepoint.MONTH_6.value,
        }
        super().__init__(defaults | given, programs=programs)

    def clean(self):
        data = super().clean()
        start, end = data.get("enrolled_from"), data.get("enrolled_to")
        if start and end and end < start:
            self.add_error("enrolled_to", "The cohort can't end before it starts.")
        first, second = data.get("time_from"), data.get("time_to")
        if first and second and not timepoint_after(first, second):
            self.add_error("time_to", f"Choose a timepoint after {Timepoint(first).label.lower()}.")
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(data["program"], data["enrolled_from"], data["enrolled_to"], data["time_from"], data["time_to"])

    def query_string(self) -> str:
        """The filters as a URL query, for the download links."""
        return urlencode({name: self.data[name] for name in FIELDS})
