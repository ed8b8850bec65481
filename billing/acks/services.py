"""Import an acknowledgment (999 or 277CA) for one of our exported batches, and send a rejected
claim again. Each in one transaction, with its audit row and the claims' history."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import audit_record

from .. import marks, owed
from ..history import claim_event
from ..models import Acknowledgment, Claim, ClaimBatch, ClaimLine
from ..services import lock_participants
from . import reading
from .outcomes import Outcome, Plan, plan_277ca, plan_999

# From which statuses an acknowledgment moves a claim. A 999 says only that the file could be
# read, so it accepts a claim just sent and never undoes a 277CA's rejection; a rejection (of
# either) stands over an earlier acceptance. A claim the payer has adjudicated (paid, denied...)
# or that was already sent again keeps its status: the file only adds to its history.
MOVES = {
    ("999", Claim.Status.ACCEPTED): {Claim.Status.SENT},
    ("277CA", Claim.Status.ACCEPTED): {Claim.Status.SENT, Claim.Status.ACCEPTED},
    ("999", Claim.Status.REJECTED): {Claim.Status.SENT, Claim.Status.ACCEPTED, Claim.Status.REJECTED},
    ("277CA", Claim.Status.REJECTED): {Claim.Status.SENT, Claim.Status.ACCEPTED, Claim.Status.REJECTED},
}


@dataclass(frozen=True)
class ImportResult:
    acknowledgment: Acknowledgment
    created: bool  # False: this very file was imported before, and nothing was done now


def _existing(envelope: reading.Envelope) -> Acknowledgment | None:
    return (
        Acknowledgment.objects.select_related("batch", "imported_by")
        .filter(sender_id=envelope.sender_id, control_number=envelope.control_number)
        .first()
    )


def acknowledgment_import(*, text: str, ctx: AuditContext, file_name: str = "") -> ImportResult:
    """Validate the file with pyx12, tie it to our batch and mark each claim it accepts or rejects.

    The same interchange (ISA06, ISA13) imported twice records nothing the second time; two
    imports of it at once meet at the unique constraint, and the second one finds the first."""
    envelope = reading.validate(text)
    existing = _existing(envelope)
    if existing is not None:
        return ImportResult(existing, created=False)
    if envelope.kind == Acknowledgment.Kind.IMPLEMENTATION:
        plan = plan_999(reading.read_999(text), envelope)
    else:
        plan = plan_277ca(reading.read_277ca(text), envelope)
    try:
        with transaction.atomic():
            acknowledgment = _record(plan, envelope, text=text, file_name=file_name, ctx=ctx)
    except IntegrityError:
        existing = _existing(envelope)
        if existing is None:
            raise
        return ImportResult(existing, created=False)
    return ImportResult(acknowledgment, created=True)


def _record(plan: Plan, envelope: reading.Envelope, *, text: str, file_name: str, ctx: AuditContext) -> Acknowledgment:
    # Two acknowledgments of one batch (its 999 and its 277CA) imported at once take turns here,
    # so each reads the claims' statuses the other left.
    ClaimBatch.objects.select_for_update().filter(pk=plan.batch.pk).first()
    accepted = [o.claim.pk for o in plan.outcomes if o.status == Claim.Status.ACCEPTED]
    rejected = [o.claim.pk for o in plan.outcomes if o.status == Claim.Status.REJECTED]
    acknowledgment = Acknowledgment(
        batch=plan.batch,
        kind=envelope.kind,
        sender_id=envelope.sender_id,
        control_number=envelope.control_number,
        file_name=file_name[:200],
        file_text=text,
        summary=plan.summary[:300],
        accepted_count=len(accepted),
        rejected_count=len(rejected),
        imported_by=ctx.actor,
    )
    # The unique interchange is checked by the database at save(), where a race is decided too.
    acknowledgment.full_clean(validate_constraints=False)
    acknowledgment.save()
    locked = Claim.objects.select_for_update().filter(pk__in=[o.claim.pk for o in plan.outcomes]).order_by("pk")
    claims = {claim.pk: claim for claim in locked}
    live = set(ClaimLine.objects.filter(claim__in=list(claims), voided=False).values_list("claim_id", flat=True))
    for outcome in plan.outcomes:
        claim = claims[outcome.claim.pk]
        # A void claim's lines are voided copies by nature; any other claim with none live was
        # corrected or sent again meanwhile, and a late file no longer moves it.
        current = claim.pk in live or claim.frequency == Claim.Frequency.VOID
        _apply(claim, outcome, kind=envelope.kind, live=current, actor=ctx.actor)
    audit_record(
        action=AuditEvent.Action.CREATE,
        target=acknowledgment,
        ctx=ctx,
        details={"kind": envelope.kind, "batch": plan.batch.pk, "accepted": accepted, "rejected": rejected},
    )
    return acknowledgment


def _apply(claim: Claim, outcome: Outcome, *, kind: str, live: bool, actor) -> None:
    """Move the claim as the file says, if it may move; record the file's word in its history
    either way, with the payer's claim number when the file gives one."""
    number_note = _take_payer_number(claim, outcome.payer_claim_number)
    moves = outcome.status and live and claim.status in MOVES[(kind, outcome.status)]
    if moves:
        claim.status_detail = outcome.detail
        claim_event(claim, f"{outcome.detail}{number_note}", status=outcome.status, actor=actor)
        return
    if number_note:
        claim.save(update_fields=["payer_claim_number"])
    stays = f" The claim stays {claim.get_status_display().lower()}." if outcome.status else ""
    claim_event(claim, f"{outcome.detail}{stays}{number_note}", actor=actor)


