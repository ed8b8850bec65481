"""Demo session notes for `seed_demo`: about six months of sessions for every demo
participant, in every state a note can be in. Runs once: a second run changes nothing."""

import datetime
import random

from django.db.models import Q
from django.utils import timezone

from participants.models import CaseloadAssignment, Goal
from programs.models import Agency

from .models import (
    DEFAULT_PLACE_FOR_MODALITY,
    Addendum,
    GroupSession,
    Modality,
    NoteEvent,
    PlaceOfService,
    Service,
    ServiceType,
    SessionNote,
)


def seed(agency: Agency) -> None:
    if SessionNote.objects.filter(participant__agency=agency).exists():
        return
    rng = random.Random(2026)  # noqa: S311 (demo data, not security)
    today = timezone.localdate()
    slots: dict = {}  # (author, date) -> sessions already placed that day, so none overlap
    seen = set()  # each participant's first assignment: the demo's specialist since intake
    assignments = (
        CaseloadAssignment.objects.filter(participant__agency=agency)
        .select_related("participant", "specialist__staff_profile__supervisor")
        .order_by("participant_id", "started_on", "pk")
    )
    for assignment in assignments:
        if assignment.participant_id in seen:
            continue
        seen.add(assignment.participant_id)
        _notes(assignment.participant, assignment.specialist, assignment.started_on, today, rng, slots)
    _group_and_addendum(agency, today)
    _billing_examples(agency, today)


def _group_and_addendum(agency: Agency, today: datetime.date) -> None:
    """One co-signed group session of the first peer's caseload, in the evening (after every
    demo visit of that day), and an addendum correcting a co-signed note."""
    first = CaseloadAssignment.objects.current().filter(participant__agency=agency).order_by("pk").first()
    if first is None:
        return
    author = first.specialist
    members = [a.participant for a in author.assignments.current().select_related("participant")]
    day = today - datetime.timedelta(days=20)
    members = [p for p in members if p.enrollments.filter(start_date__lte=day).exists()][:4]
    supervisor = author.staff_profile.supervisor
    status = SessionNote.Status.COSIGNED if supervisor else SessionNote.Status.FINAL
    group = GroupSession.objects.create(
        facilitator=author, topic="Wellness Recovery Action Plan", date=day,
        start_time=datetime.time(17, 30), end_time=datetime.time(18, 30),
        modality=Modality.IN_PERSON, place_of_service=PlaceOfService.CMHC,
    )  # fmt: skip
    signed_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(19, 0)))
    for participant in members:
        note = SessionNote.objects.create(
            participant=participant, author=author, group=group, status=status, date=day,
            start_time=group.start_time, end_time=group.end_time, modality=group.modality,
            place_of_service=group.place_of_service, service_types=[ServiceType.SUPPORT_GROUP],
            intervention="Worked through the daily maintenance list of a wellness plan.",
            response="Named one thing to do every day.", next_steps="Bring the draft plan next week.",
            signed_at=signed_at, signature=author.get_full_name(),
            cosigned_by=supervisor, cosigned_at=signed_at + datetime.timedelta(days=1) if supervisor else None,
        )  # fmt: skip
        NoteEvent.objects.create(note=note, action=NoteEvent.Action.SUBMITTED, actor=author, at=signed_at)
    corrected = SessionNote.objects.filter(author=author, status=SessionNote.Status.COSIGNED, group=None).first()
    if corrected is not None:
        Addendum.objects.create(
            note=corrected, author=author, text="Correction: the visit was at the public library, not at home."
        )


NARRATIVES = [
    ("Reviewed progress on the housing goal and practised a call to a landlord.",
     "Made the call with support; said she felt 'more confident than last time'.",
     "Follow up on the application Friday; next visit in one week."),
    ("Shared my recovery story around relapse and talked through a wellness plan.",
     "Engaged and named two early warning signs of his own.",
     "Write the warning signs into the plan; meet Tuesday."),
    ("Linked to the food pantry and the workforce center; walked through bus routes.",
     "Took notes and asked good questions; chose the Thursday pantry hours.",
     "Check in after the first workforce visit."),
]  # fmt: skip


