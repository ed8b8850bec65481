"""The large agency's participants: enrolled over the last two years, each on one
specialist's caseload since intake, with Medicaid coverage (Texas state plan or the
Connecticut waiver, which takes an authorization), a recovery plan with one goal, and a Part 2
consent wherever the program is for substance use."""

import datetime

from billing.models import Authorization, ServiceCode
from participants.demo import DIAGNOSES, FIRST_NAMES, GOALS, LAST_NAMES
from participants.models import (
    CaseloadAssignment,
    Consent,
    Coverage,
    Enrollment,
    Goal,
    Participant,
    RecoveryPlan,
)
from participants.search_query import phone_digits
from programs.models import BillingProgram, Payer, Program

from . import Gen

MORE_LAST = ["Ng", "Reed", "Silva", "Torres", "Ward", "Young", "Zamora", "Baker", "Cruz", "Diaz", "Flores"]
CITIES = [("Austin", "78741"), ("San Antonio", "78207"), ("Houston", "77003"), ("El Paso", "79901"), ("Waco", "76701")]
# Substance-use diagnoses are left out: the programs for substance use carry Part 2 consents
# anyway, and the others' claims stay simple. The F1x codes show in the small demo.
MENTAL_HEALTH = [code for code in DIAGNOSES if not code.startswith("F1")]
CONNECTICUT_EVERY = 7  # one participant in seven is on Connecticut's waiver
EARLIEST_DAYS, LATEST_DAYS = 760, 60  # enrollment starts between these many days ago


def generate(gen: Gen) -> None:
    rng, today, sizes = gen.rng, gen.today, gen.sizes
    team = gen.data["team"]
    programs = {p.pk: p for p in gen.data["programs"]}
    texas, connecticut = Payer.objects.get(name="Texas Medicaid"), Payer.objects.get(name="Connecticut Medicaid")
    admin_id = team[0][1]  # intake is recorded by the first supervisor
    people, starts = [], []
    for n in range(sizes.participants):
        specialist_id, _sup, program_id, _c = team[n % len(team)]
        started = today - datetime.timedelta(days=rng.randint(LATEST_DAYS, EARLIEST_DAYS))
        city, zip_code = CITIES[n % len(CITIES)]
        phone = f"{512 + n % 300:03d}-555-{n % 10000:04d}"
        people.append(
            Participant(
                agency=gen.agency, first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES + MORE_LAST), date_of_birth=datetime.date(
                    rng.randint(1955, 2000), rng.randint(1, 12), rng.randint(1, 28)),
                sex_for_claims=rng.choice(["F", "M"]), phone=phone, phone_digits=phone_digits(phone),
                address_line1=f"{100 + n % 9000} Main St", city=city, state="TX", zip_code=zip_code,
                preferred_language="Spanish" if n % 6 == 0 else "English",
                primary_diagnosis=rng.choice(MENTAL_HEALTH),
                referral_source=rng.choice(["Emergency department", "Self", "Outpatient clinic", "Family"]),
                created_by_id=admin_id, created_at=gen.at(started, 9),
            )
        )  # fmt: skip
        starts.append((started, specialist_id, program_id))
    Participant.objects.bulk_create(people, batch_size=2000)
    Enrollment.objects.bulk_create(
        [Enrollment(participant=p, program_id=prog, start_date=s, referral="Large demo")
         for p, (s, _spec, prog) in zip(people, starts, strict=True)],
        batch_size=2000,
    )  # fmt: skip
    CaseloadAssignment.objects.bulk_create(
        [CaseloadAssignment(participant=p, specialist_id=spec, started_on=s, reason="Intake", assigned_by_id=admin_id,
                            created_at=gen.at(s, 10))
         for p, (s, spec, _prog) in zip(people, starts, strict=True)],
        batch_size=2000,
    )  # fmt: skip
    coverages, consents, plans = [], [], []
    for n, (p, (started, _spec, program_id)) in enumerate(zip(people, starts, strict=True)):
        ct = n % CONNECTICUT_EVERY == CONNECTICUT_EVERY - 1
        payer = connecticut if ct else texas
        coverages.append(
            Coverage(participant=p, payer=payer, member_id=f"{700000000 + n * 13:09d}",
                     billing_program=BillingProgram.CT_1915C_MHW if ct else BillingProgram.TX_STATE_PLAN,
                     start_date=started - datetime.timedelta(days=200))
        )  # fmt: skip
        if programs[program_id].population != Program.Population.MENTAL_HEALTH:
            consents.append(
                Consent(participant=p, kind=Consent.Kind.PART2_DISCLOSURE, disclosing_party=gen.agency.name,
                        recipient=payer.name, recipient_payer=payer, purpose="Payment for services",
                        information="Dates and kinds of service, diagnosis", expiry_event="End of treatment",
                        signed_on=started, created_at=gen.at(started, 11))
            )  # fmt: skip
        plans.append(
            RecoveryPlan(participant=p, strengths="Determined; supportive sister.", needs="Housing, work, routine.",
                         started_on=started + datetime.timedelta(days=7))
        )  # fmt: skip
    Coverage.objects.bulk_create(coverages, batch_size=2000)
    Consent.objects.bulk_create(consents, batch_size=2000)
    RecoveryPlan.objects.bulk_create(plans, batch_size=2000)
    goals = []
    for n, plan in enumerate(plans):
        description, objectives = GOALS[n % len(GOALS)]
        goals.append(
            Goal(plan=plan, description=description, objectives=objectives,
                 target_date=plan.started_on + datetime.timedelta(days=365), created_at=gen.at(plan.started_on, 12))
        )  # fmt: skip
    Goal.objects.bulk_create(goals, batch_size=2000)
    authorizations = _authorizations(gen, people, starts, coverages)
    gen.data.update(
        participants=[
            (p.pk, s, spec, g.pk, c) for p, (s, spec, _prog), g, c in zip(people, starts, goals, coverages, strict=True)
        ]
    )
    gen.counts.update(
        participants=len(people), coverages=len(coverages), consents=len(consents), goals=len(goals),
        authorizations=authorizations,
    )  # fmt: skip


def _authorizations(gen: Gen, people, starts, coverages) -> int:
    """Connecticut's waiver bills peer support under a prior authorization: one per person,
    from intake, with units enough for two years of weekly hour-long visits."""
    code = ServiceCode.objects.filter(
        billing_program=BillingProgram.CT_1915C_MHW, service="peer_support", kind="individual", is_active=True
    ).first()
    if code is None:
        return 0
    rows = [
        Authorization(participant=p, service_code=code, number=f"CT-L{80000 + n}", units_authorized=480,
                      start_date=s, end_date=gen.today + datetime.timedelta(days=180))
        for n, (p, (s, _spec, _prog), c) in enumerate(zip(people, starts, coverages, strict=True))
        if c.billing_program == BillingProgram.CT_1915C_MHW
    ]  # fmt: skip
    Authorization.objects.bulk_create(rows, batch_size=2000)
    gen.data["authorization_by_participant"] = {a.participant_id: a.pk for a in rows}
    return len(rows)
