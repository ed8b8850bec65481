"""Celery tasks: thin wrappers that pass ids and call the services."""

from celery import shared_task

from . import file_check


@shared_task(acks_late=True)
def check_batch_file(batch_id: int) -> bool:
    """pyx12's reading of an exported 837P, queued when the export commits."""
    return file_check.check_batch_file(batch_id)
