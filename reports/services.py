"""Requesting and generating reports.

A report is one row per (program, period), under a unique constraint. Each request gives the
row a new run token; a worker claims the run for that token with a conditional UPDATE, so a
task delivered twice (acks_late redelivers after a lost worker), two workers at once, or an
old task for a superseded run all end in one run. Files are written under new names and
swapped in by one conditional UPDATE; the old files are deleted only after that commits, so
the last good report stays downloadable while a new one is made.
"""

import calendar
import datetime
import logging
import uuid

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.replica import reading_from_replica
from audit.services import audit_record
from programs.models import Program

from . import figures as report_figures
from . import render
from .models import Report

logger = logging.getLogger(__name__)

# Errors worth a retry: the database or the network was away for a moment. Anything else
# (a bug, bad data) fails the same way every time, so it is recorded and not retried.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
STALE_REASON = "Stopped without finishing (worker lost?). Generate it again."
NEVER_STARTED_REASON = "Never started (queue lost?). Generate it again."
FILE_FIELDS = ("pdf", "xlsx", "csv")


class Superseded(Exception):
    """The run this worker was doing is no longer the report's current run."""


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.REPORT_STALE_MINUTES)


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the month containing `month`."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def previous_month(today: datetime.date) -> datetime.date:
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _is_busy(report: Report, now: datetime.datetime) -> bool:
    """Queued or running, and not so long ago that its worker (or its message) must be lost."""
    if report.status == Report.Status.RUNNING:
        return report.started_at is not None and report.started_at > now - stale_after()
    return report.status == Report.Status.QUEUED and report.queued_at > now - stale_after()


def report_request(
    *,
    program: Program,
    start: datetime.date,
    end: datetime.date,
    ctx: AuditContext,
    scheduled: bool = False,
    keep_ready: bool = False,
) -> Report:
    """Create the report for (program, start, end) or ask for it again, and queue its task after
    commit. A report already queued or running is left alone (one run at a time). The old
    figures and files stay until the new run stores its own. With `keep_ready`, a READY report
    is left alone too (the schedule: only missing, failed or stale reports are made)."""
    if end < start:
        raise ValidationError("The period must end on or after its start.")
    with transaction.atomic():
        # get_or_create retries the read when a concurrent request wins the unique constraint.
        report, created = Report.objects.get_or_create(
            program=program,
            period_start=start,
            period_end=end,
            defaults={
                "scheduled": scheduled,
                "requested_by": ctx.actor,
                "run_token": uuid.uuid4(),
                "stage": "Waiting for a worker",
            },
        )
        if not created:
            # Lock the row: two requests at once queue one run, not two.
            report = Report.objects.select_for_update().get(pk=report.pk)
            if _is_busy(report, timezone.now()):
                return report
            # Checked under the row lock: a run finishing meanwhile is not made again.
            if keep_ready and report.status == Report.Status.READY:
                return report
            report.status = Report.Status.QUEUED
            report.run_token = uuid.uuid4()
            report.progress = 0
            report.stage = "Waiting for a worker"
            report.error = ""
            report.scheduled = scheduled
            report.requested_by = ctx.actor
            report.queued_at = timezone.now()
            report.started_at = None
            report.sent_at = None
            report.save(
                update_fields=[
                    "status", "run_token", "progress", "stage", "error", "scheduled", "requested_by", "queued_at",
                    "started_at", "sent_at",
                ]
            )  # fmt: skip
        audit_record(
            action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
            ctx=ctx,
            target=report,
            details={"requested": "generate", "scheduled": scheduled},
        )
        token = str(report.run_token)
        report_id = report.pk
        transaction.on_commit(lambda: _enqueue(report_id, token))
    return report


def _enqueue(report_id: int, token: str) -> bool:
    """Send the run's task. With the broker (Redis) down, the request still succeeds: the row
    stays queued with no sent_at, and reports_resend_unsent sends it once Redis is back."""
    from .tasks import generate_report  # tasks imports this module

    try:
        generate_report.delay(report_id, token)
    except (BrokerError, ConnectionError, OSError):
        logger.warning("Report %s: the queue is unreachable; its task will be sent when it is back", report_id)
        return False
    Report.objects.filter(pk=report_id, run_token=uuid.UUID(token), sent_at__isnull=True).update(sent_at=timezone.now())
    return True


