"""A participant's timeline: the record's own events and those the apps contribute (session
notes, assessments...), newest first, a page at a time."""

from accounts.models import User

from . import extensions
from .access import ParticipantAccess
from .extensions import TimelineEvent
from .models import Participant


class Timeline:
    """Everything that happened to a record, newest first, for a Paginator: a page reads
    the record's own few events and only as many of the apps' events (years of session
    notes) as reach the end of that page, never the whole history."""

    def __init__(self, participant: Participant, access: ParticipantAccess, viewer: User):
        self.participant, self.access, self.viewer = participant, access, viewer
        self._own = _own_events(participant, access)

    def count(self) -> int:
        return len(self._own) + extensions.contributed_event_count(self.participant, self.access, self.viewer)

    def __getitem__(self, window: slice) -> list[TimelineEvent]:
        events = self._own + extensions.contributed_events(
            self.participant, self.access, self.viewer, limit=window.stop
        )
        return sorted(events, key=lambda e: e.on, reverse=True)[window]


def _own_events(participant: Participant, access: ParticipantAccess) -> list[TimelineEvent]:
    """This app's events: enrollments, coverage, assignments and, for those who may read
    them, consents and the plan. A handful per person, read whole."""
    events = []
    for e in participant.enrollments.all():
        events.append(TimelineEvent(e.start_date, f"Enrolled in {e.program}", e.referral))
        if e.end_date:
            events.append(TimelineEvent(e.end_date, f"Discharged from {e.program}", e.get_discharge_reason_display()))
    for c in participant.coverages.all():
        events.append(TimelineEvent(c.start_date, f"Coverage began: {c}"))
    for a in participant.assignments.all():
        events.append(TimelineEvent(a.started_on, f"Assigned to {a.specialist}", a.reason))
    if access.clinical:
        for c in participant.consents.all():
            events.append(TimelineEvent(c.signed_on, f"Signed: {c}", clinical=True))
            if c.revoked_on:
                events.append(TimelineEvent(c.revoked_on, f"Revoked: {c}", clinical=True))
        plan = getattr(participant, "plan", None)
        if plan:
            events.append(TimelineEvent(plan.started_on, "Recovery plan started", clinical=True))
            if plan.last_reviewed_on:
                events.append(TimelineEvent(plan.last_reviewed_on, "Recovery plan reviewed", clinical=True))
    return events
