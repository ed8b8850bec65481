from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from audit.inputs import COMMENT_MAX, plausible_date, text_limit
from participants.models import Enrollment, Participant
from programs.models import Program

from . import instruments
from .versions import FiguresVersion  # noqa: F401 (a model of this app, kept by triggers)

# The intake check-in asks about the six months before enrollment (SAMHSA's outcome measures).
LOOKBACK_DAYS = 182
# The share of follow-ups done in their window that grant reporting expects (SAMHSA GPRA).
FOLLOW_UP_TARGET = 80


class Instrument(models.Model):
    """One version of an instrument's definition. Assessments point at the version they were
    taken with, so changing a definition never rescores the past: load a new version."""

    code = models.CharField(max_length=30)
    version = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(max_length=200)
    definition = models.JSONField()
    is_active = models.BooleanField(default=True, help_text="Offered for new assessments.")
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="one_instrument_per_code_version")]

    def __str__(self) -> str:
        return self.code if self.version == 1 else f"{self.code} (version {self.version})"

    @cached_property
    def spec(self) -> instruments.Definition:
        return instruments.parse(self.definition)


class Timepoint(models.TextChoices):
    INTAKE = "intake", "Intake"
    MONTH_3 = "3m", "3 months"
    MONTH_6 = "6m", "6 months"
    MONTH_12 = "12m", "12 months"
    DISCHARGE = "discharge", "Discharge"
    BETWEEN = "between", "Between timepoints"


# Timepoints recorded once per enrollment, in the order they fall.
SCHEDULED = [Timepoint.INTAKE, Timepoint.MONTH_3, Timepoint.MONTH_6, Timepoint.MONTH_12, Timepoint.DISCHARGE]
FOLLOW_UPS = [Timepoint.MONTH_3, Timepoint.MONTH_6, Timepoint.MONTH_12]


class TimepointWindow(models.Model):
    """When a timepoint counts as done on time, in days from enrollment (from discharge, for
    the discharge timepoint). Programs without a row use `schedule.DEFAULT_WINDOWS`."""

    program = models.ForeignKey(Program, models.CASCADE, related_name="timepoint_windows", db_index=False)
    timepoint = models.CharField(max_length=10, choices=[(t.value, t.label) for t in SCHEDULED])
    opens_day = models.SmallIntegerField(help_text="Days after enrollment (discharge) when the window opens.")
    closes_day = models.SmallIntegerField(help_text="Days after enrollment (discharge) when it closes.")

    class Meta:
        ordering = ["program", "opens_day"]
        constraints = [
            # Also the index of `program`, which has none of its own.
            models.UniqueConstraint(fields=["program", "timepoint"], name="one_window_per_program_timepoint"),
            models.CheckConstraint(condition=Q(closes_day__gte=models.F("opens_day")), name="window_closes_after_open"),
        ]

    def __str__(self) -> str:
        return f"{self.get_timepoint_display()}: day {self.opens_day} to {self.closes_day}"

    def clean(self):
        if self.opens_day is not None and self.closes_day is not None and self.closes_day < self.opens_day:
            raise ValidationError({"closes_day": "The window can't close before it opens."})