def reports_resend_unsent() -> int:
    """Send again every queued run whose task never reached the broker (Redis was down when it
    was asked for). A run sent twice is still made once: the worker claims it by its token."""
    unsent = Report.objects.filter(status=Report.Status.QUEUED, sent_at__isnull=True, started_at__isnull=True)
    return sum(_enqueue(pk, str(token)) for pk, token in unsent.values_list("pk", "run_token")[:500])


def _this_run(report_id: int, run_token):
    """The report's row, only while it is running for `run_token`."""
    return Report.objects.filter(pk=report_id, run_token=run_token, status=Report.Status.RUNNING)


def report_generate(report_id: int, run_token: str) -> bool:
    """Do the run `run_token` asked for. Returns whether this call did it: a duplicate
    delivery, a second worker, or a superseded token finds nothing to claim and returns False.
    Transient errors are re-raised (for Celery to retry); others mark the report failed."""
    run_token = uuid.UUID(str(run_token))
    # The claim: a conditional UPDATE, so of two workers with the same token one wins. A run
    # still RUNNING for this token past the hard time limit had its worker killed (the limit
    # guarantees it is gone), so acks_late's redelivery of the same message may take it over.
    killed_before = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    claimable = Q(status=Report.Status.QUEUED) | Q(status=Report.Status.RUNNING, started_at__lt=killed_before)
    claimed = Report.objects.filter(claimable, pk=report_id, run_token=run_token).update(
        status=Report.Status.RUNNING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
        progress=0,
        stage="Starting",
    )
    if not claimed:
        return False
    new_files: list[str] = []
    try:
        old_files, scheduled = _run(report_id, run_token, new_files)
    except Superseded:
        _delete_files(new_files)
        return False
    except TRANSIENT_ERRORS as error:
        _delete_files(new_files)
        # Back to queued so the retry (same token) can claim it again.
        _this_run(report_id, run_token).update(
            status=Report.Status.QUEUED, stage="Waiting to retry", error=f"Retrying after: {error_reason(error)}"
        )
        raise
    except Exception as error:
        _delete_files(new_files)
        logger.exception("Report %s failed", report_id)
        report_fail(report_id, run_token, error_reason(error))
        return True
    # The swap has committed: new_files are the report's files now. What follows runs outside
    # the error handling above, which deletes new_files: a failed email once did that to a
    # READY report, whose downloads then 404ed. The email is its own task, so a mail failure
    # can't reach this run at all; robust=True keeps an eager (in-process) send from raising.
    transaction.on_commit(lambda: _delete_files([f for f in old_files if f and f not in new_files]), robust=True)
    if scheduled:
        transaction.on_commit(lambda: _enqueue_ready_email(report_id), robust=True)
    return True


def _enqueue_ready_email(report_id: int) -> None:
    from .tasks import send_report_ready  # tasks imports this module

    send_report_ready.delay(report_id=report_id)


