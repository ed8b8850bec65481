"""Eligibility: the inquiries we send (270, 005010X279A1), one per payer, each naming the
coverages asked about, and the responses the payers send back (271), with what each said
about each subscriber. What a response says is also written on the coverage itself
(participants.Coverage.eligibility_*), where the participant's page and billability read it."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from participants.models import Coverage
from programs.models import Payer


class EligibilityInquiry(models.Model):
    """One 270 file to one payer. Frozen when written: the file is what was downloaded."""

    class Scope(models.TextChoices):
        CHOSEN = "chosen", "Chosen participants"
        COMING_WEEK = "coming_week", "Contacts due in the coming week"

    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="eligibility_inquiries")
    scope = models.CharField(max_length=20, choices=Scope.choices)
    inquired_on = models.DateField(help_text="DTP*291: the day every subscriber is asked about.")
    interchange_control_number = models.PositiveIntegerField(unique=True)
    file_text = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "eligibility inquiries"

    def __str__(self) -> str:
        return f"270 {self.interchange_control_number:09d} to {self.payer}"

    @property
    def file_name(self) -> str:
        return f"eligibility-{self.interchange_control_number:09d}.270"


class EligibilityInquiryLine(models.Model):
    """One subscriber of a 270 (loop 2000C), traced by TRN*1, which the payer echoes in TRN*2."""

    inquiry = models.ForeignKey(EligibilityInquiry, on_delete=models.PROTECT, related_name="lines")
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="eligibility_lines")
    position = models.PositiveIntegerField()
    trace = models.CharField(max_length=50, unique=True, help_text="TRN02 of our TRN*1.")
    member_id = models.CharField(max_length=30, help_text="NM109 as sent (the coverage's member ID then).")

    class Meta:
        ordering = ["inquiry", "position"]

    def __str__(self) -> str:
        return f"Inquiry line {self.trace}"


class EligibilityResponse(models.Model):
    """One 271 file as imported. An interchange is imported once: its sender (ISA06) and
    control number (ISA13) are unique, so the same file twice records nothing new."""

    sender_id = models.CharField(max_length=15, help_text="ISA06.")
    interchange_control_number = models.CharField(max_length=9, help_text="ISA13.")
    payer = models.ForeignKey(
        Payer, null=True, blank=True, on_delete=models.PROTECT, related_name="eligibility_responses"
    )
    responded_on = models.DateField(help_text="BHT04: the day the payer wrote the response.")
    detail = models.CharField(
        max_length=500, blank=True, help_text="What the payer said about the whole inquiry (AAA in loops 2000A-2100B)."
    )
    file_name = models.CharField(max_length=200, blank=True)
    file_text = models.TextField()
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sender_id", "interchange_control_number"], name="eligibility_response_once"
            )
        ]

    def __str__(self) -> str:
        return f"271 {self.interchange_control_number} from {self.sender_id}"


class EligibilityResult(models.Model):
    """What a 271 said about one subscriber (loop 2000C), matched to our inquiry line by the
    trace it echoes, or else to a coverage by member ID and payer."""

    class Match(models.TextChoices):
        TRACE = "trace", "By our trace number (TRN)"
        MEMBER_ID = "member_id", "By member ID and payer"
        UNMATCHED = "unmatched", "Not matched"

    response = models.ForeignKey(EligibilityResponse, on_delete=models.PROTECT, related_name="results")
    position = models.PositiveIntegerField(help_text="Its order in the file, from 1.")
    line = models.ForeignKey(
        EligibilityInquiryLine, null=True, blank=True, on_delete=models.PROTECT, related_name="results"
    )
    coverage = models.ForeignKey(
        Coverage, null=True, blank=True, on_delete=models.PROTECT, related_name="eligibility_results"
    )
    match = models.CharField(max_length=20, choices=Match.choices)
    trace = models.CharField(max_length=50, blank=True, help_text="TRN02 of the TRN*2 echoed, if any.")
    member_id = models.CharField(max_length=80, blank=True, help_text="NM1*IL NM109.")
    status = models.CharField(max_length=20, choices=Coverage.Eligibility.choices)
    detail = models.CharField(max_length=300)
    checked_on = models.DateField(help_text="The day the answer speaks for.")
    # False when the coverage kept what it had: a newer answer was already there, or the payer
    # could not check a coverage it had reported inactive (the inactive report stands).
    applied = models.BooleanField(default=False)

    class Meta:
        ordering = ["response", "position"]

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.detail}"
