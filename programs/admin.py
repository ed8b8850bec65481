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
    list_display = ["name", "payer_id", "timely_filing_days", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False
