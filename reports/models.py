import calendar
import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from programs.models import Program


def month_end(day: datetime.date) -> datetime.date:
    """The last day of `day`'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def report_file_path(instance, filename: str) -> str:
    # Under MEDIA_ROOT, never under static: files are served only by the access-checked view.
    # A new name on every run, so a regenerated report never overwrites the file someone may
    # be downloading; the old one is deleted once the new one is in place.
    return f"reports/{instance.program_id}/{instance.period_start:%Y-%m-%d}_{uuid.uuid4().hex}/{filename}"


class Report(models.Model):
    """One program's report for one period (a calendar month, or any range a person asks for).
    The figures are computed once per run and stored; the page, the PDF, the XLSX and the CSV
    are all drawn from them."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    # Indexed first in one_report_per_period.
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="reports", db_index=False)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done while running.")
    stage = models.CharField(max_length=100, blank=True, help_text="What the worker is doing now.")
    error = models.TextField(blank=True, help_text="Why the last run failed, in words.")
    # Each request to (re)generate gets a new token; a worker works only for the token it was
    # given, so a stale or duplicate task can't overwrite a newer run.
    run_token = models.UUIDField(default=uuid.uuid4)
    attempts = models.PositiveSmallIntegerField(default=0)
    scheduled = models.BooleanField(default=False, help_text="Queued by the monthly schedule (emails when ready).")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    queued_at = models.DateTimeField(default=timezone.now)
    # When this run's task message reached the broker. Empty while it has not: Redis was down
    # at request time, and the resend sweep sends it once Redis is back (the row is the outbox).
    sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True, help_text="When the files below were made.")
    figures = models.JSONField(default=dict, blank=True)
    pdf = models.FileField(upload_to=report_file_path, blank=True)
    xlsx = models.FileField(upload_to=report_file_path, blank=True)
    csv = models.FileField(upload_to=report_file_path, blank=True)

    class Meta:
        ordering = ["-period_start", "program__name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "period_start", "period_end"], name="one_report_per_period"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="report_ends_after_start"),
        ]
        indexes = [
            # The worker's sweeps: services.fail_stale_reports (running or retrying, started before
            # a cutoff) and reports_resend_unsent (queued, never started).
            models.Index(fields=["status", "started_at"])
        ]

    def __str__(self) -> str:
        return f"{self.program} report, {self.period_label}"

    @property
    def is_month(self) -> bool:
        """The period is one whole calendar month."""
        start = self.period_start
        return start.day == 1 and self.period_end == month_end(start)

    @property
    def period_label(self) -> str:
        start, end = self.period_start, self.period_end
        if self.is_month:
            return f"{start:%B %Y}"
        return f"{start:%b} {start.day}, {start.year} to {end:%b} {end.day}, {end.year}"

    @property
    def has_files(self) -> bool:
        """The last good run's files, downloadable even while a new run is going."""
        return bool(self.generated_at and self.pdf and self.xlsx and self.csv)
