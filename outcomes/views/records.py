"""Recording and reading one participant's assessments and check-ins, their amendments, and
the follow-up of a safety flag. Access is decided in outcomes.access; every page that shows
assessment or check-in content writes an audit VIEW row (45 CFR 164.312(b))."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.access import role_required
from accounts.roles import Role
from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import audit_record

from .. import access, history, notices, services
from ..forms import (
    AssessmentForm,
    CheckInForm,
    FollowUpForm,
    add_service_errors,
    assessment_initial,
    offered_enrollments,
    suggested_timepoint,
)
from ..models import Assessment, CheckIn, Instrument, Timepoint

CARE_ROLES = (Role.PEER_SPECIALIST, Role.SUPERVISOR, Role.PROGRAM_ADMIN)
GET_OR_POST = require_http_methods(["GET", "POST"])
GET_ONLY = require_http_methods(["GET", "HEAD"])


def _audit_view(request, participant, record: str) -> None:
    audit_record(
        action=AuditEvent.Action.VIEW,
        ctx=AuditContext.from_request(request),
        target=participant,
        details={"record": record},
    )


def _participant_url(participant_id: int) -> str:
    return reverse("participants:detail", args=[participant_id])


def _existing_url(form, instrument: Instrument | None = None) -> str:
    """After "already recorded": where to amend the record that holds that timepoint."""
    if "timepoint" not in form.errors or not form.cleaned_data.get("enrollment"):
        return ""
    # The error took the timepoint out of cleaned_data; it was valid, as posted.
    where = {"enrollment": form.cleaned_data["enrollment"], "timepoint": form["timepoint"].value()}
    if instrument is not None:
        pk = Assessment.objects.filter(instrument=instrument, **where).values_list("pk", flat=True).first()
        return reverse("outcomes:assessment_amend", args=[pk]) if pk else ""
    pk = CheckIn.objects.filter(**where).values_list("pk", flat=True).first()
    return reverse("outcomes:check_in_amend", args=[pk]) if pk else ""


# --- Assessments ---------------------------------------------------------------------------


@GET_OR_POST
@role_required(*CARE_ROLES)
def assessment_new(request: HttpRequest, pk: int) -> HttpResponse:
    participant = access.get_outcomes_for_user(request.user, pk, write=True).participant
    enrollments = offered_enrollments(participant)
    code = request.GET.get("instrument")
    # Matched in Python among the few active ones: a code is never sent to SQL as typed.
    instruments = list(Instrument.objects.filter(is_active=True).order_by("code"))
    instrument = next((i for i in instruments if i.code == code), None) if code else None
    if instrument is None or not enrollments:
        context = {"participant": participant, "instruments": instruments, "enrollments": enrollments}
        return render(
            request, "outcomes/assessment_choose.html", context, status=404 if code and not instrument else 200
        )
    recorded = set(enrollments[0].assessments.filter(instrument=instrument).values_list("timepoint", flat=True))
    suggested = suggested_timepoint(enrollments[0], recorded, timezone.localdate())
    form = AssessmentForm(request.POST or None, instrument=instrument, enrollments=enrollments, suggested=suggested)
    if request.method == "POST" and form.is_valid():
        try:
            return _assessment_save(request, form, instrument)
        except ValidationError as error:
            add_service_errors(form, error)
    context = {"participant": participant, "form": form, "instrument": instrument, "spec": instrument.spec}
    context["existing_url"] = _existing_url(form, instrument) if form.is_bound else ""
    return render(request, "outcomes/assessment_form.html", context, status=400 if form.is_bound else 200)


def _assessment_save(request, form: AssessmentForm, instrument: Instrument) -> HttpResponse:
    with transaction.atomic():
        assessment, score = services.assessment_record(
            enrollment=form.cleaned_data["enrollment"],
            instrument=instrument,
            timepoint=form.cleaned_data["timepoint"],
            taken_on=form.cleaned_data["taken_on"],
            answers=form.answers(),
            ctx=AuditContext.from_request(request),
        )
        notified = notices.safety_flags_notify(assessment, request.build_absolute_uri("/"))
    spec = instrument.spec
    scaled = f"; {score.scaled} of {spec.highest * spec.multiplier}" if score.scaled is not None else ""
    messages.success(request, f"{instrument.code} saved: total {score.total}{scaled}, {score.band.lower()}.")
    if notified:
        for flag in score.flags:
            if flag.same_day:
                messages.error(request, f"Safety follow-up needed today. {flag.message}")
        messages.error(request, "Your supervisor (or, without one, the program admins) has been emailed about it.")
    return redirect("outcomes:assessment_detail", pk=assessment.pk)


@GET_ONLY
@role_required(*CARE_ROLES)
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access.get_assessment_for_user(request.user, pk)
    rights = access.get_outcomes_for_user(request.user, assessment.participant_id)
    _audit_view(request, assessment.participant, f"{assessment.instrument.code} assessment {assessment.pk}")
    spec = assessment.instrument.spec
    answers = {int(k): v for k, v in assessment.answers.items()}
    items = [
        (
            item,
            answers.get(item.number),
            next((o.label for o in item.options if o.value == answers.get(item.number)), ""),
        )
        for item in spec.items
    ]
    may_follow_up = access.may_follow_up(request.user, rights)
    flags = list(assessment.safety_flags.select_related("followed_up_by"))
    context = {
        "assessment": assessment,
        "participant": assessment.participant,
        "spec": spec,
        "items": items,
        "flags": flags,
        # Flags that call for no same-day follow-up (a WHO-5 below 13) are listed on their own.
        "other_flags": [message for message in assessment.flags if message not in {f.message for f in flags}],
        "history": history.assessment_history(assessment),
        "can_amend": rights.edit,
        "may_follow_up": may_follow_up,
    }
    return render(request, "outcomes/assessment_detail.html", context)


@GET_OR_POST
@role_required(*CARE_ROLES)
def assessment_amend(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access.get_assessment_for_user(request.user, pk, write=True)
    instrument = assessment.instrument
    form = AssessmentForm(
        request.POST or None, instrument=instrument, amend=True, initial=assessment_initial(assessment)
    )
    if request.method == "POST" and form.is_valid():
        try:
            return _assessment_amend(request, form, assessment)
        except ValidationError as error:
            add_service_errors(form, error)
    if not form.is_bound:
        _audit_view(request, assessment.participant, f"{instrument.code} assessment {assessment.pk}")
    context = {"participant": assessment.participant, "form": form, "instrument": instrument, "spec": instrument.spec}
    context |= {"assessment": assessment, "amend": True}
    return render(request, "outcomes/assessment_form.html", context, status=400 if form.is_bound else 200)


def _assessment_amend(request, form: AssessmentForm, assessment: Assessment) -> HttpResponse:
    with transaction.atomic():
        already_sent = set(assessment.safety_flags.values_list("pk", flat=True))
        services.assessment_amend(
            assessment=assessment,
            taken_on=form.cleaned_data["taken_on"],
            answers=form.answers(),
            reason=form.cleaned_data["reason"],
            ctx=AuditContext.from_request(request),
        )
        # An amendment that raises a new same-day flag reaches the supervisor too.
        notified = notices.safety_flags_notify(assessment, request.build_absolute_uri("/"), already_sent=already_sent)
    messages.success(request, f"{assessment.instrument.code} amended. The earlier answers are kept in its history.")
    if notified:
        messages.error(
            request, "Safety follow-up needed today. Your supervisor (or the program admins) has been emailed."
        )
    return redirect("outcomes:assessment_detail", pk=assessment.pk)


# --- Check-ins -----------------------------------------------------------------------------


@GET_OR_POST
@role_required(*CARE_ROLES)
def check_in_new(request: HttpRequest, pk: int) -> HttpResponse:
    participant = access.get_outcomes_for_user(request.user, pk, write=True).participant
    enrollments = offered_enrollments(participant)
    if not enrollments:
        return render(request, "outcomes/assessment_choose.html", {"participant": participant, "enrollments": []})
    suggested = request.GET.get("timepoint")
    if suggested not in Timepoint.values:
        recorded = set(enrollments[0].checkins.values_list("timepoint", flat=True))
        suggested = suggested_timepoint(enrollments[0], recorded, timezone.localdate())
    form = CheckInForm(request.POST or None, enrollments=enrollments, suggested=suggested)
    if request.method == "POST" and form.is_valid():
        try:
            check_in = services.check_in_record(
                check_in=form.instance,
                enrollment=form.cleaned_data["enrollment"],
                ctx=AuditContext.from_request(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{check_in} saved.")
            return redirect("outcomes:check_in_detail", pk=check_in.pk)
    context = {"participant": participant, "form": form, "existing_url": _existing_url(form) if form.is_bound else ""}
    return render(request, "outcomes/check_in_form.html", context, status=400 if form.is_bound else 200)


@GET_ONLY
@role_required(*CARE_ROLES)
def check_in_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check_in = access.get_check_in_for_user(request.user, pk)
    rights = access.get_outcomes_for_user(request.user, check_in.participant_id)
    _audit_view(request, check_in.participant, f"check-in {check_in.pk}")
    form = CheckInForm(instance=check_in, amend=True)  # for its sections and labels
    sections = [(title, [(f.label, _shown(check_in, f.name)) for f in fields]) for title, fields in form.sections()]
    context = {
        "check_in": check_in,
        "participant": check_in.participant,
        "sections": sections,
        "history": history.check_in_history(check_in, {name: str(f.label) for name, f in form.fields.items()}),
        "can_amend": rights.edit,
    }
    return render(request, "outcomes/check_in_detail.html", context)


def _shown(check_in: CheckIn, name: str) -> str:
    value = getattr(check_in, name)
    if hasattr(check_in, f"get_{name}_display"):
        return getattr(check_in, f"get_{name}_display")()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return f"${value:,.2f}" if name == "monthly_income_from_work" else str(value)


@GET_OR_POST
@role_required(*CARE_ROLES)
def check_in_amend(request: HttpRequest, pk: int) -> HttpResponse:
    check_in = access.get_check_in_for_user(request.user, pk, write=True)
    participant = check_in.participant
    form = CheckInForm(request.POST or None, instance=check_in, amend=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.check_in_amend(
                check_in=check_in,
                changes=form.changes(),
                reason=form.cleaned_data["reason"],
                ctx=AuditContext.from_request(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Check-in amended. What it held before is kept in its history.")
            return redirect("outcomes:check_in_detail", pk=check_in.pk)
    if not form.is_bound:
        _audit_view(request, participant, f"check-in {check_in.pk}")
    context = {"participant": participant, "form": form, "check_in": check_in, "amend": True}
    return render(request, "outcomes/check_in_form.html", context, status=400 if form.is_bound else 200)


# --- Safety flags --------------------------------------------------------------------------


@GET_OR_POST
@role_required(Role.SUPERVISOR, Role.PROGRAM_ADMIN, Role.PEER_SPECIALIST)
def flag_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    flag = access.get_safety_flag_for_user(request.user, pk)
    form = FollowUpForm(request.POST or None)
    # A flag already closed is refused by the service (two supervisors at once record one).
    if request.method == "POST" and form.is_valid():
        try:
            services.safety_flag_follow_up(
                flag=flag, note=form.cleaned_data["note"], ctx=AuditContext.from_request(request)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Follow-up recorded. The flag is closed.")
            return redirect("outcomes:assessment_detail", pk=flag.assessment_id)
    if not form.is_bound:
        _audit_view(request, flag.participant, f"safety flag {flag.pk}")
    context = {"flag": flag, "participant": flag.participant, "form": form}
    return render(request, "outcomes/safety_flag_follow_up.html", context, status=400 if form.is_bound else 200)
