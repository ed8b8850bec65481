import datetime

from django import forms

from accounts.models import User
from accounts.roles import Role
from audit.prepared import Prepared
from audit.widgets import Choices
from audit.widgets import Select as LongSelect
from participants.models import Participant
from programs.models import Payer, Program

from .assessment import FILING_WARNING_DAYS, HOLD_KINDS
from .models import Authorization, Claim, ServiceCode


def _specialists():
    return User.objects.filter(groups__name=Role.PEER_SPECIALIST).order_by("last_name", "first_name")


# The choices' rows, compiled once and prepared on the server (audit/prepared.py): every view
# of the work page reads them.
_specialist_rows = Prepared(lambda: _specialists().values_list("pk", "first_name", "last_name", "email"))


class BillingFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        queryset=Program.objects.all(), required=False, empty_label="All programs", widget=LongSelect
    )
    payer = forms.ModelChoiceField(
        queryset=Payer.objects.filter(is_active=True), required=False, empty_label="All payers", widget=LongSelect
    )
    specialist = forms.ModelChoiceField(
        queryset=_specialists(),
        required=False,
        empty_label="All specialists",
        widget=LongSelect,
    )
    reason = forms.ChoiceField(
        required=False, label="Held for", choices=[("", "Any reason"), *HOLD_KINDS.items()], widget=LongSelect
    )
    month = forms.CharField(
        required=False,
        max_length=7,
        error_messages={"max_length": "Give the month as YYYY-MM, e.g. 2026-10."},
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text="Date of service, e.g. 2026-10.",
    )
    due_soon = forms.BooleanField(required=False, label=f"Filing limit within {FILING_WARNING_DAYS} days")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("program", "payer", "specialist", "reason"):
            self.fields[name].widget.attrs["class"] = "form-select"
        # The specialists as (id, name) rows, not users built one by one (250 at agency scale);
        # the name as User.__str__ gives it. The choice is still checked against the queryset.
        # As audit.widgets.Choices, which Django's setters keep as they are (issue 16).
        specialists = self.fields["specialist"]
        rows = _specialist_rows()
        specialists.choices = Choices(
            [
                ("", specialists.empty_label),
                *((pk, f"{first} {last}".strip() or email) for pk, first, last, email in rows),
            ]
        )
        self.fields["month"].widget.attrs["class"] = "form-control"
        self.fields["due_soon"].widget.attrs["class"] = "form-check-input"

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


class AuthorizationForm(forms.ModelForm):
    """An authorization as the payer issued it. Units used are never typed: they are counted
    from the claim lines billed under it."""

    class Meta:
        model = Authorization
        fields = ["participant", "service_code", "number", "units_authorized", "start_date", "end_date"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {"number": "As on the payer's approval; it is sent on the claim."}

    def __init__(self, *args, participant: Participant, **kwargs):
        super().__init__(*args, **kwargs)
        # Chosen before the form (by search, or the "Fix this" link that names them): the only
        # option, never a list of the whole agency. Another participant's is a new authorization.
        self.fields["participant"].queryset = Participant.objects.filter(pk=participant.pk)
        self.fields["participant"].initial = participant.pk
        self.fields["participant"].empty_label = None
        self.fields["service_code"].queryset = ServiceCode.objects.filter(is_active=True, requires_authorization=True)
        self.fields["service_code"].help_text = "Only codes that need an authorization are listed."

    def clean_number(self):
        return self.cleaned_data["number"].strip().upper()


class AuthorizationFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Participant or number")
    current_only = forms.BooleanField(required=False, label="In force today only")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["class"] = "form-control"
        self.fields["current_only"].widget.attrs["class"] = "form-check-input"


class CorrectionForm(forms.Form):
    """Replace (7) or void (8) an exported claim; a void says whether its notes are billed again."""

    frequency = forms.ChoiceField(
        choices=[("7", "Replace"), ("8", "Void")], error_messages={"required": "Choose replace or void."}
    )
    rebill = forms.TypedChoiceField(
        choices=[("yes", "Bill the notes again"), ("no", "Do not bill them again")],
        coerce=lambda value: value == "yes",
        required=False,
        empty_value=None,
    )
    reason = forms.CharField(required=False, max_length=300)


class PayerClaimNumberForm(forms.ModelForm):
    class Meta:
        model = Claim
        fields = ["payer_claim_number"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payer_claim_number"].required = True


class DuplicateDecisionForm(forms.Form):
    """Of two overlapping notes, which one is billed: this one, or the other."""

    other = forms.IntegerField(min_value=1)
    stands = forms.ChoiceField(choices=[("this", "This note"), ("other", "The other note")])
