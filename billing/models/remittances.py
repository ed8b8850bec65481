"""What the payer says back after export: remittances (835) with their claims, service lines
and adjustments, the claims' history, and billing staff's work on what was denied (appeals,
write-offs). Amounts are Decimal from the file to the database; nothing passes through floats."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from audit.inputs import plausible_date
from programs.models import Payer

from .claims import Claim, ClaimLine

MONEY = {"max_digits": 12, "decimal_places": 2}


class ClaimEvent(models.Model):
    """One step of a claim's history: exported, accepted or rejected, paid, denied, reversed,
    corrected, appealed, written off. Written with every change of `Claim.status` and every
    action on the claim, never changed."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Claim.Status.choices, blank=True)
    text = models.CharField(max_length=500)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    remittance = models.ForeignKey(
        "Remittance", null=True, blank=True, on_delete=models.PROTECT, related_name="claim_events"
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.claim}: {self.text}"


class Remittance(models.Model):
    """One 835 transaction: one payment (BPR) identified by its trace number (TRN02) and the
    payer's ID (TRN03). Imported once: a second import of the same trace posts nothing."""

    class Status(models.TextChoices):
        POSTED = "posted", "Posted"
        HELD = "held", "Held for review: does not balance"
        DISMISSED = "dismissed", "Dismissed after review"

    trace_number = models.CharField(max_length=50)
    payer_identifier = models.CharField(max_length=50, help_text="TRN03: the payer's ID (often 1 and its EIN).")
    payer = models.ForeignKey(Payer, null=True, blank=True, on_delete=models.PROTECT, related_name="remittances")
    payer_name = models.CharField(max_length=60, help_text="N1*PR: the payer as the file names it.")
    payment_amount = models.DecimalField(**MONEY, help_text="BPR02: the total actually paid.")
    payment_method = models.CharField(max_length=3, help_text="BPR04: ACH, CHK, NON...")
    paid_on = models.DateField(help_text="BPR16: the payment's effective date.")
    file_name = models.CharField(max_length=200, blank=True)
    # The file as imported. A file of several transactions (ST to SE) is kept once, on the first
    # remittance imported from it; the others leave it empty and point at that one (`file`).
    file_text = models.TextField(blank=True)
    file_with = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The remittance of the same file that keeps its text.",
    )  # fmt: skip
    status = models.CharField(max_length=20, choices=Status.choices)
    # Why a held file does not balance, one message each; [] when it balances.
    problems = models.JSONField(default=list, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.CharField(max_length=500, blank=True)
    # What this remittance posted to our claim lines (matched and resolved lines, and claim-level
    # decisions spread over a claim's lines; a reversal's amounts are negative), added in the
    # transaction that posts them (posting.post_claim), so accounts receivable's months read a
    # row per remittance instead of summing every remittance line and adjustment of a year.
    posted_paid = models.DecimalField(**MONEY, default=Decimal(0))
    posted_adjusted = models.DecimalField(**MONEY, default=Decimal(0))
    posted_denied = models.DecimalField(**MONEY, default=Decimal(0))
    # Its claims (CLPs, RemittanceClaim rows), stored when it is imported, the one time they are
    # written, so the list of remittances does not count 100,000 claims a year on every view.
    claim_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["payer_identifier", "trace_number"], name="remittance_trace_once")
        ]

    def __str__(self) -> str:
        return f"Remittance {self.trace_number} from {self.payer_name}"

    @property
    def file(self) -> str:
        """The text of the file this remittance was imported from."""
        return self.file_with.file_text if self.file_with_id else self.file_text


# CLP02, the claim status code (005010X221A1, loop 2100).
CLAIM_STATUS_CODES = {
    "1": "Processed as primary",
    "2": "Processed as secondary",
    "3": "Processed as tertiary",
    "4": "Denied",
    "19": "Processed as primary, forwarded to another payer",
    "20": "Processed as secondary, forwarded to another payer",
    "21": "Processed as tertiary, forwarded to another payer",
    "22": "Reversal of a previous payment",
    "23": "Not our claim, forwarded to another payer",
    "25": "Predetermination pricing only, no payment",
}


class RemittanceClaim(models.Model):
    """A CLP: the payer's decision on one claim, matched to ours by CLP01 (our CLM01)."""

    # Indexed first in remittanceclaim_page_idx.
    remittance = models.ForeignKey(Remittance, on_delete=models.PROTECT, related_name="claims", db_index=False)
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.PROTECT, related_name="remittances")
    position = models.PositiveIntegerField(help_text="Its order in the file, from 1.")
    patient_control_number = models.CharField(max_length=38, help_text="CLP01: our CLM01.")
    status_code = models.CharField(max_length=2, help_text="CLP02: 1 processed as primary, 4 denied, 22 reversal...")
    charge = models.DecimalField(**MONEY)
    paid = models.DecimalField(**MONEY)
    patient_responsibility = models.DecimalField(**MONEY, null=True, blank=True)
    payer_claim_number = models.CharField(max_length=50, blank=True, help_text="CLP07.")
    member_id = models.CharField(max_length=80, blank=True, help_text="NM1*QC NM109.")
    patient_name = models.CharField(max_length=120, blank=True, help_text="NM1*QC, last, first.")
    remark_codes = models.JSONField(default=list, blank=True, help_text="MOA remark codes.")

    class Meta:
        ordering = ["remittance", "position"]
        indexes = [
            # The remittance page's claims, 25 at a time in file order (views.remittances
            # .remittance_detail): read from the index, not sorted from a payer-month's 10,000.
            models.Index(fields=["remittance", "position"], name="remittanceclaim_page_idx")
        ]

    def __str__(self) -> str:
        return f"CLP {self.patient_control_number} ({self.status_code})"

    @property
    def is_reversal(self) -> bool:
        return self.status_code == "22"

    @property
    def status_text(self) -> str:
        return CLAIM_STATUS_CODES.get(self.status_code, f"Status {self.status_code}")


