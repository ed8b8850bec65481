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
        # The kind of record and its number, never str(target): that is often a person's name.
        target_label=target_label(target),
        ip_address=ctx.address,
        user_agent=ctx.user_agent,
        details=details or {},
    )


def audit_read(
    *, ctx: AuditContext, target: models.Model | None = None, page: str, shown=(), query: str | None = None
) -> AuditEvent:
    """One VIEW row for one read of PHI (45 CFR 164.312(b)): which page, the record read, and for
    a list the ids of the records it showed (never their contents). A search also keeps what was
    typed, so a review of system activity (164.308(a)(1)(ii)(D)) can tell a look-up from browsing."""
    details = {"page": page}
    if shown:
        details["shown"] = [int(pk) for pk in shown]
    if query is not None:
        details["query"] = query.replace("\x00", "")  # jsonb refuses NUL; a probe must not 500
    return audit_record(action=AuditEvent.Action.VIEW, ctx=ctx, target=target, details=details)


def target_label(target: models.Model | None) -> str:
    return f"{target._meta.verbose_name} {target.pk}"[:200] if target is not None else ""


def save_with_audit(instance: models.Model, *, ctx: AuditContext, m2m: dict | None = None):
    """Check and save `instance` (and set the many-to-many fields given in `m2m`), and write
    its CREATE or UPDATE audit row, naming each changed field, in one transaction. The old
    values are read from the database, not trusted from the caller.

    The row names fields, never their values: values are PHI and live in the record's own
    history, where access rules apply (45 CFR 164.312(b) asks what was done, not a copy)."""
    model = type(instance)
    with transaction.atomic():
        before = model._default_manager.filter(pk=instance.pk).first() if instance.pk else None
        instance.full_clean()
        instance.save()
        changed = []
        if before is not None:
            for field in model._meta.concrete_fields:
                if field.value_from_object(before) != field.value_from_object(instance):
                    changed.append(field.name)
        for name, values in (m2m or {}).items():
            manager = getattr(instance, name)
            old = set(manager.all()) if before is not None else set()
            manager.set(values)
            if before is not None and old != set(values):
                changed.append(name)
        audit_record(
            action=AuditEvent.Action.CREATE if before is None else AuditEvent.Action.UPDATE,
            ctx=ctx,
            target=instance,
            details={} if before is None else {"fields": changed},
        )
    return instance
