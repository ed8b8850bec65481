import datetime
from collections.abc import Iterable

from django.core.files import File
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string

from accounts.models import Invitation, User
from accounts.services import invitation_create, invitee_user, user_role_set
from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import audit_record, save_with_audit

from .models import Certification, CertificationNotice, Program, StaffProfile
from .scans import ArchivedScan, ScanType

# A certification that expired longer ago than this is history, not news: no notice.
EXPIRED_NOTICE_WINDOW_DAYS = 30


def _set_active(instance, *, active: bool, ctx: AuditContext) -> None:
    instance.is_active = active
    instance.save(update_fields=["is_active"])
    audit_record(
        action=AuditEvent.Action.UPDATE,
        ctx=ctx,
        target=instance,
        details={"fields": ["is_active"]},
    )


def program_set_active(*, program: Program, active: bool, ctx: AuditContext) -> Program:
    with transaction.atomic():
        _set_active(program, active=active, ctx=ctx)
    return program


class ProfileError(Exception):
    """Raised with a message a person can act on."""


def profile_set_active(*, profile: StaffProfile, active: bool, ctx: AuditContext) -> StaffProfile:
    """Deactivating a profile also stops its user signing in; nothing is deleted."""
    if active and profile.user.is_invitee:
        # Only accepting the invitation activates them: an account with no password counted
        # as active workforce and assignable to caseloads is what this prevents.
        raise ProfileError(f"{profile} has not accepted their invitation yet; it activates their profile.")
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


def staff_invite(
    *,
    profile: StaffProfile,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    programs: Iterable[Program],
    base_url: str,
    ctx: AuditContext,
) -> StaffProfile:
    """Invite a staff member and set up their profile (`profile`, unsaved, with its fields
    filled) in one transaction. The profile and its account stay inactive until the invitation
    is accepted (`profile_activate_on_accept`): an invitee is not assignable to caseloads nor
    counted as workforce, and a withdrawn or expired invitation leaves nothing active. Someone
    invited again keeps their account and profile, updated with what the form says now."""
    with transaction.atomic():
        invitation_create(
            email=email, first_name=first_name, last_name=last_name, role=role, base_url=base_url, ctx=ctx
        )
        user = invitee_user(email=email, first_name=first_name, last_name=last_name)
        earlier = StaffProfile.objects.filter(user=user).values_list("pk", flat=True).first()
        profile.pk, profile.user, profile.is_active = earlier, user, False
        profile._state.adding = earlier is None  # an update of the earlier profile, when there is one
        profile_save(profile=profile, role=role, programs=programs, ctx=ctx)
    return profile


def profile_activate_on_accept(*, user: User, invitation: Invitation, ctx: AuditContext) -> None:
    """The hook accounts calls when an invitation is accepted (registered in ProgramsConfig):
    the invitee's profile, set up with the invitation, becomes active in the same transaction."""
    profile = StaffProfile.objects.select_for_update().filter(user=user, is_active=False).first()
    if profile is not None:
        _set_active(profile, active=True, ctx=ctx)


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


def certification_scan_replace(
    *, certification: Certification, upload: File, scan_type: ScanType, ctx: AuditContext
) -> Certification:
    """Keep `upload` as the certificate's scan, named from its sniffed type. The scan it
    replaces is archived (kept, with who replaced it and when), not overwritten."""
    with transaction.atomic():
        # The row lock makes two uploads at once archive each other in turn; without it both
        # would archive the same old scan and the first new one would be lost.
        certification = Certification.objects.select_for_update().get(pk=certification.pk)
        before = (certification.scan.name, certification.scan_content_type)
        archived = None
        if certification.scan:
            archived = ArchivedScan.objects.create(
                certification=certification, scan=before[0], content_type=before[1], replaced_by=ctx.actor
            )
        certification.scan_content_type = scan_type.content_type
        # The name passed is ignored by certification_scan_path; only the sniffed type counts.
        certification.scan.save(f"scan.{scan_type.extension}", upload, save=False)
        certification.save(update_fields=["scan", "scan_content_type"])
        changes = {
            "scan": [before[0], certification.scan.name],
            "scan_content_type": [before[1], scan_type.content_type],
        }
        details = {"changes": changes, "archived_scan": archived.pk if archived else None}
        audit_record(action=AuditEvent.Action.UPDATE, ctx=ctx, target=certification, details=details)
    return certification
