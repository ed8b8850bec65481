import logging

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.roles import Role
from accounts.services import TwoFactorError, two_factor_reset
from audit.context import AuditContext
from audit.services import audit_read, save_with_audit

from . import selectors, services
from .access import (
    can_add_training,
    can_log_supervision,
    get_certification_for_user,
    get_profile_for_user,
)
from .forms import (
    CertificationForm,
    CertificationScanForm,
    ProgramForm,
    StaffProfileForm,
    SupervisionSessionForm,
    TrainingRecordForm,
)
from .forms_staff import StaffInviteForm
from .models import Agency, Program, StaffProfile
from .scans import EXTENSIONS

logger = logging.getLogger(__name__)

ANY_STAFF = (Role.PEER_SPECIALIST, Role.SUPERVISOR, Role.BILLING, Role.PROGRAM_ADMIN)


def _agency() -> Agency:
    # One agency per installation today; the seed or the admin creates it.
    agency = selectors.current_agency()
    if agency is None:
        raise Http404("No agency has been set up yet.")
    return agency


def _profile_record_form(request, form, profile_pk: int, *, title: str, success: str, **page) -> HttpResponse:
    """The shared flow of the forms that add to a staff profile: save with audit and go
    back to the profile, or show the form (with its errors) again."""
    profile_url = reverse("programs:profile_detail", args=[profile_pk])
    if request.method == "POST" and form.is_valid():
        save_with_audit(form.instance, ctx=AuditContext.from_request(request))
        messages.success(request, success)
        return redirect(profile_url)
    return TemplateResponse(
        request, "form_page.html", {"form": form, "title": title, "cancel_url": profile_url, **page}
    )


# --- Programs ---------------------------------------------------------------------------


@role_required(Role.PROGRAM_ADMIN)
def program_list(request: HttpRequest) -> HttpResponse:
    programs = Program.objects.filter(agency=_agency()).order_by("-is_active", "name")
    return render(request, "programs/program_list.html", {"programs": programs})


@role_required(Role.PROGRAM_ADMIN)
def program_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    agency = _agency()
    program = get_object_or_404(Program, pk=pk, agency=agency) if pk else None
    form = ProgramForm(request.POST or None, instance=program, agency=agency)
    if request.method == "POST" and form.is_valid():
        program = save_with_audit(form.instance, ctx=AuditContext.from_request(request))
        messages.success(request, f"Program “{program}” saved.")
        return redirect("programs:program_list")
    title = f"Edit {program}" if program else "New program"
    return TemplateResponse(
        request, "form_page.html", {"form": form, "title": title, "cancel_url": reverse("programs:program_list")}
    )


@require_POST
@role_required(Role.PROGRAM_ADMIN)
def program_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk, agency=_agency())
    active = request.POST.get("active") == "1"
    services.program_set_active(program=program, active=active, ctx=AuditContext.from_request(request))
    messages.success(request, f"“{program}” {'reactivated' if active else 'deactivated'}.")
    return redirect("programs:program_list")


# --- Staff profiles ---------------------------------------------------------------------


@role_required(*ANY_STAFF)
def my_profile(request: HttpRequest) -> HttpResponse:
    profile = StaffProfile.objects.filter(user=request.user).first()
    if profile is None:
        raise Http404("You have no staff profile yet; a program admin creates it.")
    return redirect("programs:profile_detail", pk=profile.pk)


@role_required(*ANY_STAFF)
def profile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_profile_for_user(request.user, pk)
    year = timezone.localdate().year
    context = {
        "profile": profile,
        "certifications": profile.certifications.annotate(replaced_copies=Count("archived_scans")),
        "training": profile.training.filter(completed_on__year=year),
        "training_hours": selectors.training_hours_in_year(profile, year),
        "required_hours": profile.agency.training_hours_required_per_year,
        "supervision_by_month": selectors.supervision_hours_by_month(profile),
        "supervision_sessions": profile.supervision_sessions.select_related("supervisor")[:10],
        "is_admin": request.user.has_role(Role.PROGRAM_ADMIN),
        "is_self": profile.user_id == request.user.pk,
        "has_two_factor": is_mfa_enabled(profile.user),
        "can_add_training": can_add_training(request.user, profile),
        "can_log_supervision": can_log_supervision(request.user, profile),
        "today": timezone.localdate(),
    }
    return render(request, "programs/profile_detail.html", context)


@role_required(Role.PROGRAM_ADMIN)
def profile_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    profile = get_profile_for_user(request.user, pk, write=True) if pk else None
    form = StaffProfileForm(request.POST or None, instance=profile, agency=_agency())
    if request.method == "POST" and form.is_valid():
        profile = services.profile_save(
            profile=form.instance,
            role=form.cleaned_data["role"],
            programs=form.cleaned_data["programs"],
            ctx=AuditContext.from_request(request),
        )
        messages.success(request, f"Profile for {profile} saved.")
        return redirect("programs:profile_detail", pk=profile.pk)
    if profile:
        title, cancel_url = f"Edit {profile}", reverse("programs:profile_detail", args=[profile.pk])
    else:
        title, cancel_url = "New staff profile", reverse("home")
    return TemplateResponse(request, "form_page.html", {"form": form, "title": title, "cancel_url": cancel_url})


