"""The claims made of billable notes: batches (one payer's 837P), claims, their lines, and
billing staff's decisions between duplicate notes."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Least
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from notes.models import SessionNote
from participants.models import Coverage, Participant
from programs.models import BillingProgram, Payer, StaffProfile

from .coordination import PrimaryAdjudication
from .reference import Authorization, ServiceCode


class ClaimBatch(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Built, not exported"
        EXPORTED = "exported", "Exported"
        DISCARDED = "discarded", "Discarded before export"
        # Exported, but pyx12 rejected its 837P, so the file was never offered nor sent: its
        # claims are withdrawn and their notes billed again (billing.withdrawal). Kept as it was.
        WITHDRAWN = "withdrawn", "Withdrawn: pyx12 rejected its 837P, never sent"

    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="batches")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    interchange_control_number = models.PositiveIntegerField(null=True, blank=True, unique=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file_837 = models.TextField(blank=True)
    # Stored when the batch is frozen, so lists never sum its lines or count its claims again.
    total_charge = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    claim_count = models.PositiveIntegerField(null=True, blank=True)
    # What payers still owe on its live lines (line_owed summed), kept by billing.owed.refresh in
    # every write that changes it (export, posting, write-off, void, correction, withdrawal), so
    # accounts receivable's aging reads the exported batches, not every claim ever made.
    owed = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    # The CSV is frozen with the 837P at export, so both say what was sent, whatever changes later.
    file_csv = models.TextField(blank=True)
    # The problems the last export attempt found ({"claim": CLM01 or "", "message": ...}); a
    # batch with problems is not frozen. Cleared by a successful export.
    export_errors = models.JSONField(default=list, blank=True)
    # pyx12's reading of the exported 837P against the 005010X222A1 map, done by a worker after
    # the export commits (billing.file_check): pure Python, it reads some 600 lines a second,
    # too slow to make every export wait. Our own checks still run at export. The 837P is
    # offered only once pyx12 has passed it: checked, with no problem ({"claim", "message"}).
    pyx12_checked_at = models.DateTimeField(null=True, blank=True)
    pyx12_errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "claim batches"

    def __str__(self) -> str:
        return f"Batch {self.pk} for {self.payer}"

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.EXPORTED

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def pyx12_passed(self) -> bool:
        return self.is_frozen and self.pyx12_checked_at is not None and not self.pyx12_errors

    @property
    def pyx12_failed(self) -> bool:
        return self.pyx12_checked_at is not None and bool(self.pyx12_errors)

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN

    def export_problems_by_claim(self) -> list[tuple[str, list[str]]]:
        """The last failed export's problems, the file's own first, then claim by claim."""
        return _by_claim(self.export_errors)

    def pyx12_problems_by_claim(self) -> list[tuple[str, list[str]]]:
        """What pyx12 found in the exported file, the file's own first, then claim by claim."""
        return _by_claim(self.pyx12_errors)


def _by_claim(problems: list[dict]) -> list[tuple[str, list[str]]]:
    by_claim: dict[str, list[str]] = {}
    for problem in sorted(problems, key=lambda p: p["claim"]):
        by_claim.setdefault(problem["claim"], []).append(problem["message"])
    return list(by_claim.items())


