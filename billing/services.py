from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import audit_disclosure, audit_record, save_with_audit
from notes.models import SessionNote
from participants.models import Participant
from programs.models import Payer

from . import claim_insert, collector, file_check, marks, owed
from .assessment import READY
from .billability import assess, billable_notes
from .export_rows import claim_rows
from .exports import batch_csv
from .history import batch_sent
from .models import Authorization, BillingIdentity, Claim, ClaimBatch, ClaimLine, DuplicateDecision
from .validation import export_problems
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
    """One claim per `claim_key` (participant, coverage, authorization, and specialist when the
    payer requires the rendering provider), lines in date order, at most 50 lines a claim.

    The notes are assessed again inside the transaction, after their participants' rows are
    locked: only those still ready for this payer are billed. The partial unique index on
    ClaimLine.note is the last word: if another batch billed a note meanwhile, the insert
    fails and this whole batch rolls back.
    """
    try:
        with collector.paused(), transaction.atomic():
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
                groups[claim_key(a)].append(a)
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


def claim_key(a) -> tuple:
    """Ready notes with the same key may share a claim: one participant and coverage, under one
    prior authorization (a claim carries one REF*G1, billing-rules.md "On the claim"), and, when
    the payer requires the rendering provider, by one specialist (loop 2310B names one per claim);
    billed as secondary, after one other payer's claim (`Assessment.secondary_key`)."""
    renderer = a.note.author_id if a.coverage.payer.requires_rendering_provider else None
    authorization = a.authorization.pk if a.authorization else None
    return (a.note.participant_id, a.coverage.pk, authorization, renderer, a.secondary_key)


def _claims(batch: ClaimBatch, chunks, *, frequency=Claim.Frequency.ORIGINAL, original=None) -> None:
    """One claim per chunk of assessments, all inserted in two queries whatever their number. A
    secondary line keeps the adjudication version it is billed with."""
    claim_insert.insert(
        batch.pk,
        [_claim_values(chunk[0]) for chunk in chunks],
        [[_line_values(a) for a in chunk] for chunk in chunks],
        frequency=frequency,
        original_id=original.pk if original else None,
    )
    marks.close(a.note.pk for chunk in chunks for a in chunk)


def _claim_values(a) -> dict:
    """A claim's columns, from the first assessment of its chunk (the claim key is shared)."""
    return {
        "participant_id": a.note.participant_id,
        "billing_program": a.coverage.billing_program,
        "member_id": a.coverage.member_id,
        "diagnosis_codes": a.note.participant.diagnosis_codes,
        "authorization_id": a.authorization.pk if a.authorization else None,
        "other_coverage_id": a.other_coverage.pk if a.other_coverage else None,
        "rendering_provider_id": (
            a.note.author.staff_profile.pk if a.coverage.payer.requires_rendering_provider else None
        ),
    }


def _line_values(a) -> dict:
    return {
        "note_id": a.note.pk,
        "service_code_id": a.code.pk,
        "hcpcs": a.code.hcpcs,
        "modifiers": a.modifiers,
        "units": a.units,
        "charge": a.amount,
        "place_of_service": a.note.place_of_service,
        "service_date": a.note.date,
        # The other payer's adjudication as it is now, kept with the line: the claim is written
        # from this version, and so is any void of it (x12._other_payer).
        "primary_adjudication_id": a.adjudication.pk if a.other_coverage is not None and a.adjudication else None,
    }


def next_interchange_control_number() -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [ICN_SEQUENCE])
            return cursor.fetchone()[0]
    # SQLite (development only) serializes writers, so max + 1 inside the transaction is safe there.
    return (ClaimBatch.objects.aggregate(m=Max("interchange_control_number"))["m"] or 0) + 1


def batch_export(*, batch: ClaimBatch, ctx: AuditContext) -> ClaimBatch:
    """Write the 837P, run our own checks on it and freeze the batch; pyx12 reads it after the
    commit (billing.file_check), and the 837P is offered once it has passed. A file with
    problems is not frozen, nor offered: the problems are kept on the batch, by claim, for its
    page. Exporting again returns the same frozen file."""
    try:
        with collector.paused(), transaction.atomic():
            batch = ClaimBatch.objects.select_for_update().get(pk=batch.pk)
            if batch.is_frozen:
                return batch
            if not batch.is_open:
                done = "withdrawn" if batch.is_withdrawn else "discarded"
                raise ExportError(f"Batch {batch.pk} was {done}; build a new one from the work page.")
            identity = BillingIdentity.objects.filter(agency__participants__claims__batch=batch).first()
            identity = identity or BillingIdentity.objects.order_by("pk").first()
            if identity is None:
                raise ExportError("Set up the agency's billing identity (NPI, tax ID, submitter) first.")
            # A failed attempt leaves a gap in the interchange numbers: ISA13 must be unique, not gapless.
            control_number = next_interchange_control_number()
            claims = claim_rows(batch)  # read once, for the 837P and the CSV
            text = build_837p(batch, identity, control_number=control_number, claims=claims)
            problems = export_problems(text)
            if problems:
                raise ExportError(problems)
            batch.file_837 = text
            batch.file_csv = batch_csv(batch, claims)
            batch.interchange_control_number = control_number
            batch.status = ClaimBatch.Status.EXPORTED
            batch.total_charge = ClaimLine.objects.filter(claim__batch=batch, voided=False).aggregate(
                total=Sum("charge", default=Decimal(0))
            )["total"]
            batch.claim_count = batch.claims.count()
            batch.exported_at = timezone.now()
            batch.exported_by = ctx.actor
            batch.export_errors = []
            batch.save()
            owed.refresh([batch.pk])
            batch_sent(batch, ctx.actor)
            audit_record(
                action=AuditEvent.Action.UPDATE,
                target=batch,
                ctx=ctx,
                details={"exported": control_number},
            )
            file_check.queue_check(batch.pk)
    except ExportError as error:
        # Outside the rolled-back transaction, so the batch page can list them.
        ClaimBatch.objects.filter(pk=batch.pk, status=ClaimBatch.Status.OPEN).update(
            export_errors=[{"claim": p.claim, "message": p.message} for p in error.problems]
        )
        raise
    return batch


