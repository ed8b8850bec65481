from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import HiddenInput
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse

from accounts.access import role_required
from accounts.roles import Role
from audit.context import AuditContext
from audit.inputs import local_path
from audit.models import AuditEvent
from audit.services import audit_read, audit_record, save_with_audit
from programs.selectors import current_agency

from . import extensions, selectors, services
from .access import Need, get_participant_for_user
from .forms import (
    AssignForm,
    ConsentForm,
    ConsentRevokeForm,
    CoverageForm,
    DischargeForm,
    EnrollmentForm,
    GoalStatusForm,
    IntakeCoverageForm,
    IntakeForm,
    ParticipantForm,
    TransferForm,
    specialists_for,
)
from .models import Participant
from .record import with_record
from .timeline import Timeline

CARE_ROLES = (Role.PEER_SPECIALIST, Role.SUPERVISOR, Role.PROGRAM_ADMIN)
ANY_STAFF = (*CARE_ROLES, Role.BILLING)


def _detail_url(participant) -> str:
    return reverse("participants:detail", args=[participant.pk])


def _saved(request, participant, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(_detail_url(participant))


# --- Finding participants ---------------------------------------------------------------


@role_required(*ANY_STAFF)
def participant_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    results = selectors.search(request.user, query).order_by("last_name", "first_name", "pk")
    page = Paginator(results, 25).get_page(request.GET.get("page"))
    context = {
        "query": query,
        "page": page,
        "rows": selectors.list_rows(page.object_list),
        "can_intake": request.user.has_role(*CARE_ROLES),
    }
    shown = [row.pk for row in page.object_list]
    audit_read(ctx=AuditContext.from_request(request), page="participant search", shown=shown, query=query)
    return render(request, "participants/search.html", context)


# --- Intake -----------------------------------------------------------------------------


def _intake_forms(request: HttpRequest, agency) -> dict:
    data = request.POST or None
    return {
        "participant": ParticipantForm(data, agency=agency, prefix="p"),
        "enrollment": EnrollmentForm(data, prefix="e"),
        "coverage": IntakeCoverageForm(data, prefix="c"),
        "intake": IntakeForm(data, user=request.user, prefix="i"),
    }


def _duplicate_check(request: HttpRequest, forms: dict) -> tuple[list[Participant], bool]:
    person = forms["participant"].cleaned_data
    return services.intake_duplicate_check(
        first_name=person["first_name"],
        last_name=person["last_name"],
        date_of_birth=person["date_of_birth"],
        member_id=forms["coverage"].cleaned_data.get("member_id") or "",
        ctx=AuditContext.from_request(request),
    )


def _intake_save(request: HttpRequest, forms: dict) -> Participant | None:
    """The intake service on the valid forms; None (the error put on the form) if it refuses."""
    try:
        return services.participant_intake(
            participant=forms["participant"].instance,
            enrollment=forms["enrollment"].instance,
            specialist=forms["intake"].cleaned_data["specialist"],
            coverage=forms["coverage"].instance if forms["coverage"].has_coverage() else None,
            ctx=AuditContext.from_request(request),
        )
    except ValidationError as error:
        forms["intake"].add_error(None, error)
        return None


def _intake_page(request: HttpRequest, forms: dict, shown: list[Participant], others: bool) -> HttpResponse:
    if not (shown or others):
        # The confirmation only makes sense next to a list of possible matches.
        forms["intake"].fields["not_a_duplicate"].widget = HiddenInput()
    context = {**forms, "duplicates": shown, "duplicates_elsewhere": others}
    has_errors = any(form.errors for form in forms.values())
    return render(request, "participants/intake.html", context, status=400 if has_errors else 200)


@role_required(*CARE_ROLES)
def participant_intake(request: HttpRequest) -> HttpResponse:
    agency = current_agency()
    if agency is None:
        raise Http404("No agency has been set up yet.")
    forms = _intake_forms(request, agency)
    shown, others = [], False
    if request.method == "POST" and all(form.is_valid() for form in forms.values()):
        shown, others = _duplicate_check(request, forms)
        if (shown or others) and not forms["intake"].cleaned_data["not_a_duplicate"]:
            forms["intake"].add_error(
                "not_a_duplicate", "Check the possible matches above, then tick this box if it is a different person."
            )
        elif (participant := _intake_save(request, forms)) is not None:
            return _saved(request, participant, f"{participant} is enrolled.")
    return _intake_page(request, forms, shown, others)


# --- The participant's page -------------------------------------------------------------


TIMELINE_PAGE_SIZE = 25


@role_required(*ANY_STAFF)
def participant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_participant_for_user(request.user, pk)
    participant = with_record(access.participant)
    # Every read of a participant's record is audited (HIPAA 45 CFR 164.312(b)).
    audit_record(action=AuditEvent.Action.VIEW, ctx=AuditContext.from_request(request), target=participant)
    context = {
        "participant": participant,
        "access": access,
        "timeline": Paginator(Timeline(participant, access, request.user), TIMELINE_PAGE_SIZE).get_page(
            request.GET.get("timeline_page")
        ),
        "actions": extensions.contributed_actions(participant, access, request.user),
        "sections": extensions.contributed_sections(participant, access, request.user),
    }
    if access.clinical:
        plan = getattr(participant, "plan", None)
        context |= {
            "disclosures": selectors.current_disclosures(participant),
            "plan": plan,
            "goals": selectors.plan_goals(plan) if plan else [],
            "goal_status_form": GoalStatusForm(),
        }
    return render(request, "participants/detail.html", context)


@role_required(*CARE_ROLES)
def participant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    participant = get_participant_for_user(request.user, pk, Need.EDIT).participant
    form = ParticipantForm(request.POST or None, instance=participant)
    if request.method == "POST" and form.is_valid():
        save_with_audit(form.instance, ctx=AuditContext.from_request(request))
        return _saved(request, participant, "Details saved.")
    return TemplateResponse(
        request,
        "form_page.html",
        {"form": form, "title": f"Edit {participant}", "cancel_url": _detail_url(participant)},
    )


def _record_form(request, participant, form, *, title: str, success: str, save=save_with_audit, **page):
    """Add or change one record on a participant's page, or show the form's errors.
    `save(instance, ctx=...)` writes the record: save_with_audit, or a service that does more."""
    if request.method == "POST" and form.is_valid():
        save(form.instance, ctx=AuditContext.from_request(request))
        return _saved(request, participant, success)
    # The form shows the record (a plan, a coverage, a consent...) or at least whose it is: a read.
    record = form.instance if form.instance.pk else participant
    audit_read(ctx=AuditContext.from_request(request), target=record, page=f"{form.instance._meta.verbose_name} form")
    return TemplateResponse(
        request, "form_page.html", {"form": form, "title": title, "cancel_url": _detail_url(participant), **page}
    )


@role_required(*CARE_ROLES)
def enrollment_create(request: HttpRequest, pk: int) -> HttpResponse:
    participant = get_participant_for_user(request.user, pk, Need.EDIT).participant
    form = EnrollmentForm(request.POST or None, participant=participant)
    return _record_form(request, participant, form, title=f"Enroll {participant}", success="Enrolled.")


@role_required(*CARE_ROLES)
def enrollment_discharge(request: HttpRequest, pk: int, enrollment_pk: int) -> HttpResponse:
    participant = get_participant_for_user(request.user, pk, Need.EDIT).participant
    enrollment = get_object_or_404(participant.enrollments.current(), pk=enrollment_pk)
    form = DischargeForm(request.POST or None, instance=enrollment)
    if request.method == "POST" and form.is_valid():
        services.enrollment_discharge(
            enrollment=enrollment,
            end_date=form.cleaned_data["end_date"],
            reason=form.cleaned_data["discharge_reason"],
            note=form.cleaned_data["discharge_note"],
            ctx=AuditContext.from_request(request),
        )
        return _saved(request, participant, f"Discharged from {enrollment.program}. The record is kept.")
    return TemplateResponse(
        request,
        "form_page.html",
        {"form": form, "title": f"Discharge from {enrollment.program}", "cancel_url": _detail_url(participant)},
    )


@role_required(*ANY_STAFF)
def coverage_edit(request: HttpRequest, pk: int, coverage_pk: int | None = None) -> HttpResponse:
    participant = get_participant_for_user(request.user, pk, Need.COVERAGE).participant
    coverage = get_object_or_404(participant.coverages, pk=coverage_pk) if coverage_pk else None
    form = CoverageForm(request.POST or None, instance=coverage, participant=participant)
    return _record_form(
        request,
        participant,
        form,
        title=f"Coverage of {participant}",
        success="Coverage saved.",
        save=lambda coverage, ctx: services.coverage_save(coverage=coverage, ctx=ctx),
    )


@role_required(*CARE_ROLES)
def consent_create(request: HttpRequest, pk: int) -> HttpResponse:
    participant = get_participant_for_user(request.user, pk, Need.EDIT).participant
    form = ConsentForm(request.POST or None, participant=participant)
    return _record_form(
        request,
        participant,
        form,
        title=f"Consent of {participant}",
        success="Consent recorded.",
        intro="For a 42 CFR Part 2 consent to disclose, every field is required except the payer.",
    )


@role_required(*CARE_ROLES)
def consent_revoke(request: HttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    participant = get_participant_for_user(request.user, pk, Need.EDIT).participant
    consent = get_object_or_404(participant.consents, pk=consent_pk, revoked_on__isnull=True)
    form = ConsentRevokeForm(request.POST or None, instance=consent)
    return _record_form(request, participant, form, title=f"Revoke: {consent}", success="Consent revoked.")


# --- Assignment -------------------------------------------------------------------------


@role_required(Role.SUPERVISOR, Role.PROGRAM_ADMIN)
def assignment_change(request: HttpRequest, pk: int) -> HttpResponse:
    participant = get_participant_for_user(request.user, pk, Need.ASSIGN).participant
    form = AssignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_change(
                participant=participant,
                to=form.cleaned_data["specialist"],
                reason=form.cleaned_data["reason"],
                ctx=AuditContext.from_request(request),
            )
        except ValidationError as error:
            form.add_error("specialist", error)
        else:
            return _saved(request, participant, f"{participant} is now with {form.cleaned_data['specialist']}.")
    return TemplateResponse(
        request,
        "form_page.html",
        {"form": form, "title": f"Reassign {participant}", "cancel_url": _detail_url(participant)},
    )


def _next_url(request: HttpRequest) -> str:
    """Where to go after a transfer: the page that linked here (`next`), if it is ours."""
    url = request.POST.get("next") or request.GET.get("next")
    return local_path(url, host=request.get_host(), https=request.is_secure()) or reverse("participants:search")


@role_required(Role.SUPERVISOR, Role.PROGRAM_ADMIN)
def caseload_transfer(request: HttpRequest, specialist_pk: int) -> HttpResponse:
    leaving = get_object_or_404(specialists_for(request.user), pk=specialist_pk)
    caseload = selectors.caseload(leaving).order_by("last_name", "first_name")
    form = TransferForm(request.POST or None, user=request.user, caseload=caseload, leaving=leaving)
    preview = False
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirm") == "1":
            moves = [(p, form.cleaned_data["to"]) for p in form.cleaned_data["participants"]]
            ctx = AuditContext.from_request(request)
            try:
                count = services.caseload_transfer(moves=moves, reason=form.cleaned_data["reason"], ctx=ctx)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"{count} participant{'s' if count != 1 else ''} moved to {moves[0][1]}.")
                return redirect(_next_url(request))
        else:
            preview = True
    context = {"form": form, "leaving": leaving, "preview": preview, "caseload": caseload}
    return render(request, "participants/transfer.html", context, status=400 if form.errors else 200)