class Claim(models.Model):
    class Frequency(models.TextChoices):
        ORIGINAL = "1", "Original"
        REPLACEMENT = "7", "Replacement"
        VOID = "8", "Void"

    class Status(models.TextChoices):
        """Where the claim is in the revenue cycle. Set by export, acknowledgments (999, 277CA)
        and remittances (835); every change is a ClaimEvent, the claim's history."""

        BUILT = "built", "Built, not sent"
        SENT = "sent", "Sent"
        ACCEPTED = "accepted", "Accepted by the payer"
        REJECTED = "rejected", "Rejected by the payer"
        RESENT = "resent", "Rejected, sent again"
        PAID = "paid", "Paid"
        PARTLY_PAID = "partly_paid", "Partly paid"
        DENIED = "denied", "Denied"
        REVERSED = "reversed", "Reversed"
        # Its batch was withdrawn before the file reached the payer (billing.withdrawal).
        WITHDRAWN = "withdrawn", "Withdrawn, never sent"

    # Indexed first in claim_batch_page_idx.
    batch = models.ForeignKey(ClaimBatch, on_delete=models.PROTECT, related_name="claims", db_index=False)
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="claims")
    billing_program = models.CharField(max_length=20, choices=BillingProgram.choices)
    member_id = models.CharField(max_length=30)
    frequency = models.CharField(max_length=1, choices=Frequency.choices, default=Frequency.ORIGINAL)
    original = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    # The specialist who delivered every line of this claim (loop 2310B), when the payer requires
    # the rendering provider; otherwise None and not sent.
    rendering_provider = models.ForeignKey(
        StaffProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The prior authorization every line of this claim is billed under (REF*G1), if any.
    authorization = models.ForeignKey(
        Authorization, null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    diagnosis_codes = models.JSONField(default=list)
    # The other insurance that paid before Medicaid (the payer of last resort, 42 CFR 433.139), when
    # this claim bills Medicaid as secondary: SBR*S, with that payer's adjudication of each line in
    # loops 2320, 2330A/B and 2430 (billing/coordination.py). None for a claim to the first payer.
    other_coverage = models.ForeignKey(Coverage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The payer's own number for this claim (its internal control number), which a replacement or
    # void must quote in REF*F8: from the 835 (CLP07) or the 277CA, or typed from a paper remittance.
    payer_claim_number = models.CharField(
        "payer's claim number",
        max_length=50,
        blank=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9-]{1,50}$", "Type the number as the remittance shows it: letters, digits and dashes."
            )
        ],
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Indexed only where it is rejected (claim_rejected_idx): no page looks a claim up by any other status.
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.BUILT)
    # The payer's latest word on it (a rejection's reasons, a remittance's), for its page.
    status_detail = models.TextField(blank=True)
    # The date of the latest remittance that adjudicated it: the payer's correction limit counts
    # from it (Texas: 120 days from the Remittance and Status report, 1 TAC 354.1003).
    adjudicated_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            # A batch's page of claims (selectors.batch_claims: WHERE batch_id = %s ORDER BY id
            # LIMIT 25): without it PostgreSQL walks the primary key past every older claim.
            models.Index(fields=["batch", "id"], name="claim_batch_page_idx"),
            # The claims the payer rejected, not yet sent again (selectors.rejected_claims: the
            # acknowledgments page, in id order, and billing's home count). A few rows at any time;
            # building, sending and paying claims never touch it.
            models.Index(fields=["id"], condition=models.Q(status="rejected"), name="claim_rejected_idx"),
        ]

    def __str__(self) -> str:
        return self.claim_number

    @property
    def claim_number(self) -> str:
        """CLM01, the patient control number: unique and stable."""
        return claim_number(self.pk)


def claim_number(pk: int) -> str:
    """CLM01 of the claim with this id (Claim.claim_number), for code that reads claims as rows."""
    return f"PS{pk:08d}"


def line_owed():
    """What a claim line is still owed: charge less paid, adjusted and written off (denied money
    stays owed until it is written off). The same expression in accounts receivable's query and
    in the index serving it, so PostgreSQL can match the two."""
    return models.ExpressionWrapper(
        F("charge") - F("paid") - F("adjusted") - F("written_off"),
        output_field=models.DecimalField(max_digits=12, decimal_places=2),
    )


def line_open_denied():
    """A line's open denied money: denied and not written off, never more than is still owed."""
    return models.ExpressionWrapper(
        Least(F("denied") - F("written_off"), line_owed()),
        output_field=models.DecimalField(max_digits=12, decimal_places=2),
    )


