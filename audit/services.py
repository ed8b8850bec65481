from django.core.files import File
from django.db import models
from django.http import HttpRequest

from .models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, trusting X-Forwarded-For only as far as allauth is told to,
    so the audit log and the sign-in rate limit agree on who is asking."""
    if request is None:
        return None
    from allauth.core.internal.httpkit import get_client_ip

    return get_client_ip(request)


def audit_record(
    *,
    action: str,
    actor=None,
    target: models.Model | None = None,
    request: HttpRequest | None = None,
    actor_label: str = "",
    details: dict | None = None,
) -> AuditEvent:
    """Write one audit row. Call it inside the transaction of the change it records."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_label=actor_label or (actor.email if actor else ""),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        ip_address=client_ip(request),
        user_agent=(request.headers.get("user-agent", "") if request else "")[:300],
        details=details or {},
    )


def save_form_with_audit(form, *, actor, request: HttpRequest | None = None):
    """Save a valid ModelForm and write its CREATE or UPDATE audit row (with each changed
    field's old and new value) in one transaction."""
    from django.db import transaction

    is_new = form.instance.pk is None
    changes = {
        name: [_plain(form.initial.get(name)), _plain(form.cleaned_data.get(name))] for name in form.changed_data
    }
    with transaction.atomic():
        instance = form.save()
        audit_record(
            action=AuditEvent.Action.CREATE if is_new else AuditEvent.Action.UPDATE,
            actor=actor,
            target=instance,
            request=request,
            details={} if is_new else {"changes": changes},
        )
    return instance


def _plain(value) -> str:
    """A JSON-safe, human-readable form of a field value for the audit details."""
    if value is None:
        return ""
    if isinstance(value, File):
        return value.name or ""
    if isinstance(value, list | tuple | set | models.QuerySet):
        return ", ".join(sorted(str(v) for v in value))
    return str(value)
