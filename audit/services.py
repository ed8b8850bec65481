from django.core.files import File
from django.db import models, transaction

from .context import AuditContext
from .models import AuditEvent


def audit_record(
    *,
    action: str,
    ctx: AuditContext,
    target: models.Model | None = None,
    actor_label: str = "",
    details: dict | None = None,
) -> AuditEvent:
    """Write one audit row. Call it inside the transaction of the change it records."""
    actor = ctx.actor
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_label=actor_label or (actor.email if actor else ""),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        ip_address=ctx.address,
        user_agent=ctx.user_agent,
        details=details or {},
    )


def save_with_audit(instance: models.Model, *, ctx: AuditContext, m2m: dict | None = None):
    """Check and save `instance` (and set the many-to-many fields given in `m2m`), and write
    its CREATE or UPDATE audit row, with each changed field's old and new value, in one
    transaction. The old values are read from the database, not trusted from the caller."""
    model = type(instance)
    with transaction.atomic():
        before = model._default_manager.filter(pk=instance.pk).first() if instance.pk else None
        instance.full_clean()
        instance.save()
        changes = {}
        if before is not None:
            for field in model._meta.concrete_fields:
                if field.value_from_object(before) != field.value_from_object(instance):
                    changes[field.name] = [_plain(getattr(before, field.name)), _plain(getattr(instance, field.name))]
        for name, values in (m2m or {}).items():
            manager = getattr(instance, name)
            old = set(manager.all()) if before is not None else set()
            manager.set(values)
            if before is not None and old != set(values):
                changes[name] = [_plain(old), _plain(values)]
        audit_record(
            action=AuditEvent.Action.CREATE if before is None else AuditEvent.Action.UPDATE,
            ctx=ctx,
            target=instance,
            details={} if before is None else {"changes": changes},
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
