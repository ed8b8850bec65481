from django import forms
from django.conf import settings

from accounts.models import User
from accounts.roles import Role
from audit.widgets import Select as LongSelect

from . import scans
from .models import Certification, Program, StaffProfile, SupervisionSession, TrainingRecord
from .selectors import active_supervisors

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = ["name", "kind", "population", "target_caseload", "contact_frequency_days", "plan_review_days"]
        labels = {
            "contact_frequency_days": "Required contact frequency (days)",
            "plan_review_days": "Recovery plan review every (days)",
        }

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.agency = agency

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Program.objects.filter(agency=self.instance.agency, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("Another program already has this name.")
        return name


class StaffProfileFieldsForm(forms.ModelForm):
    """The profile's own fields, as both the profile form and onboarding (forms_staff.py) offer
    them: the agency's active programs, and active supervisors only."""

    class Meta:
        model = StaffProfile
        fields = ["programs", "supervisor", "hire_date", "npi", "languages", "requires_cosignature"]
        widgets = {"hire_date": DATE, "programs": forms.CheckboxSelectMultiple}
        help_texts = {"npi": "Only if the state requires one. 10 digits; the check digit is verified."}

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.agency = agency
        self.fields["programs"].queryset = Program.objects.filter(agency=agency, is_active=True)
        self.fields["supervisor"].queryset = active_supervisors()


class StaffProfileForm(StaffProfileFieldsForm):
    """The profile and the user's role, checked together; `programs.services.profile_save`
    writes both (the role is a group on the user, not a field of the profile)."""

    role = forms.ChoiceField(choices=Role.choices)

    class Meta(StaffProfileFieldsForm.Meta):
        fields = ["user", "role", *StaffProfileFieldsForm.Meta.fields]

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, agency=agency, **kwargs)
        if self.instance.pk:
            del self.fields["user"]
            self.initial["role"] = self.instance.user.home_role
        else:
            # Invited staff who have accepted but have no profile yet.
            self.fields["user"].queryset = User.objects.filter(staff_profile__isnull=True, is_active=True)
            self.fields["user"].help_text = "Staff appear here once they have accepted their invitation."

    def clean(self):
        cleaned = super().clean()
        user = cleaned.get("user") or getattr(self.instance, "user", None)
        if user and cleaned.get("supervisor") == user:
            self.add_error("supervisor", "Someone can't be their own supervisor.")
        return cleaned


class CertificationForm(forms.ModelForm):
    class Meta:
        model = Certification
        fields = ["type", "number", "issuing_body", "issued_on", "expires_on"]
        widgets = {"issued_on": DATE, "expires_on": DATE}

    def __init__(self, *args, profile: StaffProfile, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.profile = profile


class CertificationScanForm(forms.Form):
    scan = forms.FileField(label="Scanned copy (PDF, PNG or JPEG)")
    scan_type: scans.ScanType | None = None

    def clean_scan(self):
        upload = self.cleaned_data["scan"]
        limit = settings.CERTIFICATION_SCAN_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(f"The file is too large: the limit is {limit // (1024 * 1024)} MB.")
        head = upload.read(scans.HEAD_BYTES)
        upload.seek(0)
        kind = scans.sniff(head)
        if kind is None:
            raise forms.ValidationError("Upload a PDF, PNG or JPEG file; this file is none of those.")
        self.scan_type = kind
        return upload


class TrainingRecordForm(forms.ModelForm):
    class Meta:
        model = TrainingRecord
        fields = ["course", "kind", "hours", "completed_on"]
        widgets = {"completed_on": DATE}

    def __init__(self, *args, profile: StaffProfile, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.profile = profile


class SupervisionSessionForm(forms.ModelForm):
    class Meta:
        model = SupervisionSession
        fields = ["date", "minutes", "format", "topics", "notes"]
        widgets = {"date": DATE, "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, supervisor: User, supervisee: StaffProfile, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.supervisor = supervisor
        self.instance.supervisee = supervisee


class WorkforceFilterForm(forms.Form):
    # Its selects are written out in Python (audit.widgets): an option template each was
    # a sixth of the workforce page (issue 16).
    q = forms.CharField(required=False, max_length=100, label="Name or email")
    role = forms.ChoiceField(required=False, choices=[("", "Every role"), *Role.choices], widget=LongSelect)
    program = forms.ModelChoiceField(
        queryset=Program.objects.none(), required=False, empty_label="All programs", widget=LongSelect
    )
    supervisor = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="All supervisors", widget=LongSelect
    )
    status = forms.ChoiceField(required=False, label="Certification", widget=LongSelect)
    state = forms.ChoiceField(required=False, label="Staff status", widget=LongSelect)

    def __init__(self, *args, programs, supervisors, statuses, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.fields["supervisor"].queryset = supervisors
        self.fields["status"].choices = [("", "Any status"), *statuses]
        self.fields["state"].choices = states
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"
        self.fields["q"].widget.attrs.update({"class": "form-control", "type": "search", "autocomplete": "off"})
