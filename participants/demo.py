"""Demo participants for `seed_demo`: about 60 people across the demo caseloads, with
coverage, recovery plans, goals and a few Part 2 consents (their session notes come from
notes/demo.py). Runs once: a second run finds
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
    Participant,
    RecoveryPlan,
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

# The payers come from a programs migration; the demo gives them made-up payer IDs. The
# employer plan is other insurance, billed before Medicaid.
DEMO_PAYERS = [
    ("Texas Medicaid", "TXDEMO01", 95),
    ("Connecticut Medicaid", "CTDEMO01", 365),
    ("Lone Star Employer Health Plan", "LSEHP01", 180),
]
PEERS_IN_DEMO = 10  # participant n is served by demo peer n % 10 (programs/demo.py)
# Most people are on the Texas state plan. Jordan Lee (peer 1) serves the Connecticut waiver;
# peers 2 and 3 serve TX HCBS-AMH. A few people show one hold reason each on the billing page.
OTHER_INSURANCE_FIRST, TWO_PRIMARY_MEDICAID, NO_SERVICE_CODE = 4, 5, 6
TOO_YOUNG_FOR_THE_STATE_PLAN, TOO_OLD_FOR_YES, NO_ZIP, COVERAGE_ENDED, DISCHARGED = 7, 8, 9, 10, 13
SHOWCASES = {4, 5, 6, 7, 8, 9, 10, 13}


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
        User.objects.filter(groups__name=Role.PEER_SPECIALIST, staff_profile__agency=agency, is_active=True)
        .prefetch_related("staff_profile__programs")
        .order_by("pk")
    )
    fallback_programs = list(Program.objects.filter(agency=agency, is_active=True))
    for n in range(60):
        peer = peers[n % len(peers)]
        program = (list(peer.staff_profile.programs.all()) or fallback_programs)[0]
        started = today - datetime.timedelta(days=rng.randint(3, 330))
        if n in SHOWCASES:  # long enough ago for signed sessions to show
            started = today - datetime.timedelta(days=150 + n)
        born = datetime.date(rng.randint(1955, 2003), rng.randint(1, 12), rng.randint(1, 28))
        if n == TOO_YOUNG_FOR_THE_STATE_PLAN:
            born = today - datetime.timedelta(days=20 * 365 + 100)
        elif n == TOO_OLD_FOR_YES:
            born = today - datetime.timedelta(days=19 * 365 + 60)
        participant = Participant.objects.create(
            agency=agency,
            first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
            last_name=LAST_NAMES[(n * 7) % len(LAST_NAMES)],
            date_of_birth=born,
            sex_for_claims=rng.choice(["F", "M"]),
            phone=f"512-555-{1000 + n:04d}",
            address_line1=f"{100 + n} Riverside Dr",
            city="Austin",
            state="TX",
            zip_code="" if n == NO_ZIP else "78741",
            preferred_language="Spanish" if n % 5 == 0 else "English",
            primary_diagnosis=rng.choice(DIAGNOSES),
            referral_source=rng.choice(["Emergency department", "Self", "Outpatient clinic", "Family"]),
            created_by=admin or peer,
        )
        enrollment = Enrollment(participant=participant, program=program, start_date=started, referral="Demo")
        if n == DISCHARGED:  # discharged, though sessions were logged after: "not enrolled"
            enrollment.end_date = max(started, today - datetime.timedelta(days=40))
            enrollment.discharge_reason = Enrollment.DischargeReason.MOVED
        enrollment.save()
        CaseloadAssignment.objects.create(
            participant=participant, specialist=peer, started_on=started, reason="Intake", assigned_by=admin or peer
        )
        payer = _coverages(participant, n, payers, started, today)
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
        # Part 2 consents for substance-use and co-occurring programs and diagnoses F10-F19,
        # but not everyone has signed one yet.
        part2 = program.population in (Program.Population.SUBSTANCE_USE, Program.Population.CO_OCCURRING)
        part2 = part2 or participant.primary_diagnosis.startswith("F1")
        if (part2 and n % 6 != 5) or n % 10 == 0:
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


def _coverages(participant, n: int, payers: list[Payer], started: datetime.date, today: datetime.date) -> Payer:
    """The participant's coverage (and, for a few, a second one); returns the Medicaid payer."""
    texas, connecticut, employer = payers
    program = BillingProgram.TX_STATE_PLAN
    if n % PEERS_IN_DEMO == 1:
        program = BillingProgram.CT_1915C_MHW
    elif n % PEERS_IN_DEMO in (2, 3) or n == TOO_OLD_FOR_YES:
        program = BillingProgram.TX_YES if n == TOO_OLD_FOR_YES else BillingProgram.TX_1915I_AMH
    elif n == NO_SERVICE_CODE:
        program = BillingProgram.OTHER
    payer = connecticut if program == BillingProgram.CT_1915C_MHW else texas
    end = today + datetime.timedelta(days=20) if n % 11 == 0 else None  # a few end soon: caseload alerts
    if n == COVERAGE_ENDED:
        end = max(started - datetime.timedelta(days=200), today - datetime.timedelta(days=30))
    Coverage.objects.create(
        participant=participant, payer=payer, billing_program=program, member_id=f"{500000000 + n * 7919}",
        start_date=started - datetime.timedelta(days=200), end_date=end,
    )  # fmt: skip
    if n == OTHER_INSURANCE_FIRST:
        Coverage.objects.create(
            participant=participant, payer=employer, kind=Coverage.Kind.OTHER_INSURANCE,
            billing_program=BillingProgram.OTHER, member_id=f"LS-{40000 + n}", start_date=started,
        )  # fmt: skip
    if n == TWO_PRIMARY_MEDICAID:  # both ranked primary: billing asks which one is
        Coverage.objects.create(
            participant=participant, payer=texas, billing_program=BillingProgram.TX_1915I_AMH,
            member_id=f"{500000000 + n * 7919}", start_date=started,
        )  # fmt: skip
    return payer