@role_required(Role.PROGRAM_ADMIN)
def staff_invite(request: HttpRequest) -> HttpResponse:
    form = StaffInviteForm(request.POST or None, agency=_agency())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = {k: data[k] for k in ("email", "first_name", "last_name", "role", "programs")}
        try:
            services.staff_invite(
                profile=form.instance,
                **person,
                base_url=request.build_absolute_uri("/"),
                ctx=AuditContext.from_request(request),
            )
        except IntegrityError:
            # Someone invited the same address a moment ago (the pending-invitation constraint).
            form.add_error("email", "An invitation to this address was just sent by someone else.")
        else:
            messages.success(request, f"Invitation sent to {data['email']}. Their profile is active once they accept.")
            return redirect(f"{reverse('workforce')}?state=invited")
    page = {"title": "Invite a staff member", "submit": "Send invitation", "intro": _INVITE_INTRO}
    return TemplateResponse(request, "form_page.html", {"form": form, "cancel_url": reverse("workforce"), **page})


_INVITE_INTRO = (
    "They get an email with a link to choose a password. Their profile is set up now and becomes active "
    "when they accept."
)


@require_POST
@role_required(Role.PROGRAM_ADMIN)
def profile_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_profile_for_user(request.user, pk, write=True)
    active = request.POST.get("active") == "1"
    try:
        services.profile_set_active(profile=profile, active=active, ctx=AuditContext.from_request(request))
    except services.ProfileError as error:
        messages.error(request, str(error))
        return redirect("programs:profile_detail", pk=profile.pk)
    messages.success(request, f"{profile} {'reactivated' if active else 'deactivated; they can no longer sign in'}.")
    return redirect("programs:profile_detail", pk=profile.pk)


@require_POST
@role_required(Role.PROGRAM_ADMIN)
def profile_two_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_profile_for_user(request.user, pk, write=True)
    try:
        two_factor_reset(user=profile.user, ctx=AuditContext.from_request(request))
    except TwoFactorError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Two-factor sign-in reset for {profile}: they were signed out and emailed.")
    return redirect("programs:profile_detail", pk=profile.pk)


# --- Certifications, training, supervision ----------------------------------------------


@role_required(Role.PROGRAM_ADMIN)
def certification_edit(request: HttpRequest, profile_pk: int | None = None, pk: int | None = None) -> HttpResponse:
    if pk:
        certification = get_certification_for_user(request.user, pk, write=True)
        profile = certification.profile
    else:
        certification, profile = None, get_profile_for_user(request.user, profile_pk, write=True)
    form = CertificationForm(request.POST or None, instance=certification, profile=profile)
    return _profile_record_form(
        request, form, profile.pk, title=f"Certification for {profile}", success="Certification saved."
    )


@role_required(*ANY_STAFF)
def certification_upload(request: HttpRequest, pk: int) -> HttpResponse:
    certification = get_certification_for_user(request.user, pk, upload=True)
    form = CertificationScanForm(request.POST or None, request.FILES or None)
    profile_url = reverse("programs:profile_detail", args=[certification.profile_id])
    if request.method == "POST" and form.is_valid():
        services.certification_scan_replace(
            certification=certification,
            upload=form.cleaned_data["scan"],
            scan_type=form.scan_type,
            ctx=AuditContext.from_request(request),
        )
        messages.success(request, "Scanned copy uploaded.")
        return redirect(profile_url)
    context = {"form": form, "title": f"Upload a copy of {certification}", "cancel_url": profile_url}
    return TemplateResponse(request, "form_page.html", {**context, "submit": "Upload", "multipart": True})


@role_required(*ANY_STAFF)
def certification_scan(request: HttpRequest, pk: int) -> HttpResponse:
    certification = get_certification_for_user(request.user, pk)
    if not certification.scan:
        raise Http404("No scanned copy has been uploaded.")
    try:
        scan = certification.scan.open("rb")
    except FileNotFoundError:  # the row names a file the storage no longer holds: said, not a 500
        logger.error("Certification %s: its scan's file is missing from storage.", certification.pk)
        messages.error(request, "The scanned copy's file is missing from storage. Upload the copy again.")
        return redirect("programs:profile_detail", certification.profile_id)
    audit_read(ctx=AuditContext.from_request(request), target=certification, page="certification scan")
    return FileResponse(
        scan,
        content_type=certification.scan_content_type,
        filename=f"certification-{certification.pk}.{EXTENSIONS[certification.scan_content_type]}",
    )


@role_required(*ANY_STAFF)
def training_create(request: HttpRequest, profile_pk: int) -> HttpResponse:
    profile = get_profile_for_user(request.user, profile_pk)
    if not can_add_training(request.user, profile):
        raise PermissionDenied("Only the specialist, their supervisor or a program admin records their training.")
    form = TrainingRecordForm(request.POST or None, profile=profile)
    return _profile_record_form(
        request, form, profile.pk, title=f"Training for {profile}", success="Training recorded."
    )


@role_required(Role.SUPERVISOR)
def supervision_create(request: HttpRequest, profile_pk: int) -> HttpResponse:
    profile = get_profile_for_user(request.user, profile_pk)
    if not can_log_supervision(request.user, profile):
        raise PermissionDenied("Only their supervisor logs supervision with this specialist.")
    form = SupervisionSessionForm(request.POST or None, supervisor=request.user, supervisee=profile)
    return _profile_record_form(
        request, form, profile.pk, title=f"Supervision with {profile}", success="Supervision session logged."
    )
