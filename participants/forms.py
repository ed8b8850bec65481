from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from audit.inputs import plausible_date
from audit.widgets import Select as LongSelect
from programs.models import Payer, Program

from .dates import review_date_problem
from .models import (
    Consent,
    Coverage,
    Enrollment,
    Goal,
    Participant,
    RecoveryPlan,
)
from .validators import normalize_icd10, normalize_zip

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def specialists_for(user) -> QuerySet[User]:
    """Whom `user` may put a participant with: an admin, any active peer specialist; a
    supervisor, their own supervisees; a peer, themselves."""
    peers = User.objects.filter(is_active=True, groups__name=Role.PEER_SPECIALIST).order_by("last_name", "first_name")
    if user.has_role(Role.PROGRAM_ADMIN):
        return peers
    if user.has_role(Role.SUPERVISOR):
        return peers.filter(staff_profile__supervisor=user)
    return peers.filter(pk=user.pk)


class ParticipantForm(forms.ModelForm):
    class Meta:
        model = Participant
        fields = [
            "first_name",
            "last_name",
            "preferred_name",
            "date_of_birth",
            "sex_for_claims",
            "gender_identity",
            "pronouns",
            "phone",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "zip_code",
            "preferred_language",
            "emergency_contact_name",
            "emergency_contact_phone",
            "primary_diagnosis",
            "other_diagnoses",
            "referral_source",
        ]
        widgets = {"date_of_birth": DATE, "phone": forms.TextInput(attrs={"type": "tel"})}

    def __init__(self, *args, agency=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agency is not None:
            self.instance.agency = agency

    def clean_zip_code(self):
        return normalize_zip(self.cleaned_data["zip_code"])

    def clean_state(self):
        return self.cleaned_data["state"].strip().upper()

    def clean_primary_diagnosis(self):
        return normalize_icd10(self.cleaned_data["primary_diagnosis"])

    def clean_other_diagnoses(self):
        codes = [normalize_icd10(c) for c in self.cleaned_data["other_diagnoses"].split(",") if c.strip()]
        return ", ".join(codes)


class EnrollmentForm(forms.ModelForm):
    class Meta:
        model = Enrollment
        fields = ["program", "start_date", "referral"]
        widgets = {"start_date": DATE}

    def __init__(self, *args, participant: Participant | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.filter(is_active=True)
        self.participant = participant
        if participant is not None:
            self.instance.participant = participant
        self.fields["start_date"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        program = cleaned.get("program")
        if (
            self.participant is not None
            and program is not None
            and self.participant.enrollments.current().filter(program=program).exists()
        ):
            self.add_error("program", f"Already enrolled in {program}; discharge first to enroll again.")
        return cleaned


class DischargeForm(forms.ModelForm):
    class Meta:
        model = Enrollment
        fields = ["end_date", "discharge_reason", "discharge_note"]
        labels = {"end_date": "Discharge date"}
        widgets = {"end_date": DATE, "discharge_note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_date"].required = True
        self.fields["discharge_reason"].required = True
        self.fields["end_date"].initial = timezone.localdate()


class CoverageForm(forms.ModelForm):
    class Meta:
        model = Coverage
        fields = ["payer", "kind", "rank", "billing_program", "member_id", "start_date", "end_date"]
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args, participant: Participant | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payer"].queryset = Payer.objects.filter(is_active=True)
        self.participant = participant
        if participant is not None:
            self.instance.participant = participant

    def clean_member_id(self):
        return self.cleaned_data["member_id"].strip().upper()


class IntakeCoverageForm(CoverageForm):
    """Coverage at intake is optional: an empty section means none was given."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def has_coverage(self) -> bool:
        return any(self.data.get(self.add_prefix(name)) for name in ("payer", "member_id"))

    def clean(self):
        cleaned = super().clean()
        if self.has_coverage():
            for name in ("payer", "billing_program", "member_id", "start_date"):
                if not cleaned.get(name):
                    self.add_error(name, "Needed when coverage is given (or leave the whole section empty).")
        return cleaned


class IntakeForm(forms.Form):
    # Every specialist the user may assign: a long list at agency scale (audit.widgets).
    specialist = forms.ModelChoiceField(queryset=User.objects.none(), label="Peer specialist", widget=LongSelect)
    not_a_duplicate = forms.BooleanField(
        required=False, label="I have checked: this is a different person from the possible matches above."
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialist"].queryset = specialists_for(user)
        if not user.has_role(Role.PROGRAM_ADMIN, Role.SUPERVISOR):
            self.fields["specialist"].initial = user.pk
            self.fields["specialist"].widget = forms.HiddenInput()


class ConsentForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = [
            "kind",
            "signed_on",
            "disclosing_party",
            "recipient",
            "recipient_payer",
            "purpose",
            "information",
            "expires_on",
            "expiry_event",
        ]
        widgets = {"signed_on": DATE, "expires_on": DATE}

    def __init__(self, *args, participant: Participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.participant = participant
        self.fields["recipient_payer"].queryset = Payer.objects.filter(is_active=True)


class ConsentRevokeForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = ["revoked_on"]
        widgets = {"revoked_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revoked_on"].required = True
        self.fields["revoked_on"].initial = timezone.localdate()


class AssignForm(forms.Form):
    specialist = forms.ModelChoiceField(queryset=User.objects.none(), label="New peer specialist", widget=LongSelect)
    reason = forms.CharField(max_length=300, help_text="Why, for the history: e.g. language, caseload balance.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialist"].queryset = specialists_for(user)


class TransferForm(forms.Form):
    participants = forms.ModelMultipleChoiceField(
        queryset=Participant.objects.none(), widget=forms.CheckboxSelectMultiple, label="Participants to move"
    )
    to = forms.ModelChoiceField(queryset=User.objects.none(), label="Move them to", widget=LongSelect)
    reason = forms.CharField(max_length=300, initial="Caseload transfer")

    def __init__(self, *args, user, caseload: QuerySet[Participant], leaving: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = caseload
        self.fields["to"].queryset = specialists_for(user).exclude(pk=leaving.pk)


class PlanForm(forms.ModelForm):
    class Meta:
        model = RecoveryPlan
        fields = ["started_on", "strengths", "needs"]
        widgets = {
            "started_on": DATE,
            "strengths": forms.Textarea(attrs={"rows": 4}),
            "needs": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, participant: Participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.participant = participant
        self.fields["started_on"].initial = timezone.localdate()


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["description", "objectives", "target_date"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "target_date": DATE,
        }

    def __init__(self, *args, plan: RecoveryPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Goal.Status.choices)
    note = forms.CharField(max_length=300, required=False, help_text="What changed, in a few words.")


class SignatureForm(forms.Form):
    name = forms.CharField(max_length=200, label="Typed name")
    signed_on = forms.DateField(widget=DATE, label="Date", validators=[plausible_date])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signed_on"].initial = timezone.localdate()


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(widget=DATE, label="Review date", validators=[plausible_date])

    def __init__(self, *args, plan: RecoveryPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["reviewed_on"].initial = timezone.localdate()

    def clean_reviewed_on(self):
        day = self.cleaned_data["reviewed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("A review can't be dated in the future.")
        if problem := review_date_problem(self.plan.started_on, day):
            raise forms.ValidationError(problem)
        return day


class CaseloadFilterForm(forms.Form):
    SORTS = [
        ("name", "Name"),
        ("contact", "Longest without contact"),
        ("review", "Next plan review"),
        ("alerts", "Most alerts"),
    ]
    sort = forms.ChoiceField(choices=SORTS, required=False)
    program = forms.ModelChoiceField(
        queryset=Program.objects.filter(is_active=True), required=False, empty_label="All programs"
    )
    alerts_only = forms.BooleanField(required=False, label="Only with alerts")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sort"].widget.attrs["class"] = "form-select"
        self.fields["program"].widget.attrs["class"] = "form-select"
        self.fields["alerts_only"].widget.attrs["class"] = "form-check-input"
