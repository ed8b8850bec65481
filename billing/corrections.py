"""Corrections of exported claims: a replacement (frequency 7) or a void (8), in a new batch for
the same payer, quoting the payer's claim number (REF*F8); and sending again a correction the
payer rejected before adjudicating it (999, 277CA)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import audit_record

from . import marks, owed
from .assessment import READY
from .billability import assess, billable_notes
from .history import claim_event
from .models import Claim, ClaimBatch, ClaimLine
from .services import _claims, claim_key, lock_participants


def claim_correct(
    *, claim: Claim, frequency: str, ctx: AuditContext, rebill: bool | None = None, reason: str = ""
) -> ClaimBatch:
    """Void (8) or replace (7) an exported claim, in a new batch for the same payer.

    The original's lines are voided. A void claim repeats them (as voided lines) so the payer
    knows what to reverse; billing staff decide whether its notes are billed again (`rebill`)
    or not, and a "do not rebill" needs its reason: a voided service is not put straight back
    to ready. A replacement claim bills the same notes afresh with today's assessment.
    """
    reason = reason.strip()
    if frequency == Claim.Frequency.VOID and rebill is None:
        raise ValidationError("Choose whether the notes of the voided claim are billed again.")
    if frequency == Claim.Frequency.VOID and not rebill and not reason:
        raise ValidationError("Say why the notes of the voided claim are not billed again.")
    if frequency not in (Claim.Frequency.VOID, Claim.Frequency.REPLACEMENT):
        raise ValidationError("A correction is a void or a replacement.")
    with transaction.atomic():
        # The participant first, as batch builds lock it, then the claim (an acknowledgment
        # being imported locks it too) and its lines; checked again under the locks.
        lock_participants(ClaimLine.objects.filter(claim=claim).values("note_id"))
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        check_correctable(claim)
        lines = list(ClaimLine.objects.select_for_update().filter(claim=claim, voided=False))
        if not lines:
            raise ValidationError("This claim has already been voided or replaced.")
        do_not_rebill = frequency == Claim.Frequency.VOID and not rebill
        ClaimLine.objects.filter(pk__in=[line.pk for line in lines]).update(
            voided=True, do_not_rebill=do_not_rebill, void_reason=reason
        )
        marks.refresh(line.note_id for line in lines)  # a replacement bills them again just below
        owed.refresh([claim.batch_id])
        batch = correction_batch(claim, lines, frequency, ctx)
        new = batch.claims.get()
        done = ("Replaced", "Replaces") if frequency == Claim.Frequency.REPLACEMENT else ("Voided", "Voids")
        claim_event(claim, f"{done[0]} by {new.claim_number} in batch {batch.pk}.", actor=ctx.actor)
        claim_event(new, f"{done[1]} {claim.claim_number}.", actor=ctx.actor)
        audit_record(
            action=AuditEvent.Action.UPDATE,
            target=claim.batch,
            ctx=ctx,
            details={
                "corrected_claim": claim.pk,
                "frequency": frequency,
                "new_batch": batch.pk,
                **({"rebill": bool(rebill), "reason": reason} if frequency == Claim.Frequency.VOID else {}),
            },
        )
    return batch


def correction_batch(original: Claim, lines: list[ClaimLine], frequency: str, ctx: AuditContext) -> ClaimBatch:
    """A new batch with one replacement or void claim of `original` for `lines`' notes."""
    batch = ClaimBatch.objects.create(payer=original.batch.payer, created_by=ctx.actor)
    if frequency == Claim.Frequency.REPLACEMENT:
        assessments = assess(billable_notes().filter(pk__in=[line.note_id for line in lines]), correction=True)
        if len(assessments) != len(lines) or any(a.status != READY for a in assessments):
            raise ValidationError("Some notes of this claim are no longer ready to bill; void the claim instead.")
        if len({claim_key(a) for a in assessments}) > 1:
            raise ValidationError(
                "These notes no longer fit on one claim (different authorizations or specialists now); "
                "void this claim and bill the notes again."
            )
        _claims(batch, [assessments], frequency=frequency, original=original)
        return batch
    void = Claim.objects.create(
        batch=batch, participant=original.participant, billing_program=original.billing_program,
        member_id=original.member_id, frequency=frequency, original=original,
        diagnosis_codes=original.diagnosis_codes, authorization=original.authorization,
        rendering_provider=original.rendering_provider, other_coverage=original.other_coverage,
    )  # fmt: skip
    ClaimLine.objects.bulk_create(_void_copies(lines, void))
    marks.refresh(line.note_id for line in lines)
    return batch


