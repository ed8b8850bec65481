"""The program settings page: when each timepoint's check-in counts as on time, and what one
unit of each service costs (for the cost offset). Program admins only."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from accounts.access import role_required
from accounts.roles import Role
from audit.context import AuditContext
from audit.services import save_with_audit
from programs.models import Program

from .. import services
from ..settings_forms import UnitCostsForm, WindowsForm


def _save(windows: WindowsForm, costs: UnitCostsForm, ctx: AuditContext) -> None:
    """Windows and unit costs together, or nothing."""
    with transaction.atomic():
        for window in windows.changed_windows():
            save_with_audit(window, ctx=ctx)
        services.unit_costs_save(unit_costs=costs.instance, ctx=ctx)


@role_required(Role.PROGRAM_ADMIN)
@require_http_methods(["GET", "POST"])
def program_settings(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk)
    data = request.POST if request.method == "POST" else None
    windows = WindowsForm(data, program=program, prefix="w")
    costs = UnitCostsForm(data, program=program, prefix="c")
    if data is not None and windows.is_valid() and costs.is_valid():
        _save(windows, costs, AuditContext.from_request(request))
        messages.success(request, f"Saved the outcome settings of {program}.")
        return redirect("outcomes:program_settings", pk=program.pk)
    context = {"program": program, "windows": windows, "costs": costs}
    status = 400 if data is not None else 200
    return TemplateResponse(request, "outcomes/program_settings.html", context, status=status)
