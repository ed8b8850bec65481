"""Demo participants for `seed_demo`: about 60 people across the demo caseloads, with
coverage, recovery plans, goals and a few Part 2 consents. Runs once: a second run finds
the demo participants and changes nothing."""

import datetime
import random

from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from programs.models import Agency, BillingProgram, Payer, Program

from .models import (
    CaseloadAssignment,
    Consent,
    Coverage,
    Enrollment,
    Goal,
    GoalStatusChange,
    Modality,
    NoteEvent,
    Participant,
    PlaceOfService,
    RecoveryPlan,
    ServiceType,
    SessionNote,
)

FIRST_NAMES = [
    "Maria", "James", "Aaliyah", "Jose", "Emily", "Darnell", "Sofia", "Michael", "Keisha", "Luis", "Hannah", "Andre",
    "Guadalupe", "Tyler", "Nia", "Carlos", "Brianna", "Marcus", "Ana", "Derek",
]  # fmt: skip
LAST_NAMES = [
    "Garcia", "Johnson", "Williams", "Hernandez", "Brown", "Martinez", "Davis", "Lopez", "Wilson", "Gonzalez",
    "Anderson", "Thomas", "Moore", "Jackson", "White",
]  # fmt: skip
DIAGNOSES = ["F33.1", "F33.2", "F31.81", "F43.10", "F41.1", "F20.9", "F10.20", "F11.20", "F25.0"]
GOALS = [
    ("I want my own apartment by spring.", "Apply for two housing programs\nSave $50 a month"),
    ("I want to get back to work part-time.", "Update my resume\nVisit the workforce center"),
    ("I want to stay out of the hospital.", "Use my crisis plan\nGo to every med appointment"),
    ("I want to reconnect with my daughter.", "Call her every Sunday\nAttend family group"),
    ("I want a year clean.", "Go to two meetings a week\nCall my sponsor when cravings hit"),
]

# The payers come from a billing migration; the demo gives them made-up payer IDs.
DEMO_PAYERS = [
    ("Texas Medicaid", "TXDEMO01", 95),
    ("Connecticut Medicaid", "CTDEMO01", 365),
]


def seed(agency: Agency) -> None:
    if Participant.objects.filter(agency=agency).exists():
        return
    rng = random.Random(2026)  # noqa: S311 (demo data, not security)
    today = timezone.localdate()
    payers = [
        Payer.objects.update_or_create(name=name, defaults={"payer_id": payer_id, "timely_filing_days": days})[0]
        for name, payer_id, days in DEMO_PAYERS
    ]
    admin = User.objects.filter(groups__name=Role.PROGRAM_ADMIN).order_by("pk").first()
    peers = list(
        User.objects.filter(groups__name=Role.PEER_SPECIALIST, staff_profile__agency=agency)
        .prefetch_related("staff_profile__programs")
        .order_by("pk")
    )
    fallback_programs = list(Program.objects.filter(agency=agency, is_active=True))
    slots: dict = {}  # (author, date) -> sessions already placed that day, so none overlap
    for n in range(60):
        peer = peers[n % len(peers)]
        program = (list(peer.staff_profile.programs.all()) or fallback_programs)[0]
        started = today - datetime.timedelta(days=rng.randint(3, 330))
        participant = Participant.objects.create(
            agency=agency,
            first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
            last_name=LAST_NAMES[(n * 7) % len(LAST_NAMES)],
            date_of_birth=datetime.date(rng.randint(1955, 2003), rng.randint(1, 12), rng.randint(1, 28)),
            sex_for_claims=rng.choice(["F", "M"]),
            phone=f"512-555-{1000 + n:04d}",
            address_line1=f"{100 + n} Riverside Dr",
            city="Austin",
            state="TX",
            zip_code="78741",
            preferred_language="Spanish" if n % 5 == 0 else "English",
            primary_diagnosis=rng.choice(DIAGNOSES),
            referral_source=rng.choice(["Emergency department", "Self", "Outpatient clinic", "Family"]),
            created_by=admin or peer,
        )
        Enrollment.objects.create(participant=participant, program=program, start_date=started, referral="Demo")
        CaseloadAssignment.objects.create(
            participant=participant, specialist=peer, started_on=started, reason="Intake", assigned_by=admin or peer
        )
        ct = n % 9 == 0
        payer = payers[1] if ct else payers[0]
        Coverage.objects.create(
            participant=participant,
            payer=payer,
            billing_program=BillingProgram.CT_1915C_MHW if ct else BillingProgram.TX_1915I_AMH,
            member_id=f"{500000000 + n * 7919}",
            start_date=started - datetime.timedelta(days=200),
            # A few coverages end soon, so caseload alerts show.
            end_date=today + datetime.timedelta(days=20) if n % 11 == 0 else None,
        )
        if n % 7 != 3:  # most have a plan; some are waiting for one
            plan = RecoveryPlan.objects.create(
                participant=participant,
                started_on=min(today, started + datetime.timedelta(days=2)),
                strengths="Determined; good sense of humor; supportive cousin",
                needs="Stable housing; transportation to appointments",
                participant_signature=participant.first_name + " " + participant.last_name,
                participant_signed_on=min(today, started + datetime.timedelta(days=2)),
                specialist_signed_by=peer,
                specialist_signature=peer.get_full_name(),
                specialist_signed_on=min(today, started + datetime.timedelta(days=2)),
            )
            for description, objectives in rng.sample(GOALS, k=rng.randint(1, 3)):
                goal = Goal.objects.create(
                    plan=plan,
                    description=description,
                    objectives=objectives,
                    target_date=today + datetime.timedelta(days=rng.randint(30, 200)),
                )
                GoalStatusChange.objects.create(goal=goal, to_status=Goal.Status.ACTIVE, changed_by=peer)
        Consent.objects.create(participant=participant, kind=Consent.Kind.SERVICES, signed_on=started)
        _notes(participant, peer, started, today, rng, slots)
        if program.population == Program.Population.SUBSTANCE_USE or n % 10 == 0:
            Consent.objects.create(
                participant=participant,
                kind=Consent.Kind.PART2_DISCLOSURE,
                disclosing_party=agency.name,
                recipient=payer.name,
                recipient_payer=payer,
                purpose="Payment for peer support services",
                information="Dates and types of services, diagnosis codes",
                expires_on=today + datetime.timedelta(days=25 if n % 4 == 0 else 365),
                signed_on=started,
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
