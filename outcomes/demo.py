"""Demo outcomes for `seed_demo`: check-ins and assessments at every demo enrollment's
timepoints, showing what peer support programs report (more people housed and employed,
fewer ER visits and hospital days, lower PHQ-9), with noise: some people get worse, some
miss follow-ups or are seen late, and one PHQ-9 leaves an open safety flag.

The demo's caseloads are all enrolled within the last year, so this module adds past
participants, enrolled 13 to 25 months ago and discharged since, for the 12-month figures.
Everything is recorded through outcomes.services, so scores, windows and the periods each
check-in covers are computed the real way. Runs once: a second run finds the check-ins and
changes nothing."""

import datetime
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from audit.context import AuditContext
from participants.models import CaseloadAssignment, Enrollment, Participant
from programs.models import Agency, Program

from . import schedule, services
from .models import LOOKBACK_DAYS, CheckIn, Instrument, SafetyFlag, Timepoint, UnitCosts

SEED = 2611
PAST_PARTICIPANTS = 40
COSTS_SOURCE = "Demo figures, not real costs"
DEMO_COSTS = {
    "er_visit": Decimal("1400.00"),
    "inpatient_day": Decimal("1150.00"),
    "outpatient_visit": Decimal("160.00"),
    "crisis_episode": Decimal("850.00"),
    "jail_day": Decimal("110.00"),
    "peer_hourly_cost": Decimal("27.50"),
}
PAST_FIRST_NAMES = ["Alicia", "Ben", "Carmen", "Devon", "Elena", "Frank", "Gloria", "Hector", "Irene", "Jamal"]
PAST_LAST_NAMES = ["Ramirez", "Fletcher", "Nakamura", "Owens", "Patel", "Quinn", "Sandoval", "Tran", "Underwood"]

# How far along the course each timepoint is, from intake (0) to a year (1).
PROGRESS = {Timepoint.INTAKE: 0.0, Timepoint.MONTH_3: 0.4, Timepoint.MONTH_6: 0.7, Timepoint.MONTH_12: 1.0}
# Mean counts over six months before enrollment, per person (before their own multiplier).
BASELINE = {
    "er_visits": 2.2,
    "inpatient_days": 8.0,
    "admissions_voluntary": 0.4,
    "admissions_involuntary": 0.3,
    "outpatient_visits": 9.0,
    "crisis_calls": 2.0,
    "arrests": 0.3,
    "jail_days": 3.0,
}
SUBSTANCE_USE = (Program.Population.SUBSTANCE_USE, Program.Population.CO_OCCURRING)
UNHOUSED = [
    CheckIn.Housing.FAMILY_OR_FRIENDS,
    CheckIn.Housing.FAMILY_OR_FRIENDS,
    CheckIn.Housing.SHELTER,
    CheckIn.Housing.NONE,
    CheckIn.Housing.SUPPORTED,
    CheckIn.Housing.RESIDENTIAL,
]


@dataclass
class Course:
    """One person's course: how much they improve (negative: they get worse) and where they
    start, plus what the follow-ups then find."""

    effect: float
    housing: str
    employment: str
    use_rate: float
    scale: float
    scores: dict[str, int]
    missed: set = field(default_factory=set)
    late: set = field(default_factory=set)


def seed(agency: Agency) -> None:
    if CheckIn.objects.filter(participant__agency=agency).exists():
        return
    rng = random.Random(SEED)  # noqa: S311 (demo data, not security)
    today = timezone.localdate()
    admin = User.objects.filter(groups__name=Role.PROGRAM_ADMIN).order_by("pk").first()
    peers = list(
        User.objects.filter(groups__name=Role.PEER_SPECIALIST, staff_profile__agency=agency)
        .prefetch_related("staff_profile__programs")
        .order_by("pk")
    )
    if not peers:
        return
    _unit_costs(agency, admin or peers[0])
    _past_participants(agency, peers, admin or peers[0], rng, today)
    instruments = {i.code: i for i in Instrument.objects.filter(is_active=True)}
    enrollments = Enrollment.objects.filter(participant__agency=agency).select_related("program").order_by("pk")
    first_specialist = {}
    for assignment in CaseloadAssignment.objects.filter(participant__agency=agency).order_by("started_on", "pk"):
        first_specialist.setdefault(assignment.participant_id, assignment.specialist)
    days = schedule.window_days(Program.objects.filter(agency=agency).values_list("pk", flat=True))
    for enrollment in enrollments:
        by = first_specialist.get(enrollment.participant_id) or peers[0]
        ctx = AuditContext.for_command(by, "seed_demo")
        _record_course(enrollment, days[enrollment.program_id], instruments, ctx, rng, today)
    _open_safety_flag(agency, instruments, today)


