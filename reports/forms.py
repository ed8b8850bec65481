"""The reports page's forms: the filter (GET) and the two ways to ask for a report (POST): a
program-month, and any date range. Each cleans to a program and a period; a program the user
may not see is reported through `program_not_listed` so the view answers 404, as for any
record."""

import datetime
import re

from django import forms

from audit.inputs import plausible_date
from outcomes.dashboard_forms import DateInput, ProgramForm

from .models import month_end

MAX_RANGE_YEARS = 3
EARLIEST_YEAR = 2000
MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")  # ASCII digits only, not any Unicode digit


class MonthInput(forms.TextInput):
    # Chromium shows a month picker; browsers without one get a text box that takes YYYY-MM.
    input_type = "month"


class _ReportForm(ProgramForm):
    """A program the user may ask about; each subclass cleans a `period()` too."""

    def __init__(self, *args, programs, today: datetime.date, **kwargs):
        super().__init__(*args, programs=programs, **kwargs)
        self.today = today


class FilterForm(forms.Form):
    program = forms.ModelChoiceField(queryset=None, required=False, empty_label="All my programs")

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, auto_id="filter-%s", **kwargs)
        self.fields["program"].queryset = programs.order_by("name")
        self.fields["program"].widget.attrs["class"] = "form-select"


class MonthReportForm(_ReportForm):
    month = forms.CharField(
        max_length=7,
        error_messages={"max_length": "Enter the month as YYYY-MM, for example 2026-10."},
        widget=MonthInput(attrs={"placeholder": "YYYY-MM"}),
        help_text="Year and month, YYYY-MM.",
    )

    def clean_month(self) -> datetime.date:
        match = MONTH.match(self.cleaned_data["month"].strip())
        if not match or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError("Enter the month as YYYY-MM, for example 2026-10.")
        if int(match[1]) < EARLIEST_YEAR:  # before building the date: year 0 has none
            raise forms.ValidationError(f"Choose a month from {EARLIEST_YEAR} on.")
        first = datetime.date(int(match[1]), int(match[2]), 1)
        if first > self.today:
            raise forms.ValidationError("That month has not begun yet.")
        return first

    def period(self) -> tuple[datetime.date, datetime.date]:
        first = self.cleaned_data["month"]
        return first, month_end(first)


class RangeReportForm(_ReportForm):
    start = forms.DateField(label="From", widget=DateInput, validators=[plausible_date])
    end = forms.DateField(
        label="To",
        widget=DateInput,
        validators=[plausible_date],
        help_text=f"At most {MAX_RANGE_YEARS} years, ending by today.",
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and start.year < EARLIEST_YEAR:
            self.add_error("start", f"Choose a date from {EARLIEST_YEAR} on.")
        if end and end > self.today:
            self.add_error("end", "The period can't end in the future.")
        elif start and end and end < start:
            self.add_error("end", "The period can't end before it starts.")
        elif start and end and end >= _years_after(start, MAX_RANGE_YEARS):
            self.add_error("end", f"A report covers at most {MAX_RANGE_YEARS} years; choose an earlier end.")
        return data

    def period(self) -> tuple[datetime.date, datetime.date]:
        return self.cleaned_data["start"], self.cleaned_data["end"]


def _years_after(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later (February 29 becomes March 1)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, month=3, day=1)