def _take_payer_number(claim: Claim, number: str) -> str:
    """The 277CA's REF*1K becomes the payer's claim number when the claim has none yet. One it
    already has (from a remittance's CLP07, an earlier 277CA or typed from a paper remittance)
    is never replaced by an acknowledgment: a different REF*1K is only noted in the history, and
    a person who knows better corrects the number on the claim page (audited). Returns what the
    history should say."""
    if not number or number == claim.payer_claim_number:
        return ""
    try:
        Claim._meta.get_field("payer_claim_number").run_validators(number)
    except ValidationError:
        return f" Its claim number {number!r} (REF*1K) was not kept: not letters, digits and dashes."
    if claim.payer_claim_number:
        return f" Its claim number {number} (REF*1K) differs; {claim.payer_claim_number} stays."
    claim.payer_claim_number = number
    return f" The payer's claim number is {number}."


def claim_resend(*, claim: Claim, ctx: AuditContext) -> int:
    """Send a rejected claim again. A rejection means it never reached adjudication, so it is
    not replaced (frequency 7 needs a claim the payer has) but billed afresh as a new original
    claim: its lines are voided (billable again, not "do not rebill") and its notes go back to
    the work page, ready, or on hold with the reason until fixed. Returns how many notes."""
    with transaction.atomic():
        # The participant first, as batch builds lock it, then the claim and its lines.
        lock_participants(ClaimLine.objects.filter(claim=claim).values("note_id"))
        claim = Claim.objects.select_for_update().select_related("batch__payer").get(pk=claim.pk)
        _check_resendable(claim)
        lines = list(ClaimLine.objects.select_for_update().filter(claim=claim, voided=False))
        if not lines:
            raise ValidationError(f"{claim.claim_number} was already sent again or corrected.")
        first_reason = claim.status_detail.split(". ")[0] if claim.status_detail else "Rejected by the payer"
        ClaimLine.objects.filter(pk__in=[line.pk for line in lines]).update(
            voided=True, do_not_rebill=False, void_reason=f"{first_reason[:250]}; sent again as a new claim."
        )
        marks.refresh(line.note_id for line in lines)
        owed.refresh([claim.batch_id])
        claim_event(
            claim,
            "Returned to the work page to correct and send again as a new claim.",
            status=Claim.Status.RESENT,
            actor=ctx.actor,
        )
        audit_record(
            action=AuditEvent.Action.UPDATE,
            target=claim,
            ctx=ctx,
            details={"resent": True, "lines": [line.pk for line in lines], "notes": [line.note_id for line in lines]},
        )
    return len(lines)


def _check_resendable(claim: Claim) -> None:
    if not claim.batch.is_frozen:
        raise ValidationError("Only a claim of an exported batch is sent again; in an open batch, remove its lines.")
    if claim.status == Claim.Status.RESENT:
        raise ValidationError(f"{claim.claim_number} was already sent again or corrected.")
    if claim.status != Claim.Status.REJECTED:
        raise ValidationError(
            f"{claim.claim_number} is {claim.get_status_display().lower()}, not rejected: only a rejected claim is "
            "sent again as new. A claim the payer has taken is replaced or voided."
        )
    if claim.frequency != Claim.Frequency.ORIGINAL:
        raise ValidationError(
            f"{claim.claim_number} is a {claim.get_frequency_display().lower()} claim: it is sent again as a "
            "correction of the original claim, never as a new claim, which would bill the service twice."
        )
