from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.access import role_required
from accounts.models import Invitation
from accounts.roles import Role
from billing.assessment import FILING_WARNING_DAYS
from billing.selectors import home_counts as billing_home_counts
from billing.selectors import revenue_cycle_counts
from notes.selectors import note_counts, notes_waiting_for
from programs.models import StaffProfile
from programs.selectors import certification_warnings
from reports.access import reports_for_user

from ..health import run_checks
from ..selectors import (
    caseload,
    check_ins_due,
    count_showing,
    open_safety_flags,
    recent_failed_sign_ins,
    team_counts,
)

_HOME_URL_NAMES = {
    Role.PEER_SPECIALIST: "home_peer",
    Role.SUPERVISOR: "home_supervisor",
    Role.BILLING: "home_billing",
    Role.PROGRAM_ADMIN: "home_admin",
}


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    healthy = all(result == "ok" for result in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = request.user.home_role
    if role is None:
        return render(request, "home/no_role.html")
    return redirect(_HOME_URL_NAMES[role])


def _account_context(request: HttpRequest) -> dict:
    return {"mfa_enabled": is_mfa_enabled(request.user, types=["totp"])}


# The reports most recently asked for (by the schedule or a person), on the admin's home.
LATEST_REPORTS = 5
# Open safety flags listed on a home page; the count says how many more there are.
SAFETY_FLAGS_SHOWN = 20


def _safety_flags(user) -> dict:
    flags = open_safety_flags(user)
    return {"shown": list(flags[:SAFETY_FLAGS_SHOWN]), "count": flags.count()}


@role_required(Role.PEER_SPECIALIST)
def home_peer(request: HttpRequest) -> HttpResponse:
    warnings = certification_warnings(StaffProfile.objects.filter(user=request.user))
    rows = caseload([request.user.pk])
    context = {
        **_account_context(request),
        "certification_warnings": warnings,
        "caseload_size": len(rows),
        "caseload_rows": rows,  # each with "Log a session": the first tap of a routine note
        "needing_attention": count_showing(rows, "attention"),
        "check_ins": check_ins_due(rows),
        "notes": note_counts(request.user),
    }
    return render(request, "home/peer.html", context)


@role_required(Role.SUPERVISOR)
def home_supervisor(request: HttpRequest) -> HttpResponse:
    warnings = certification_warnings(StaffProfile.objects.filter(supervisor=request.user))
    context = {
        **_account_context(request),
        "certification_warnings": warnings,
        **team_counts(request.user),  # counted, not the team's caseload rows built and summed
        "safety_flags": _safety_flags(request.user),
        "waiting_for_me": notes_waiting_for(request.user).count(),
    }
    return render(request, "home/supervisor.html", context)


@role_required(Role.BILLING)
def home_billing(request: HttpRequest) -> HttpResponse:
    counts = revenue_cycle_counts(timezone.localdate())
    work = billing_home_counts()
    context = {**_account_context(request), "counts": counts, "work": work, "warning_days": FILING_WARNING_DAYS}
    return render(request, "home/billing.html", context)


@role_required(Role.PROGRAM_ADMIN)
def home_admin(request: HttpRequest) -> HttpResponse:
    context = {
        **_account_context(request),
        "pending_invitations": Invitation.objects.pending().count(),
        "failed_sign_ins": recent_failed_sign_ins(timezone.now()).count(),
        "safety_flags": _safety_flags(request.user),
        "latest_reports": list(reports_for_user(request.user).order_by("-queued_at")[:LATEST_REPORTS]),
    }
    return render(request, "home/admin.html", context)


@role_required(Role.PROGRAM_ADMIN)
def failed_sign_ins(request: HttpRequest) -> HttpResponse:
    """The failed sign-ins the admin's home counts: who was typed, when and from where."""
    page = Paginator(recent_failed_sign_ins(timezone.now()), 50).get_page(request.GET.get("page"))
    return render(request, "home/failed_sign_ins.html", {"page": page})
