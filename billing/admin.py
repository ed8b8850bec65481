"""Reference data is kept in the Django admin: program admins get staff access with
add/change permissions on these models (migration 0002), never delete."""

from django import forms
from django.contrib import admin

from programs.models import Certification

from .models import Authorization, BillingIdentity, ClaimBatch, CombinedDailyCap, FundingSource, Rate, ServiceCode


class NoDelete(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


class RateInline(admin.TabularInline):
    model = Rate
    extra = 1
    can_delete = False


class ServiceCodeForm(forms.ModelForm):
    certification_types = forms.MultipleChoiceField(
        choices=Certification.Type.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The certifications that may deliver this code; none ticked: any peer certification.",
    )

    class Meta:
        model = ServiceCode
        fields = [
            "billing_program", "service", "description", "hcpcs", "modifiers", "kind", "unit_minutes", "rounding",
            "partial_unit_minimum", "daily_unit_cap", "rolling_cap_units", "rolling_cap_days", "minimum_age",
            "maximum_age", "max_group_size", "combined_daily_cap", "requires_authorization",
            "requires_certified_peer", "certification_types", "source", "is_active",
        ]  # fmt: skip


@admin.register(ServiceCode)
class ServiceCodeAdmin(NoDelete):
    form = ServiceCodeForm
    list_display = [
        "hcpcs", "modifiers", "billing_program", "service", "kind", "rounding", "daily_unit_cap", "is_active",
    ]  # fmt: skip
    list_filter = ["billing_program", "service", "kind", "is_active"]
    inlines = [RateInline]


@admin.register(CombinedDailyCap)
class CombinedDailyCapAdmin(NoDelete):
    list_display = ["name", "billing_program", "daily_minutes"]


@admin.register(Rate)
class RateAdmin(NoDelete):
    list_display = ["service_code", "rate_per_unit", "effective_from", "effective_to"]


@admin.register(Authorization)
class AuthorizationAdmin(NoDelete):
    list_display = ["number", "participant", "service_code", "units_authorized", "start_date", "end_date"]
    raw_id_fields = ["participant"]


@admin.register(FundingSource)
class FundingSourceAdmin(NoDelete):
    list_display = ["name", "program", "kind", "start_date", "end_date"]


@admin.register(BillingIdentity)
class BillingIdentityAdmin(NoDelete):
    list_display = ["legal_name", "npi", "submitter_id"]


@admin.register(ClaimBatch)
class ClaimBatchAdmin(NoDelete):
    """Read-only: batches are built and exported in the Billing pages."""

    list_display = ["pk", "payer", "status", "interchange_control_number", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