def check_correctable(claim: Claim) -> None:
    batch = ClaimBatch.objects.select_related("payer").get(pk=claim.batch_id)
    if not batch.is_frozen:
        raise ValidationError(
            "Only exported claims are corrected; in an open batch, remove the line or discard the batch."
        )
    payer = batch.payer
    if claim.status in (Claim.Status.REJECTED, Claim.Status.RESENT):  # the payer never took it
        raise ValidationError(
            f"{payer} rejected {claim.claim_number} before adjudicating it: there is nothing to replace or void. "
            "Send it again from its page instead."
        )
    if not claim.payer_claim_number:
        raise ValidationError(
            f"Enter {payer}'s claim number for {claim.claim_number} (from its remittance) first: "
            "a replacement or void names the payer's claim (REF*F8), not ours."
        )
    days_left = correction_days_left(claim, batch)
    if days_left < 0:
        raise ValidationError(
            f"Past {payer}'s {payer.correction_days}-day limit for corrections: {claim.claim_number} was "
            f"{'adjudicated' if claim.adjudicated_on else 'exported'} {payer.correction_days - days_left} days ago."
        )


def resend_days_left(claim: Claim) -> int | None:
    """For a rejected replacement or void: the days left to send it again (its original's
    correction limit); None for an original claim, which is billed again as new."""
    if claim.frequency == Claim.Frequency.ORIGINAL or claim.original is None:
        return None
    return correction_days_left(claim.original, claim.original.batch)


def correction_days_left(claim: Claim, batch: ClaimBatch) -> int:
    """Days left to send a replacement or void (negative: past the limit).

    A correction follows the payer's correction limit, not the filing limit of a first claim.
    Texas counts 120 days from the Remittance and Status report (1 TAC 354.1003; TMPPM 6.1.4): from
    the remittance that adjudicated the claim. Until one is imported the days count from the
    export, which comes before any remittance: the limit is reached sooner, never later (the
    conservative reading)."""
    start = claim.adjudicated_on or timezone.localdate(batch.exported_at)
    return batch.payer.correction_days - (timezone.localdate() - start).days


def _void_copies(lines: list[ClaimLine], void: Claim) -> list[ClaimLine]:
    """The lines a void claim repeats so the payer knows what to reverse: voided (they bill
    nothing), with nothing posted to them (what the payer paid was paid on the original). A
    secondary line keeps the other payer's adjudication version the original was billed with, so
    the void states the figures of the claim it voids, whatever was corrected since."""
    return [
        ClaimLine(
            claim=void,
            note_id=line.note_id,
            service_code_id=line.service_code_id,
            hcpcs=line.hcpcs,
            modifiers=line.modifiers,
            units=line.units,
            charge=line.charge,
            place_of_service=line.place_of_service,
            service_date=line.service_date,
            diagnosis_pointer=line.diagnosis_pointer,
            voided=True,
            do_not_rebill=line.do_not_rebill,
            void_reason=line.void_reason,
            primary_adjudication_id=line.primary_adjudication_id,
        )  # fmt: skip
        for line in lines
    ]


def correction_resend(*, claim: Claim, ctx: AuditContext) -> ClaimBatch:
    """Send again a replacement or void the payer rejected (999, 277CA): it never reached
    adjudication, so the original is still the payer's claim, and the same correction is built
    again, in a new batch, for it. A replacement's notes are assessed again (fix what the payer
    named first); a void repeats the same lines."""
    original = claim.original
    if claim.frequency == Claim.Frequency.ORIGINAL or original is None:
        raise ValidationError("Only a replacement or a void is sent again as a correction.")
    check_correctable(original)
    with transaction.atomic():
        lock_participants(ClaimLine.objects.filter(claim=claim).values("note_id"))
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != Claim.Status.REJECTED:
            raise ValidationError(f"{claim.claim_number} is not a rejected correction waiting to be sent again.")
        lines = list(ClaimLine.objects.select_for_update().filter(claim=claim))
        ClaimLine.objects.filter(claim=claim, voided=False).update(
            voided=True, void_reason="Rejected by the payer; the correction is sent again."
        )
        marks.refresh(line.note_id for line in lines)
        owed.refresh([claim.batch_id])
        batch = correction_batch(original, lines, claim.frequency, ctx)
        kind = claim.get_frequency_display().lower()
        claim_event(
            claim, f"Sent again as a new {kind} of {original} in batch {batch.pk}.", status=Claim.Status.RESENT,
            actor=ctx.actor,
        )  # fmt: skip
        audit_record(
            action=AuditEvent.Action.UPDATE, target=claim, ctx=ctx, details={"resent": True, "new_batch": batch.pk}
        )
    return batch
