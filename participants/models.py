import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from audit.inputs import COMMENT_MAX, NARRATIVE_MAX, plausible_date, text_limit
from programs.models import Agency, BillingProgram, InForce, InForceQuerySet, Payer, Program

from .dates import not_future, review_date_problem
from .eligibility import EligibilityReport
from .search_query import phone_digits
from .validators import validate_icd10, validate_member_id, validate_phone, validate_zip


class Participant(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        UNKNOWN = "U", "Unknown"

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="participants")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(validators=[plausible_date])
    sex_for_claims = models.CharField(
        max_length=1, choices=Sex.choices, help_text="As on the Medicaid card; used only on claims."
    )
    gender_identity = models.CharField(max_length=100, blank=True)
    pronouns = models.CharField(max_length=50, blank=True)
    phone = models.CharField(max_length=30, blank=True, validators=[validate_phone])
    # Kept on save: a search finds "(512) 555-0134" typed "512.555.0134", in plain SQL on any database.
    phone_digits = models.CharField(max_length=30, blank=True, editable=False, db_index=True)  # search by phone
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True, help_text="Two letters, e.g. TX.")
    zip_code = models.CharField("ZIP code", max_length=10, blank=True, validators=[validate_zip])
    preferred_language = models.CharField(max_length=50, default="English")
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_phone = models.CharField(max_length=30, blank=True, validators=[validate_phone])
    primary_diagnosis = models.CharField(
        "primary diagnosis (ICD-10-CM)", max_length=8, validators=[validate_icd10], help_text="E.g. F33.2"
    )
    other_diagnoses = models.CharField(
        "other diagnoses (ICD-10-CM)",
        max_length=100,
        blank=True,
        help_text="Separated by commas, e.g. F41.1, F10.20",
    )
    referral_source = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["last_name", "first_name"]
        # Search by date of birth and possible_duplicates; the participant list's and search's name order.
        indexes = [models.Index(fields=["date_of_birth"]), models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        if self.preferred_name and self.preferred_name != self.first_name:
            return f"{self.preferred_name} ({self.first_name}) {self.last_name}"
        return f"{self.first_name} {self.last_name}"

    def save(self, *args, **kwargs):
        self.phone_digits = phone_digits(self.phone)
        if "phone" in (kwargs.get("update_fields") or ()):
            kwargs["update_fields"] = {*kwargs["update_fields"], "phone_digits"}
        super().save(*args, **kwargs)

    def clean(self):
        errors = not_future(self.date_of_birth, "date_of_birth", "A date of birth")
        if self.state and not (len(self.state) == 2 and self.state.isalpha()):
            errors["state"] = "Use the two-letter state code, e.g. TX."
        for code in self.diagnosis_codes[1:]:
            try:
                validate_icd10(code)
            except ValidationError as error:
                errors["other_diagnoses"] = error.messages[0]
        if errors:
            raise ValidationError(errors)

    @property
    def diagnosis_codes(self) -> list[str]:
        """Primary first, as claims point at them in this order."""
        others = [code.strip() for code in self.other_diagnoses.split(",") if code.strip()]
        return [self.primary_diagnosis, *others]

    def age_on(self, day: datetime.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Enrollment(InForce):
    class DischargeReason(models.TextChoices):
        GOALS_MET = "goals_met", "Goals met"
        MOVED = "moved", "Moved"
        DECLINED = "declined", "Declined services"
        LOST_CONTACT = "lost_contact", "Lost contact"
        TRANSFERRED = "transferred", "Transferred"
        DECEASED = "deceased", "Deceased"
        OTHER = "other", "Other"

    ends_before_start = "The discharge date can't be before the enrollment start."
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="enrollments")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="enrollments")
    start_date = models.DateField(validators=[plausible_date])
    referral = models.CharField(max_length=200, blank=True, help_text="Who referred them to this program.")
    end_date = models.DateField(null=True, blank=True, validators=[plausible_date])
    discharge_reason = models.CharField(max_length=20, choices=DischargeReason.choices, blank=True)
    discharge_note = models.TextField(blank=True, **text_limit(COMMENT_MAX))

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "program"],
                condition=Q(end_date__isnull=True),
                name="one_open_enrollment_per_program",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="enrollment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} in {self.program}"

    @property
    def is_active(self) -> bool:
        return self.end_date is None

    def clean(self):
        errors = not_future(self.start_date, "start_date", "An enrollment start")
        errors |= not_future(self.end_date, "end_date", "A discharge date")
        errors |= self.range_errors()
        if self.end_date and not self.discharge_reason:
            errors["discharge_reason"] = "Choose why the participant is discharged."
        if errors:
            raise ValidationError(errors)


