import dataclasses
import logging
import time
from urllib.parse import urljoin

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import audit_record

from .extensions import run_accept_hooks
from .models import Invitation, SignInSession, User
from .roles import Role

_INVITATION_SALT = "accounts.invitation"

logger = logging.getLogger(__name__)


class InvitationError(Exception):
    """Raised with a message a person can act on."""


def invitation_token(invitation: Invitation) -> str:
    # The send time is part of the token, so resending an invitation retires older links.
    return signing.dumps([invitation.pk, invitation.sent_at.isoformat()], salt=_INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link points at, or InvitationError saying why not."""
    max_age = settings.INVITATION_MAX_AGE_DAYS * 24 * 3600
    try:
        pk, sent_at = signing.loads(token, salt=_INVITATION_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise InvitationError("This invitation link has expired. Ask your program admin to send it again.") from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise InvitationError("This invitation link is not valid. Check that you copied the whole link.") from exc
    invitation = Invitation.objects.filter(pk=pk).first()
    if invitation is None or invitation.revoked_at is not None:
        raise InvitationError("This invitation has been withdrawn. Ask your program admin for a new one.")
    if invitation.accepted_at is not None:
        raise InvitationError("This invitation has already been used. Sign in with your email and password.")
    if invitation.sent_at.isoformat() != sent_at:
        raise InvitationError("A newer invitation was sent to you. Use the link in the most recent email.")
    return invitation


def _send_invitation_email(invitation: Invitation, base_url: str) -> None:
    link = urljoin(base_url, reverse("accounts:invitation_accept", args=[invitation_token(invitation)]))
    context = {"invitation": invitation, "link": link, "max_age_days": settings.INVITATION_MAX_AGE_DAYS}
    send_mail(
        subject=render_to_string("accounts/email/invitation_subject.txt", context).strip(),
        message=render_to_string("accounts/email/invitation_message.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


def invitation_create(
    *, email: str, first_name: str, last_name: str, role: str, base_url: str, ctx: AuditContext
) -> Invitation:
    """Invite someone on behalf of `ctx.actor`. `base_url` is the site's address
    ("https://example.org/"); the emailed link is built on it."""
    invitation = Invitation(email=email, first_name=first_name, last_name=last_name, role=role, invited_by=ctx.actor)
    invitation.full_clean()
    with transaction.atomic():
        invitation.save()
        audit_record(
            action=AuditEvent.Action.INVITATION_SENT,
            ctx=ctx,
            target=invitation,
            details={"email": invitation.email, "role": role},
        )
        # Send only once the invitation is stored: a rolled-back invite sends no email.
        transaction.on_commit(lambda: _send_invitation_email(invitation, base_url))
    return invitation


def invitation_resend(*, invitation: Invitation, base_url: str, ctx: AuditContext) -> Invitation:
    if not invitation.is_pending:
        raise InvitationError(
            f"The invitation for {invitation.email} is {invitation.status.lower()}; it can't be sent again."
        )
    with transaction.atomic():
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
        audit_record(
            action=AuditEvent.Action.INVITATION_SENT,
            ctx=ctx,
            target=invitation,
            details={"email": invitation.email, "resent": True},
        )
        transaction.on_commit(lambda: _send_invitation_email(invitation, base_url))
    return invitation


def invitation_revoke(*, invitation: Invitation, ctx: AuditContext) -> Invitation:
    if not invitation.is_pending:
        raise InvitationError(f"The invitation for {invitation.email} is {invitation.status.lower()} already.")
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(action=AuditEvent.Action.INVITATION_REVOKED, ctx=ctx, target=invitation)
    return invitation


def invitee_user(*, email: str, first_name: str, last_name: str) -> User:
    """The account an invitation will activate, made now so a staff profile can point at it:
    inactive and with no password until the invitee accepts (`User.is_invitee`). An invitee
    invited again (after a withdrawn or expired invitation) keeps their account."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return User.objects.create_user(email=email, first_name=first_name, last_name=last_name, is_active=False)
    if not user.is_invitee:
        raise InvitationError(f"{email} already has an account. They can sign in or reset their password.")
    user.first_name, user.last_name = first_name, last_name
    user.save(update_fields=["first_name", "last_name"])
    return user


def invitation_accept(*, invitation: Invitation, password: str, ctx: AuditContext) -> User:
    """Create the invitee's account with the password they chose and their role, or, when it
    was made with their staff profile at invitation (`invitee_user`), activate it; then let
    the apps that registered a hook (accounts.extensions) act, in the same transaction.

    The audit row's actor is the new user, whom this creates: `ctx` gives only where the
    acceptance came from (whoever, if anyone, is signed in on that browser is not the actor).
    """
    with transaction.atomic():
        # Lock the row: two clicks on the same link must not create two accounts.
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_pending:
            raise InvitationError("This invitation has already been used. Sign in with your email and password.")
        user = User.objects.select_for_update().filter(email__iexact=invitation.email).first()
        if user is not None and not user.is_invitee:
            raise InvitationError(f"An account for {invitation.email} exists already. Sign in, or reset your password.")
        if user is None:
            user = User.objects.create_user(
                email=invitation.email,
                password=password,
                first_name=invitation.first_name,
                last_name=invitation.last_name,
            )
        else:
            user.set_password(password)
            user.is_active = True
            user.save(update_fields=["password", "is_active"])
        if not user.groups.filter(name__in=Role.values).exists():
            # An invitee's role was set with their profile (and may have been changed since).
            user.groups.add(Group.objects.get(name=invitation.role))
        EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
        invitation.accepted_at = timezone.now()
        invitation.user = user
        invitation.save(update_fields=["accepted_at", "user"])
        accepted = dataclasses.replace(ctx, actor=user)
        audit_record(action=AuditEvent.Action.INVITATION_ACCEPTED, ctx=accepted, target=invitation)
        run_accept_hooks(user=user, invitation=invitation, ctx=accepted)
    return user


def user_role_set(*, user: User, role: str, ctx: AuditContext) -> User:
    """Give `user` exactly one role, replacing whichever role group(s) they had, and record
    the change on the user. Setting the role they already have alone writes nothing."""
    new = Group.objects.get(name=Role(role))
    with transaction.atomic():
        # Lock the user: two admins changing the role at once must not leave both groups, and
        # the old role in the audit row must be the one this change replaced.
        User.objects.select_for_update().get(pk=user.pk)
        old = sorted(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        if old == [new.name]:
            return user
        user.groups.remove(*Group.objects.filter(name__in=Role.values))
        user.groups.add(new)
        audit_record(
            action=AuditEvent.Action.UPDATE, ctx=ctx, target=user, details={"role": [", ".join(old), new.name]}
        )
    user.__dict__.pop("roles", None)  # the cached role names are stale now
    return user


def _send_notice(user: User, template: str, context: dict) -> None:
    """Email `user` the notice accounts/email/<template>_subject.txt and _message.txt. The event
    it tells of stands whatever the mail server does: an unreachable one is logged, not raised
    (a failed sign-in or a reset must not become a 500)."""
    try:
        send_mail(
            subject=render_to_string(f"accounts/email/{template}_subject.txt", context).strip(),
            message=render_to_string(f"accounts/email/{template}_message.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
    except Exception:
        logger.warning("Could not send the %s notice to user %s.", template, user.pk, exc_info=True)


def _send_failed_sign_ins_email(user: User, *, failures: int, ip_address: str) -> None:
    context = {
        "user": user,
        "failures": failures,
        "window_minutes": settings.SIGN_IN_ALERT_WINDOW_MINUTES,
        "ip_address": ip_address,
        "at": timezone.localtime(),
        "reset_link": urljoin(settings.SITE_URL, reverse("account_reset_password")),
    }
    _send_notice(user, "failed_sign_ins", context)


def failed_sign_in_note(*, email: str, ip_address: str) -> bool:
    """Count a failed sign-in against the account `email` names, from whatever address, and
    email its owner when the count reaches SIGN_IN_ALERT_FAILURES within a window of
    SIGN_IN_ALERT_WINDOW_MINUTES: once per window, however many more follow. Returns whether
    it sent. Per-address limits alone would miss guessing spread over many addresses.

    The count lives in the cache (the database table while Redis is down, accounts.cache);
    windows are fixed buckets of time, so "once per window" needs no second record."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first() if email else None
    if user is None:
        return False
    window = settings.SIGN_IN_ALERT_WINDOW_MINUTES * 60
    key = f"accounts:failed-sign-ins:{user.pk}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window * 2)
    try:
        failures = cache.incr(key)
    except ValueError:  # evicted between add and incr: count this one afresh
        cache.set(key, 1, timeout=window * 2)
        failures = 1
    # Exactly equal, not at least: incr is atomic, so one request alone reaches the threshold.
    if failures != settings.SIGN_IN_ALERT_FAILURES:
        return False
    _send_failed_sign_ins_email(user, failures=failures, ip_address=ip_address)
    return True


def sign_in_session_record(*, user: User, session_key: str) -> None:
    """Remember that the session `session_key` is `user`'s (called at sign-in)."""
    SignInSession.objects.update_or_create(
        session_id=session_key, defaults={"user": user, "signed_in_at": timezone.now()}
    )


def user_sessions_end(*, user: User, ctx: AuditContext) -> int:
    """Delete every session `user` is signed in with, on every device; returns how many.
    Called when their password changes or is reset: whoever knew the old password must not
    stay signed in (45 CFR 164.312(d), person or entity authentication). Django's session
    hash already refuses such sessions at their next request; deleting them also removes
    what they hold from the database at once."""
    with transaction.atomic():
        keys = SignInSession.objects.filter(user=user).values("session_id")
        ended, _ = Session.objects.filter(session_key__in=keys).delete()
        audit_record(action=AuditEvent.Action.UPDATE, ctx=ctx, target=user, details={"sessions_ended": ended})
    return ended


class TwoFactorError(Exception):
    """Raised with a message a person can act on."""


def two_factor_reset(*, user: User, ctx: AuditContext) -> list[str]:
    """Remove `user`'s authenticator app and recovery codes (a lost or replaced phone, or a
    secret no key reads any more), end their sessions, and tell them by email; returns the
    kinds removed. They sign in with their password and set two-factor up again (at once when
    MFA_REQUIRED). Only someone else may do it: whoever holds a session cannot lift its own
    second factor this way (45 CFR 164.312(d))."""
    if ctx.actor is not None and ctx.actor.pk == user.pk:
        raise TwoFactorError("Another program admin must reset your own two-factor sign-in.")
    with transaction.atomic():
        found = Authenticator.objects.select_for_update().filter(user=user)
        kinds = sorted({authenticator.type for authenticator in found})
        if not kinds:
            raise TwoFactorError(f"{user} has no two-factor sign-in to reset.")
        found.delete()
        audit_record(action=AuditEvent.Action.UPDATE, ctx=ctx, target=user, details={"two_factor_removed": kinds})
        user_sessions_end(user=user, ctx=ctx)
        transaction.on_commit(lambda: _send_two_factor_reset_email(user, by=ctx.actor))
    return kinds


def _send_two_factor_reset_email(user: User, *, by) -> None:
    context = {"user": user, "by": by, "at": timezone.localtime(), "site_url": settings.SITE_URL}
    _send_notice(user, "two_factor_reset", context)
