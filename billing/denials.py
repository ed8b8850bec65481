"""The denial work queue: claim lines a payer denied that are still owed, and billing staff's
work on each (correct and resubmit, appeal, write off). Reads for the queue's page, and the
three actions, each one transaction with its audit row and a step in the claim's history.

A line is in the queue while it has open denied money: what was denied and not written off,
but never more than is still owed (`LEAST(denied - written_off, charge - paid - adjusted -
written_off) > 0`), so a denial the payer later paid (an overturned denial is often paid without
being reversed first) leaves the queue. It must also be live (a corrected line is voided: its
replacement is billed instead), and no appeal may wait for the payer's answer. An appeal waits
while it is dated on or after the payer's latest decision on the claim (`Claim.adjudicated_on`):
a later remittance is the payer's answer, and a line still denied after it comes back to the
queue."""

import datetime
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.db import transaction
from django.db.models import Count, DecimalField, Exists, F, OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.paging import counted_page
from audit.prepared import Prepared, Slot
from audit.services import audit_record

from . import corrections, owed
from .history import claim_event
from .models import Appeal, BatchDenial, Claim, ClaimBatch, ClaimLine, WriteOff
from .models.claims import open_denied_lines
from .remittance.codes import carc_meaning

MONEY = DecimalField(max_digits=12, decimal_places=2)
# A correction due within this many days is shown as urgent.
URGENT_DAYS = 14
ROW_RELATIONS = ("claim__participant", "claim__batch__payer")
# What a row shows (billing/templatetags/denial_rows.py) and its days left need, and nothing
# else: not a batch's frozen 837P and CSV (megabytes for a large batch, read 50 times if joined
# to each line), nor the participant's address and diagnoses, built into 50 models for a name.
ROW_FIELDS = (
    *("claim", "hcpcs", "modifiers", "service_date", "charge", "paid", "written_off", "denial_reason"),
    *("claim__payer_claim_number", "claim__adjudicated_on", "claim__batch__exported_at"),
    *("claim__participant__first_name", "claim__participant__last_name", "claim__participant__preferred_name"),
    *("claim__batch__payer__name", "claim__batch__payer__correction_days"),
)


