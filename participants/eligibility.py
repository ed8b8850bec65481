"""What a payer last said about a coverage in an eligibility response (271).

Plain data: billing, to the right of this app, sends the inquiries (270), reads the responses
and writes these fields; this app only shows them, and says what they mean for a day.
"""

import datetime

from django.db import models
from django.utils import timezone


class Eligibility(models.TextChoices):
    UNKNOWN = "unknown", "Not checked"
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    # The payer answered without saying active or inactive: it rejected the inquiry (AAA, e.g.
    # 72 invalid member ID, 75 subscriber not found) or could not process it. That is not the
    # same as inactive, so it holds nothing; the detail says what the payer said.
    NOT_VERIFIED = "not_verified", "Could not be checked"


class EligibilityReport(models.Model):
    Eligibility = Eligibility

    eligibility_status = models.CharField(max_length=20, choices=Eligibility.choices, default=Eligibility.UNKNOWN)
    eligibility_checked_on = models.DateField(
        null=True, blank=True, help_text="The day the payer's answer speaks for (the inquiry's date)."
    )
    eligibility_detail = models.CharField(
        max_length=300, blank=True, help_text="What the payer said, e.g. EB01 6: inactive."
    )
    eligibility_source = models.CharField(
        max_length=100, blank=True, help_text="Which response said it, e.g. 271 000004567 from TXMEDICAID."
    )

    class Meta:
        abstract = True

    @property
    def reported_inactive(self) -> bool:
        return self.eligibility_status == Eligibility.INACTIVE and self.eligibility_checked_on is not None

    def reported_inactive_on(self, day: datetime.date) -> bool:
        """The payer's last word is "inactive" and `day` is on or after the day it spoke for.
        Earlier days are not touched: the payer answered for that day, not for the past."""
        return self.reported_inactive and day >= self.eligibility_checked_on

    @property
    def eligibility_warning(self) -> str:
        """What the participant's page and the specialist's caseload say, so that it is seen
        before more notes are written."""
        if not self.reported_inactive:
            return ""
        day = self.eligibility_checked_on
        return (
            f"{self.get_kind_display()} reported inactive on {day:%b} {day.day}, {day.year}: "
            "check coverage before the next session"
        )

    @property
    def inactive_flag(self) -> str:
        """The warning, while it matters: the coverage still runs today or later. Once it has
        been ended (the usual way to update it) the report is history, shown plainly."""
        still_runs = self.end_date is None or self.end_date >= timezone.localdate()
        return self.eligibility_warning if still_runs else ""
