import datetime
from collections.abc import Iterable

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string

from accounts.services import user_role_set
from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import audit_record, save_with_audit

from .models import Certification, CertificationNotice, Program, StaffProfile

# A certification that expired longer ago than this is history, not news: no notice.
EXPIRED_NOTICE_WINDOW_DAYS = 30


def _set_active(instance, *, active: bool, ctx: AuditContext) -> None:
    instance.is_active = active
    instance.save(update_fields=["is_active"])
    audit_record(
        action=AuditEvent.Action.UPDATE,
        ctx=ctx,
        target=instance,
        details={"changes": {"is_active": [str(not active), str(active)]}},
    )


def program_set_active(*, program: Program, active: bool, ctx: AuditContext) -> Program:
    with transaction.atomic():
        _set_active(program, active=active, ctx=ctx)
    return program


def profile_set_active(*, profile: StaffProfile, active: bool, ctx: AuditContext) -> StaffProfile:
    """Deactivating a profile also stops its user signing in; nothing is deleted."""
    with transaction.atomic():
        _set_active(profile, active=active, ctx=ctx)
        profile.user.is_active = active
        profile.user.save(update_fields=["is_active"])
    return profile


def profile_save(*, profile: StaffProfile, role: str, programs: Iterable[Program], ctx: AuditContext) -> StaffProfile:
    """Create or change a staff profile and set its user's role, together: a profile saved
    with the old role (or a role given without its profile) never shows."""
    with transaction.atomic():
        save_with_audit(profile, ctx=ctx, m2m={"programs": list(programs)})
        user_role_set(user=profile.user, role=role, ctx=ctx)
    return profile


def threshold_for(days_left: int) -> int | None:
    """The nearest warning threshold reached; a task that missed days skips to it."""
    if days_left < 0:
        return CertificationNotice.Threshold.EXPIRED
    return next((t for t in (7, 30, 60) if days_left <= t), None)


def _send_notice(certification: Certification, threshold: int, days_left: int) -> None:
    profile = certification.profile
    recipients = [profile.user.email]
    if profile.supervisor is not None:
        recipients.append(profile.supervisor.email)
    context = {"certification": certification, "profile": profile, "threshold": threshold, "days_left": days_left}
    send_mail(
        subject=render_to_string("programs/email/certification_notice_subject.txt", context).strip(),
        message=render_to_string("programs/email/certification_notice_message.txt", context),
        from_email=None,
        recipient_list=recipients,
    )


def certification_notices_send(*, today: datetime.date) -> int:
    """Email each specialist (and their supervisor) when a certification reaches 60, 30 or 7
    days before expiry, and when it has expired. Returns how many notices were sent.

    Each (certification, threshold) is claimed by inserting a CertificationNotice under a
    unique constraint before the email goes out, so a second run, or two workers at once,
    never send the same warning twice. A renewed certification (a later-expiring one on the
    same profile) silences the old one's warnings.
    """
    superseded = Certification.objects.filter(profile=OuterRef("profile"), expires_on__gt=OuterRef("expires_on"))
    candidates = (
        Certification.objects.filter(
            profile__is_active=True,
            expires_on__gte=today - datetime.timedelta(days=EXPIRED_NOTICE_WINDOW_DAYS),
            expires_on__lte=today + datetime.timedelta(days=CertificationNotice.Threshold.DAYS_60),
        )
        .exclude(Exists(superseded))
        .select_related("profile__user", "profile__supervisor")
    )
    sent = 0
    for certification in candidates:
        days_left = (certification.expires_on - today).days
        threshold = threshold_for(days_left)
        with transaction.atomic():
            _notice, created = CertificationNotice.objects.get_or_create(
                certification=certification, threshold=threshold
            )
            if created:
                # Sent after commit: a rolled-back claim sends nothing. If the mail server
                # fails after the commit the warning still shows on the home pages.
                transaction.on_commit(lambda c=certification, t=threshold, d=days_left: _send_notice(c, t, d))
                sent += 1
    return sent
