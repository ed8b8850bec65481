"""The program settings page's forms: each timepoint's window, and the unit costs."""

from django import forms

from programs.models import Program

from . import schedule
from .models import SCHEDULED, Timepoint, TimepointWindow, UnitCosts

# Windows are counted in days from enrollment (from discharge, for discharge); a program
# may open a window before its anchor (discharge) but not years away from it.
EARLIEST_DAY, LATEST_DAY = -365, 730
DAYS_PER_MONTH = 30.44


def in_months(days: int) -> str:
    """'152 days (about 5 months)', so a window can be checked against the grant's wording."""
    if days < 15:
        return f"{days} day{'' if days == 1 else 's'}"
    months = round(days / DAYS_PER_MONTH)
    return f"{days} days (about {months} month{'' if months == 1 else 's'})"


def describe(days: int | None, anchor: str) -> str:
    """'152 days (about 5 months) after enrollment.', '30 days before discharge.'"""
    if days is None:
        return f"Days after {anchor}; a negative number is before it."
    if days < 0:
        return f"{in_months(-days)} before {anchor}."
    return f"{in_months(days)} after {anchor}."


class WindowsForm(forms.Form):
    """Opens and closes day for each scheduled timepoint, prefilled with the program's own
    windows or the defaults."""

    def __init__(self, *args, program: Program, **kwargs):
        self.program = program
        self.current = schedule.window_days([program.pk])[program.pk]
        initial = {}
        for timepoint in SCHEDULED:
            initial[f"{timepoint}_opens"], initial[f"{timepoint}_closes"] = self.current[timepoint]
        super().__init__(*args, initial=initial, **kwargs)
        for timepoint in SCHEDULED:
            anchor = "discharge" if timepoint == Timepoint.DISCHARGE else "enrollment"
            for end in ("opens", "closes"):
                self.fields[f"{timepoint}_{end}"] = forms.IntegerField(
                    label=f"{end.capitalize()} on day",
                    min_value=EARLIEST_DAY,
                    max_value=LATEST_DAY,
                    help_text=anchor,
                    widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
                )

    def clean(self):
        cleaned = super().clean()
        for timepoint in SCHEDULED:
            opens, closes = cleaned.get(f"{timepoint}_opens"), cleaned.get(f"{timepoint}_closes")
            if opens is not None and closes is not None and closes < opens:
                self.add_error(
                    f"{timepoint}_closes", f"The window can't close (day {closes}) before it opens (day {opens})."
                )
        return cleaned

    def rows(self) -> list[dict]:
        """One row per timepoint for the template: its two fields and their months."""
        rows = []
        for timepoint in SCHEDULED:
            opens, closes = self[f"{timepoint}_opens"], self[f"{timepoint}_closes"]
            rows.append(
                {
                    "label": Timepoint(timepoint).label,
                    "fields": [(field, describe(_as_int(field.value()), field.help_text)) for field in (opens, closes)],
                    "is_default": self.current[timepoint] == schedule.DEFAULT_WINDOWS[timepoint],
                }
            )
        return rows

    def changed_windows(self) -> list[TimepointWindow]:
        """The windows to save, unsaved: those that differ from what the program has now
        (its own row updated in place, or a new row where it used the default)."""
        existing = {w.timepoint: w for w in TimepointWindow.objects.filter(program=self.program)}
        result = []
        for timepoint in SCHEDULED:
            days = (self.cleaned_data[f"{timepoint}_opens"], self.cleaned_data[f"{timepoint}_closes"])
            if days == self.current[timepoint]:
                continue
            window = existing.get(timepoint) or TimepointWindow(program=self.program, timepoint=timepoint)
            window.opens_day, window.closes_day = days
            result.append(window)
        return result


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class UnitCostsForm(forms.ModelForm):
    class Meta:
        model = UnitCosts
        fields = [
            "er_visit",
            "inpatient_day",
            "outpatient_visit",
            "crisis_episode",
            "jail_day",
            "peer_hourly_cost",
            "source",
        ]
        widgets = {
            "source": forms.TextInput(attrs={"placeholder": "e.g. State cost report FY2025; HCUP 2022 averages"}),
        }

    def __init__(self, *args, program: Program, **kwargs):
        instance = UnitCosts.objects.filter(program=program).first() or UnitCosts(program=program)
        super().__init__(*args, instance=instance, **kwargs)
        for name, field in self.fields.items():
            field.required = True
            if name != "source":
                field.widget.attrs.update({"inputmode": "decimal", "step": "0.01"})