def _unit_costs(agency: Agency, admin: User) -> None:
    ctx = AuditContext.for_command(admin, "seed_demo")
    for program in Program.objects.filter(agency=agency, unit_costs__isnull=True):
        services.unit_costs_save(unit_costs=UnitCosts(program=program, source=COSTS_SOURCE, **DEMO_COSTS), ctx=ctx)


def _past_participants(agency: Agency, peers: list[User], admin: User, rng: random.Random, today) -> None:
    """People enrolled 13 to 25 months ago: most stayed a year or more and met their goals,
    some lost contact early."""
    for n in range(PAST_PARTICIPANTS):
        peer = peers[n % len(peers)]
        program = peer.staff_profile.programs.first() or Program.objects.filter(agency=agency).first()
        started = today - datetime.timedelta(days=rng.randint(400, 760))
        lost = n % 6 == 5
        stayed = rng.randint(150, 300) if lost else rng.randint(380, 470)
        ended = min(started + datetime.timedelta(days=stayed), today - datetime.timedelta(days=1))
        participant = Participant.objects.create(
            agency=agency,
            first_name=PAST_FIRST_NAMES[n % len(PAST_FIRST_NAMES)],
            last_name=PAST_LAST_NAMES[(n * 4) % len(PAST_LAST_NAMES)],
            date_of_birth=datetime.date(rng.randint(1958, 2001), rng.randint(1, 12), rng.randint(1, 28)),
            sex_for_claims=rng.choice(["F", "M"]),
            city="Austin",
            state="TX",
            primary_diagnosis=rng.choice(["F33.1", "F31.81", "F43.10", "F10.20", "F11.20"]),
            referral_source=rng.choice(["Emergency department", "Self", "Outpatient clinic"]),
            created_by=admin,
        )
        reason = Enrollment.DischargeReason.LOST_CONTACT if lost else Enrollment.DischargeReason.GOALS_MET
        Enrollment.objects.create(
            participant=participant,
            program=program,
            start_date=started,
            end_date=ended,
            discharge_reason=reason,
            referral="Demo",
        )
        CaseloadAssignment.objects.create(
            participant=participant,
            specialist=peer,
            started_on=started,
            ended_on=ended,
            reason="Intake",
            assigned_by=admin,
        )


def _course(rng: random.Random, program: Program) -> Course:
    kind = rng.random()
    # About one in seven gets worse, as many barely change, the rest improve.
    effect = (
        rng.uniform(-0.5, -0.1) if kind < 0.15 else rng.uniform(-0.05, 0.25) if kind < 0.3 else rng.uniform(0.5, 1.0)
    )
    employed = rng.random() < 0.24
    employment = (
        rng.choice([CheckIn.Employment.PART_TIME, CheckIn.Employment.FULL_TIME])
        if employed
        else rng.choice(
            [CheckIn.Employment.LOOKING, CheckIn.Employment.NOT_LOOKING, CheckIn.Employment.NOT_IN_LABOR_FORCE]
        )
    )
    housing = CheckIn.Housing.OWN_OR_RENT if rng.random() < 0.32 else rng.choice(UNHOUSED)
    course = Course(
        effect=effect,
        housing=housing,
        employment=employment,
        use_rate=rng.uniform(0.15, 0.5) if program.population in SUBSTANCE_USE else rng.uniform(0, 0.06),
        scale=rng.lognormvariate(0, 0.6),
        scores={
            "PHQ-9": rng.randint(9, 22),
            "GAD-7": rng.randint(7, 17),
            "WHO-5": rng.randint(3, 12),
            "BARC-10": rng.randint(24, 40),
        },
    )
    for timepoint in (Timepoint.MONTH_3, Timepoint.MONTH_6, Timepoint.MONTH_12):
        chance = rng.random()
        if chance < 0.07:
            course.missed.add(timepoint)
        elif chance < 0.16:
            course.late.add(timepoint)
    return course