class RemittanceLine(models.Model):
    """An SVC: the payer's decision on one service line, matched to one of the claim's lines by
    procedure code, modifiers, date of service and line order. A line that matches nothing waits
    in the unmatched list until billing staff resolve it (choose the claim) or dismiss it."""

    class Match(models.TextChoices):
        MATCHED = "matched", "Matched"
        UNMATCHED = "unmatched", "Unmatched"
        RESOLVED = "resolved", "Matched by hand"
        DISMISSED = "dismissed", "Dismissed"

    remittance_claim = models.ForeignKey(RemittanceClaim, on_delete=models.PROTECT, related_name="lines")
    claim_line = models.ForeignKey(
        ClaimLine, null=True, blank=True, on_delete=models.PROTECT, related_name="remittance_lines"
    )
    position = models.PositiveIntegerField(help_text="Its order within the CLP, from 1.")
    hcpcs = models.CharField(max_length=48)  # SVC01: the procedure as the payer adjudicated it
    modifiers = models.JSONField(default=list, blank=True)
    # SVC06, when the payer changed the code: the procedure as we billed it, which matching uses.
    submitted_hcpcs = models.CharField(max_length=48, blank=True, help_text="SVC06, when the payer recoded.")
    submitted_modifiers = models.JSONField(default=list, blank=True)
    service_date = models.DateField(null=True, blank=True)
    charge = models.DecimalField(**MONEY)
    paid = models.DecimalField(**MONEY)
    allowed = models.DecimalField(**MONEY, null=True, blank=True, help_text="AMT*B6.")
    units = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    remark_codes = models.JSONField(default=list, blank=True, help_text="LQ*HE: remittance advice remark codes.")
    match = models.CharField(max_length=20, choices=Match.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["remittance_claim", "position"]
        indexes = [
            # The unmatched list: WHERE match = 'unmatched' ORDER BY pk.
            models.Index(fields=["match"], condition=Q(match="unmatched"), name="remittance_line_unmatched"),
        ]

    def __str__(self) -> str:
        return f"SVC {self.hcpcs} on {self.service_date}"

    @property
    def billed_code(self) -> tuple[str, list[str]]:
        """The procedure as we billed it: SVC06 when the payer sent one, else SVC01."""
        if self.submitted_hcpcs:
            return self.submitted_hcpcs, self.submitted_modifiers
        return self.hcpcs, self.modifiers


class Adjustment(models.Model):
    """A CAS adjustment: group (CO, PR, OA, PI, CR), claim adjustment reason code and amount, on
    a service line, or on the whole claim when `line` is empty."""

    class Category(models.TextChoices):
        ADJUSTED = "adjusted", "Adjusted"  # contractual or the patient's share, on a paid line
        DENIED = "denied", "Denied"  # everything else: worked in the denial queue

    remittance_claim = models.ForeignKey(RemittanceClaim, on_delete=models.PROTECT, related_name="adjustments")
    line = models.ForeignKey(
        RemittanceLine, null=True, blank=True, on_delete=models.PROTECT, related_name="adjustments"
    )
    group = models.CharField(max_length=2)
    reason = models.CharField(max_length=5)
    amount = models.DecimalField(**MONEY)
    quantity = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    category = models.CharField(max_length=10, choices=Category.choices)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.group}-{self.reason} {self.amount}"

    @property
    def code(self) -> str:
        return f"{self.group}-{self.reason}"


class ProviderAdjustment(models.Model):
    """A PLB adjustment: money the payer takes or gives at the provider level (an overpayment
    recovered, interest), not tied to a claim. BPR02 = the claims' payments less these."""

    remittance = models.ForeignKey(Remittance, on_delete=models.PROTECT, related_name="provider_adjustments")
    reason = models.CharField(max_length=2, help_text="PLB03-1, e.g. WO overpayment recovery, L6 interest.")
    reference = models.CharField(max_length=50, blank=True, help_text="PLB03-2.")
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"PLB {self.reason} {self.amount}"


class Appeal(models.Model):
    """Billing staff appealed a denied line with the payer: the note and the date sent."""

    line = models.ForeignKey(ClaimLine, on_delete=models.PROTECT, related_name="appeals")
    appealed_on = models.DateField(validators=[plausible_date])
    note = models.CharField(max_length=1000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-appealed_on", "-pk"]

    def __str__(self) -> str:
        return f"Appeal of {self.line} on {self.appealed_on}"


class WriteOff(models.Model):
    """Billing staff gave up what is still owed on a line, with the reason."""

    line = models.ForeignKey(ClaimLine, on_delete=models.PROTECT, related_name="write_offs")
    amount = models.DecimalField(**MONEY)
    reason = models.CharField(max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="write_off_positive")]

    def __str__(self) -> str:
        return f"Write-off of {self.amount} on {self.line}"
