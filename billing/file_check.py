"""pyx12 reads every exported 837P, after the export (issue 16). Pure Python, it reads some
600 lines a second: the largest payer-month (14,000 lines) took 24 s, nearly all of an export's
time. The export runs our own checks (validation.export_problems: the envelope, counts and
control numbers, required segments, lengths, the character set, totals, balancing) and
freezes the batch; a worker then runs pyx12 on the frozen file (tasks.check_batch_file, queued
when the export commits) and records what it found on the batch. The 837P is offered only once
pyx12 has passed it, so nothing it would reject reaches the payer: a download asked for before
the worker got to it runs the check first (a lost task, or a broker that was down, never leaves
a batch undownloadable)."""

import logging

from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from .models import ClaimBatch
from .validation import pyx12_problems

logger = logging.getLogger(__name__)


def check_batch_file(batch_id: int) -> bool:
    """Run pyx12 on the batch's exported 837P and record the outcome (once: a second run of
    the task finds it checked). True when pyx12 passed it."""
    text = (
        ClaimBatch.objects.filter(pk=batch_id, status=ClaimBatch.Status.EXPORTED, pyx12_checked_at__isnull=True)
        .values_list("file_837", flat=True)
        .first()
    )
    if text is not None:
        problems = [{"claim": p.claim, "message": p.message} for p in pyx12_problems(text)]
        ClaimBatch.objects.filter(pk=batch_id, pyx12_checked_at__isnull=True).update(
            pyx12_checked_at=timezone.now(), pyx12_errors=problems
        )
    return ClaimBatch.objects.filter(pk=batch_id, pyx12_checked_at__isnull=False, pyx12_errors=[]).exists()


def queue_check(batch_id: int) -> None:
    """Queue pyx12's check once the export commits. With the broker (Redis) down the export
    still succeeds: the first download runs the check (`passed`)."""
    transaction.on_commit(lambda: _send(batch_id))


def _send(batch_id: int) -> None:
    from .tasks import check_batch_file as task  # tasks imports this module

    try:
        task.delay(batch_id)
    except (BrokerError, ConnectionError, OSError):
        logger.warning("Batch %s: the queue is unreachable; pyx12 will check its 837P at its first download", batch_id)


def passed(batch: ClaimBatch) -> bool:
    """pyx12 has passed the batch's 837P, checking it now if no worker has yet."""
    if batch.pyx12_checked_at is None:
        check_batch_file(batch.pk)
        batch.refresh_from_db(fields=["pyx12_checked_at", "pyx12_errors"])
    return batch.pyx12_passed