def batch_frozen_csv(batch: ClaimBatch) -> str:
    """The CSV frozen at export. Batches exported before the CSV was frozen with the 837P have
    none: theirs is built once, now, and kept (the conditional UPDATE keeps the first of two
    concurrent downloads), so every later download is the same file."""
    if batch.file_csv or not batch.is_frozen:
        return batch.file_csv
    text = batch_csv(batch)
    ClaimBatch.objects.filter(pk=batch.pk, file_csv="").update(file_csv=text)
    return ClaimBatch.objects.values_list("file_csv", flat=True).get(pk=batch.pk)


# What each download of a frozen batch is: its content type, and the purpose its disclosure
# row gives (audit.services.audit_disclosure).
BATCH_FILES = {
    "837p": ("text/plain; charset=utf-8", "Payment: claims (837P) for the payer"),
    "csv": ("text/csv; charset=utf-8", "Payment: the claims worksheet of a batch, kept by the agency"),
}


def batch_download(*, batch: ClaimBatch, fmt: str, ctx: AuditContext) -> tuple[str, str, str]:
    """A frozen batch's 837P (once pyx12 has passed it: file_check) or CSV as (file name,
    content type, text). Both name people, their Medicaid IDs and services, so each download is
    a disclosure of every participant in the batch, to the payer's receiver for the 837P and to
    the agency itself for the worksheet."""
    content_type, purpose = BATCH_FILES[fmt]
    if fmt == "837p" and not file_check.passed(batch):
        raise ExportError(f"pyx12 found problems in batch {batch.pk}'s 837P: it is not offered (see the batch page).")
    if fmt == "837p":
        name, text = f"batch-{batch.pk}-{batch.interchange_control_number:09d}.837", batch.file_837
        recipient = batch.payer.receiver_label
    else:
        name, text, recipient = f"batch-{batch.pk}.csv", batch_frozen_csv(batch), "The agency (downloaded by staff)"
    participants = batch.claims.values_list("participant_id", flat=True).distinct()
    audit_disclosure(ctx=ctx, target=batch, participants=participants, file=name, recipient=recipient, purpose=purpose)
    return name, content_type, text


def claim_set_payer_number(*, claim: Claim, number: str, ctx: AuditContext) -> Claim:
    """Record the payer's claim number of an exported claim, as its remittance shows it (until
    835 import fills it). The audit row keeps the old and the new number."""
    if not ClaimBatch.objects.get(pk=claim.batch_id).is_frozen:
        raise ValidationError("A claim gets the payer's number once it is sent: export its batch first.")
    claim.payer_claim_number = number.strip()
    return save_with_audit(claim, ctx=ctx)


def authorization_save(*, authorization: Authorization, ctx: AuditContext) -> Authorization:
    """Record or correct an authorization as the payer issued it, with its audit row."""
    return save_with_audit(authorization, ctx=ctx)


def _lock_open_batch(batch: ClaimBatch) -> ClaimBatch:
    batch = ClaimBatch.objects.select_for_update().get(pk=batch.pk)
    if not batch.is_open:
        raise ValidationError(f"Batch {batch.pk} is {batch.get_status_display().lower()}; only an open batch changes.")
    if batch.claims.exclude(frequency=Claim.Frequency.ORIGINAL).exists():
        raise ValidationError(
            "This batch corrects exported claims; export it to send the correction, it can't be changed."
        )
    return batch


def _line_record(line: ClaimLine) -> dict:
    return {
        "note": line.note_id,
        "units": line.units,
        "charge": str(line.charge),
    }


def batch_discard(*, batch: ClaimBatch, ctx: AuditContext) -> ClaimBatch:
    """Discard a batch before export: its proposed claims and lines go (nothing was sent, and
    the audit row keeps what they were), the notes are ready to bill again, and the batch
    stays, marked discarded."""
    with transaction.atomic():
        batch = _lock_open_batch(batch)
        lines = list(ClaimLine.objects.filter(claim__batch=batch))
        ClaimLine.objects.filter(pk__in=[line.pk for line in lines]).delete()
        batch.claims.all().delete()
        marks.refresh(line.note_id for line in lines)
        batch.status = ClaimBatch.Status.DISCARDED
        batch.save(update_fields=["status"])
        audit_record(
            action=AuditEvent.Action.UPDATE,
            ctx=ctx,
            target=batch,
            details={"discarded": [_line_record(line) for line in lines]},
        )
    return batch


def batch_remove_line(*, line: ClaimLine, ctx: AuditContext) -> ClaimBatch:
    """Take one line out of an open batch (its note is ready to bill again); a claim left
    with no line goes too."""
    with transaction.atomic():
        batch = _lock_open_batch(line.claim.batch)
        claim = line.claim
        line.delete()
        if not claim.lines.exists():
            claim.delete()
        marks.refresh([line.note_id])
        if not batch.claims.exists():  # nothing left to send
            batch.status = ClaimBatch.Status.DISCARDED
            batch.save(update_fields=["status"])
        audit_record(action=AuditEvent.Action.UPDATE, ctx=ctx, target=batch, details={"removed": _line_record(line)})
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
        marks.refresh([not_billed.pk])
        audit_record(
            action=AuditEvent.Action.CREATE,
            target=decision,
            ctx=ctx,
            details={"stands": stands.pk, "not_billed": not_billed.pk},
        )
    return decision
