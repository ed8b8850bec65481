import datetime

from django import forms

from accounts.models import User
from accounts.roles import Role
from programs.models import Payer, Program

from .models import Claim


class BillingFilterForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.all(), required=False, empty_label="All programs")
    payer = forms.ModelChoiceField(
        queryset=Payer.objects.filter(is_active=True), required=False, empty_label="All payers"
    )
    specialist = forms.ModelChoiceField(
        queryset=User.objects.filter(groups__name=Role.PEER_SPECIALIST).order_by("last_name", "first_name"),
        required=False,
        empty_label="All specialists",
    )
    month = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"type": "month"}), help_text="Date of service, e.g. 2026-10."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("program", "payer", "specialist"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["month"].widget.attrs["class"] = "form-control"

    def clean_month(self) -> tuple[datetime.date, datetime.date] | None:
        text = self.cleaned_data["month"].strip()
        if not text:
            return None
        try:
            start = datetime.datetime.strptime(text, "%Y-%m").date()  # noqa: DTZ007 (a calendar month)
        except ValueError as exc:
            raise forms.ValidationError("Give the month as YYYY-MM, e.g. 2026-10.") from exc
        end = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
        return start, end


class PayerClaimNumberForm(forms.ModelForm):
    class Meta:
        model = Claim
        fields = ["payer_claim_number"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payer_claim_number"].required = True
