from celery import shared_task
from django.utils import timezone

from .services import certification_notices_send


@shared_task
def send_certification_expiry_notices() -> int:
    return certification_notices_send(today=timezone.localdate())