def _record_course(enrollment: Enrollment, days, instruments: dict, ctx: AuditContext, rng: random.Random, today):
    """Check-in and assessments at each timepoint whose day has come, in date order."""
    course = _course(rng, enrollment.program)
    if enrollment.discharge_reason == Enrollment.DischargeReason.LOST_CONTACT:
        course.missed |= {Timepoint.MONTH_6, Timepoint.MONTH_12}
    last_day = min(today, enrollment.end_date) if enrollment.end_date else today
    since = enrollment.start_date  # where the next follow-up's counts begin
    previous = None
    for window in schedule.windows(enrollment, days):
        timepoint = window.timepoint
        if timepoint in course.missed or (enrollment.end_date and window.opens > enrollment.end_date):
            continue
        recently_closed = 0 < (today - window.closes).days <= schedule.OVERDUE_FOR_DAYS
        if recently_closed and not enrollment.end_date and rng.random() < 0.5:
            continue  # still to be done: the caseload shows it overdue
        if timepoint == Timepoint.INTAKE:
            day = enrollment.start_date + datetime.timedelta(days=rng.choice([0, 0, 0, 1, 2, 3, 6, 12]))
        elif timepoint == Timepoint.DISCHARGE:
            if enrollment.discharge_reason == Enrollment.DischargeReason.LOST_CONTACT or rng.random() < 0.3:
                continue
            day = enrollment.end_date - datetime.timedelta(days=rng.randint(0, 10))
        elif timepoint in course.late:
            day = window.closes + datetime.timedelta(days=rng.randint(3, 25))
        else:
            span = (window.closes - window.opens).days
            day = window.opens + datetime.timedelta(days=round(rng.triangular(0, span, span * 0.25)))
        if day > last_day or (previous and day <= previous):
            continue  # not yet: the caseload shows it due
        progress = PROGRESS.get(timepoint, min(1.0, (day - enrollment.start_date).days / 365))
        covered = LOOKBACK_DAYS if timepoint == Timepoint.INTAKE else (day - since).days
        check_in = _check_in(course, progress, covered, timepoint, day, rng)
        services.check_in_record(check_in=check_in, enrollment=enrollment, ctx=ctx)
        for code in _instruments_for(enrollment.program):
            if code in instruments:
                _assessment(enrollment, instruments[code], course, progress, timepoint, day, ctx, rng)
        previous = day
        if timepoint != Timepoint.INTAKE:
            since = day


def _instruments_for(program: Program) -> list[str]:
    codes = ["PHQ-9", "GAD-7", "WHO-5"]
    return codes + ["BARC-10"] if program.population in SUBSTANCE_USE else codes


