"""Forms of the revenue cycle's pages: the denial queue's filters and its actions."""

from decimal import Decimal

from django import forms

from audit.inputs import plausible_date
from audit.widgets import Select as LongSelect
from programs.models import Payer


class DenialFilterForm(forms.Form):
    payer = forms.ModelChoiceField(
        queryset=Payer.objects.order_by("name"), required=False, empty_label="All payers", widget=LongSelect
    )
    reason = forms.CharField(
        required=False, max_length=8, label="Reason code", help_text="As on the remittance, e.g. CO-16."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payer"].widget.attrs["class"] = "form-select"
        self.fields["reason"].widget.attrs["class"] = "form-control"

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip().upper()


class AppealForm(forms.Form):
    appealed_on = forms.DateField(
        label="Date sent",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[plausible_date],
        error_messages={
            "required": "Give the date the appeal was sent.",
            "invalid": "Give the date the appeal was sent as YYYY-MM-DD.",
        },
    )
    note = forms.CharField(
        max_length=1000,
        error_messages={
            "required": "Say what the appeal asks for and what was sent with it.",
            "max_length": "Keep the note to 1,000 characters; the appeal itself is with the payer.",
        },
    )


class WriteOffForm(forms.Form):
    amount = forms.DecimalField(
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="Leave empty to write off all that is still denied.",
        error_messages={
            "invalid": "Give the amount in dollars and cents, e.g. 73.08.",
            "min_value": "Write off an amount above $0.00.",
            "max_decimal_places": "Give the amount in dollars and cents, e.g. 73.08.",
            "max_digits": "That amount is larger than any claim line.",
            "max_whole_digits": "That amount is larger than any claim line.",
        },
    )
    reason = forms.CharField(
        max_length=300,
        error_messages={
            "required": "Say why this amount is written off.",
            "max_length": "Keep the reason to 300 characters.",
        },
    )


def first_error(form: forms.Form) -> str:
    """The first of a bound form's errors, for a message at the top of the page."""
    return next(iter(form.errors.values()))[0]
