"""The recovery plan on a participant's page: the plan, its goals, signatures and reviews."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from accounts.access import role_required
from audit.context import AuditContext

from . import services
from .access import Need, get_participant_for_user
from .forms import GoalForm, GoalStatusForm, PlanForm, ReviewForm, SignatureForm
from .models import Goal, Participant
from .views import CARE_ROLES, _detail_url, _record_form, _saved


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
    return _record_form(
        request,
        participant,
        form,
        title="New goal",
        success="Goal added.",
        save=lambda goal, ctx: services.goal_create(goal=goal, ctx=ctx),
    )


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
            ctx=AuditContext.from_request(request),
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(_detail_url(participant))
    return _saved(request, participant, f"Goal marked {goal.get_status_display().lower()}.")


SIGNER_INTROS = {
    "participant": "The participant types their own name to sign their plan.",
    "specialist": "Sign as the peer specialist who wrote this plan with the participant.",
    "supervisor": "Co-sign as supervisor: you have reviewed this plan.",
}


def _check_signer(request: HttpRequest, access, participant: Participant, signer: str) -> None:
    """404 for a signer that does not exist; 403 for staff signing in a role not theirs."""
    if signer not in services.SIGNERS:
        raise Http404("No such signature.")
    if signer == "supervisor" and not access.assign:
        raise PermissionDenied("Only the specialist's supervisor or a program admin co-signs the plan.")
    if signer == "specialist" and not access.sign_as_specialist:
        raise PermissionDenied("Only the assigned peer specialist signs as specialist.")


@role_required(*CARE_ROLES)
def plan_sign(request: HttpRequest, pk: int, signer: str) -> HttpResponse:
    access = get_participant_for_user(request.user, pk, Need.EDIT)
    participant, plan = _plan_for(request, pk)
    _check_signer(request, access, participant, signer)
    initial = {} if signer == "participant" else {"name": request.user.get_full_name()}
    form = SignatureForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_sign(
                plan=plan,
                signer=signer,
                name=form.cleaned_data["name"],
                signed_on=form.cleaned_data["signed_on"],
                ctx=AuditContext.from_request(request),
            )
        except ValidationError as error:
            form.add_error("signed_on", error)
        else:
            return _saved(request, participant, "Signature recorded.")
    title, intro = f"Sign the plan ({signer})", SIGNER_INTROS[signer]
    return TemplateResponse(
        request,
        "form_page.html",
        {"form": form, "title": title, "cancel_url": _detail_url(participant), "intro": intro},
    )


@role_required(*CARE_ROLES)
def plan_review(request: HttpRequest, pk: int) -> HttpResponse:
    participant, plan = _plan_for(request, pk)
    form = ReviewForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        ctx = AuditContext.from_request(request)
        services.plan_review(plan=plan, reviewed_on=form.cleaned_data["reviewed_on"], ctx=ctx)
        return _saved(request, participant, "Plan review recorded.")
    return TemplateResponse(
        request,
        "form_page.html",
        {"form": form, "title": "Record a plan review", "cancel_url": _detail_url(participant)},
    )
