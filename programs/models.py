import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from audit.inputs import NARRATIVE_MAX, plausible_date, text_limit

from .scans import EXTENSIONS, ArchivedScan  # noqa: F401 (a model of this app)
from .validators import X12_ID, validate_npi

# A certification expiring within this many days shows as "expiring".
EXPIRING_WITHIN_DAYS = 60


class InForceQuerySet(models.QuerySet):
    def _bounds(self) -> tuple[str, str]:
        return self.model.in_force_from, self.model.in_force_until

    def in_force_on(self, day: datetime.date):
        start, until = self._bounds()
        return self.filter(Q(**{f"{start}__lte": day}), Q(**{f"{until}__isnull": True}) | Q(**{f"{until}__gte": day}))

    def current(self):
        """Open records (no last day yet), e.g. an open enrollment or caseload assignment."""
        _, until = self._bounds()
        return self.filter(**{f"{until}__isnull": True})

    def overlapping(self, start: datetime.date, end: datetime.date | None):
        """Records in force on at least one day of [start, end]; `end` None means open-ended."""
        first, until = self._bounds()
        rows = self.filter(Q(**{f"{until}__isnull": True}) | Q(**{f"{until}__gte": start}))
        return rows if end is None else rows.filter(**{f"{first}__lte": end})


class InForce(models.Model):
    """A record that is in force over a range of days: an enrollment, a coverage, a rate, a
    certification... "Is it in force on this day?" decides billing, caseloads and notes, so the
    rule is defined here once, for every dated record, in SQL and for rows already in memory.

    Both ends are inclusive: a certification still counts on its expiry day, and a caseload
    handed over on a day is in force for both specialists that day. A NULL last day means
    open-ended. Subclasses name their own columns in `in_force_from` and `in_force_until`.
    """

    in_force_from = "start_date"
    in_force_until = "end_date"
    # What a person is told when the last day comes before the first, in the model's words.
    ends_before_start = "The end date can't be before the start date."

    objects = InForceQuerySet.as_manager()

    class Meta:
        abstract = True

    def in_force_on(self, day: datetime.date) -> bool:
        until = getattr(self, self.in_force_until)
        return getattr(self, self.in_force_from) <= day and (until is None or day <= until)

    def range_errors(self) -> dict:
        """{last-day field: message} when the last day comes before the first; else {}."""
        start, until = getattr(self, self.in_force_from), getattr(self, self.in_force_until)
        return {self.in_force_until: self.ends_before_start} if start and until and until < start else {}


class Agency(models.Model):
    """The behavioral-health agency running the programs (one per installation today)."""

    name = models.CharField(max_length=200, unique=True)
    training_hours_required_per_year = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        default=20,
        validators=[MinValueValidator(0), MaxValueValidator(500)],
        help_text="Continuing-education hours each peer specialist must complete per calendar year.",
    )

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    class Kind(models.TextChoices):
        PEER_BRIDGER = "peer_bridger", "Peer bridger"
        ED_RECOVERY_COACHING = "ed_recovery_coaching", "ED recovery coaching"
        WARMLINE = "warmline", "Warmline / telephone recovery support"
        COMMUNITY_MENTAL_HEALTH = "community_mental_health", "Community mental health"
        YOUTH_FAMILY = "youth_family", "Youth / family"

    class Population(models.TextChoices):
        MENTAL_HEALTH = "mental_health", "Mental health"
        SUBSTANCE_USE = "substance_use", "Substance use"
        CO_OCCURRING = "co_occurring", "Co-occurring"
        YOUTH = "youth", "Youth"
        FAMILY = "family", "Family"

    # Indexed first in program_name_unique_in_agency.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="programs", db_index=False)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=40, choices=Kind.choices, default=Kind.COMMUNITY_MENTAL_HEALTH)
    population = models.CharField(max_length=40, choices=Population.choices, default=Population.MENTAL_HEALTH)
    target_caseload = models.PositiveSmallIntegerField(
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text="Participants one full-time peer specialist should carry.",
    )
    contact_frequency_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="At least one contact every this many days.",
    )
    plan_review_days = models.PositiveSmallIntegerField(
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text="A recovery plan is reviewed at least every this many days.",
    )
    # Programs are deactivated, never deleted: notes and claims keep pointing at them.
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="program_name_unique_in_agency")]

    def __str__(self) -> str:
        return self.name


class BillingProgram(models.TextChoices):
    """The Medicaid authorities a service can be billed under. Each has its own rules (billing's
    ServiceCode reference data, each rule with its source): the Texas state plan peer
    specialist benefit and TX HCBS-AMH are separate programs, not one."""

    TX_STATE_PLAN = "tx_state_plan", "TX Medicaid state plan peer specialist services"
    TX_1915I_AMH = "tx_1915i_amh", "TX 1915(i) HCBS Adult Mental Health"
    TX_YES = "tx_yes", "TX YES waiver"
    CT_1915C_MHW = "ct_1915c_mhw", "CT 1915(c) Mental Health Waiver"
    OTHER = "other", "Other"