def _draw(mean: float, rng: random.Random) -> int:
    """A Poisson count with this mean (Knuth's method; a normal approximation when large)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _check_in(course: Course, progress: float, covered: int, timepoint: str, day, rng: random.Random) -> CheckIn:
    improvement = course.effect * progress
    # Utilization falls with improvement (to a fifth at most) and rises for those getting worse.
    factor = max(0.12, 1 - 0.9 * improvement) if improvement >= 0 else 1 - improvement
    share = covered / LOOKBACK_DAYS
    counts = {name: _draw(mean * course.scale * factor * share, rng) for name, mean in BASELINE.items()}
    for name in ("inpatient_days", "jail_days"):
        counts[name] = min(counts[name], covered)
    counts["days_of_use"] = min(covered, _draw(course.use_rate * covered * factor, rng))
    if timepoint != Timepoint.INTAKE:
        _move_on(course, improvement, rng)
    employed = course.employment in CheckIn.EMPLOYED
    income = 0
    if employed:
        income = (
            rng.randint(1400, 2600) if course.employment == CheckIn.Employment.FULL_TIME else rng.randint(500, 1200)
        )
    support = 2 + round(2 * max(0.0, improvement) + rng.uniform(-0.6, 0.6))
    return CheckIn(
        timepoint=timepoint,
        taken_on=day,
        housing=course.housing,
        employment=course.employment,
        in_school=rng.random() < 0.08,
        monthly_income_from_work=Decimal(income),
        social_support=min(5, max(1, support)),
        children_returned_home=1 if timepoint == Timepoint.MONTH_12 and improvement > 0.8 and rng.random() < 0.3 else 0,
        **counts,
    )


def _move_on(course: Course, improvement: float, rng: random.Random) -> None:
    """Housing and work change between check-ins: toward own housing and a job with
    improvement, away from them for some of those getting worse."""
    if improvement > 0:
        if course.housing != CheckIn.Housing.OWN_OR_RENT and rng.random() < 0.4 * improvement + 0.04:
            course.housing = CheckIn.Housing.OWN_OR_RENT
        looking = course.employment in (CheckIn.Employment.LOOKING, CheckIn.Employment.NOT_LOOKING)
        if looking and rng.random() < 0.45 * improvement + 0.05:
            course.employment = rng.choice([CheckIn.Employment.PART_TIME, CheckIn.Employment.FULL_TIME])
    elif rng.random() < -improvement:
        if course.housing == CheckIn.Housing.OWN_OR_RENT:
            course.housing = rng.choice([CheckIn.Housing.FAMILY_OR_FRIENDS, CheckIn.Housing.SHELTER])
        if course.employment in CheckIn.EMPLOYED:
            course.employment = CheckIn.Employment.LOOKING


# How far each score moves at full improvement (negative: lower is better).
SCORE_CHANGE = {"PHQ-9": -10, "GAD-7": -7, "WHO-5": 9, "BARC-10": 14}


def _assessment(enrollment, instrument, course, progress, timepoint, day, ctx, rng):
    spec = instrument.spec
    target = course.scores[instrument.code] + SCORE_CHANGE[instrument.code] * course.effect * progress
    total = min(spec.highest, max(spec.lowest, round(target + rng.gauss(0, 2))))
    answers = _answers(spec, total, rng, keep_low={9} if instrument.code == "PHQ-9" else set())
    services.assessment_record(
        enrollment=enrollment, instrument=instrument, timepoint=timepoint, taken_on=day, answers=answers, ctx=ctx
    )


def _answers(spec, total: int, rng: random.Random, keep_low: set[int]) -> dict[str, int]:
    """Answers adding up to `total`, spread over the items at random; items in `keep_low`
    stay at their lowest (PHQ-9 item 9: only the one demo flag answers it above 0)."""
    values = {item.number: sorted(item.values) for item in spec.items}
    answers = {number: options[0] for number, options in values.items()}
    open_items = [n for n in values if n not in keep_low]
    remaining = total - sum(answers.values())
    while remaining > 0 and open_items:
        number = rng.choice(open_items)
        options = values[number]
        step = options[options.index(answers[number]) + 1] - answers[number]
        answers[number] += step
        remaining -= step
        if answers[number] == options[-1]:
            open_items.remove(number)
    return {str(number): value for number, value in answers.items()}


def _open_safety_flag(agency: Agency, instruments: dict, today) -> None:
    """A PHQ-9 between timepoints two days ago with item 9 answered 1: the supervisor's home
    page shows it until someone records the follow-up."""
    phq9 = instruments.get("PHQ-9")
    assignment = (
        CaseloadAssignment.objects.current()
        .filter(participant__agency=agency, specialist__email="peer@example.org")
        .order_by("pk")
        .first()
    )
    if phq9 is None or assignment is None:
        return
    day = today - datetime.timedelta(days=2)
    enrollment = Enrollment.objects.current().filter(participant_id=assignment.participant_id, start_date__lte=day)
    enrollment = enrollment.order_by("start_date").first()
    if enrollment is None:
        return
    answers = {str(item.number): 1 for item in phq9.spec.items} | {"1": 2, "2": 2}
    assessment, _ = services.assessment_record(
        enrollment=enrollment,
        instrument=phq9,
        timepoint=Timepoint.BETWEEN,
        taken_on=day,
        answers=answers,
        ctx=AuditContext.for_command(assignment.specialist, "seed_demo"),
    )
    raised = datetime.datetime.combine(day, datetime.time(10, 30), tzinfo=timezone.get_current_timezone())
    SafetyFlag.objects.filter(assessment=assessment).update(raised_at=raised)
