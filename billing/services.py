from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import audit_record
from notes.models import SessionNote
from participants.models import Participant
from programs.models import Payer

from .billability import READY, assess, billable_notes
from .models import BillingIdentity, Claim, ClaimBatch, ClaimLine, DuplicateDecision
from .x12 import MAX_LINES_PER_CLAIM, ExportError, build_837p

ICN_SEQUENCE = "billing_interchange_control_number"


class BatchConflict(Exception):
    """Another batch took some of these notes first; nothing was saved."""


def lock_participants(note_ids) -> None:
    """Lock the rows of the notes' participants until the transaction ends.

    Caps and authorizations are consumed per participant: two batch builds at once would each
    read the units used before either wrote its lines, and together bill past the cap (108
    units against 104) or the authorization. Whoever locks second waits, then assesses with
    the first one's lines committed. Ascending ids, so two builders never deadlock."""
    participant_ids = SessionNote.objects.filter(pk__in=note_ids).values("participant_id")
    list(Participant.objects.filter(pk__in=participant_ids).order_by("pk").select_for_update().values_list("pk"))


def batch_build(*, payer: Payer, note_ids: list[int], ctx: AuditContext) -> ClaimBatch:
    """One claim per participant and coverage, lines in date order, at most 50 lines a claim.

    The notes are assessed again inside the transaction, after their participants' rows are
    locked: only those still ready for this payer are billed. The partial unique index on
    ClaimLine.note is the last word: if another batch billed a note meanwhile, the insert
    fails and this whole batch rolls back.
    """
    try:
        with transaction.atomic():
            lock_participants(note_ids)
            assessments = [
                a
                for a in assess(billable_notes().filter(pk__in=note_ids))
                if a.status == READY and a.coverage.payer_id == payer.pk
            ]
            if not assessments:
                raise ValidationError("None of the chosen notes is ready to bill to this payer.")
            batch = ClaimBatch.objects.create(payer=payer, created_by=ctx.actor)
            groups = defaultdict(list)
            for a in assessments:
                groups[(a.note.participant_id, a.coverage.pk)].append(a)
            chunks = [
                group[start : start + MAX_LINES_PER_CLAIM]
                for group in groups.values()
                for start in range(0, len(group), MAX_LINES_PER_CLAIM)
            ]
            _claims(batch, chunks)
            audit_record(
                action=AuditEvent.Action.CREATE,
                target=batch,
                ctx=ctx,
                details={"notes": [a.note.pk for a in assessments]},
            )
    except IntegrityError as exc:
        raise BatchConflict(
            "Some of these notes were put on another batch a moment ago. Nothing was saved; reload and try again."
        ) from exc
    return batch


def _claims(batch: ClaimBatch, chunks, *, frequency=Claim.Frequency.ORIGINAL, original=None) -> None:
    """One claim per chunk of assessments, all inserted in two queries whatever their number."""
    claims = Claim.objects.bulk_create(
        Claim(
            batch=batch,
            participant=chunk[0].note.participant,
            billing_program=chunk[0].coverage.billing_program,
            member_id=chunk[0].coverage.member_id,
            frequency=frequency,
            original=original,
            diagnosis_codes=chunk[0].note.participant.diagnosis_codes,
        )
        for chunk in chunks
    )
    ClaimLine.objects.bulk_create(
        ClaimLine(
            claim=claim,
            note=a.note,
            service_code=a.code,
            hcpcs=a.code.hcpcs,
            modifiers=a.modifiers,
            units=a.units,
            charge=a.amount,
            place_of_service=a.note.place_of_service,
            service_date=a.note.date,
            diagnosis_pointer=1,
        )
        for claim, chunk in zip(claims, chunks, strict=True)
        for a in chunk
    )


def next_interchange_control_number() -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [ICN_SEQUENCE])
            return cursor.fetchone()[0]
    # SQLite (development only) serializes writers, so max + 1 inside the transaction is safe there.
    return (ClaimBatch.objects.aggregate(m=Max("interchange_control_number"))["m"] or 0) + 1