class Payer(models.Model):
    """Who pays a coverage: a state Medicaid agency, a managed-care plan or another payer.

    Each payer has its own EDI receiver (the payer itself or its clearinghouse), usage indicator
    and rules: a batch is one payer's, and takes its envelope from that payer."""

    class Usage(models.TextChoices):
        TEST = "T", "Test"
        PRODUCTION = "P", "Production"

    class RenderingProvider(models.TextChoices):
        REQUIRED = "required", "Required: each claim names its peer specialist (loop 2310B)"
        NOT_SENT = "not_sent", "Not sent: the agency is the only provider on the claim"

    name = models.CharField(max_length=200, unique=True)
    payer_id = models.CharField("payer ID", max_length=80, blank=True, help_text="The ID used on claims (837).")
    receiver_id = models.CharField(
        "receiver ID",
        max_length=15,
        blank=True,
        validators=[X12_ID],
        help_text="The EDI ID of this payer or its clearinghouse (ISA08, GS03, loop 1000B). Claims are not "
        "exported to a payer without one.",
    )
    receiver_name = models.CharField(
        max_length=60, blank=True, help_text="The name of this payer or its clearinghouse (loop 1000B)."
    )
    usage = models.CharField(
        "usage indicator",
        max_length=1,
        choices=Usage.choices,
        default=Usage.TEST,
        help_text="ISA15: send Test until this payer approves production.",
    )
    timely_filing_days = models.PositiveSmallIntegerField(
        default=95, validators=[MinValueValidator(1), MaxValueValidator(730)]
    )
    correction_days = models.PositiveSmallIntegerField(
        default=95,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text="Replacement and void claims are sent within this many days of the original claim's export "
        "(Texas: 120 days from the remittance, 1 TAC 354.1003). Where the payer's limit is unknown, use its "
        "filing limit.",
    )
    # Whether this payer wants the specialist who delivered the service on the claim. No source
    # we have says so for either state, so it is the payer's setting, "not sent" until an admin
    # learns otherwise (billing-rules.md: unknown rules stay in data an agency can correct).
    rendering_provider = models.CharField(
        max_length=20,
        choices=RenderingProvider.choices,
        default=RenderingProvider.NOT_SENT,
        help_text="When required, specialists without an NPI are held and each claim carries one specialist.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def requires_rendering_provider(self) -> bool:
        return self.rendering_provider == self.RenderingProvider.REQUIRED

    @property
    def receiver_label(self) -> str:
        """Whom this payer's files are addressed to (loop 1000B), as a person reads it."""
        name = self.receiver_name or self.name
        return f"{name} (receiver {self.receiver_id})" if self.receiver_id else name


class StaffProfile(models.Model):
    """A staff member's place in the agency. Their role is their group on the user."""

    user = models.OneToOneField("accounts.User", on_delete=models.PROTECT, related_name="staff_profile")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="staff")
    supervisor = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervisee_profiles",
    )
    programs = models.ManyToManyField(Program, blank=True, related_name="staff")
    hire_date = models.DateField(null=True, blank=True, validators=[plausible_date])
    npi = models.CharField("NPI", max_length=10, blank=True, validators=[validate_npi])
    languages = models.CharField(max_length=200, blank=True, help_text="Separated by commas, e.g. English, Spanish.")
    requires_cosignature = models.BooleanField(
        default=True, help_text="Their session notes go to their supervisor for co-signature before they are final."
    )
    # Deactivated, never deleted: their notes, claims and audit trail point at them.
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        constraints = [
            # An NPI identifies one provider (45 CFR 162.408): two profiles sharing one would bill
            # one person's services under another's number.
            models.UniqueConstraint(fields=["npi"], condition=~Q(npi=""), name="staff_npi_unique")
        ]

    def __str__(self) -> str:
        return str(self.user)

    def clean(self):
        if self.npi:
            other = StaffProfile.objects.filter(npi=self.npi).exclude(pk=self.pk).select_related("user").first()
            if other is not None:
                raise ValidationError({"npi": f"{other} already has this NPI; an NPI belongs to one person."})
        if self.supervisor_id and self.supervisor_id == self.user_id:
            raise ValidationError({"supervisor": "Someone can't be their own supervisor."})
        if self.hire_date and self.hire_date > timezone.localdate():
            raise ValidationError({"hire_date": "The hire date can't be in the future."})

    def is_certified_on(self, day: datetime.date) -> bool:
        """May this specialist bill for a service on `day`? True when a certification is in
        force that day (the expiry day counts). For many days at once: `selectors.certified_on`."""
        return self.certifications.in_force_on(day).exists()


