from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import HiddenInput
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.models import User
from accounts.roles import Role
from audit.models import AuditEvent
from audit.services import audit_record, save_form_with_audit
from programs.pages import form_page
from programs.selectors import current_agency

from . import selectors, services
from .access import Need, get_participant_for_user, visible_participants
from .forms import (
    AssignForm,
    CaseloadFilterForm,
    ConsentForm,
    ConsentRevokeForm,
    CoverageForm,
    DischargeForm,
    EnrollmentForm,
    GoalForm,
    GoalStatusForm,
    IntakeCoverageForm,
    IntakeForm,
    ParticipantForm,
    PlanForm,
    ReviewForm,
    SignatureForm,
    TransferForm,
    specialists_for,
)
from .models import Goal, Participant

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
    results = selectors.search(request.user, query).order_by("last_name", "first_name")
    page = Paginator(results, 25).get_page(request.GET.get("page"))
    can_intake = request.user.has_role(*CARE_ROLES)
    return render(request, "participants/search.html", {"query": query, "page": page, "can_intake": can_intake})


# --- Intake -----------------------------------------------------------------------------


@role_required(*CARE_ROLES)
def participant_intake(request: HttpRequest) -> HttpResponse:
    agency = current_agency()
    if agency is None:
        raise Http404("No agency has been set up yet.")
    data = request.POST or None
    forms = {
        "participant": ParticipantForm(data, agency=agency, prefix="p"),
        "enrollment": EnrollmentForm(data, prefix="e"),
        "coverage": IntakeCoverageForm(data, prefix="c"),
        "intake": IntakeForm(data, user=request.user, prefix="i"),
    }
    duplicates = []
    if request.method == "POST" and all(form.is_valid() for form in forms.values()):
        person = forms["participant"].cleaned_data
        duplicates = list(
            selectors.possible_duplicates(
                first_name=person["first_name"],
                last_name=person["last_name"],
                date_of_birth=person["date_of_birth"],
                member_id=forms["coverage"].cleaned_data.get("member_id") or "",
            )
        )
        if duplicates and not forms["intake"].cleaned_data["not_a_duplicate"]:
            forms["intake"].add_error(
                "not_a_duplicate", "Check the possible matches above, then tick this box if it is a different person."
            )
        else:
            try:
                participant = services.participant_intake(
                    participant=forms["participant"].instance,
                    enrollment=forms["enrollment"].instance,
                    specialist=forms["intake"].cleaned_data["specialist"],
                    coverage=forms["coverage"].instance if forms["coverage"].has_coverage() else None,
                    actor=request.user,
                    request=request,
                )
            except ValidationError as error:
                forms["intake"].add_error(None, error)
            else:
                return _saved(request, participant, f"{participant} is enrolled.")
    if not duplicates:
        # The confirmation only makes sense next to a list of possible matches.
        forms["intake"].fields["not_a_duplicate"].widget = HiddenInput()
    visible = set(
        visible_participants(request.user).filter(pk__in=[d.pk for d in duplicates]).values_list("pk", flat=True)
    )
    context = {**forms, "duplicates": [(d, d.pk in visible) for d in duplicates]}
    has_errors = any(form.errors for form in forms.values())
    return render(request, "participants/intake.html", context, status=400 if has_errors else 200)


# --- The participant's page -------------------------------------------------------------


@role_required(*ANY_STAFF)
def participant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_participant_for_user(request.user, pk)
    participant = access.participant
    # Every read of a participant's record is audited (HIPAA 45 CFR 164.312(b)).
    audit_record(action=AuditEvent.Action.VIEW, actor=request.user, target=participant, request=request)
    context = {
        "participant": participant,
        "access": access,
        "enrollments": participant.enrollments.select_related("program"),
        "coverages": participant.coverages.select_related("payer"),
        "assignments": participant.assignments.select_related("specialist", "assigned_by"),
        "timeline": selectors.timeline(participant, clinical=access.clinical, viewer=request.user),
        "can_log_note": access.edit and request.user.has_role(Role.PEER_SPECIALIST),
    }
    if access.clinical:
        plan = getattr(participant, "plan", None)
        context |= {
            "consents": participant.consents.select_related("recipient_payer"),
            "disclosures": selectors.current_disclosures(participant),
            "plan": plan,
            "goals": plan.goals.prefetch_related("status_changes__changed_by") if plan else [],
            "goal_status_form": GoalStatusForm(),
        }
    return render(request, "participants/detail.html", context)