def _run(report_id: int, run_token: uuid.UUID, new_files: list[str]) -> tuple[list[str], bool]:
    """Make the files and swap them in. Returns the replaced files (to delete once committed)
    and whether the report is scheduled (it then emails)."""
    report = Report.objects.select_related("program").get(pk=report_id)

    def progress(percent: int, stage: str) -> None:
        # Scaled to 90: the last tenth is writing the files.
        if not _this_run(report_id, run_token).update(progress=min(90, percent * 9 // 10), stage=stage[:100]):
            raise Superseded

    start, end = report.period_start, report.period_end
    # The figures read from the replica when there is one: the heaviest reads of all, over a
    # closed period that a few seconds of lag leave unchanged. The claim, the progress and the
    # swap below are writes and go to the primary.
    with reading_from_replica():
        sections = report_figures.all_sections(report.program, start, end, progress=progress)
    progress(100, "Writing the PDF, Excel and CSV files")
    report.figures = {
        "program": {"id": report.program_id, "name": report.program.name},
        "period": {"start": start.isoformat(), "end": end.isoformat(), "label": report.period_label},
        "computed_at": timezone.now().isoformat(timespec="seconds"),
        "sections": sections,
    }
    old_files = [getattr(report, name).name for name in FILE_FIELDS]
    stem = f"report-{report.program_id}-{start:%Y%m%d}-{end:%Y%m%d}"
    contents = {
        "pdf": render.pdf_bytes(report),
        "xlsx": render.xlsx_bytes(report),
        "csv": render.csv_text(report).encode("utf-8"),
    }
    for name, content in contents.items():
        field = getattr(report, name)
        field.save(f"{stem}.{name}", ContentFile(content), save=False)  # a new name each run
        new_files.append(field.name)
    with transaction.atomic():
        stored = _this_run(report_id, run_token).update(
            figures=report.figures,
            pdf=report.pdf.name,
            xlsx=report.xlsx.name,
            csv=report.csv.name,
            generated_at=timezone.now(),
            status=Report.Status.READY,
            progress=100,
            stage="",
            error="",
        )
        if not stored:
            raise Superseded
    # The old files are deleted only once the new names are committed (by the caller, after
    # commit): a reader sees the old files or the new ones.
    return old_files, report.scheduled


def error_reason(error: BaseException) -> str:
    """The first line of an error, in words a person can pass on."""
    if isinstance(error, SoftTimeLimitExceeded):
        return "It took longer than the worker's time limit (CELERY_TASK_SOFT_TIME_LIMIT)."
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    kind = "A database error" if isinstance(error, DatabaseError) else type(error).__name__
    return f"{kind}: {text}"[:500] if text else kind


def report_fail(report_id: int, run_token, reason: str) -> int:
    """Record why the run `run_token` stopped (the worker calls this when retries run out)."""
    return (
        Report.objects.filter(pk=report_id, run_token=uuid.UUID(str(run_token)))
        .filter(status__in=[Report.Status.QUEUED, Report.Status.RUNNING])
        .update(status=Report.Status.FAILED, error=reason[:1000], stage="")
    )


def _delete_files(names: list[str]) -> None:
    storage = Report._meta.get_field("pdf").storage
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
        except OSError:
            # A file left behind costs disk space, not correctness; the row no longer names it.
            logger.warning("Could not delete old report file %s", name, exc_info=True)


def fail_stale_reports(older_than: datetime.timedelta | None = None) -> int:
    """Mark failed every run started longer ago than `older_than` (REPORT_STALE_MINUTES)
    that is still running or waiting for its retry (its worker was lost), and every run
    queued that long ago that never started (its message was lost). Returns how many."""
    cutoff = timezone.now() - (older_than if older_than is not None else stale_after())
    stale = Report.objects.filter(
        Q(status=Report.Status.RUNNING) | Q(status=Report.Status.QUEUED, started_at__isnull=False),
        started_at__lt=cutoff,
    )
    # Sent and never claimed: its task message was lost, and nothing else would ever end it. One
    # never sent (Redis down) is left for reports_resend_unsent, which sends it when Redis is back.
    never_started = Report.objects.filter(
        status=Report.Status.QUEUED, started_at__isnull=True, sent_at__lt=cutoff, queued_at__lt=cutoff
    )
    failed = stale.update(status=Report.Status.FAILED, error=STALE_REASON, stage="")
    return failed + never_started.update(status=Report.Status.FAILED, error=NEVER_STARTED_REASON, stage="")


def monthly_reports_queue(*, month: datetime.date, ctx: AuditContext, program: Program | None = None) -> list[Report]:
    """Queue the month's report of `program`, or of every active program (the schedule).
    A report already READY is kept: beat's task is acks_late, so a redelivery must not
    regenerate (and re-email) every program's report."""
    start, end = month_bounds(month)
    programs = [program] if program is not None else list(Program.objects.filter(is_active=True).order_by("pk"))
    return [report_request(program=p, start=start, end=end, ctx=ctx, scheduled=True, keep_ready=True) for p in programs]