class CertificationStatus(models.TextChoices):
    VALID = "valid", "Valid"
    EXPIRING = "expiring", f"Expiring within {EXPIRING_WITHIN_DAYS} days"
    EXPIRED = "expired", "Expired"
    NONE = "none", "None"


def certification_status(latest_expiry: datetime.date | None, today: datetime.date) -> str:
    """Status from the latest expiry among certifications already issued."""
    if latest_expiry is None:
        return CertificationStatus.NONE
    if latest_expiry < today:
        return CertificationStatus.EXPIRED
    if latest_expiry <= today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS):
        return CertificationStatus.EXPIRING
    return CertificationStatus.VALID


def certification_scan_path(instance, filename: str) -> str:
    # The name says only when and what type (sniffed from the bytes, programs/scans.py): the
    # uploader's file name may carry personal details, and its extension is theirs to choose.
    ext = EXTENSIONS[instance.scan_content_type]
    return f"certifications/{instance.profile_id}/{timezone.now():%Y%m%d%H%M%S}-{instance.pk or 'new'}.{ext}"


class Certification(InForce):
    in_force_from = "issued_on"
    in_force_until = "expires_on"

    class Type(models.TextChoices):
        TX_MHPS = "tx_mhps", "Texas Mental Health Peer Specialist"
        TX_RSPS = "tx_rsps", "Texas Recovery Support Peer Specialist"
        CT_RSS = "ct_rss", "Connecticut Recovery Support Specialist"
        RECOVERY_COACH = "recovery_coach", "Recovery Coach"
        NAADAC_NCPRSS = "naadac_ncprss", "NAADAC NCPRSS"
        MHA_NCPS = "mha_ncps", "MHA National Certified Peer Specialist"
        CFP = "cfp", "Certified Family Partner"

    profile = models.ForeignKey(StaffProfile, on_delete=models.PROTECT, related_name="certifications")
    type = models.CharField(max_length=40, choices=Type.choices)
    number = models.CharField(max_length=60)
    issuing_body = models.CharField(max_length=200)
    issued_on = models.DateField(validators=[plausible_date])
    expires_on = models.DateField(validators=[plausible_date])
    scan = models.FileField(upload_to=certification_scan_path, blank=True)
    scan_content_type = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["-expires_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("issued_on")), name="certification_expires_after_issue"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.number}"

    def clean(self):
        if self.issued_on and self.issued_on > timezone.localdate():
            raise ValidationError({"issued_on": "The issue date can't be in the future."})
        if self.issued_on and self.expires_on and self.expires_on <= self.issued_on:
            raise ValidationError({"expires_on": "The expiry date must be after the issue date."})


class CertificationNotice(models.Model):
    """One expiry warning sent. The unique constraint is what makes the daily task send each
    threshold's email once, even when the task runs twice or on two workers at once."""

    class Threshold(models.IntegerChoices):
        DAYS_60 = 60, "Expires within 60 days"
        DAYS_30 = 30, "Expires within 30 days"
        DAYS_7 = 7, "Expires within 7 days"
        EXPIRED = 0, "Expired"

    # Indexed first in one_notice_per_threshold.
    certification = models.ForeignKey(Certification, on_delete=models.PROTECT, related_name="notices", db_index=False)
    threshold = models.PositiveSmallIntegerField(choices=Threshold.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["certification", "threshold"], name="one_notice_per_threshold")]

    def __str__(self) -> str:
        return f"{self.get_threshold_display()}: {self.certification}"


class TrainingRecord(models.Model):
    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial certification training (80 hours)"
        CONTINUING = "continuing", "Continuing education"

    profile = models.ForeignKey(StaffProfile, on_delete=models.PROTECT, related_name="training")
    course = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CONTINUING)
    hours = models.DecimalField(
        max_digits=5, decimal_places=2, validators=[MinValueValidator(0.25), MaxValueValidator(200)]
    )
    completed_on = models.DateField(validators=[plausible_date])

    class Meta:
        ordering = ["-completed_on"]

    def __str__(self) -> str:
        return f"{self.course} ({self.hours} h)"

    def clean(self):
        if self.completed_on and self.completed_on > timezone.localdate():
            raise ValidationError({"completed_on": "Training can't be recorded before it is completed."})


class SupervisionSession(models.Model):
    class Format(models.TextChoices):
        INDIVIDUAL = "individual", "Individual"
        GROUP = "group", "Group"

    supervisor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="supervision_given")
    supervisee = models.ForeignKey(StaffProfile, on_delete=models.PROTECT, related_name="supervision_sessions")
    date = models.DateField(validators=[plausible_date])
    minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(600)])
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.INDIVIDUAL)
    topics = models.CharField(max_length=300)
    notes = models.TextField(blank=True, **text_limit(NARRATIVE_MAX))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-created_at"]

    def __str__(self) -> str:
        return f"Supervision {self.date} ({self.minutes} min)"

    def clean(self):
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": "Supervision can't be logged for a future date."})