@role_required(*CARE_ROLES)
def participant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    participant = get_participant_for_user(request.user, pk, Need.EDIT).participant
    form = ParticipantForm(request.POST or None, instance=participant)
    if request.method == "POST" and form.is_valid():
        save_form_with_audit(form, actor=request.user, request=request)
        return _saved(request, participant, "Details saved.")
    return form_page(request, form, title=f"Edit {participant}", cancel_url=_detail_url(participant))


def _record_form(request, participant, form, *, title: str, success: str, save=save_form_with_audit, **page):
    """Add or change one record on a participant's page: save with audit, or show errors."""
    if request.method == "POST" and form.is_valid():
        save(form, actor=request.user, request=request)
        return _saved(request, participant, success)
    return form_page(request, form, title=title, cancel_url=_detail_url(participant), **page)


@role_required(*CARE_ROLES)
def enrollment_create(request: HttpRequest, pk: int) -> HttpResponse:
    participant = get_participant_for_user(request.user, pk, Need.EDIT).participant
    form = EnrollmentForm(request.POST or None, participant=participant)
    return _record_form(request, participant, form, title=f"Enroll {participant}", success="Enrolled.")


@role_required(*CARE_ROLES)
def enrollment_discharge(request: HttpRequest, pk: int, enrollment_pk: int) -> HttpResponse:
    participant = get_participant_for_user(request.user, pk, Need.EDIT).participant
    enrollment = get_object_or_404(participant.enrollments, pk=enrollment_pk, end_date__isnull=True)
    form = DischargeForm(request.POST or None, instance=enrollment)
    if request.method == "POST" and form.is_valid():
        services.enrollment_discharge(
            enrollment=enrollment,
            end_date=form.cleaned_data["end_date"],
            reason=form.cleaned_data["discharge_reason"],
            note=form.cleaned_data["discharge_note"],
            actor=request.user,
            request=request,
        )
        return _saved(request, participant, f"Discharged from {enrollment.program}. The record is kept.")
    return form_page(request, form, title=f"Discharge from {enrollment.program}", cancel_url=_detail_url(participant))


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
        save=services.coverage_save,
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
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error("specialist", error)
        else:
            return _saved(request, participant, f"{participant} is now with {form.cleaned_data['specialist']}.")
    return form_page(request, form, title=f"Reassign {participant}", cancel_url=_detail_url(participant))


@role_required(Role.SUPERVISOR, Role.PROGRAM_ADMIN)
def caseload_transfer(request: HttpRequest, specialist_pk: int) -> HttpResponse:
    leaving = get_object_or_404(specialists_for(request.user), pk=specialist_pk)
    caseload = Participant.objects.filter(assignments__specialist=leaving, assignments__ended_on__isnull=True).order_by(
        "last_name", "first_name"
    )
    form = TransferForm(request.POST or None, user=request.user, caseload=caseload, leaving=leaving)
    preview = False
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirm") == "1":
            moves = [(p, form.cleaned_data["to"]) for p in form.cleaned_data["participants"]]
            try:
                count = services.caseload_transfer(
                    moves=moves, reason=form.cleaned_data["reason"], actor=request.user, request=request
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"{count} participant{'s' if count != 1 else ''} moved to {moves[0][1]}.")
                return redirect("participants:team")
        else:
            preview = True
    context = {"form": form, "leaving": leaving, "preview": preview, "caseload": caseload}
    return render(request, "participants/transfer.html", context, status=400 if form.errors else 200)


# --- Recovery plan ----------------------------------------------------------------------


@role_required(*CARE_ROLES)
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    participant = get_participant_for_user(request.user, pk, Need.EDIT).participant
    form = PlanForm(request.POST or None, instance=getattr(participant, "plan", None), participant=participant)
    return _record_form(request, participant, form, title=f"Recovery plan of {participant}", success="Plan saved.")


