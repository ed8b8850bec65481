"""Withdrawing a batch whose 837P pyx12 rejected after the export.

The export runs our own checks and freezes the batch; pyx12 reads the file afterwards
(billing.file_check) and the 837P is offered only once pyx12 has passed it. A file pyx12 rejects
after our checks passed is a bug in the file's writer, and that file never reached the payer. The
batch stays frozen with its claims marked sent, and its notes closed for billing: without a way
out, the agency could never bill those sessions. Withdrawing says so on the record (nothing is
deleted: the batch keeps its file, control number and pyx12's findings) and releases the notes to
be billed again in a new batch, with a new file. A withdrawn correction (a replacement or void
of a claim the payer holds) is built again in a new batch, as a rejected correction is sent again
(corrections.correction_resend): its notes are billed by that claim, never as new claims."""

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import audit_record

from . import marks, owed
from .corrections import check_correctable, correction_batch
from .history import batch_withdrawn, claim_event
from .models import Claim, ClaimBatch, ClaimLine
from .services import lock_participants


def batch_withdraw(*, batch: ClaimBatch, ctx: AuditContext) -> ClaimBatch | None:
    """Withdraw an exported batch pyx12 rejected: its claims are withdrawn (never sent), their
    lines voided, billable again (not "do not rebill"), and the notes go back to the work page,
    ready, or on hold with the reason until fixed. A batch of a correction (it holds that one
    claim) has it built again in a new batch, returned; otherwise None."""
    with transaction.atomic():
        # The participants first, as batch builds lock them, then the batch (the export and the
        # pyx12 worker write it), and every check again under the locks.
        lock_participants(ClaimLine.objects.filter(claim__batch=batch).values("note_id"))
        batch = ClaimBatch.objects.select_for_update().get(pk=batch.pk)
        correction = _check_withdrawable(batch)
        lines = list(ClaimLine.objects.select_for_update().filter(claim__batch=batch, voided=False))
        note_ids = sorted({line.note_id for line in lines})
        # Voided, the lines no longer hold the partial unique index (note_billed_once): the notes
        # can go on a new batch. Nothing was paid or owed on them: accounts receivable and the
        # denial queue read live lines of exported batches only.
        ClaimLine.objects.filter(pk__in=[line.pk for line in lines]).update(
            voided=True,
            do_not_rebill=False,
            void_reason=f"Batch {batch.pk} withdrawn: pyx12 rejected its 837P, which was never sent.",
        )
        marks.refresh(note_ids)
        owed.refresh([batch.pk])
        batch.status = ClaimBatch.Status.WITHDRAWN
        batch.save(update_fields=["status"])
        claim_ids = batch_withdrawn(batch, ctx.actor)
        rebuilt = None
        if correction is not None:  # the same correction, to send instead (a void's lines are voided copies)
            correction_lines = list(correction.lines.all())
            rebuilt = correction_batch(correction.original, correction_lines, correction.frequency, ctx)
            note_ids = sorted({line.note_id for line in correction_lines})
            kind = correction.get_frequency_display().lower()
            text = f"Built again as a new {kind} of {correction.original} in batch {rebuilt.pk}."
            claim_event(correction, text, actor=ctx.actor)
        participants = Claim.objects.filter(pk__in=claim_ids).values_list("participant_id", flat=True).distinct()
        audit_record(
            action=AuditEvent.Action.UPDATE,
            target=batch,
            ctx=ctx,
            details={
                "withdrawn": batch.interchange_control_number,
                "claims": claim_ids,
                "notes": note_ids,
                **({"correction_built_again": rebuilt.pk} if rebuilt else {}),
            },
            participants=list(participants),
        )
    return rebuilt


def may_withdraw(batch: ClaimBatch) -> bool:
    """Whether `batch_withdraw` would take this batch: the batch page offers its button then only."""
    try:
        _check_withdrawable(batch)
    except ValidationError:
        return False
    return True


def _check_withdrawable(batch: ClaimBatch) -> Claim | None:
    """Refuse what can't be withdrawn; else the batch's correction claim, if it holds one."""
    if batch.is_withdrawn:
        raise ValidationError(f"Batch {batch.pk} was already withdrawn.")
    if not batch.is_frozen:
        raise ValidationError(
            f"Batch {batch.pk} is {batch.get_status_display().lower()}: only an exported batch is withdrawn. "
            "An open batch is discarded instead."
        )
    if batch.pyx12_checked_at is None:
        raise ValidationError(
            f"pyx12 has not checked batch {batch.pk}'s 837P yet: only a file pyx12 rejected is withdrawn."
        )
    if not batch.pyx12_failed:
        raise ValidationError(
            f"pyx12 passed batch {batch.pk}'s 837P, so it may have been sent: it can't be withdrawn. "
            "Correct its claims with a replacement or a void instead."
        )
    if batch.claims.exclude(status=Claim.Status.SENT).exists():
        # The export marks every claim sent; any other status is the payer's answer (a 999,
        # 277CA or 835), so this file did reach them, however pyx12 reads it: withdrawing would
        # bill the same sessions twice. The conservative reading, with no source to say otherwise.
        raise ValidationError(
            f"The payer has answered claims of batch {batch.pk}, so its file reached them: it can't be "
            "withdrawn. Correct its claims with a replacement or a void instead."
        )
    correction = batch.claims.exclude(frequency=Claim.Frequency.ORIGINAL).select_related("original").first()
    if correction is not None:
        # Built again, the correction must still be in the payer's limit for corrections.
        check_correctable(correction.original)
    return correction
