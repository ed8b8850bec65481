"""Billing's reference data: who the agency is on a claim, what each billing program's codes
bill and under which rules (with their rates and the caps they share), authorizations and
grants. Program admins keep it in the Django admin."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from audit.inputs import plausible_date
from notes.models import Service
from participants.models import Participant
from programs.models import Agency, BillingProgram, Certification, InForce, Program
from programs.validators import X12_ID, validate_npi

ZIP9 = RegexValidator(r"^\d{5}-?\d{4}$", "The billing provider's ZIP code needs all 9 digits, e.g. 78741-1234.")
TAX_ID = RegexValidator(r"^\d{2}-?\d{7}$", "A federal tax ID (EIN) is 9 digits, e.g. 74-1234567.")


class BillingIdentity(models.Model):
    """Who the agency is on a claim: the billing provider and the EDI sender (submitter)."""

    agency = models.OneToOneField(Agency, on_delete=models.PROTECT, related_name="billing_identity")
    legal_name = models.CharField(max_length=60)
    npi = models.CharField("NPI", max_length=10, validators=[validate_npi])
    tax_id = models.CharField("tax ID (EIN)", max_length=10, validators=[TAX_ID])
    taxonomy_code = models.CharField(
        max_length=10, default="251S00000X", help_text="251S00000X: community/behavioral health agency."
    )
    address_line1 = models.CharField("address", max_length=55)
    city = models.CharField(max_length=30)
    state = models.CharField(max_length=2)
    zip_code = models.CharField("ZIP+4", max_length=10, validators=[ZIP9])
    contact_name = models.CharField(max_length=60)
    contact_phone = models.CharField(
        max_length=10, validators=[RegexValidator(r"^\d{10}$", "10 digits, no punctuation.")]
    )
    # The receiver and the usage indicator are each payer's (programs.Payer), not the agency's.
    submitter_id = models.CharField(max_length=15, validators=[X12_ID])

    class Meta:
        verbose_name_plural = "billing identities"

    def __str__(self) -> str:
        return self.legal_name

    @property
    def zip_digits(self) -> str:
        return re.sub(r"\D", "", self.zip_code)


class ServiceCode(models.Model):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", "Individual"
        GROUP = "group", "Group"

    class Rounding(models.TextChoices):
        WHOLE_UNITS = "whole_units", "Whole units only"
        PARTIAL_FROM_N = "partial_from_n", "A final partial unit counts from N minutes"

    billing_program = models.CharField(max_length=20, choices=BillingProgram.choices)
    # The service a note records (notes.models.Service): billability bills a note with the
    # active code of its coverage's billing program, its service and its kind. Caps and
    # authorizations belong to the service, not to one code: H0038 individual and H0038 group
    # of one billing program draw on the same daily cap, rolling cap and authorization,
    # whatever their modifiers (billing/caps.py).
    service = models.SlugField(
        max_length=40,
        choices=Service.choices,
        help_text="The service a note records. Codes of one billing program with the same service share its caps "
        "and authorizations, e.g. peer support for H0038 individual and group.",
    )
    description = models.CharField(max_length=100)
    hcpcs = models.CharField(
        "HCPCS",
        max_length=5,
        validators=[RegexValidator(r"^[A-Z]\d{4}$", "A HCPCS code is a letter and 4 digits, e.g. H0038.")],
    )
    modifiers = models.CharField(
        max_length=11,
        blank=True,
        validators=[
            RegexValidator(
                r"^([A-Z0-9]{2}(,[A-Z0-9]{2}){0,3})?$",
                "Up to 4 two-character modifiers, separated by commas, e.g. HE,HQ.",
            )
        ],
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    unit_minutes = models.PositiveSmallIntegerField(
        default=15, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    rounding = models.CharField(max_length=20, choices=Rounding.choices, default=Rounding.WHOLE_UNITS)
    partial_unit_minimum = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(1), MaxValueValidator(59)], help_text="N, for the partial-unit rule."
    )
    daily_unit_cap = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Shared by the service's codes; the smallest of them applies."
    )
    rolling_cap_units = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Shared by the service's codes; the smallest of them applies."
    )
    rolling_cap_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="E.g. 183 for a rolling 6 months. Every window of this length holds the cap."
    )
    minimum_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The youngest age served, in years."
    )
    maximum_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The oldest age served, in years: 18 means under 19 on the date of service."
    )
    max_group_size = models.PositiveSmallIntegerField(default=12)
    requires_authorization = models.BooleanField(default=False)
    requires_certified_peer = models.BooleanField(default=True)
    certification_types = models.JSONField(
        default=list,
        blank=True,
        help_text="The certifications that may deliver this code; empty: any peer certification.",
    )
    source = models.TextField(
        blank=True,
        help_text="Where these rules come from. Values marked demo have no source and must be corrected.",
    )
    # A cap across services (Texas: all rehabilitative services together, 8 hours a day), on
    # top of the service's own caps. Not a service: each service keeps its own caps and
    # authorizations, and a service left out (crisis intervention) is exempt.
    combined_daily_cap = models.ForeignKey(
        "CombinedDailyCap",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="codes",
        help_text="A daily cap this code shares with other services' codes of its billing program.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["billing_program", "hcpcs", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["billing_program", "service", "kind"],
                condition=Q(is_active=True),
                name="one_active_code_per_program_service_and_kind",
            )
        ]

    def __str__(self) -> str:
        mods = f" {self.modifiers}" if self.modifiers else ""
        return f"{self.hcpcs}{mods} ({self.get_billing_program_display()}, {self.get_kind_display().lower()})"

    def clean(self):
        types = self.certification_types
        if not isinstance(types, list) or set(types) - set(Certification.Type.values):
            raise ValidationError({"certification_types": "Choose certification types from the list."})
        if self.minimum_age is not None and self.maximum_age is not None and self.maximum_age < self.minimum_age:
            raise ValidationError({"maximum_age": "The oldest age served can't be below the youngest."})
        if (self.rolling_cap_units is None) != (self.rolling_cap_days is None):
            raise ValidationError({"rolling_cap_days": "Give both the rolling cap's units and its days, or neither."})
        if self.rounding == self.Rounding.PARTIAL_FROM_N and self.partial_unit_minimum >= self.unit_minutes:
            raise ValidationError({"partial_unit_minimum": "N must be less than the minutes per unit."})
        cap = self.combined_daily_cap
        if cap is not None and cap.billing_program != self.billing_program:
            raise ValidationError({"combined_daily_cap": "Choose a cap of this code's billing program."})

    @property
    def ages(self) -> str:
        """The ages served, in words: "21 and over", "3 through 18"."""
        if self.maximum_age is None:
            return f"{self.minimum_age} and over"
        return f"{self.minimum_age or 0} through {self.maximum_age}"

    @property
    def modifier_list(self) -> list[str]:
        return [m for m in self.modifiers.split(",") if m]

    def units_for(self, minutes: int) -> int:
        return units_for(minutes, self.unit_minutes, self.rounding, self.partial_unit_minimum)


class CombinedDailyCap(models.Model):
    """A daily cap that several services of one billing program share, counted in minutes
    because their codes' units may differ: Texas caps all rehabilitative services together at
    8 hours a day, crisis services excepted (billing-rules.md). Each service's own caps (H2014:
    16 units a day) apply as well; the stricter one wins."""

    billing_program = models.CharField(max_length=20, choices=BillingProgram.choices)
    name = models.CharField(max_length=100, help_text="E.g. Texas rehabilitative services.")
    daily_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)], help_text="480 for 8 hours a day."
    )
    source = models.TextField(blank=True, help_text="Where this cap comes from.")

    class Meta:
        ordering = ["billing_program", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hours} a day)"

    @property
    def hours(self) -> str:
        hours, minutes = divmod(self.daily_minutes, 60)
        text = f"{hours} hour{'s' * (hours != 1)}" if hours else ""
        return " ".join(filter(None, [text, f"{minutes} minutes" if minutes else ""]))


def units_for(minutes: int, unit_minutes: int, rounding: str, partial_minimum: int) -> int:
    """Billable units for a session's minutes. 'Whole units only' counts complete units
    (the Texas rehabilitation rule: 15 continuous minutes per unit); 'partial from N' also
    counts a final partial unit of at least N minutes (N=8 is the Medicare 8-minute rule)."""
    whole, rest = divmod(max(minutes, 0), unit_minutes)
    if rounding == ServiceCode.Rounding.PARTIAL_FROM_N and rest >= partial_minimum:
        whole += 1
    return whole


class Rate(InForce):
    in_force_from = "effective_from"
    in_force_until = "effective_to"

    service_code = models.ForeignKey(ServiceCode, on_delete=models.PROTECT, related_name="rates")
    rate_per_unit = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    effective_from = models.DateField(validators=[plausible_date])
    effective_to = models.DateField(null=True, blank=True, validators=[plausible_date])

    class Meta:
        ordering = ["service_code", "-effective_from"]

    def __str__(self) -> str:
        return f"${self.rate_per_unit} per unit from {self.effective_from}"

    def clean(self):
        if errors := self.range_errors():
            raise ValidationError(errors)
        if self.service_code_id and self.effective_from:
            others = Rate.objects.filter(service_code_id=self.service_code_id).exclude(pk=self.pk)
            if others.overlapping(self.effective_from, self.effective_to).exists():
                raise ValidationError(
                    {"effective_from": "These dates overlap another rate of this code. End the earlier rate first."}
                )


class Authorization(InForce):
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="authorizations")
    service_code = models.ForeignKey(
        ServiceCode,
        on_delete=models.PROTECT,
        related_name="authorizations",
        help_text="Its units cover every code of this code's service, individual and group alike.",
    )
    number = models.CharField(max_length=30)
    units_authorized = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    start_date = models.DateField(validators=[plausible_date])
    end_date = models.DateField(validators=[plausible_date])

    class Meta:
        ordering = ["-start_date"]
        indexes = [
            # The authorizations page, newest first (selectors.authorizations): read in this
            # order, its page of 50 joins 50 participants for their names (sorted within a day),
            # not every participant of the agency to sort every authorization ever granted.
            models.Index(fields=["-start_date"], name="authorization_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"Authorization {self.number}"

    def clean(self):
        if errors := self.range_errors():
            raise ValidationError(errors)


class FundingSource(InForce):
    class Kind(models.TextChoices):
        BLOCK_GRANT = "block_grant", "Block grant"
        SAMHSA = "samhsa", "SAMHSA discretionary grant"
        STATE = "state", "State appropriation"
        FOUNDATION = "foundation", "Foundation"
        OTHER = "other", "Other"

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="funding_sources")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    start_date = models.DateField(validators=[plausible_date])
    end_date = models.DateField(null=True, blank=True, validators=[plausible_date])

    class Meta:
        ordering = ["program", "-start_date"]

    def __str__(self) -> str:
        return self.name


class ReferenceVersion(models.Model):
    """One row: the version of the reference data an assessment reads (service codes, their
    rates and combined caps, funding sources, programs), moved by PostgreSQL triggers on every
    statement that writes those tables (billing/reference_kept.py)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField()

    def __str__(self) -> str:
        return f"Reference data, version {self.version}"