class ClaimLine(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="lines")
    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="claim_lines")
    service_code = models.ForeignKey(ServiceCode, on_delete=models.PROTECT, related_name="+")
    hcpcs = models.CharField(max_length=5)
    modifiers = models.JSONField(default=list)
    units = models.PositiveSmallIntegerField()
    charge = models.DecimalField(max_digits=10, decimal_places=2)
    place_of_service = models.CharField(max_length=2)
    service_date = models.DateField()
    diagnosis_pointer = models.PositiveSmallIntegerField(default=1)
    # On a secondary claim, the version of the other payer's adjudication this line was billed
    # with: loops 2320, 2330B and 2430 are written from it, never from the version current at
    # export, so a void repeats the figures of the claim it voids even after a correction
    # (copied by corrections._void_copies). None on a claim to the first payer.
    primary_adjudication = models.ForeignKey(
        PrimaryAdjudication, null=True, blank=True, on_delete=models.PROTECT, related_name="claim_lines"
    )
    # A voided line no longer bills its note (the claim was voided or replaced).
    voided = models.BooleanField(default=False)
    # Set when a void was decided "do not rebill": the note is not billed again.
    do_not_rebill = models.BooleanField(default=False)
    void_reason = models.CharField(max_length=300, blank=True)
    # What the payer's remittances posted to this line, summed in the transaction that posts each
    # one (a reversal posts negative amounts), so queues and accounts receivable read them
    # directly whatever the history. `adjusted`: contractual and patient-responsibility
    # adjustments of a paid line; `denied`: every other adjustment, worked in the denial queue
    # until corrected, appealed or written off (billing/remittance/posting.py classifies).
    paid = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    allowed = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    adjusted = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    denied = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    written_off = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    # The denial's main reason ("CO-16"), the group of the denial queue; "" when nothing is denied.
    denial_reason = models.CharField(max_length=8, blank=True)
    # A copy of its claim's `adjudicated_on`, written in the transaction that moves it (posting's
    # settle_claim, the one place it changes), so the denial queue sorts its lines, the oldest
    # decision first, from its own index instead of joining every queued line to its claim.
    claim_adjudicated_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["service_date", "pk"]
        constraints = [
            # A double claim is fraud: the database itself refuses a second live line for a note.
            models.UniqueConstraint(fields=["note"], condition=Q(voided=False), name="note_billed_once")
        ]
        indexes = [
            # The denial queue (billing.denials.open_denials: its page, count, reasons and appeals
            # waiting): live lines with open denied money, a few percent of all lines, so the
            # queue reads them and not every line ever billed. In the queue's order
            # (denials.queue: reason, claim's decision date, service date, id), so a page is the
            # index's next 50 entries; it carries the amounts, so the counts and sums by reason
            # (denials.by_reason, billing's home count) are read from the index alone.
            models.Index(
                fields=["denial_reason", "claim_adjudicated_on", "service_date", "id"],
                condition=Q(voided=False) & Q(GreaterThan(line_open_denied(), 0)),
                include=["charge", "paid", "adjusted", "denied", "written_off", "voided"],
                name="claimline_open_denied_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hcpcs} × {self.units} on {self.service_date}"

    @property
    def outstanding(self) -> Decimal:
        """What the payer still owes on this line: nothing once it is voided (its correction
        bills the service now); otherwise the charge less what was paid, adjusted and written
        off. Denied money stays owed until it is corrected, won on appeal or written off."""
        if self.voided:
            return Decimal(0)
        return self.charge - self.paid - self.adjusted - self.written_off


def open_denied_lines() -> models.QuerySet["ClaimLine"]:
    """Live lines with open denied money (`open_denied`), what the denial queue works
    (billing.denials.open_denials says why the line alone decides) and BatchDenial counts."""
    return ClaimLine.objects.filter(voided=False).annotate(open_denied=line_open_denied()).filter(open_denied__gt=0)


class BatchDenial(models.Model):
    """A batch's live lines with open denied money for one reason (denials.open_denials counted
    and summed by batch and reason), kept by billing.owed.refresh in the writes that keep
    ClaimBatch.owed, so the denial queue's counts by reason add up a row per batch instead of
    reading every denied line (issue 16). No row when nothing is denied for the reason."""

    # Indexed first in batch_denial_once.
    batch = models.ForeignKey(ClaimBatch, on_delete=models.CASCADE, related_name="denials", db_index=False)
    reason = models.CharField(max_length=8, blank=True)
    lines = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "reason"], name="batch_denial_once")]

    def __str__(self) -> str:
        return f"{self.lines} lines denied {self.reason or 'without a reason'} in batch {self.batch_id}"


class DuplicateDecision(models.Model):
    """Billing staff's decision between notes that bill one participant at overlapping times
    (two specialists on a handover day, or a person listed twice): `stands` may be billed,
    `not_billed` never is. Until someone decides, billability holds both."""

    stands = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="+")
    not_billed = models.OneToOneField(SessionNote, on_delete=models.PROTECT, related_name="not_billed_decision")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(stands=models.F("not_billed")), name="duplicate_decision_two_notes")
        ]

    def __str__(self) -> str:
        return f"Note {self.stands_id} stands; note {self.not_billed_id} is not billed"