class Coverage(InForce, EligibilityReport):
    """Who pays for a participant's services, over a range of days. When several coverages are
    in force on a day, `payment_order` says which is billed first."""

    class Kind(models.TextChoices):
        MEDICAID = "medicaid", "Medicaid"
        OTHER_INSURANCE = "other_insurance", "Other insurance"

    class Rank(models.IntegerChoices):
        PRIMARY = 1, "Primary"
        SECONDARY = 2, "Secondary"
        TERTIARY = 3, "Tertiary"

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="coverages")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="coverages")
    kind = models.CharField(
        max_length=20,
        choices=Kind.choices,
        default=Kind.MEDICAID,
        help_text="Other insurance (employer, Medicare, marketplace) is always billed before Medicaid.",
    )
    rank = models.PositiveSmallIntegerField(
        choices=Rank.choices,
        default=Rank.PRIMARY,
        help_text="Among coverages of the same kind in force at the same time, which is billed first.",
    )
    billing_program = models.CharField(max_length=20, choices=BillingProgram.choices)
    member_id = models.CharField("member / Medicaid ID", max_length=30, db_index=True)  # 271 import, duplicates
    start_date = models.DateField(validators=[plausible_date])
    end_date = models.DateField(
        null=True, blank=True, help_text="Leave empty while the coverage continues.", validators=[plausible_date]
    )

    class Meta:
        ordering = ["-start_date"]
        indexes = [
            # Billing's list of coverages reported inactive.
            models.Index(
                fields=["eligibility_checked_on"],
                condition=Q(eligibility_status="inactive"),
                name="coverage_reported_inactive",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="coverage_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_billing_program_display()} · {self.member_id}"

    @property
    def payment_order(self) -> tuple[bool, int]:
        """Sort key: other insurance first, because Medicaid is the payer of last resort
        (42 U.S.C. 1396a(a)(25); 42 CFR 433.139), then by rank."""
        return (self.kind == self.Kind.MEDICAID, self.rank)

    def clean(self):
        errors = self.range_errors()
        if self.kind == self.Kind.OTHER_INSURANCE and self.billing_program not in ("", BillingProgram.OTHER):
            errors["billing_program"] = "Other insurance is not a Medicaid program: choose Other."
        if self.member_id and self.billing_program:
            try:
                validate_member_id(self.member_id, self.billing_program)
            except ValidationError as error:
                errors["member_id"] = error.messages[0]
        checkable = not errors and self.participant_id and self.start_date and self.billing_program
        if checkable and self.overlapping().exists():
            errors["start_date"] = (
                f"These dates overlap another {self.get_billing_program_display()} coverage of this participant. "
                "End the earlier coverage first, or correct the dates."
            )
        if errors:
            raise ValidationError(errors)

    def overlapping(self):
        """Coverages of the same participant and billing program whose dates meet this one's."""
        others = Coverage.objects.filter(participant_id=self.participant_id, billing_program=self.billing_program)
        return others.exclude(pk=self.pk).overlapping(self.start_date, self.end_date)


class ConsentQuerySet(InForceQuerySet):
    # A revoked consent stops on its revocation day, whatever its expiry date says.
    def in_force_on(self, day: datetime.date):
        return super().in_force_on(day).filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=day))

    def current(self):
        return super().current().filter(revoked_on__isnull=True)


