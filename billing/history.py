"""A claim's history: every change of its status, and every action on it, is a ClaimEvent,
written with the change, in its transaction."""

from .models import Claim, ClaimBatch, ClaimEvent


def claim_event(claim: Claim, text: str, *, status: str = "", actor=None, remittance=None) -> ClaimEvent:
    """Record a step of `claim`'s history; with `status`, the claim moves to it (saved here)."""
    if status:
        claim.status = status
        claim.save(update_fields=["status", "status_detail", "adjudicated_on", "payer_claim_number"])
    return ClaimEvent.objects.create(claim=claim, status=status, text=text[:500], actor=actor, remittance=remittance)


def batch_sent(batch: ClaimBatch, actor) -> None:
    """Every claim of a batch just exported is sent: one UPDATE and one INSERT, whatever its size.
    The claims' ids are read as values: claims read through `batch.claims.only("pk")` each
    read their batch_id again (the related manager checks it), 10,000 queries for a large batch."""
    claim_ids = list(Claim.objects.filter(batch=batch).values_list("pk", flat=True))
    Claim.objects.filter(batch=batch).update(status=Claim.Status.SENT)
    text = f"Sent in batch {batch.pk} (interchange {batch.interchange_control_number:09d})."
    ClaimEvent.objects.bulk_create(
        ClaimEvent(claim_id=claim_id, status=Claim.Status.SENT, text=text, actor=actor) for claim_id in claim_ids
    )


def batch_withdrawn(batch: ClaimBatch, actor) -> list[int]:
    """Every claim of a withdrawn batch is withdrawn, never sent: one UPDATE and one INSERT, as
    `batch_sent`. Returns the claims' ids."""
    claim_ids = list(Claim.objects.filter(batch=batch).values_list("pk", flat=True))
    Claim.objects.filter(batch=batch).update(status=Claim.Status.WITHDRAWN)
    text = (
        f"Withdrawn with batch {batch.pk}: pyx12 rejected its 837P (interchange "
        f"{batch.interchange_control_number:09d}), which was never sent."
    )
    ClaimEvent.objects.bulk_create(
        ClaimEvent(claim_id=claim_id, status=Claim.Status.WITHDRAWN, text=text, actor=actor) for claim_id in claim_ids
    )
    return claim_ids
