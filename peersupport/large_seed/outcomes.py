"""Assessments (PHQ-9) and life-status check-ins at intake and at the 6- and 12-month
follow-ups whose windows have opened, dated inside their windows, with scores computed by the
instrument's own definition and each check-in covering the period `outcomes.services` would
give it (intake: the six months before enrollment; a follow-up: since the one before)."""

import datetime
from decimal import Decimal

from outcomes.demo import _answers  # one way to spread a total over an instrument's items
from outcomes.models import LOOKBACK_DAYS, Assessment, CheckIn, Instrument, Timepoint
from outcomes.schedule import DEFAULT_WINDOWS
from participants.models import Enrollment

from . import Gen

FOLLOW_UPS = [Timepoint.MONTH_6, Timepoint.MONTH_12]
HOUSING = [CheckIn.Housing.OWN_OR_RENT, CheckIn.Housing.FAMILY_OR_FRIENDS, CheckIn.Housing.SHELTER,
           CheckIn.Housing.SUPPORTED]  # fmt: skip
EMPLOYMENT = [CheckIn.Employment.LOOKING, CheckIn.Employment.NOT_LOOKING, CheckIn.Employment.PART_TIME]


def generate(gen: Gen) -> None:
    rng, today = gen.rng, gen.today
    instrument = Instrument.objects.filter(code="PHQ-9", is_active=True).order_by("-version").first()
    enrollments = dict(
        Enrollment.objects.filter(participant_id__in=[p[0] for p in gen.data["participants"]]).values_list(
            "participant_id", "pk"
        )
    )
    assessments, check_ins = [], []
    for pid, started, author, _goal, _coverage in gen.data["participants"]:
        days = [(Timepoint.INTAKE, started + datetime.timedelta(days=rng.randint(0, 10)))]
        for timepoint in FOLLOW_UPS:
            opens, closes = DEFAULT_WINDOWS[timepoint]
            day = started + datetime.timedelta(days=rng.randint(opens, min(closes, opens + 45)))
            if day <= today:
                days.append((timepoint, day))
        phq = rng.randint(8, 22)
        previous = started
        for step, (timepoint, day) in enumerate(days):
            common = {"enrollment_id": enrollments[pid], "participant_id": pid, "timepoint": timepoint,
                      "taken_on": day, "recorded_by_id": author, "recorded_at": gen.at(day, 16)}  # fmt: skip
            if instrument is not None:
                assessments.append(_assessment(instrument, max(0, phq - 4 * step + rng.randint(-2, 2)), rng, common))
            if timepoint == Timepoint.INTAKE:
                covers = (started - datetime.timedelta(days=LOOKBACK_DAYS), started)
            else:
                covers = (previous, day)
                previous = day
            check_ins.append(_check_in(rng, step, covers, common))
    Assessment.objects.bulk_create(assessments, batch_size=2000)
    CheckIn.objects.bulk_create(check_ins, batch_size=2000)
    gen.counts.update(assessments=len(assessments), check_ins=len(check_ins))


def _assessment(instrument: Instrument, total: int, rng, common: dict) -> Assessment:
    spec = instrument.spec
    # Item 9 (thoughts of self-harm) stays 0: a positive answer raises a safety flag someone
    # must follow up, which the small demo shows once; thousands would bury it.
    answers = _answers(spec, min(total, spec.highest), rng, keep_low={9})
    assessment = Assessment(instrument=instrument, answers=answers, **common)
    assessment.apply_score()
    return assessment


def _check_in(rng, step: int, covers: tuple[datetime.date, datetime.date], common: dict) -> CheckIn:
    covered = (covers[1] - covers[0]).days
    better = 1 + step  # utilization falls at each follow-up
    housing = HOUSING[min(len(HOUSING) - 1, rng.randrange(len(HOUSING)) // better)] if step else rng.choice(HOUSING)
    employment = rng.choice(EMPLOYMENT)
    return CheckIn(
        housing=housing, employment=employment,
        monthly_income_from_work=Decimal(rng.randint(400, 1200)) if employment == CheckIn.Employment.PART_TIME
        else Decimal(0),
        covers_from=covers[0], covers_until=covers[1],
        er_visits=rng.randint(0, 4) // better, inpatient_days=min(covered, rng.randint(0, 12) // better),
        outpatient_visits=rng.randint(2, 10), crisis_calls=rng.randint(0, 3) // better,
        jail_days=min(covered, rng.randint(0, 4) // better), days_of_use=min(covered, rng.randint(0, 20) // better),
        social_support=min(5, 2 + step + rng.randint(0, 1)),
        **common,
    )  # fmt: skip