class Recorded(models.Model):
    """What assessments and check-ins share: one participant's enrollment, a timepoint, a day,
    who recorded it. A scheduled timepoint is recorded once per enrollment; after that it is
    only amended, and each amendment keeps what was there before."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="%(class)ss")
    # The enrollment's participant, here for one indexed read of a history (each kind's index leads with it).
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="%(class)ss", db_index=False)
    timepoint = models.CharField(max_length=10, choices=Timepoint.choices)
    taken_on = models.DateField("date", validators=[plausible_date])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    amended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def date_errors(self) -> dict:
        """A record is dated within the enrollment it belongs to and never in the future. A
        scheduled follow-up is not dated before its window opens (an earlier one is "between
        timepoints"), and a timepoint that fell due before discharge may still be recorded
        after it, until its window closes (a discharge interview a few days later)."""
        if not self.taken_on or not self.enrollment_id:
            return {}
        enrollment = self.enrollment
        window = self.window
        last_day = enrollment.end_date
        if last_day and window and self.timepoint != Timepoint.INTAKE and window.opens <= last_day:
            last_day = max(last_day, window.closes)
        if self.taken_on > timezone.localdate():
            error = "The date can't be in the future."
        elif self.taken_on < enrollment.start_date:
            error = f"The date can't be before enrollment ({enrollment.start_date:%b %-d, %Y})."
        elif window and self.timepoint in FOLLOW_UPS and self.taken_on < window.opens:
            error = (
                f"The {window.label} window opens on {window.opens:%b %-d, %Y}; "
                "record an earlier one as “Between timepoints”."
            )
        elif last_day and self.taken_on > last_day:
            error = f"The date can't be after discharge ({enrollment.end_date:%b %-d, %Y}) or its window."
        else:
            error = ""
        errors = {"taken_on": error} if error else {}
        if self.participant_id and enrollment.participant_id != self.participant_id:
            errors["enrollment"] = "This enrollment belongs to someone else."
        return errors

    @property
    def window(self):
        """This timepoint's window (`schedule.Window`) under the program's windows now; None
        between timepoints, and for the discharge of someone still enrolled."""
        from .schedule import window_for  # schedule reads these models

        if self.timepoint == Timepoint.BETWEEN or not self.enrollment_id:
            return None
        return window_for(self.enrollment, self.timepoint)

    @property
    def in_window(self) -> bool:
        window = self.window
        return bool(window and self.taken_on and window.holds(self.taken_on))


def _once_per_timepoint(model: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["enrollment", "timepoint"] if model == "checkin" else ["enrollment", "instrument", "timepoint"],
        condition=~Q(timepoint=Timepoint.BETWEEN),
        name=f"one_{model}_per_timepoint",
    )


class Assessment(Recorded):
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="assessments")
    answers = models.JSONField(help_text="Item number to the answer's value.")
    # Computed from the answers by the instrument's definition, stored so that lists,
    # charts and dashboards read them with SQL.
    total = models.SmallIntegerField(editable=False)
    band = models.CharField(max_length=200, editable=False)
    flags = models.JSONField(default=list, editable=False)

    class Meta:
        ordering = ["-taken_on", "-recorded_at"]
        constraints = [_once_per_timepoint("assessment")]
        # The participant page's score charts (participant_page._charts): one participant's, in order taken.
        indexes = [models.Index(fields=["participant", "instrument", "taken_on"])]

    def __str__(self) -> str:
        return f"{self.instrument} on {self.taken_on}"

    @property
    def scaled(self) -> int | None:
        multiplier = self.instrument.spec.multiplier
        return self.total * multiplier if multiplier else None

    def clean(self):
        errors = self.date_errors()
        if self.instrument_id:
            errors |= self.instrument.spec.answer_errors(self.answers or {})
        if errors:
            raise ValidationError(errors)

    def apply_score(self) -> instruments.Score:
        score = self.instrument.spec.score(self.answers)
        self.answers = {str(k): v for k, v in self.instrument.spec.clean_answers(self.answers).items()}
        self.total, self.band = score.total, score.band
        self.flags = [flag.message for flag in score.flags]
        return score


def _count(verbose_name: str, help_text: str = "", most: int = 999):
    return models.PositiveSmallIntegerField(
        verbose_name, default=0, validators=[MaxValueValidator(most)], help_text=help_text
    )


class CheckIn(Recorded):
    """Life status in the domains of SAMHSA's client outcome measures (NOMs): stability in
    housing, employment and education, income, reduced utilization of crisis and inpatient
    care, criminal justice involvement, substance use, social connectedness, and children
    returned home. Counts cover `covers_from` to `covers_until`: the six months before
    enrollment at intake, otherwise the time since the last check-in."""

    class Housing(models.TextChoices):
        OWN_OR_RENT = "own_or_rent", "Own or rent"
        FAMILY_OR_FRIENDS = "family_friends", "With family or friends"
        SUPPORTED = "supported", "Supported housing"
        RESIDENTIAL = "residential", "Residential treatment"
        SHELTER = "shelter", "Shelter"
        NONE = "none", "No housing (street, car, outdoors)"
        INSTITUTION = "institution", "Jail, prison or institution"

    class Employment(models.TextChoices):
        FULL_TIME = "full_time", "Employed full time"
        PART_TIME = "part_time", "Employed part time"
        LOOKING = "looking", "Unemployed, looking for work"
        NOT_LOOKING = "not_looking", "Unemployed, not looking for work"
        NOT_IN_LABOR_FORCE = "not_in_labor_force", "Not in the labor force (disabled, retired, caregiver)"

    EMPLOYED = (Employment.FULL_TIME, Employment.PART_TIME)

    class Agreement(models.IntegerChoices):
        STRONGLY_DISAGREE = 1, "Strongly disagree"
        DISAGREE = 2, "Disagree"
        UNDECIDED = 3, "Undecided"
        AGREE = 4, "Agree"
        STRONGLY_AGREE = 5, "Strongly agree"

    housing = models.CharField(max_length=20, choices=Housing.choices)
    employment = models.CharField(max_length=20, choices=Employment.choices)
    in_school = models.BooleanField("in school or job training", default=False)
    monthly_income_from_work = models.DecimalField(
        "monthly income from work ($)",
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100000"))],
    )
    covers_from = models.DateField(editable=False)
    covers_until = models.DateField(editable=False)
    er_visits = _count("emergency room visits")
    inpatient_days = _count(
        "inpatient days", "Nights in a hospital for mental health, substance use or physical health."
    )
    admissions_voluntary = _count("psychiatric admissions, voluntary", most=99)
    admissions_involuntary = _count("psychiatric admissions, involuntary", most=99)
    outpatient_visits = _count("outpatient visits")
    crisis_calls = _count("crisis calls", "Calls to a crisis line or a mobile crisis team.")
    arrests = _count("arrests", most=99)
    jail_days = _count("days in jail")
    days_of_use = _count("days of alcohol or drug use")
    social_support = models.PositiveSmallIntegerField(
        "“In a crisis, I would have the support I need from family or friends.”", choices=Agreement.choices
    )
    children_returned_home = _count(
        "children returned home", "Children returned to the participant's custody.", most=20
    )

    # What the person is asked, in the order forms and pages show it.
    COUNTS = ("er_visits", "inpatient_days", "admissions_voluntary", "admissions_involuntary", "outpatient_visits",
              "crisis_calls", "arrests", "jail_days", "days_of_use")  # fmt: skip
    ANSWERS = ("housing", "employment", "in_school", "monthly_income_from_work", *COUNTS, "social_support",
               "children_returned_home")  # fmt: skip
    # Counts of days can't exceed the days the check-in covers.
    DAY_COUNTS = ("inpatient_days", "jail_days", "days_of_use")

    class Meta:
        ordering = ["-taken_on", "-recorded_at"]
        constraints = [_once_per_timepoint("checkin")]
        # The participant page's check-ins (participant_page: one participant's, newest first).
        indexes = [models.Index(fields=["participant", "taken_on"])]

    def __str__(self) -> str:
        return f"{self.get_timepoint_display()} check-in on {self.taken_on}"

    @property
    def housed(self) -> bool:
        return self.housing == self.Housing.OWN_OR_RENT

    @property
    def employed(self) -> bool:
        return self.employment in self.EMPLOYED

    @property
    def days_covered(self) -> int:
        return (self.covers_until - self.covers_from).days

    def clean(self):
        errors = self.date_errors()
        if not errors:
            errors = self.day_count_errors()
        if errors:
            raise ValidationError(errors)

    def day_count_errors(self) -> dict:
        """Counts of days can't exceed the days the check-in covers."""
        if not (self.covers_from and self.covers_until):
            return {}
        errors = {}
        days = self.days_covered
        for name in self.DAY_COUNTS:
            value = getattr(self, name)
            if value and value > days:
                label = self._meta.get_field(name).verbose_name
                errors[name] = (
                    f"{label.capitalize()} can't be more than the {days} days this check-in covers "
                    f"({self.covers_from:%b %-d} to {self.covers_until:%b %-d, %Y})."
                )
        return errors


class Amendment(models.Model):
    """What an assessment or check-in held before someone changed it, and why."""

    assessment = models.ForeignKey(Assessment, null=True, on_delete=models.PROTECT, related_name="amendments")
    check_in = models.ForeignKey(CheckIn, null=True, on_delete=models.PROTECT, related_name="amendments")
    previous = models.JSONField()
    reason = models.CharField(max_length=300)
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amended_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-amended_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(assessment__isnull=False, check_in__isnull=True)
                | Q(assessment__isnull=True, check_in__isnull=False),
                name="amendment_of_one_record",
            )
        ]

    def __str__(self) -> str:
        return f"Amended {self.amended_at:%Y-%m-%d}: {self.reason[:60]}"