def _day(day: datetime.date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _line_label(line: ClaimLine) -> str:
    return f"the {_day(line.service_date)} {line.hcpcs} line of {line.claim.claim_number}"


# --- Reads ---------------------------------------------------------------------------------


def open_denials() -> QuerySet[ClaimLine]:
    """Live lines with open denied money (`open_denied`: see the module). Only a remittance
    denies money, and one posts to exported claims only (`matching.our_claims` matches exported
    batches' claims; resolving a line refuses a claim never sent), so the line alone decides:
    no join to its claim and batch, and claimline_open_denied_idx, which carries the amounts,
    answers the queue's counts by itself."""
    return open_denied_lines()


def _waiting_appeals():
    """The appeals of the outer line sent since the payer's latest decision on its claim (the
    line's copy of its date, so the outer query needs no join to the claim)."""
    return Appeal.objects.filter(line=OuterRef("pk"), appealed_on__gte=OuterRef("claim_adjudicated_on"))


def _waiting_lines():
    """The ids of lines with an appeal waiting, as `_waiting_appeals` decides, found from the
    appeals (few) instead of probing them for every denied line: a semi-join PostgreSQL drives
    from the appeals."""
    return Appeal.objects.filter(appealed_on__gte=F("line__claim_adjudicated_on")).values("line")


def _filtered(lines: QuerySet, filters: dict) -> QuerySet:
    if filters.get("payer"):
        lines = lines.filter(claim__batch__payer=filters["payer"])
    if filters.get("reason"):
        lines = lines.filter(denial_reason=filters["reason"])
    return lines


def queue(filters: dict) -> QuerySet[ClaimLine]:
    """The lines to work, grouped by reason code, the oldest decision first in each group."""
    return (
        _filtered(open_denials(), filters)
        .filter(~Exists(_waiting_appeals()))
        .select_related(*ROW_RELATIONS)
        .only(*ROW_FIELDS)
        .order_by("denial_reason", F("claim_adjudicated_on").asc(nulls_last=True), "service_date", "pk")
    )


def queue_to_count() -> tuple[tuple[QuerySet[BatchDenial], str], QuerySet[ClaimLine]]:
    """What `queue({})` lists, for billing's home to count with its other figures
    (`selectors.counts_of`): the lines each batch keeps denied (BatchDenial's `lines`, summed:
    a row per batch and reason, not every denied line, 17 ms at agency scale) less the lines
    with an appeal waiting, found from the appeals (few), as `counts` counts them;
    test_denials checks the home's count is the queue's length."""
    return (BatchDenial.objects.all(), "lines"), open_denials().filter(pk__in=_waiting_lines())


def appealed(filters: dict) -> QuerySet[ClaimLine]:
    """Lines appealed and waiting for the payer's answer, with the latest appeal's date and
    note (`appealed_on`, `appeal_note`), the longest waiting first."""
    latest = _waiting_appeals().order_by("-appealed_on", "-pk")
    return (
        _filtered(open_denials(), filters)
        # First the lines with an appeal waiting (a semi-join from the few appeals, not an
        # EXISTS probed for each of 22,000 denied lines), then the latest one's date and note
        # for those lines only, not a subquery for every queued line.
        .filter(pk__in=_waiting_lines())
        .annotate(
            appealed_on=Subquery(latest.values("appealed_on")[:1]),
            appeal_note=Subquery(latest.values("note")[:1]),
        )
        .select_related(*ROW_RELATIONS)
        .only(*ROW_FIELDS)
        .order_by("appealed_on", "pk")
    )


class Counts(NamedTuple):
    """The queue counted by reason, and the lines with an appeal waiting, by reason."""

    by_reason: list[dict]
    waiting: dict[str, int]

    def lines(self, reason: str | None) -> int:
        """The queue's length, of one reason or (None) of all."""
        return sum(r["lines"] for r in self.by_reason if not reason or r["denial_reason"] == reason)

    def waiting_lines(self, reason: str | None) -> int:
        """How many lines the appealed list holds, of one reason or (None) of all."""
        return sum(n for code, n in self.waiting.items() if not reason or code == reason)


def counts(filters: dict) -> Counts:
    """The queue counted by reason (of the payer filtered, whatever the reason filter): code,
    meaning, lines and amount still denied, the largest amount first. What each batch still has
    denied by reason (BatchDenial, kept by billing.owed) added up, less the lines with an appeal
    waiting (few, read from the appeals): a row per batch, not every denied line (22,000 at
    agency scale, 25 ms). Two queries, which count both lists of the page; test_denials checks
    they equal the lists counted line by line."""
    stored = BatchDenial.objects.all()
    if filters.get("payer"):
        stored = stored.filter(batch__payer=filters["payer"])
    totals = {
        row["reason"]: [row["count"], row["total"]]
        for row in stored.values("reason").annotate(count=Sum("lines"), total=Sum("amount")).order_by()
    }
    waiting = _filtered(open_denials(), {"payer": filters.get("payer")}).filter(pk__in=_waiting_lines())
    appealed_lines = {}
    for row in waiting.values("denial_reason").annotate(count=Count("pk"), total=Sum("open_denied")).order_by():
        totals[row["denial_reason"]][0] -= row["count"]
        totals[row["denial_reason"]][1] -= row["total"]
        appealed_lines[row["denial_reason"]] = row["count"]
    rows = [
        {"denial_reason": reason, "lines": lines, "amount": amount, "meaning": carc_meaning(reason)}
        for reason, (lines, amount) in totals.items()
        if lines
    ]
    return Counts(sorted(rows, key=lambda row: (-row["amount"], row["denial_reason"])), appealed_lines)


# A page's lines with what their rows show, by id, compiled once (audit/prepared.py): building
# and compiling this five-table read took longer than PostgreSQL took to plan and run it.
_rows = Prepared(
    lambda: open_denials().select_related(*ROW_RELATIONS).only(*ROW_FIELDS).filter(pk__in=Slot("ids", many=True))
)


def queue_page(filters: dict, counted: Counts, number, per_page: int) -> Page:
    """Page `number` of the queue. Its count is the reasons' (`counts`, which the page reads
    anyway), not a second count of the queue; its lines are chosen by id, in the order of the
    queue's index, then read with what their rows show: the participant and payer of 50 lines
    are joined, not of every line in the queue."""
    lines = queue(filters).values_list("pk", flat=True)
    page = counted_page(lines, per_page, number, count=counted.lines(filters.get("reason")))
    ids = list(page.object_list)
    found = {line.pk: line for line in _rows(ids=ids)} if ids else {}
    page.object_list = rows(found[pk] for pk in ids if pk in found)
    return page


def appealed_page(filters: dict, counted: Counts, number, per_page: int) -> Page:
    """Page `number` of the appealed lines, counted by `counts` too: when none waits (most
    days), their query is not even built."""
    count = counted.waiting_lines(filters.get("reason"))
    page = counted_page(appealed(filters) if count else [], per_page, number, count=count)
    page.object_list = rows(page.object_list)
    return page


def rows(lines) -> list[ClaimLine]:
    """One page of lines, each with what its row shows: the days left for a correction
    (negative: past the payer's limit), whether that is urgent, and the reason's meaning."""
    page = list(lines)
    for line in page:
        line.days_left = corrections.correction_days_left(line.claim, line.claim.batch)
        line.days_past = -line.days_left
        line.urgent = line.days_left <= URGENT_DAYS
        line.reason_meaning = carc_meaning(line.denial_reason)
    return page


# --- Actions -------------------------------------------------------------------------------


def _check_in_queue(line: ClaimLine) -> None:
    if line.voided:
        raise ValidationError("This line was corrected or voided: its replacement is billed instead.")
    if not line.claim.batch.is_frozen:
        raise ValidationError("This line's batch was never exported: nothing was denied on it.")
    if open_denied(line) <= 0:
        raise ValidationError("Nothing denied is left on this line: it was paid, corrected or written off.")


def _locked(line: ClaimLine) -> ClaimLine:
    """The line, locked until the transaction ends (its row only), with its claim and batch."""
    return ClaimLine.objects.select_for_update(of=("self",)).select_related("claim__batch__payer").get(pk=line.pk)


def line_correct(*, line: ClaimLine, ctx: AuditContext) -> ClaimBatch:
    """Correct and resubmit a denied line: a replacement claim (frequency 7) of its whole claim
    in a new batch, through `corrections.claim_correct`, which voids the original's lines (so they
    leave the queue) and refuses without the payer's claim number or past its correction limit.
    The line is not locked here: claim_correct locks the participant, then the lines, in the
    order batch builds lock them, so two of them never deadlock."""
    line = ClaimLine.objects.select_related("claim__batch__payer").get(pk=line.pk)
    _check_in_queue(line)
    return corrections.claim_correct(claim=line.claim, frequency=Claim.Frequency.REPLACEMENT, ctx=ctx)


def line_appeal(*, line: ClaimLine, appealed_on: datetime.date, note: str, ctx: AuditContext) -> Appeal:
    """Record an appeal sent to the payer for a denied line: the line waits under "appealed"
    until the payer's next remittance for the claim. The note stays on the Appeal row (and the
    claim's page); the audit row names the line and date only."""
    note = note.strip()
    if not note:
        raise ValidationError("Say what the appeal asks for and what was sent with it.")
    today = timezone.localdate()
    if appealed_on > today:
        raise ValidationError(f"Give the date the appeal was sent: {_day(appealed_on)} is in the future.")
    with transaction.atomic():
        line = _locked(line)
        _check_in_queue(line)
        decided = line.claim.adjudicated_on
        if decided and appealed_on < decided:
            raise ValidationError(
                f"The appeal is dated before the remittance of {_day(decided)} that denied the line: "
                "give the date it was sent, on or after that day."
            )
        waiting = Appeal.objects.filter(line=line, appealed_on__gte=decided).first() if decided else None
        if waiting is not None:
            raise ValidationError(
                f"This line was already appealed on {_day(waiting.appealed_on)}; it waits for the answer."
            )
        appeal = Appeal(line=line, appealed_on=appealed_on, note=note, recorded_by=ctx.actor)
        appeal.full_clean()
        appeal.save()
        claim_event(
            line.claim,
            f"Appeal of {_line_label(line)} ({line.denial_reason}) sent on {_day(appealed_on)}.",
            actor=ctx.actor,
        )
        audit_record(
            action=AuditEvent.Action.CREATE,
            ctx=ctx,
            target=appeal,
            details={"line": line.pk, "claim": line.claim_id, "appealed_on": appealed_on.isoformat()},
        )
    return appeal


def still_owed(line: ClaimLine) -> Decimal:
    """What the payer still owes on a line: charge less paid, adjusted and written off."""
    return line.charge - line.paid - line.adjusted - line.written_off


def open_denied(line: ClaimLine) -> Decimal:
    """What is still denied on a line: denied and not written off, never more than is owed."""
    return min(line.denied - line.written_off, still_owed(line))


def line_write_off(*, line: ClaimLine, reason: str, ctx: AuditContext, amount: Decimal | None = None) -> WriteOff:
    """Give up money still owed on a denied line, with the reason: by default the part still
    denied, never more than is owed. Under the line's row lock: two clerks writing off the same
    line at once each read the balance the other left, so the second cannot write it off again."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why this amount is written off.")
    if amount is not None and amount <= 0:
        raise ValidationError("Write off an amount above $0.00.")
    with transaction.atomic():
        line = _locked(line)
        _check_in_queue(line)
        owing = still_owed(line)
        amount = open_denied(line) if amount is None else amount
        if amount > owing:
            raise ValidationError(
                f"Only ${owing:.2f} is still owed on this line (charge ${line.charge:.2f}, paid ${line.paid:.2f}, "
                f"adjusted ${line.adjusted:.2f}, written off ${line.written_off:.2f}): write off at most that."
            )
        write_off = WriteOff(line=line, amount=amount, reason=reason, recorded_by=ctx.actor)
        write_off.full_clean()
        write_off.save()
        line.written_off += amount
        line.save(update_fields=["written_off"])
        owed.refresh([line.claim.batch_id])
        claim_event(line.claim, f"${amount:.2f} of {_line_label(line)} written off.", actor=ctx.actor)
        audit_record(
            action=AuditEvent.Action.CREATE,
            ctx=ctx,
            target=write_off,
            details={"line": line.pk, "claim": line.claim_id, "amount": f"{amount:.2f}"},
        )
    return write_off