def _notes(participant, author, started, today, rng, slots) -> None:
    """About six months of sessions, every 5 to 10 days, in every state a note can be in."""
    supervisor = author.staff_profile.supervisor
    needs_cosignature = author.staff_profile.requires_cosignature and supervisor is not None
    goals = list(Goal.objects.filter(plan__participant=participant, status=Goal.Status.ACTIVE).order_by("pk")[:1])
    day = max(started, today - datetime.timedelta(days=180)) + datetime.timedelta(days=rng.randint(0, 4))
    while day <= today:
        age = (today - day).days
        index = slots.get((author.pk, day), 0)
        slots[(author.pk, day)] = index + 1
        start = datetime.datetime.combine(day, datetime.time(9, 0)) + datetime.timedelta(minutes=75 * index)
        minutes = rng.choice([30, 45, 60])
        if age > 14:
            status = SessionNote.Status.COSIGNED if needs_cosignature else SessionNote.Status.FINAL
        else:
            status = rng.choice(
                [SessionNote.Status.DRAFT, SessionNote.Status.RETURNED, SessionNote.Status.SUBMITTED]
                if needs_cosignature
                else [SessionNote.Status.DRAFT, SessionNote.Status.FINAL]
            )
        intervention, response, next_steps = rng.choice(NARRATIVES)
        goal = goals[0] if goals else None
        modality = rng.choice([Modality.IN_PERSON, Modality.IN_PERSON, Modality.PHONE, Modality.VIDEO])
        signed_at = timezone.make_aware(start + datetime.timedelta(minutes=minutes + 30))
        note = SessionNote.objects.create(
            participant=participant,
            author=author,
            status=status,
            date=day,
            start_time=start.time(),
            end_time=(start + datetime.timedelta(minutes=minutes)).time(),
            modality=modality,
            place_of_service=PlaceOfService.COMMUNITY
            if modality == Modality.IN_PERSON
            else PlaceOfService.TELEHEALTH_HOME,
            service_types=rng.sample(
                [ServiceType.RECOVERY_COACHING, ServiceType.RESOURCE_LINKAGE, ServiceType.GOAL_SETTING], 2
            ),
            intervention=intervention,
            response=response,
            next_steps=next_steps,
            signed_at=None if status == SessionNote.Status.DRAFT else signed_at,
            signature="" if status == SessionNote.Status.DRAFT else author.get_full_name(),
            cosigned_by=supervisor if status == SessionNote.Status.COSIGNED else None,
            cosigned_at=signed_at + datetime.timedelta(days=1) if status == SessionNote.Status.COSIGNED else None,
        )
        if goal is not None:  # the plan goal the session served (people without a plan have none)
            note.goals_addressed.add(goal)
        if status != SessionNote.Status.DRAFT:
            first = NoteEvent.Action.SUBMITTED if needs_cosignature else NoteEvent.Action.FINALIZED
            NoteEvent.objects.create(note=note, action=first, actor=author, at=signed_at)
        if status == SessionNote.Status.COSIGNED:
            NoteEvent.objects.create(note=note, action=NoteEvent.Action.COSIGNED, actor=supervisor, at=note.cosigned_at)
        if status == SessionNote.Status.RETURNED:
            NoteEvent.objects.create(
                note=note,
                action=NoteEvent.Action.RETURNED,
                actor=supervisor,
                at=signed_at + datetime.timedelta(hours=20),
                comment="Please add the participant's own words to the response.",
            )
        day += datetime.timedelta(days=rng.randint(5, 10))


def _signed(
    participant, author, day, start: datetime.time, minutes: int, modality=Modality.IN_PERSON,
    service=Service.PEER_SUPPORT,
) -> SessionNote:  # fmt: skip
    """A co-signed (or final) note outside the regular visits, for the billing examples."""
    supervisor = author.staff_profile.supervisor
    status = SessionNote.Status.COSIGNED if supervisor else SessionNote.Status.FINAL
    begin = datetime.datetime.combine(day, start)
    signed_at = timezone.make_aware(begin + datetime.timedelta(minutes=minutes + 30))
    note = SessionNote.objects.create(
        participant=participant, author=author, status=status, date=day, start_time=start,
        end_time=(begin + datetime.timedelta(minutes=minutes)).time(), modality=modality, service=service,
        place_of_service=DEFAULT_PLACE_FOR_MODALITY[modality], service_types=[ServiceType.RECOVERY_COACHING],
        intervention="Worked on the plan.", response="Engaged.", next_steps="Meet again next week.",
        signed_at=signed_at, signature=author.get_full_name(), cosigned_by=supervisor,
        cosigned_at=signed_at + datetime.timedelta(days=1) if supervisor else None,
    )  # fmt: skip
    note.goals_addressed.set(Goal.objects.filter(plan__participant=participant, status=Goal.Status.ACTIVE)[:1])
    NoteEvent.objects.create(note=note, action=NoteEvent.Action.SUBMITTED, actor=author, at=signed_at)
    return note


