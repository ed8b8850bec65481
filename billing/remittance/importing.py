"""Importing an 835: read and validate it (reader.py), match it to our claims (matching.py),
store it, and post it (posting.py) when it balances; hold it for review when it does not.
Billing staff then post a held remittance after review, or dismiss it.

One transaction per file: an invalid file stores nothing; a held one stores the remittance
(so it can be reviewed) but posts nothing to claim lines.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import audit_record

from .. import owed
from ..models import Adjustment, Claim, ProviderAdjustment, Remittance, RemittanceClaim, RemittanceLine
from .balance import balance_problems
from .matching import FileMatch, identify_payer, match_file, our_claims
from .posting import category_of, post_claim
from .reader import ParsedRemittance, RemittanceFileError, read_835

__all__ = [
    "Outcome",
    "RemittanceFileError",
    "remittance_dismiss",
    "remittance_import",
    "remittance_post_held",
]


@dataclass(frozen=True)
class Outcome:
    """What became of one transaction (ST to SE) of the file."""

    remittance: Remittance
    created: bool  # False: imported before; nothing was posted this time
    message: str

    @property
    def held(self) -> bool:
        return self.created and self.remittance.status == Remittance.Status.HELD


def remittance_import(*, text: str, file_name: str, ctx: AuditContext) -> list[Outcome]:
    """Import every remittance of an 835 file. Raises RemittanceFileError (pyx12's messages)
    for a file that is not a valid 835, having stored nothing."""
    text = text.lstrip()  # a blank line before the ISA is not worth refusing a file for
    parsed = read_835(text)
    outcomes: list[Outcome] = []
    with transaction.atomic():
        for one in parsed:
            # The text is stored once, on the first remittance this import creates (not once per ST).
            kept = next((o.remittance for o in outcomes if o.created), None)
            outcomes.append(_import_one(one, text=text, file_name=file_name, ctx=ctx, kept=kept))
    return outcomes


def _already(remittance: Remittance) -> Outcome:
    when = timezone.localtime(remittance.imported_at)
    message = (
        f"Remittance {remittance.trace_number} was already imported on {when:%b} {when.day}, {when.year} by "
        f"{remittance.imported_by}; nothing was posted again."
    )
    return Outcome(remittance, False, message)


def _import_one(parsed: ParsedRemittance, *, text: str, file_name: str, ctx: AuditContext, kept) -> Outcome:
    key = {"payer_identifier": parsed.payer_identifier, "trace_number": parsed.trace_number}
    existing = Remittance.objects.select_related("imported_by").filter(**key).first()
    if existing is not None:
        return _already(existing)
    payer = identify_payer(parsed)
    claims = our_claims([c.patient_control_number for c in parsed.claims], payer)
    found = match_file(parsed, claims)
    problems = balance_problems(parsed, set(claims)) + found.problems
    remittance = Remittance(
        **key,
        payer=payer,
        payer_name=parsed.payer_name,
        payment_amount=parsed.payment_amount,
        payment_method=parsed.payment_method,
        paid_on=parsed.paid_on,
        file_name=file_name[:200],
        file_text="" if kept else text,
        file_with=kept,
        status=Remittance.Status.HELD if problems else Remittance.Status.POSTED,
        problems=problems,
        imported_by=ctx.actor,
        claim_count=len(parsed.claims),  # _store writes a RemittanceClaim for each
    )
    remittance.full_clean(validate_constraints=False)
    try:
        # The unique trace (remittance_trace_once) is the last word when two people import the same
        # file at once: the second insert waits for the first to commit, then fails here.
        with transaction.atomic():
            remittance.save()
    except IntegrityError:
        return _already(Remittance.objects.select_related("imported_by").get(**key))
    counts = _store(remittance, parsed, found)
    ProviderAdjustment.objects.bulk_create(
        ProviderAdjustment(remittance=remittance, reason=reason, reference=reference, amount=amount)
        for reason, reference, amount in parsed.provider_adjustments
    )
    if not problems:
        _post(remittance, ctx.actor)
    details = {"trace_number": remittance.trace_number, "status": remittance.status, **counts}
    details["provider_adjustments"] = len(parsed.provider_adjustments)
    audit_record(action=AuditEvent.Action.CREATE, ctx=ctx, target=remittance, details=details)
    return Outcome(remittance, True, _summary(remittance, counts))


def _store(remittance: Remittance, parsed: ParsedRemittance, found: FileMatch) -> dict:
    """The CLPs, SVCs and CASs, each SVC with the claim line it matched (or unmatched)."""
    rclaims = []
    for position, (claim, target) in enumerate(zip(parsed.claims, found.targets, strict=True), start=1):
        rclaims.append(
            RemittanceClaim(
                remittance=remittance,
                claim=target,
                position=position,
                patient_control_number=claim.patient_control_number,
                status_code=claim.status_code,
                charge=claim.charge,
                paid=claim.paid,
                patient_responsibility=claim.patient_responsibility,
                payer_claim_number=claim.payer_claim_number,
                member_id=claim.member_id,
                patient_name=claim.patient_name,
                remark_codes=claim.remark_codes,
            )
        )
    # Bulk inserts: pyx12 has checked each element's length against the 835 map, which the
    # fields were sized for, so full_clean (a query per foreign key per row) adds nothing here.
    RemittanceClaim.objects.bulk_create(rclaims)
    rlines, line_adjustments = [], []
    for rclaim, claim, matches in zip(rclaims, parsed.claims, found.lines, strict=True):
        for position, (line, match) in enumerate(zip(claim.lines, matches, strict=True), start=1):
            rline = RemittanceLine(
                remittance_claim=rclaim,
                claim_line=match,
                position=position,
                hcpcs=line.hcpcs,
                modifiers=line.modifiers,
                submitted_hcpcs=line.submitted_hcpcs,
                submitted_modifiers=line.submitted_modifiers,
                service_date=line.service_date,
                charge=line.charge,
                paid=line.paid,
                allowed=line.allowed,
                units=line.units,
                remark_codes=line.remark_codes,
                match=RemittanceLine.Match.MATCHED if match else RemittanceLine.Match.UNMATCHED,
            )
            rlines.append(rline)
            line_adjustments.append((rclaim, rline, line))
    RemittanceLine.objects.bulk_create(rlines)
    adjustments = [
        _adjustment(rclaim, None, a, claim.paid)
        for rclaim, claim in zip(rclaims, parsed.claims, strict=True)
        for a in claim.adjustments
    ]
    adjustments += [
        _adjustment(rclaim, rline, a, line.paid) for rclaim, rline, line in line_adjustments for a in line.adjustments
    ]
    Adjustment.objects.bulk_create(adjustments)
    matched = sum(1 for r in rlines if r.claim_line_id)
    return {
        "claims": len(rclaims),
        "claims_matched": sum(1 for r in rclaims if r.claim_id),
        "lines": len(rlines),
        "lines_matched": matched,
        "lines_unmatched": len(rlines) - matched,
    }


def _adjustment(rclaim, rline, parsed, paid: Decimal) -> Adjustment:
    return Adjustment(
        remittance_claim=rclaim,
        line=rline,
        group=parsed.group,
        reason=parsed.reason,
        amount=parsed.amount,
        quantity=parsed.quantity,
        category=category_of(parsed.group, parsed.reason, paid),
    )


def _post(remittance: Remittance, actor) -> int:
    """Post every matched line to its claim line, then settle each matched claim, in file order
    (a reversal before the correction that follows it). The CLPs, their lines and adjustments
    are read in three queries; posting then costs one UPDATE a line and a few queries a claim."""
    rclaims = list(remittance.claims.exclude(claim=None).order_by("position"))
    lines_of: dict[int, list] = {}
    for rline in RemittanceLine.objects.filter(remittance_claim__in=rclaims).order_by("position"):
        lines_of.setdefault(rline.remittance_claim_id, []).append(rline)
    on_line: dict[int, list] = {}
    on_claim: dict[int, list] = {}
    for adjustment in Adjustment.objects.filter(remittance_claim__in=rclaims).order_by("pk"):
        if adjustment.line_id:
            on_line.setdefault(adjustment.line_id, []).append(adjustment)
        else:
            on_claim.setdefault(adjustment.remittance_claim_id, []).append(adjustment)
    posted = 0
    for rclaim in rclaims:
        rclaim.remittance = remittance
        lines = lines_of.get(rclaim.pk, [])
        matched = [rline for rline in lines if rline.match == RemittanceLine.Match.MATCHED]
        postings = [(rline, on_line.get(rline.pk, [])) for rline in matched]
        claim_adjustments = on_claim.get(rclaim.pk, [])
        posted += post_claim(
            rclaim, postings, claim_adjustments=claim_adjustments, lines=bool(lines), actor=actor, posting_file=True
        )
    owed.refresh(Claim.objects.filter(pk__in={r.claim_id for r in rclaims}).values_list("batch_id", flat=True))
    return posted


def _summary(remittance: Remittance, counts: dict) -> str:
    day = remittance.paid_on
    head = (
        f"Remittance {remittance.trace_number} from {remittance.payer_name} "
        f"(${remittance.payment_amount} paid on {day:%b} {day.day}, {day.year})"
    )
    if remittance.status == Remittance.Status.HELD:
        found = _count(len(remittance.problems), "problem")
        return f"{head} is held for review: it does not balance ({found}). Nothing was posted."
    unmatched = counts["lines_unmatched"]
    tail = f"; {_count(unmatched, 'line')} matched nothing and wait in the unmatched list" if unmatched else ""
    lines, claims = _count(counts["lines"], "line"), _count(counts["claims_matched"], "claim")
    return f"{head}: posted {counts['lines_matched']} of {lines} to {claims}{tail}."


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def remittance_post_held(*, remittance: Remittance, note: str, ctx: AuditContext) -> int:
    """Post a held remittance after a person has reviewed why it does not balance (the note says
    what they checked). Returns the number of lines posted."""
    note = note.strip()
    if not note:
        raise ValidationError("Write what you checked before posting a remittance that does not balance.")
    with transaction.atomic():
        remittance = _reviewed(remittance, Remittance.Status.POSTED, note, ctx, "is posted after review")
        try:
            with transaction.atomic():
                posted = _post(remittance, ctx.actor)
        except DataError as error:
            # Its amounts fit when it was imported (reader.py); added to what was posted since,
            # a claim line's sum no longer fits NUMERIC(10,2). Nothing of it is posted.
            raise ValidationError(
                "Posting it would make a claim line's paid, adjusted or denied amount too large to store; "
                "nothing was posted. Check the remittance with the payer."
            ) from error
        # The note's words stay on the remittance; the audit row names what changed, never free text.
        details = {
            "posted_after_review": True,
            "lines_posted": posted,
            "fields": ["status", "reviewed_by", "review_note"],
        }
        audit_record(action=AuditEvent.Action.UPDATE, ctx=ctx, target=remittance, details=details)
    return posted


def remittance_dismiss(*, remittance: Remittance, reason: str, ctx: AuditContext) -> Remittance:
    """Set a held remittance aside without posting it (a file sent in error, replaced by the payer)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why this remittance is dismissed.")
    with transaction.atomic():
        remittance = _reviewed(remittance, Remittance.Status.DISMISSED, reason, ctx, "can be dismissed")
        details = {"dismissed": True, "fields": ["status", "reviewed_by", "review_note"]}
        audit_record(action=AuditEvent.Action.UPDATE, ctx=ctx, target=remittance, details=details)
    return remittance


def _reviewed(remittance: Remittance, status: str, note: str, ctx: AuditContext, what: str) -> Remittance:
    """A held remittance, locked, moved to `status` by the person who reviewed it, with their note."""
    remittance = Remittance.objects.select_for_update().get(pk=remittance.pk)
    if remittance.status != Remittance.Status.HELD:
        raise ValidationError(f"Only a held remittance {what}; this one is {remittance.get_status_display().lower()}.")
    remittance.status, remittance.reviewed_by, remittance.review_note = status, ctx.actor, note[:500]
    remittance.full_clean(validate_constraints=False)
    remittance.save(update_fields=["status", "reviewed_by", "review_note"])
    return remittance
