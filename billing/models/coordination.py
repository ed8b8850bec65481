"""Coordination of benefits: what another payer decided on a note before Medicaid is billed.

Medicaid is the payer of last resort (42 U.S.C. 1396a(a)(25); 42 CFR 433.139): while other
insurance covers the day of a service, that payer is billed first, and Medicaid is billed as
secondary with the other payer's adjudication on the claim (837P loops 2320, 2330A/B and 2430).
A recorded adjudication is never overwritten: a correction is a new version that names the one
it replaces and why, so what a claim was built from can always be read back.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from audit.inputs import plausible_date
from notes.models import SessionNote
from participants.models import Coverage

# One CAS segment carries one group's adjustments, at most six of them (CAS02-CAS19), and a loop
# repeats CAS at most five times, once per group (005010X222A1, loops 2320 and 2430).
MAX_ADJUSTMENTS_PER_GROUP = 6


def _day(day: datetime.date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


class FilingIndicator(models.TextChoices):
    """The other payer's claim filing indicator, SBR09 of loop 2320 (005010X222A1 code list,
    less MC Medicaid, which is never the other insurance, and 17 dental)."""

    COMMERCIAL = "CI", "CI: commercial insurance"
    PPO = "12", "12: preferred provider organization (PPO)"
    POS = "13", "13: point of service (POS)"
    EPO = "14", "14: exclusive provider organization (EPO)"
    INDEMNITY = "15", "15: indemnity insurance"
    HMO = "HM", "HM: health maintenance organization (HMO)"
    HMO_MEDICARE_RISK = "16", "16: HMO Medicare risk (Medicare Advantage)"
    BLUE_CROSS = "BL", "BL: Blue Cross / Blue Shield"
    MEDICARE_A = "MA", "MA: Medicare Part A"
    MEDICARE_B = "MB", "MB: Medicare Part B"
    TRICARE = "CH", "CH: TRICARE (CHAMPUS)"
    VETERANS = "VA", "VA: Veterans Affairs plan"
    FEDERAL_EMPLOYEES = "FI", "FI: Federal Employees Program"
    OTHER_FEDERAL = "OF", "OF: other federal program"
    OTHER_NON_FEDERAL = "11", "11: other non-federal program"
    TITLE_V = "TV", "TV: Title V"
    WORKERS_COMPENSATION = "WC", "WC: workers' compensation"
    AUTOMOBILE = "AM", "AM: automobile medical"
    LIABILITY = "LM", "LM: liability medical"
    DISABILITY = "DS", "DS: disability"
    MUTUALLY_DEFINED = "ZZ", "ZZ: mutually defined (unknown)"


class AdjustmentGroup(models.TextChoices):
    """CAS01, the claim adjustment group code."""

    CO = "CO", "CO: contractual obligation"
    PR = "PR", "PR: patient responsibility"
    OA = "OA", "OA: other adjustment"
    PI = "PI", "PI: payer-initiated reduction"
    CR = "CR", "CR: correction or reversal"


def balance_error(billed: Decimal, paid: Decimal, adjustments_total: Decimal) -> str:
    """The other payer's remittance balances when what it was billed, less its adjustments,
    is what it paid (the same rule as an 835's service line); "" when it does."""
    left = billed - adjustments_total
    if left == paid:
        return ""
    return (
        f"These amounts do not balance: billed ${billed:.2f} less adjustments of ${adjustments_total:.2f} leaves "
        f"${left:.2f}, but it paid ${paid:.2f}. Check the amounts and each adjustment against its remittance."
    )


class PrimaryAdjudication(models.Model):
    """What the other payer (the participant's other insurance, which pays before Medicaid)
    decided on one note: what it was billed and paid, and its adjustments."""

    class Source(models.TextChoices):
        TYPED = "typed", "Typed from its remittance"
        ERA = "835", "Imported from its 835"

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="primary_adjudications")
    coverage = models.ForeignKey(
        Coverage, on_delete=models.PROTECT, related_name="+", help_text="The other insurance that paid first."
    )
    claim_number = models.CharField(
        "its claim number",
        max_length=50,
        blank=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9-]{1,50}$", "Type the number as its remittance shows it: letters, digits and dashes."
            )
        ],
        help_text="The other payer's claim control number, if its remittance shows one (loop 2330B REF*F8).",
    )
    adjudicated_on = models.DateField("date it paid or denied", validators=[plausible_date])
    billed = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    paid = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal(0))])
    filing_indicator = models.CharField("kind of plan (claim filing indicator)", max_length=2, choices=FilingIndicator)
    source = models.CharField(max_length=5, choices=Source.choices, default=Source.TYPED)
    # Versions: a correction marks this one not current and names it in `corrects`.
    is_current = models.BooleanField(default=True)
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    correction_reason = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            # One adjudication in force per note: a second is a correction of the first.
            models.UniqueConstraint(fields=["note"], condition=Q(is_current=True), name="primary_adjudication_once"),
            models.CheckConstraint(condition=Q(paid__gte=0) & Q(billed__gt=0), name="primary_adjudication_amounts"),
        ]

    def __str__(self) -> str:
        return f"Primary adjudication of note {self.note_id}"

    @property
    def paid_in_full(self) -> bool:
        """Nothing left of what it was billed: Medicaid is billed all the same, with the payment
        shown, and is expected to pay nothing (see coordination.py)."""
        return self.paid >= self.billed

    def clean(self):
        errors = {}
        note = self.note if self.note_id else None
        coverage = self.coverage if self.coverage_id else None
        if coverage is not None and note is not None:
            if coverage.participant_id != note.participant_id:
                errors["coverage"] = f"That coverage is not {note.participant}'s."
            elif coverage.kind != Coverage.Kind.OTHER_INSURANCE:
                errors["coverage"] = (
                    f"{coverage.payer} is {coverage.get_kind_display()}, not other insurance: choose the payer that "
                    "paid before Medicaid."
                )
            elif not coverage.in_force_on(note.date):
                span = (
                    f"it starts on {_day(coverage.start_date)}"
                    if note.date < coverage.start_date
                    else f"it ended on {_day(coverage.end_date)}"
                )
                errors["coverage"] = (
                    f"{coverage.payer}'s coverage (ID {coverage.member_id}) did not cover the service on "
                    f"{_day(note.date)}: {span}. "
                    "Choose the coverage in force that day, or correct its dates on the participant's page."
                )
        if self.adjudicated_on and note is not None:
            if self.adjudicated_on < note.date:
                errors["adjudicated_on"] = (
                    f"The date it paid or denied can't be before the service on {_day(note.date)}."
                )
            elif self.adjudicated_on > timezone.localdate():
                errors["adjudicated_on"] = "The date it paid or denied can't be in the future."
        if errors:
            raise ValidationError(errors)


class PrimaryAdjustment(models.Model):
    """One of the other payer's adjustments of the note's line (a CAS group, reason and amount),
    e.g. PR-1 deductible, PR-2 coinsurance, CO-45 charge over its fee schedule."""

    adjudication = models.ForeignKey(PrimaryAdjudication, on_delete=models.PROTECT, related_name="adjustments")
    position = models.PositiveSmallIntegerField()
    group = models.CharField(max_length=2, choices=AdjustmentGroup)
    reason = models.CharField(
        "reason code (CARC)",
        max_length=5,
        validators=[RegexValidator(r"^[A-Z0-9]{1,5}$", "A reason code is 1 to 5 letters or digits, e.g. 1, 45, B7.")],
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["adjudication", "position"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="primary_adjustment_not_zero")]

    def __str__(self) -> str:
        return f"{self.group}-{self.reason} {self.amount}"

    @property
    def code(self) -> str:
        return f"{self.group}-{self.reason}"
