"""Who may see and do what with a participant's record. Decided here, once; every view,
search and export goes through `visible_participants` or `get_participant_for_user`.

- A peer specialist: the participants currently assigned to them.
- A supervisor: those currently assigned to their supervisees (and to themselves).
- Billing staff: every participant's demographics and coverage, but not plans, goals or
  consents' clinical content (minimum necessary, 45 CFR 164.502(b)).
- A program admin: every participant in the agency.
Anyone else gets 404; someone who may see a record but not do the thing asked gets 403.

Group attendees (`group_attendees`) are a narrower grant, for writing only: a peer specialist
leading a group may list anyone actively enrolled in a program they work in, whoever's
caseload they are on. That writes them a group note for that person and opens nothing else:
the person's record stays closed to them (404), they see the notes they wrote
(notes/access.py), and, on the group form, the person's active plan goals, because the note
must name the goal the group served (minimum necessary, 45 CFR 164.502(b)).
"""

from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from accounts.roles import Role

from .models import CaseloadAssignment, Enrollment, Participant


class Need(Enum):
    VIEW = "view"  # demographics, coverage, enrollments, assignment history
    CLINICAL = "clinical"  # read plans, goals, consents
    EDIT = "edit"  # change demographics, enrollments, consents, plan
    COVERAGE = "coverage"  # add or change coverage
    ASSIGN = "assign"  # reassign to another specialist


def _care_scope(user) -> QuerySet[Participant]:
    """Participants the user serves or supervises through an open assignment."""
    open_assignments = CaseloadAssignment.objects.current()
    who = Q(specialist=user)
    if user.has_role(Role.SUPERVISOR):
        # The team as a set of ids (a handful), whose open assignments the specialist index
        # finds: as an OR of the assignment's specialist and that specialist's supervisor, every
        # open assignment of the agency was joined to its profile to be tested (12,000 rows,
        # 8 ms of a supervisor's search at agency scale; issue 16).
        team = User.objects.filter(Q(pk=user.pk) | Q(staff_profile__supervisor=user)).values("pk")
        who = Q(specialist__in=team)
    return Participant.objects.filter(pk__in=open_assignments.filter(who).values("participant"))


def group_attendees(user) -> QuerySet[Participant]:
    """Whom `user` may list as attendees of a group they lead: their own caseload, and anyone
    actively enrolled in a program their staff profile works in. Peer specialists only."""
    if not user.has_role(Role.PEER_SPECIALIST):
        return Participant.objects.none()
    enrolled = Enrollment.objects.current()
    in_my_programs = enrolled.filter(program__staff__user=user).values("participant")
    on_my_caseload = (
        CaseloadAssignment.objects.current().filter(specialist=user, participant__in=enrolled.values("participant"))
    ).values("participant")
    return Participant.objects.filter(Q(pk__in=in_my_programs) | Q(pk__in=on_my_caseload))


def visible_participants(user) -> QuerySet[Participant]:
    if user.has_role(Role.PROGRAM_ADMIN, Role.BILLING):
        return Participant.objects.all()
    if user.has_role(Role.PEER_SPECIALIST, Role.SUPERVISOR):
        return _care_scope(user)
    return Participant.objects.none()


@dataclass(frozen=True)
class ParticipantAccess:
    participant: Participant
    clinical: bool
    edit: bool
    coverage: bool
    assign: bool
    user: object = field(repr=False, compare=False)

    def allows(self, need: Need) -> bool:
        return need is Need.VIEW or getattr(self, need.value)

    @cached_property
    def sign_as_specialist(self) -> bool:
        """The plan's specialist signature is the assigned specialist's own, whoever else may
        edit the plan (a supervisor co-signs; an admin signs nothing for them). Asked only by
        the plan's signature link and its page, so computed when asked, from the assignments
        the participant's page has read already (participants.record): a handful of rows."""
        return any(a.ended_on is None and a.specialist_id == self.user.pk for a in self.participant.assignments.all())


def participant_access(user, participant: Participant, *, in_care: bool = False) -> ParticipantAccess:
    """What `user` may do with `participant`. `in_care`: the caller read the participant through
    the user's care scope (`_care_scope`), so it need not be asked again."""
    is_admin = user.has_role(Role.PROGRAM_ADMIN)
    in_care = is_admin or in_care or _care_scope(user).filter(pk=participant.pk).exists()
    supervises = is_admin or (
        user.has_role(Role.SUPERVISOR)
        and participant.assignments.current().filter(specialist__staff_profile__supervisor=user).exists()
    )
    return ParticipantAccess(
        participant=participant,
        clinical=in_care,
        edit=in_care,
        coverage=in_care or user.has_role(Role.BILLING),
        assign=supervises,
        user=user,
    )


def get_participant_for_user(user, pk: int, need: Need = Need.VIEW) -> ParticipantAccess:
    participant = visible_participants(user).filter(pk=pk).first()
    if participant is None:
        raise Http404("No such participant.")
    # Anyone but admins and billing staff sees only their care scope: found, it is in their care.
    access = participant_access(user, participant, in_care=not user.has_role(Role.PROGRAM_ADMIN, Role.BILLING))
    if not access.allows(need):
        raise PermissionDenied("Your role does not allow this for this participant.")
    return access


def may_reassign(user) -> bool:
    return user.has_role(Role.PROGRAM_ADMIN, Role.SUPERVISOR)
