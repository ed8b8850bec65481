from django.contrib import admin

from .models import Agency, Payer, Program, StaffProfile


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "is_active"]
    list_filter = ["is_active"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "supervisor"]
    list_select_related = ["user", "agency", "supervisor"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Payer)
class PayerAdmin(admin.ModelAdmin):
    """A payer's claims go to its own receiver, under its own usage indicator and rules."""

    list_display = ["name", "payer_id", "receiver_id", "usage", "rendering_provider", "timely_filing_days", "is_active"]
    fieldsets = [
        (None, {"fields": ["name", "payer_id", "is_active"]}),
        ("Where claims go (837P envelope)", {"fields": ["receiver_id", "receiver_name", "usage"]}),
        ("Rules", {"fields": ["timely_filing_days", "correction_days", "rendering_provider"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        return False
