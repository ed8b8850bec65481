"""Placeholder for helper G's services (replaced at merge): the one signature the pages call."""

import uuid

from django.utils import timezone

from .models import Report


def report_request(*, program, start, end, ctx, scheduled=False) -> Report:
    report, _ = Report.objects.get_or_create(program=program, period_start=start, period_end=end)
    report.status = Report.Status.QUEUED
    report.progress, report.stage, report.error = 0, "", ""
    report.run_token = uuid.uuid4()
    report.queued_at = timezone.now()
    report.scheduled = scheduled
    report.requested_by = ctx.actor
    report.save()
    return report
