"""The email a scheduled report sends when it is ready. It carries no protected health
information (45 CFR 164.514, minimum necessary; email is not a secure channel): no figures,
no names of participants or staff, only the program, the period and a link that asks the
reader to sign in."""

import logging
import smtplib
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role

from .models import Report

logger = logging.getLogger(__name__)


def report_url(report: Report) -> str:
    """The report's page as an absolute link (SITE_URL: a task has no request to build it from)."""
    return urljoin(settings.SITE_URL, reverse("reports:report_detail", args=[report.pk]))


def report_recipients() -> list[str]:
    """Every active program admin: they see every program's reports."""
    admins = User.objects.filter(groups__name=Role.PROGRAM_ADMIN, is_active=True).order_by("email")
    return list(admins.values_list("email", flat=True).distinct())


def report_ready_send(report: Report, *, link: str) -> int:
    """Email each program admin that `report` is ready. Returns how many emails went out."""
    recipients = report_recipients()
    if not recipients:
        return 0
    context = {"program": report.program.name, "period": report.period_label, "link": link}
    subject = render_to_string("reports/email/report_ready_subject.txt", context).strip()
    message = render_to_string("reports/email/report_ready_message.txt", context)
    sent = 0
    for address in recipients:  # one each: admins need not see each other's addresses
        try:
            sent += send_mail(subject=subject, message=message, from_email=None, recipient_list=[address])
        except (smtplib.SMTPException, OSError):
            # The report is ready and listed on the reports page either way.
            logger.exception("Could not email that report %s is ready", report.pk)
    return sent


def report_ready_notify(report_id: int) -> int:
    """Called after the run that made a scheduled report ready has committed."""
    report = Report.objects.select_related("program").get(pk=report_id)
    return report_ready_send(report, link=report_url(report))