def _billing_examples(agency: Agency, today: datetime.date) -> None:
    """Sessions that show billing's caps and checks: a handover day on which two specialists
    both logged a visit at the same time, a 10-minute call (less than a unit), a day past the
    daily cap, and weekly three-hour sessions that reach the rolling cap. In the evening, after
    every regular demo visit, so no specialist's own notes overlap. Then a few Texas
    rehabilitative services (`_rehabilitative_services`)."""
    # People whose other sessions bill cleanly: on the state plan alone, with a plan and an
    # address, no substance-use diagnosis, served by a specialist certified well past today.
    assignments = list(
        CaseloadAssignment.objects.current()
        .filter(participant__agency=agency, participant__plan__isnull=False, participant__enrollments__end_date=None)
        .filter(started_on__lte=today - datetime.timedelta(days=120))
        .filter(specialist__staff_profile__certifications__expires_on__gt=today + datetime.timedelta(days=90))
        .exclude(participant__primary_diagnosis__startswith="F1")
        .exclude(participant__zip_code="")
        .select_related("participant", "specialist__staff_profile__supervisor")
        .prefetch_related("participant__coverages")
        .distinct()
        .order_by("pk")
    )
    state_plan = [
        a for a in assignments if [c.billing_program for c in a.participant.coverages.all()] == ["tx_state_plan"]
    ]
    if len(state_plan) < 4:
        return
    handover, short_call, busy_day, intensive = state_plan[:4]
    successor = next(a.specialist for a in state_plan if a.specialist_id != handover.specialist_id)
    day = today - datetime.timedelta(days=30)
    _signed(handover.participant, handover.specialist, day, datetime.time(19, 0), 60)
    _signed(handover.participant, successor, day, datetime.time(19, 30), 45)
    _signed(short_call.participant, short_call.specialist, day, datetime.time(20, 30), 10, modality=Modality.PHONE)
    for start, minutes in [(datetime.time(19, 0), 240), (datetime.time(23, 0), 45)]:  # 16 units, then more
        _signed(busy_day.participant, busy_day.specialist, today - datetime.timedelta(days=25), start, minutes)
    for week in range(3, 16):
        _signed(intensive.participant, intensive.specialist, today - datetime.timedelta(weeks=week, days=1),
                datetime.time(19, 0), 180)  # fmt: skip
    if len(state_plan) > 4:
        # Weekly evenings with someone whose specialist has an NPI, so they show ready.
        weekly = next((a for a in state_plan[:4] if a.specialist.staff_profile.npi), short_call)
        _rehabilitative_services(state_plan[4], weekly, today)


def _free_day(author, participant, first: datetime.date) -> datetime.date:
    """The first day from `first` back on which neither the specialist nor the participant has
    a session, so a full day of services overlaps nothing."""
    day = first
    while SessionNote.objects.filter(Q(author=author) | Q(participant=participant), date=day).exists():
        day -= datetime.timedelta(days=1)
    return day


def _rehabilitative_services(day_program, weekly, today: datetime.date) -> None:
    """Texas rehabilitative services a peer provider delivers (billed with H2014, H2017, H0034
    and H2011 under the state plan): a full day that meets both daily caps (skills training
    past its 16 units, then all rehabilitative services past 8 hours, while crisis
    intervention, exempt, still bills), and weekly medication training evenings."""
    person, author = day_program.participant, day_program.specialist
    # After the demo's exported batch (sessions 35 to 45 days ago), so it is still to bill.
    day = _free_day(author, person, today - datetime.timedelta(days=18))
    for start, minutes, service in [
        (datetime.time(8, 0), 300, Service.SKILLS_TRAINING),  # 20 units: 16 bill
        (datetime.time(13, 0), 180, Service.PSYCHOSOCIAL_REHABILITATION),  # 12 units: 28 of 32
        (datetime.time(16, 0), 90, Service.MEDICATION_TRAINING),  # 6 units: 4 bill
        (datetime.time(17, 30), 60, Service.CRISIS_INTERVENTION),  # exempt from the 8 hours
    ]:
        _signed(person, author, day, start, minutes, service=service)
    for week in range(1, 5):  # evenings clear of the other examples' (30, 25 and 7n + 1 days ago)
        _signed(weekly.participant, weekly.specialist, today - datetime.timedelta(weeks=week, days=3),
                datetime.time(19, 0), 45, service=Service.MEDICATION_TRAINING)  # fmt: skip
