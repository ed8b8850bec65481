"""Celery tasks: thin wrappers that pass ids and call the services."""

from celery import Task, shared_task
from celery.signals import worker_init
from django.utils import timezone

from audit.context import AuditContext

from . import notices, render, services


@worker_init.connect
def load_pdf_engine(**kwargs) -> None:
    """In the worker's main process, before it forks its pool: every child starts with
    WeasyPrint loaded, and no report waits for the import."""
    render.load_pdf_engine()


class ReportTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Called once retries are used up (or for an error we do not retry): the report says
        # why instead of waiting for the stale sweep.
        # Bound as the task binds them, so a message sent with kwargs is handled too.
        call = {**dict(zip(("report_id", "run_token"), args, strict=False)), **kwargs}
        report_id, run_token = call["report_id"], call["run_token"]
        services.report_fail(report_id, run_token, f"Gave up after retries. {services.error_reason(exc)}")


@shared_task(
    base=ReportTask,
    acks_late=True,
    autoretry_for=services.TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=3,
)
def generate_report(report_id: int, run_token: str) -> bool:
    return services.report_generate(report_id, run_token)


@shared_task(acks_late=True)
def send_report_ready(report_id: int) -> int:
    """Its own task, queued after the run commits: a mail failure can't touch the report."""
    return notices.report_ready_notify(report_id)


@shared_task(acks_late=True)
def queue_monthly_reports() -> int:
    """Beat, 02:00 on the 1st: every active program's report for the month just ended."""
    month = services.previous_month(timezone.localdate())
    ctx = AuditContext(actor=None, user_agent="celery beat: queue_monthly_reports")
    return len(services.monthly_reports_queue(month=month, ctx=ctx))


@shared_task(acks_late=True)
def fail_stale_reports() -> int:
    return services.fail_stale_reports()


@shared_task(acks_late=True)
def resend_unsent_reports() -> int:
    """Beat, every minute: the runs asked for while Redis was down are sent once it is back."""
    return services.reports_resend_unsent()
