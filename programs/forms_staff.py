"""The admin's onboarding form: the invitation and the staff profile, filled in together."""

from django import forms

from accounts.models import Invitation, User
from accounts.roles import Role

from .forms import StaffProfileFieldsForm


class StaffInviteForm(StaffProfileFieldsForm):
    """`programs.services.staff_invite` sends the invitation and saves the profile (inactive
    until accepted) in one transaction; this checks both first, so nothing is half-made."""

    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Role.choices, help_text="Decides their home page and what they may use.")

    field_order = ["email", "first_name", "last_name", "role"]

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