class SafetyFlag(models.Model):
    """A same-day follow-up an answer calls for (PHQ-9 item 9 above 0). It stays open on the
    supervisor's home page until someone records the follow-up."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="safety_flags")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    message = models.CharField(max_length=300)
    raised_at = models.DateTimeField(default=timezone.now)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    followed_up_at = models.DateTimeField(null=True, blank=True)
    follow_up_note = models.TextField(blank=True, **text_limit(COMMENT_MAX))

    class Meta:
        ordering = ["-raised_at"]
        # Home pages' open flags (peersupport.selectors.open_safety_flags: not followed up, oldest first).
        indexes = [models.Index(fields=["followed_up_at", "raised_at"])]

    def __str__(self) -> str:
        return f"Safety follow-up for {self.participant}"

    @property
    def is_open(self) -> bool:
        return self.followed_up_at is None


def _money(verbose_name: str, help_text: str = ""):
    return models.DecimalField(
        verbose_name,
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000000"))],
        help_text=help_text,
    )


class UnitCosts(models.Model):
    """What a program's agency counts one unit of each service as costing, for the cost
    offset. Figures come from the agency (a state cost report, HCUP averages); none is
    assumed, and the page says where they came from."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="unit_costs")
    er_visit = _money("ER visit ($)")
    inpatient_day = _money("inpatient day ($)")
    outpatient_visit = _money("outpatient visit ($)")
    crisis_episode = _money("crisis episode ($)")
    jail_day = _money("jail day ($)")
    peer_hourly_cost = _money(
        "peer specialist hour ($)",
        "Wage and fringe per hour, for peer hours without a claim (grant-funded or not yet billed).",
    )
    source = models.CharField("where these figures come from", max_length=300)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "unit costs"

    def __str__(self) -> str:
        return f"Unit costs of {self.program}"