class Consent(InForce):
    in_force_from = "signed_on"
    in_force_until = "expires_on"
    ends_before_start = "The expiry date can't be before the signature date."

    class Kind(models.TextChoices):
        SERVICES = "services", "Consent to services"
        PART2_DISCLOSURE = "part2_disclosure", "42 CFR Part 2 consent to disclose"

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # 42 CFR 2.31 requires these elements in a written consent to disclose.
    disclosing_party = models.CharField("who may disclose", max_length=200, blank=True)
    recipient = models.CharField(max_length=200, blank=True, help_text="Name of the person or organization.")
    recipient_payer = models.ForeignKey(
        Payer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="When the recipient is a payer, so billing can rely on this consent.",
    )
    purpose = models.CharField(max_length=300, blank=True)
    information = models.CharField("what information", max_length=300, blank=True)
    expires_on = models.DateField("expiry date", null=True, blank=True, validators=[plausible_date])
    expiry_event = models.CharField(max_length=200, blank=True, help_text="Or an event, e.g. end of treatment.")
    signed_on = models.DateField("signature date", validators=[plausible_date])
    revoked_on = models.DateField("revocation date", null=True, blank=True, validators=[plausible_date])
    created_at = models.DateTimeField(default=timezone.now)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on"]

    def __str__(self) -> str:
        if self.kind == self.Kind.PART2_DISCLOSURE:
            return f"Disclosure to {self.recipient}"
        return self.get_kind_display()

    def in_force_on(self, day: datetime.date) -> bool:
        return super().in_force_on(day) and (self.revoked_on is None or day < self.revoked_on)

    def clean(self):
        errors = not_future(self.signed_on, "signed_on", "A signature date")
        errors |= not_future(self.revoked_on, "revoked_on", "A revocation date")
        if self.signed_on and self.revoked_on and self.revoked_on < self.signed_on:
            errors["revoked_on"] = "A consent can't be revoked before it was signed."
        errors |= self.range_errors()
        if self.kind == self.Kind.PART2_DISCLOSURE:
            for field, label in [
                ("disclosing_party", "who may disclose"),
                ("recipient", "the recipient"),
                ("purpose", "the purpose"),
                ("information", "what information may be disclosed"),
            ]:
                if not getattr(self, field):
                    errors[field] = f"A Part 2 consent must name {label}."
            if not self.expires_on and not self.expiry_event:
                errors["expires_on"] = "A Part 2 consent needs an expiry date or an expiry event."
        if errors:
            raise ValidationError(errors)


class CaseloadAssignment(InForce):
    """A participant on a specialist's caseload from one date to another. Reassigning ends
    the open assignment and starts a new one, so the history is never overwritten."""

    in_force_from = "started_on"
    in_force_until = "ended_on"

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="assignments")
    specialist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    started_on = models.DateField(validators=[plausible_date])
    ended_on = models.DateField(null=True, blank=True, validators=[plausible_date])
    reason = models.CharField(max_length=300, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_on", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"], condition=Q(ended_on__isnull=True), name="one_open_assignment_per_participant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} with {self.specialist}"


class RecoveryPlan(models.Model):
    participant = models.OneToOneField(Participant, on_delete=models.PROTECT, related_name="plan")
    strengths = models.TextField(
        help_text="In the participant's own words where possible.", **text_limit(NARRATIVE_MAX)
    )
    needs = models.TextField(**text_limit(NARRATIVE_MAX))
    started_on = models.DateField(validators=[plausible_date])
    last_reviewed_on = models.DateField(null=True, blank=True, validators=[plausible_date])
    # Signatures: typed name and date (participant), and the staff user who signed.
    participant_signature = models.CharField(max_length=200, blank=True)
    participant_signed_on = models.DateField(null=True, blank=True, validators=[plausible_date])
    specialist_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    specialist_signature = models.CharField(max_length=200, blank=True)
    specialist_signed_on = models.DateField(null=True, blank=True, validators=[plausible_date])
    supervisor_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supervisor_signature = models.CharField(max_length=200, blank=True)
    supervisor_signed_on = models.DateField(null=True, blank=True, validators=[plausible_date])

    def __str__(self) -> str:
        return f"Recovery plan of {self.participant}"

    def clean(self):
        errors = not_future(self.started_on, "started_on", "A plan start")
        errors |= not_future(self.last_reviewed_on, "last_reviewed_on", "A review date")
        if problem := review_date_problem(self.started_on, self.last_reviewed_on):
            errors.setdefault("last_reviewed_on", problem)
        if errors:
            raise ValidationError(errors)

    def next_review_on(self, review_days: int) -> datetime.date:
        return (self.last_reviewed_on or self.started_on) + datetime.timedelta(days=review_days)


class Goal(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ACHIEVED = "achieved", "Achieved"
        REVISED = "revised", "Revised"
        DISCONTINUED = "discontinued", "Discontinued"

    plan = models.ForeignKey(RecoveryPlan, on_delete=models.PROTECT, related_name="goals")
    description = models.TextField("goal, in the participant's own words", **text_limit(NARRATIVE_MAX))
    objectives = models.TextField(help_text="Steps toward the goal, one per line.", **text_limit(NARRATIVE_MAX))
    target_date = models.DateField(validators=[plausible_date])
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["status", "target_date"]

    def __str__(self) -> str:
        return self.description[:80]


class GoalStatusChange(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Goal.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Goal.Status.choices)
    note = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"