def _plan_for(request, pk):
    participant = get_participant_for_user(request.user, pk, Need.EDIT).participant
    plan = getattr(participant, "plan", None)
    if plan is None:
        raise Http404("This participant has no recovery plan yet.")
    return participant, plan


@role_required(*CARE_ROLES)
def goal_create(request: HttpRequest, pk: int) -> HttpResponse:
    participant, plan = _plan_for(request, pk)
    form = GoalForm(request.POST or None, plan=plan)
    return _record_form(request, participant, form, title="New goal", success="Goal added.", save=services.goal_create)


@require_POST
@role_required(*CARE_ROLES)
def goal_status(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    participant, plan = _plan_for(request, pk)
    goal = get_object_or_404(Goal, pk=goal_pk, plan=plan)
    form = GoalStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the listed statuses.")
        return redirect(_detail_url(participant))
    try:
        services.goal_status_change(
            goal=goal,
            to_status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            actor=request.user,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(_detail_url(participant))
    return _saved(request, participant, f"Goal marked {goal.get_status_display().lower()}.")


@role_required(*CARE_ROLES)
def plan_sign(request: HttpRequest, pk: int, signer: str) -> HttpResponse:
    access = get_participant_for_user(request.user, pk, Need.EDIT)
    participant, plan = _plan_for(request, pk)
    if signer not in services.SIGNERS:
        raise Http404("No such signature.")
    if signer == "supervisor" and not access.assign:
        raise PermissionDenied("Only the specialist's supervisor or a program admin co-signs the plan.")
    if (
        signer == "specialist"
        and not participant.assignments.filter(ended_on__isnull=True, specialist=request.user).exists()
    ):
        raise PermissionDenied("Only the assigned peer specialist signs as specialist.")
    initial = {} if signer == "participant" else {"name": request.user.get_full_name()}
    form = SignatureForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_sign(
                plan=plan,
                signer=signer,
                name=form.cleaned_data["name"],
                signed_on=form.cleaned_data["signed_on"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error("signed_on", error)
        else:
            return _saved(request, participant, "Signature recorded.")
    intro = {
        "participant": "The participant types their own name to sign their plan.",
        "specialist": "Sign as the peer specialist who wrote this plan with the participant.",
        "supervisor": "Co-sign as supervisor: you have reviewed this plan.",
    }[signer]
    return form_page(request, form, title=f"Sign the plan ({signer})", cancel_url=_detail_url(participant), intro=intro)


@role_required(*CARE_ROLES)
def plan_review(request: HttpRequest, pk: int) -> HttpResponse:
    participant, plan = _plan_for(request, pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.plan_review(
            plan=plan, reviewed_on=form.cleaned_data["reviewed_on"], actor=request.user, request=request
        )
        return _saved(request, participant, "Plan review recorded.")
    return form_page(request, form, title="Record a plan review", cancel_url=_detail_url(participant))


# --- Caseloads --------------------------------------------------------------------------


def _caseload_page(request, specialist: User, *, title: str) -> HttpResponse:
    form = CaseloadFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.sort_and_filter(
        selectors.caseload([specialist.pk]),
        sort=filters.get("sort") or "name",
        program_id=filters["program"].pk if filters.get("program") else None,
        alerts_only=filters.get("alerts_only", False),
    )
    context = {"rows": rows, "form": form, "title": title, "specialist": specialist}
    return render(request, "participants/caseload.html", context)


@role_required(Role.PEER_SPECIALIST)
def my_caseload(request: HttpRequest) -> HttpResponse:
    return _caseload_page(request, request.user, title="My caseload")


@role_required(Role.SUPERVISOR)
def team_caseloads(request: HttpRequest) -> HttpResponse:
    return render(request, "participants/team.html", {"team": selectors.team_caseloads(request.user)})


@role_required(Role.SUPERVISOR, Role.PROGRAM_ADMIN)
def specialist_caseload(request: HttpRequest, specialist_pk: int) -> HttpResponse:
    specialist = get_object_or_404(specialists_for(request.user), pk=specialist_pk)
    return _caseload_page(request, specialist, title=f"Caseload of {specialist}")
