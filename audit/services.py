from django.db import connection, models, transaction

from .context import AuditContext
from .models import AuditEvent, AuditSubject


def audit_record(
    *,
    action: str,
    ctx: AuditContext,
    target: models.Model | None = None,
    actor_label: str = "",
    details: dict | None = None,
    participants=(),
) -> AuditEvent:
    """Write one audit row, and its subjects: the participants whose PHI it touched, given in
    `participants` or, by default, the target's own (see `subjects_of`). Call it inside the
    transaction of the change it records."""
    actor = ctx.actor
    event = AuditEvent.objects.create(
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
    subjects = {int(pk) for pk in participants} or subjects_of(target)
    if subjects:
        _add_subjects(event, sorted(subjects))
    return event


def _add_subjects(event: AuditEvent, participant_ids: list[int]) -> None:
    """The event's subjects, one INSERT from an array: one statement, where bulk_create wraps its
    INSERT in a transaction of its own (BEGIN and COMMIT, two more round trips on every audited
    page, the participant's page among them) even for a single row. SQLite (`make run`) has no
    arrays: bulk_create there."""
    if connection.vendor != "postgresql":
        AuditSubject.objects.bulk_create(AuditSubject(event=event, participant_id=pk) for pk in participant_ids)
        return
    table = AuditSubject._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (event_id, participant_id) SELECT %s, unnest(%s::bigint[])",  # noqa: S608
            [event.pk, participant_ids],
        )


def subjects_of(target: models.Model | None) -> set[int]:
    """The participant a record is about: a participant is its own; a note, plan, coverage,
    consent or claim names theirs in `participant_id`. Anything else (a batch, a user) is about
    no one in particular: its callers name the participants."""
    if target is None:
        return set()
    if target._meta.label_lower == PARTICIPANT_MODEL:
        return {target.pk}
    participant_id = getattr(target, "participant_id", None)
    return {participant_id} if participant_id is not None else set()


def audit_read(
    *,
    ctx: AuditContext,
    target: models.Model | None = None,
    page: str,
    shown=(),
    query: str | None = None,
    filters: dict | None = None,
) -> AuditEvent:
    """One VIEW row for one read of PHI (45 CFR 164.312(b)): which page, the record read, and for
    a list the participants it showed (`shown`: their ids, never their contents), who become the
    row's subjects. A search also keeps what was typed, so a review of system activity
    (164.308(a)(1)(ii)(D)) can tell a look-up from browsing; a filtered list, its `filters`."""
    details = {"page": page}
    if filters:
        details["filters"] = filters
    if query is not None:
        details["query"] = query.replace("\x00", "")  # jsonb refuses NUL; a probe must not 500
    return audit_record(action=AuditEvent.Action.VIEW, ctx=ctx, target=target, details=details, participants=shown)


def audit_disclosure(
    *, ctx: AuditContext, target: models.Model, participants, file: str, recipient: str, purpose: str
) -> AuditEvent:
    """One DISCLOSE row for a file holding PHI that leaves the app (a download), naming each
    participant in it: a participant's accounting of disclosures (42 CFR 2.24, 45 CFR 164.528)
    is these rows. `recipient` is who the file is for (the payer's receiver named inside it, or
    the agency itself for a working copy); `purpose` why, in the words the accounting shows."""
    details = {"file": file, "recipient": recipient, "purpose": purpose}
    return audit_record(
        action=AuditEvent.Action.DISCLOSE, ctx=ctx, target=target, details=details, participants=participants
    )


PARTICIPANT_MODEL = "participants.participant"  # by label: this app sits left of participants


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
