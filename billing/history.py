"""A claim's history: every change of its status, and every action on it, is a ClaimEvent,
written with the change, in its transaction."""

from django.db import connection
from django.utils import timezone

from .models import Claim, ClaimBatch, ClaimEvent


def claim_event(claim: Claim, text: str, *, status: str = "", actor=None, remittance=None) -> ClaimEvent:
    """Record a step of `claim`'s history; with `status`, the claim moves to it (saved here)."""
    if status:
        claim.status = status
        claim.save(update_fields=["status", "status_detail", "adjudicated_on", "payer_claim_number"])
    return ClaimEvent.objects.create(claim=claim, status=status, text=text[:500], actor=actor, remittance=remittance)


def batch_sent(batch: ClaimBatch, actor) -> None:
    """Every claim of a batch just exported is sent."""
    text = f"Sent in batch {batch.pk} (interchange {batch.interchange_control_number:09d})."
    _whole_batch(batch, Claim.Status.SENT, text, actor)


def batch_withdrawn(batch: ClaimBatch, actor) -> list[int]:
    """Every claim of a withdrawn batch is withdrawn, never sent. Returns the claims' ids."""
    claim_ids = list(Claim.objects.filter(batch=batch).values_list("pk", flat=True))
    text = (
        f"Withdrawn with batch {batch.pk}: pyx12 rejected its 837P (interchange "
        f"{batch.interchange_control_number:09d}), which was never sent."
    )
    _whole_batch(batch, Claim.Status.WITHDRAWN, text, actor)
    return claim_ids


def _whole_batch(batch: ClaimBatch, status: str, text: str, actor) -> None:
    """Every claim of `batch` moves to `status`, with an event each: one UPDATE and one INSERT,
    whatever its size. The events are written by the database, INSERT ... SELECT from the
    batch's claims: building and sending a payer-month's 10,000 ClaimEvent objects took a second
    of its export."""
    Claim.objects.filter(batch=batch).update(status=status)
    event = {field.name: connection.ops.quote_name(field.column) for field in ClaimEvent._meta.concrete_fields}
    claim_id, claim_batch = (connection.ops.quote_name(Claim._meta.get_field(f).column) for f in ("id", "batch"))
    sql = (
        f"INSERT INTO {connection.ops.quote_name(ClaimEvent._meta.db_table)} "  # noqa: S608 (names from the models)
        f"({event['claim']}, {event['at']}, {event['status']}, {event['text']}, {event['actor']}) "
        f"SELECT {claim_id}, %s, %s, %s, %s FROM {connection.ops.quote_name(Claim._meta.db_table)} "
        f"WHERE {claim_batch} = %s ORDER BY {claim_id}"
    )
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [at, str(status), text, actor.pk if actor else None, batch.pk])
