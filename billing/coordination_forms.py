"""The form a clerk types another payer's adjudication into, from its remittance (EOB). The
rules (balancing, dates, which coverage) are the service's, in billing/coordination.py: the
form only turns the input into domain types and shows the service's messages by their fields."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from audit.inputs import plausible_date
from audit.widgets import Select as LongSelect
from participants.models import Coverage

from .models import AdjustmentGroup, FilingIndicator, PrimaryAdjudication
from .uploads import X12FileForm

MONEY = {"max_digits": 10, "decimal_places": 2}


class CoverageChoice(forms.ModelChoiceField):
    def label_from_instance(self, coverage: Coverage) -> str:
        ends = f"{coverage.end_date:%b %d, %Y}" if coverage.end_date else "open"
        return (
            f"{coverage.payer} · {coverage.get_kind_display()} · ID {coverage.member_id} · "
            f"{coverage.start_date:%b %d, %Y} to {ends}"
        )


class PrimaryAdjudicationForm(forms.Form):
    coverage = CoverageChoice(
        queryset=Coverage.objects.none(),
        label="Payer that paid first",
        empty_label=None,
        # Written in Python (audit/widgets.py), the same HTML: an option template each was a
        # tenth of the primary-payer page, with the filing indicator's two dozen kinds of plan.
        widget=LongSelect,
        help_text="The participant's other insurance in force on the day of the service.",
    )
    claim_number = forms.CharField(
        label="Its claim number", max_length=50, required=False, help_text="As its remittance shows it, if it does."
    )
    adjudicated_on = forms.DateField(
        validators=[plausible_date],
        label="Date it paid or denied",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    billed = forms.DecimalField(label="Billed to it ($)", min_value=Decimal("0.01"), **MONEY)
    paid = forms.DecimalField(
        label="It paid ($)", min_value=Decimal(0), help_text="0 when it denied the claim.", **MONEY
    )
    filing_indicator = forms.ChoiceField(
        label="Kind of plan (claim filing indicator)",
        choices=FilingIndicator.choices,
        initial=FilingIndicator.COMMERCIAL,
        widget=LongSelect,
    )
    correction_reason = forms.CharField(label="Why correct it", max_length=300, required=False)

    def __init__(self, *args, note, correcting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Every coverage of the participant, other insurance first: choosing the wrong one gets
        # the service's explanation (not other insurance, not in force that day), not a bare "invalid choice".
        self.fields["coverage"].queryset = (
            Coverage.objects.filter(participant_id=note.participant_id)
            .select_related("payer")
            .order_by("-kind", "-start_date")
        )
        if correcting:
            self.fields["correction_reason"].required = True
            self.fields["correction_reason"].help_text = "Kept with the correction; the old figures stay on file."
        else:
            del self.fields["correction_reason"]

    def clean_claim_number(self) -> str:
        return self.cleaned_data["claim_number"].strip()


class AdjustmentForm(forms.Form):
    group = forms.ChoiceField(choices=[("", "Group"), *AdjustmentGroup.choices], required=False)
    reason = forms.CharField(label="Reason code", max_length=5, required=False)
    amount = forms.DecimalField(label="Amount ($)", required=False, **MONEY)

    def clean(self):
        data = super().clean()
        filled = [data.get("group"), data.get("reason"), data.get("amount")]
        if any(value not in (None, "") for value in filled) and any(value in (None, "") for value in filled):
            raise ValidationError("Give the group, the reason code and the amount, or leave the row empty.")
        if data.get("reason"):
            data["reason"] = data["reason"].strip().upper()
        return data


AdjustmentFormSet = forms.formset_factory(AdjustmentForm, extra=3, max_num=30)


def adjustment_rows(formset) -> list[tuple[str, str, Decimal]]:
    """The filled rows of a valid formset, as the service takes them."""
    return [
        (row["group"], row["reason"], row["amount"])
        for row in formset.cleaned_data
        if row.get("group") and row.get("reason") and row.get("amount") is not None
    ]


def initial_of(adjudication: PrimaryAdjudication | None, *, coverage, billed) -> tuple[dict, list[dict]]:
    """What the form starts with: the recorded adjudication, or the coverage in force and our
    Medicaid charge (what the primary was billed when the agency bills one charge)."""
    if adjudication is None:
        return {"coverage": coverage, "billed": billed}, []
    fields = ("coverage", "claim_number", "adjudicated_on", "billed", "paid", "filing_indicator")
    initial = {name: getattr(adjudication, name) for name in fields}
    rows = [{"group": a.group, "reason": a.reason, "amount": a.amount} for a in adjudication.adjustments.all()]
    return initial, rows


class PrimaryRemittanceForm(X12FileForm):
    kind = "primary payer's 835"
