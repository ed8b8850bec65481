"""The admin's onboarding form: the invitation and the staff profile, filled in together."""

from django import forms

from accounts.models import Invitation, User
from accounts.roles import Role

from .forms import DATE
from .models import Program, StaffProfile


class StaffInviteForm(forms.ModelForm):
    """`programs.services.staff_invite` sends the invitation and saves the profile (inactive
    until accepted) in one transaction; this checks both first, so nothing is half-made."""

    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Role.choices, help_text="Decides their home page and what they may use.")

    class Meta:
        model = StaffProfile
        fields = ["programs", "supervisor", "hire_date", "npi", "languages", "requires_cosignature"]
        widgets = {"hire_date": DATE, "programs": forms.CheckboxSelectMultiple}
        help_texts = {"npi": "Only if the state requires one. 10 digits; the check digit is verified."}

    field_order = ["email", "first_name", "last_name", "role"]

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.agency = agency
        self.fields["programs"].queryset = Program.objects.filter(agency=agency, is_active=True)
        self.fields["supervisor"].queryset = User.objects.filter(groups__name=Role.SUPERVISOR, is_active=True)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None and not existing.is_invitee:
            raise forms.ValidationError(f"{email} already has an account. They can sign in or reset their password.")
        if Invitation.objects.pending().filter(email__iexact=email).exists():
            raise forms.ValidationError(
                f"An invitation to {email} is already waiting. Use “Send again” on the workforce list."
            )
        return email

    def clean(self):
        cleaned = super().clean()
        supervisor = cleaned.get("supervisor")
        if supervisor is not None and supervisor.email == cleaned.get("email"):
            self.add_error("supervisor", "Someone can't be their own supervisor.")
        return cleaned
