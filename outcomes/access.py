"""Who may see and do what with outcomes. Assessments and check-ins follow the participant's
record (participants.access): those who may read its clinical content may read them, those
who may edit it may record and amend them. Billing staff see none of it (minimum necessary,
45 CFR 164.502(b)): they get 403 where they may see the participant, 404 elsewhere.

The outcome dashboard is for program admins (every program) and supervisors (the programs
their staff profile lists). Unit costs and timepoint windows are set by program admins.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.roles import Role
from participants.access import Need, ParticipantAccess, get_participant_for_user
from programs.models import Program

from .models import Assessment, CheckIn, SafetyFlag


def get_outcomes_for_user(user, participant_pk: int, *, write: bool = False) -> ParticipantAccess:
    return get_participant_for_user(user, participant_pk, Need.EDIT if write else Need.CLINICAL)


def get_assessment_for_user(user, pk: int, *, write: bool = False) -> Assessment:
    assessment = Assessment.objects.select_related("instrument", "enrollment__program", "participant").filter(pk=pk)
    return _record_for_user(user, assessment.first(), write=write)


def get_check_in_for_user(user, pk: int, *, write: bool = False) -> CheckIn:
    check_in = CheckIn.objects.select_related("enrollment__program", "participant").filter(pk=pk).first()
    return _record_for_user(user, check_in, write=write)


def _record_for_user(user, record, *, write: bool):
    if record is None:
        raise Http404("No such record.")
    get_outcomes_for_user(user, record.participant_id, write=write)
    return record


def may_follow_up(user, participant_access: ParticipantAccess) -> bool:
    """Who records a safety flag's follow-up: the participant's supervisors (those who may
    assign the participant) and program admins. The one rule for the follow-up page and the
    button on the assessment page."""
    return participant_access.assign or user.has_role(Role.PROGRAM_ADMIN)


def get_safety_flag_for_user(user, pk: int) -> SafetyFlag:
    """Following up a flag is for the participant's supervisors and program admins."""
    flag = SafetyFlag.objects.select_related("participant", "assessment__instrument").filter(pk=pk).first()
    if flag is None:
        raise Http404("No such flag.")
    if not may_follow_up(user, get_outcomes_for_user(user, flag.participant_id)):
        raise PermissionDenied("Your supervisor or a program admin records the follow-up.")
    return flag


def dashboard_programs(user) -> QuerySet[Program]:
    if user.has_role(Role.PROGRAM_ADMIN):
        return Program.objects.all()
    if user.has_role(Role.SUPERVISOR):
        return Program.objects.filter(staff__user=user, staff__is_active=True)
    return Program.objects.none()


def may_see_dashboard(user) -> bool:
    return user.has_role(Role.PROGRAM_ADMIN, Role.SUPERVISOR)


def may_set_costs(user) -> bool:
    return user.has_role(Role.PROGRAM_ADMIN)
