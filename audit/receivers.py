from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .context import AuditContext
from .models import AuditEvent
from .services import audit_record


@receiver(user_logged_in, dispatch_uid="audit_login")
def record_login(sender, request, user, **kwargs):
    audit_record(action=AuditEvent.Action.LOGIN, ctx=AuditContext.from_request(request, actor=user))


@receiver(user_logged_out, dispatch_uid="audit_logout")
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditEvent.Action.LOGOUT, ctx=AuditContext.from_request(request, actor=user))


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def record_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; keep only the identifier.
    typed = credentials.get("email") or credentials.get("username") or ""
    ctx = AuditContext.from_request(request) if request is not None else AuditContext(actor=None)
    audit_record(action=AuditEvent.Action.LOGIN_FAILED, ctx=ctx, actor_label=str(typed)[:254])
