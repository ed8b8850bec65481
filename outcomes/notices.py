"""The email a same-day safety flag sends. It carries no PHI (45 CFR 164.514 minimum
necessary; email is not a secure channel): no name, no answer, no score. Only that a follow-up
is needed today and a link that asks the reader to sign in and opens the flag."""

import logging
import smtplib
from urllib.parse import urljoin

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from participants.models import CaseloadAssignment

from .models import Assessment, SafetyFlag

logger = logging.getLogger(__name__)


def flag_recipients(participant_id: int) -> list[str]:
    """The supervisor of the participant's current specialist; without one, the program
    admins, so a flag never goes unread."""
    assignment = (
        CaseloadAssignment.objects.current()
        .filter(participant_id=participant_id)
        .select_related("specialist__staff_profile__supervisor")
        .order_by("-started_on")
        .first()
    )
    profile = getattr(assignment.specialist, "staff_profile", None) if assignment else None
    supervisor = profile.supervisor if profile else None
    if supervisor is not None and supervisor.is_active:
        return [supervisor.email]
    admins = User.objects.filter(groups__name=Role.PROGRAM_ADMIN, is_active=True).order_by("email")
    return list(admins.values_list("email", flat=True).distinct())


def _send(flag_id: int, base_url: str) -> None:
    flag = SafetyFlag.objects.get(pk=flag_id)
    link = urljoin(base_url, reverse("outcomes:flag_follow_up", args=[flag.pk]))
    context = {"link": link, "raised_at": flag.raised_at}
    recipients = flag_recipients(flag.participant_id)
    if not recipients:
        return
    try:
        send_mail(
            subject=render_to_string("outcomes/email/safety_flag_subject.txt", context).strip(),
            message=render_to_string("outcomes/email/safety_flag_message.txt", context),
            from_email=None,
            recipient_list=recipients,
        )
    except (smtplib.SMTPException, OSError):
        # The assessment is saved and the flag stays open on the supervisor's home page until
        # someone records the follow-up; a mail server being down must not hide that behind
        # an error page.
        logger.exception("Could not email safety flag %s", flag_id)


def safety_flags_notify(assessment: Assessment, base_url: str, *, already_sent=frozenset()) -> int:
    """Email about each open flag of `assessment` (but those `already_sent`) once the
    transaction that raised it has committed: a rolled-back assessment sends nothing.
    Returns how many were queued."""
    open_flags = assessment.safety_flags.filter(followed_up_at__isnull=True).exclude(pk__in=already_sent)
    flags = list(open_flags.values_list("pk", flat=True))
    for flag_id in flags:
        transaction.on_commit(lambda flag_id=flag_id: _send(flag_id, base_url))
    return len(flags)