def batch_export(*, batch: ClaimBatch, ctx: AuditContext) -> ClaimBatch:
    """Write the 837P and freeze the batch. Exporting again returns the same frozen file."""
    with transaction.atomic():
        batch = ClaimBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.is_frozen:
            return batch
        identity = BillingIdentity.objects.filter(agency__participants__claims__batch=batch).first()
        identity = identity or BillingIdentity.objects.order_by("pk").first()
        if identity is None:
            raise ExportError("Set up the agency's billing identity (NPI, tax ID, submitter) first.")
        control_number = next_interchange_control_number()
        batch.file_837 = build_837p(batch, identity, control_number=control_number)
        batch.interchange_control_number = control_number
        batch.status = ClaimBatch.Status.EXPORTED
        batch.exported_at = timezone.now()
        batch.exported_by = ctx.actor
        batch.save()
        audit_record(
            action=AuditEvent.Action.UPDATE,
            target=batch,
            ctx=ctx,
            details={"exported": control_number},
        )
    return batch


def claim_correct(*, claim: Claim, frequency: str, ctx: AuditContext) -> ClaimBatch:
    """Void (8) or replace (7) an exported claim, in a new batch for the same payer.

    The original's lines are voided. A void claim repeats them (as voided lines) so the payer
    knows what to reverse; the notes become billable again. A replacement claim bills the same
    notes afresh with today's assessment of units and charges.
    """
    if not ClaimBatch.objects.get(pk=claim.batch_id).is_frozen:
        raise ValidationError("Only exported claims are corrected; edit the open batch instead.")
    if frequency not in (Claim.Frequency.VOID, Claim.Frequency.REPLACEMENT):
        raise ValidationError("A correction is a void or a replacement.")
    with transaction.atomic():
        # The participant first, as batch builds lock it, then the lines.
        lock_participants(ClaimLine.objects.filter(claim=claim).values("note_id"))
        lines = list(ClaimLine.objects.select_for_update().filter(claim=claim, voided=False))
        if not lines:
            raise ValidationError("This claim has already been voided or replaced.")
        ClaimLine.objects.filter(pk__in=[line.pk for line in lines]).update(voided=True)
        batch = ClaimBatch.objects.create(payer=claim.batch.payer, created_by=ctx.actor)
        if frequency == Claim.Frequency.REPLACEMENT:
            assessments = assess(billable_notes().filter(pk__in=[line.note_id for line in lines]))
            if len(assessments) != len(lines) or any(a.status != READY for a in assessments):
                raise ValidationError("Some notes of this claim are no longer ready to bill; void the claim instead.")
            _claims(batch, [assessments], frequency=frequency, original=claim)
        else:
            void = Claim.objects.create(
                batch=batch,
                participant=claim.participant,
                billing_program=claim.billing_program,
                member_id=claim.member_id,
                frequency=frequency,
                original=claim,
                diagnosis_codes=claim.diagnosis_codes,
            )
            for line in lines:  # the same lines, marked voided: they bill nothing
                line.pk, line.claim, line.voided = None, void, True
            ClaimLine.objects.bulk_create(lines)
        audit_record(
            action=AuditEvent.Action.UPDATE,
            target=claim.batch,
            ctx=ctx,
            details={"corrected_claim": claim.pk, "frequency": frequency, "new_batch": batch.pk},
        )
    return batch


def duplicate_decide(*, stands: SessionNote, not_billed: SessionNote, ctx: AuditContext) -> DuplicateDecision:
    """Settle a possible duplicate service: `stands` may be billed, `not_billed` never will be.

    Under the participant's lock, as batch builds take it, so the note decided against can't
    be put on a batch between the check and the decision."""
    same_service = stands.participant_id == not_billed.participant_id and stands.overlaps(not_billed)
    if stands.pk == not_billed.pk or not same_service:
        raise ValidationError("These notes are not for the same participant at overlapping times.")
    with transaction.atomic():
        lock_participants([stands.pk])
        if DuplicateDecision.objects.filter(not_billed__in=[stands, not_billed]).exists():
            raise ValidationError("One of these notes was already decided not billed.")
        if ClaimLine.objects.filter(note=not_billed, voided=False).exists():
            raise ValidationError("The note you chose not to bill is already on a claim. Void that claim first.")
        decision = DuplicateDecision(stands=stands, not_billed=not_billed, decided_by=ctx.actor)
        decision.full_clean()
        decision.save()
        audit_record(
            action=AuditEvent.Action.CREATE,
            target=decision,
            ctx=ctx,
            details={"stands": stands.pk, "not_billed": not_billed.pk},
        )
    return decision
