"""What the payer (or its clearinghouse) says when it receives a batch, before any payment:
the 999 (was the file's syntax acceptable?) and the 277CA (was each claim accepted into
adjudication?). Each file is kept as it came, once."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .claims import ClaimBatch


class Acknowledgment(models.Model):
    """One acknowledgment file for one of our exported batches. The interchange (ISA06 sender,
    ISA13 control number) is unique: importing the same file again records nothing."""

    class Kind(models.TextChoices):
        IMPLEMENTATION = "999", "999 implementation acknowledgment"
        CLAIM = "277CA", "277CA claim acknowledgment"

    batch = models.ForeignKey(ClaimBatch, on_delete=models.PROTECT, related_name="acknowledgments")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    sender_id = models.CharField(max_length=15, help_text="ISA06: who sent the file (the payer or its clearinghouse).")
    control_number = models.CharField(max_length=9, help_text="ISA13: the sender's number for this file.")
    file_name = models.CharField(max_length=200, blank=True)
    file_text = models.TextField()
    # What the file said, in a clerk's words ("Rejected: 1 error in claim PS00000002").
    summary = models.CharField(max_length=300)
    accepted_count = models.PositiveIntegerField(default=0, help_text="Claims the file accepted.")
    rejected_count = models.PositiveIntegerField(default=0, help_text="Claims the file rejected.")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["sender_id", "control_number"], name="acknowledgment_interchange_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.control_number} from {self.sender_id} for batch {self.batch_id}"
