"""Coordination of benefits: recording what the participant's other insurance decided on a note,
so that Medicaid, the payer of last resort (42 CFR 433.139), is billed as secondary with it.

A note the other payer paid in full is still billed to Medicaid, with the payment shown (loop
2320 AMT*D and each line's SVD02), and Medicaid is expected to pay nothing. Texas asks for this:
"when a TPR issues a payment or partial payment to a provider, the other insurance credit must be
indicated on the claim ... even if the TPR payment exceeds the Medicaid allowed amount" (TMPPM
6.12.1, Other Insurance Credits). No Connecticut source was found; the same reading is the
conservative one there too: the claim states every dollar the other payer paid, so Medicaid
can't pay it twice, and nothing is billed that the record does not show.
"""

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import audit_record
from notes.models import SessionNote
from participants.models import Coverage

from .billability import BILLABLE_STATUSES, assess, billable_notes
from .models import ClaimLine, PrimaryAdjudication, PrimaryAdjustment
from .models.coordination import MAX_ADJUSTMENTS_PER_GROUP, AdjustmentGroup, FilingIndicator, balance_error
from .remittance.reader import RemittanceFileError, read_835
from .services import lock_participants

# (group, reason, amount), e.g. ("PR", "2", Decimal("14.62")): one adjustment of the other payer.
AdjustmentRow = tuple[str, str, Decimal]
FIELDS = ("coverage", "claim_number", "adjudicated_on", "billed", "paid", "filing_indicator", "source")


def primary_adjudication_record(
    *,
    note: SessionNote,
    coverage: Coverage,
    billed: Decimal,
    paid: Decimal,
    adjudicated_on: datetime.date,
    filing_indicator: str,
    adjustments: Sequence[AdjustmentRow],
    claim_number: str = "",
    source: str = PrimaryAdjudication.Source.TYPED,
    ctx: AuditContext,
) -> PrimaryAdjudication:
    """Record the other insurance's adjudication of `note`, typed from its remittance or read
    from its 835. A note has one: once recorded, it changes only by `primary_adjudication_correct`."""
    adjudication = PrimaryAdjudication(
        note=note, coverage=coverage, billed=billed, paid=paid, adjudicated_on=adjudicated_on,
        filing_indicator=filing_indicator, claim_number=(claim_number or "").strip(), source=source,
        recorded_by=ctx.actor,
    )  # fmt: skip
    return _save(adjudication, adjustments, ctx=ctx)


def primary_adjudication_correct(
    *, adjudication: PrimaryAdjudication, reason: str, ctx: AuditContext, **fields
) -> PrimaryAdjudication:
    """Correct a recorded adjudication: a new version replaces it, naming it and saying why (the
    old one stays, marked not current). `fields` are those of `primary_adjudication_record`.
    Refused while the note is on a live claim line: void that claim first, as the claim sent
    carries the old figures."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"correction_reason": "Say why the recorded adjudication is corrected."})
    adjustments = fields.pop("adjustments")
    new = PrimaryAdjudication(
        note=adjudication.note, corrects=adjudication, correction_reason=reason, recorded_by=ctx.actor, **fields
    )
    new.claim_number = (new.claim_number or "").strip()
    return _save(new, adjustments, ctx=ctx, replacing=adjudication)


def _save(adjudication, adjustments, *, ctx: AuditContext, replacing: PrimaryAdjudication | None = None):
    rows = _adjustment_rows(adjustments)
    _check(adjudication, rows)
    note = adjudication.note
    with transaction.atomic():
        # Under the participant's lock, as batch builds take it, so the note can't be put on a
        # claim between the check below and the change.
        lock_participants([note.pk])
        line = live_line(note)
        if line is not None:
            raise ValidationError(
                f"This note is on claim {line.claim.claim_number} (batch {line.claim.batch_id}), which carries the "
                "primary's figures as they were. Void that claim first, then record the primary's adjudication."
            )
        current = PrimaryAdjudication.objects.select_for_update().filter(note=note, is_current=True).first()
        if replacing is None and current is not None:
            raise ValidationError(
                "The primary's adjudication of this note is already recorded; correct it instead, saying why."
            )
        if replacing is not None and (current is None or current.pk != replacing.pk):
            raise ValidationError("Someone corrected this adjudication a moment ago; reload the page and check it.")
        if replacing is not None:
            PrimaryAdjudication.objects.filter(pk=replacing.pk).update(is_current=False)
        adjudication.save()
        PrimaryAdjustment.objects.bulk_create(
            PrimaryAdjustment(adjudication=adjudication, position=position, group=group, reason=code, amount=amount)
            for position, (group, code, amount) in enumerate(rows, start=1)
        )
        details = {"note": note.pk, "coverage": adjudication.coverage_id, "source": adjudication.source}
        details["adjustments"] = len(rows)
        if replacing is not None:
            # Which fields changed, never their values (amounts of a person's care are PHI).
            details["corrects"] = replacing.pk
            details["changed"] = _changed(replacing, adjudication, rows)
        action = AuditEvent.Action.CREATE if replacing is None else AuditEvent.Action.UPDATE
        audit_record(action=action, ctx=ctx, target=adjudication, details=details)
    return adjudication


def _adjustment_rows(adjustments: Sequence[AdjustmentRow]) -> list[AdjustmentRow]:
    rows = []
    for group, reason, amount in adjustments:
        rows.append((str(group).strip().upper(), str(reason).strip().upper(), Decimal(amount)))
    return rows


def _check(adjudication: PrimaryAdjudication, rows: list[AdjustmentRow]) -> None:
    """Every problem at once, by field, in words a clerk can act on."""
    errors: dict[str, list[str]] = {}
    if adjudication.note.status not in BILLABLE_STATUSES:
        errors.setdefault("__all__", []).append("Only a signed note is billed: this one is not co-signed yet.")
    try:
        # The one-current-version constraint is checked under the lock in `_save`, with its own words.
        adjudication.full_clean(exclude=["recorded_by"], validate_constraints=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    problems = []
    for number, (group, code, amount) in enumerate(rows, start=1):
        try:
            PrimaryAdjustment(group=group, reason=code, amount=amount, position=number).full_clean(
                exclude=["adjudication"]
            )
        except ValidationError as error:
            problems += [f"Adjustment {number}: {m}" for ms in error.message_dict.values() for m in ms]
        if amount == 0:
            problems.append(f"Adjustment {number}: an adjustment of $0.00 adjusts nothing; leave it out.")
    for group in AdjustmentGroup.values:
        if sum(1 for row in rows if row[0] == group) > MAX_ADJUSTMENTS_PER_GROUP:
            problems.append(f"At most {MAX_ADJUSTMENTS_PER_GROUP} adjustments of group {group} fit on a claim.")
    if problems:
        errors["adjustments"] = problems
    elif "billed" not in errors and "paid" not in errors:
        total = sum((amount for _, _, amount in rows), Decimal(0))
        if message := balance_error(adjudication.billed, adjudication.paid, total):
            errors["paid"] = [message]
    if errors:
        raise ValidationError(errors)


def _changed(old: PrimaryAdjudication, new: PrimaryAdjudication, rows: list[AdjustmentRow]) -> list[str]:
    names = [name for name in FIELDS if getattr(old, name) != getattr(new, name)]
    before = [(a.group, a.reason, a.amount) for a in old.adjustments.all()]
    return [*names, "adjustments"] if before != rows else names


# --- Reads -------------------------------------------------------------------------------


def _other_insurance_that_day():
    return Coverage.objects.filter(participant=OuterRef("participant"), kind=Coverage.Kind.OTHER_INSURANCE).in_force_on(
        OuterRef("date")
    )


def notes_waiting_for_primary(*, cutoff: datetime.date | None = None) -> QuerySet[SessionNote]:
    """Signed notes not yet billed, of a day other insurance covers, whose adjudication by it is
    not recorded: held on the work page until it is. Oldest first (the closest to the filing
    limit), each with the other payer's name and the member ID, in one query."""
    other = _other_insurance_that_day()
    recorded = PrimaryAdjudication.objects.filter(note=OuterRef("pk"), is_current=True)
    # The participants with any other insurance first (an uncorrelated IN, a few rows): the notes
    # are then read through their participant and date index, not by scanning every signed note
    # of the year for the correlated test below, which also needs the coverage in force that day.
    insured = Coverage.objects.filter(kind=Coverage.Kind.OTHER_INSURANCE).values("participant_id")
    notes = billable_notes().filter(participant_id__in=insured).filter(Exists(other)).exclude(Exists(recorded))
    if cutoff is not None:
        notes = notes.filter(date__gte=cutoff)
    return (
        notes.select_related("participant", "author")
        .annotate(
            other_payer=Subquery(other.values("payer__name")[:1]),
            other_member_id=Subquery(other.values("member_id")[:1]),
        )
        .order_by("date", "start_time", "pk")
    )


def notes_with_primary_recorded() -> QuerySet[SessionNote]:
    """Signed notes not yet billed whose other insurance's adjudication is recorded: ready for
    Medicaid as secondary, unless another rule holds them (the work page says which). Newest
    recorded first."""
    current = PrimaryAdjudication.objects.filter(is_current=True).select_related("coverage__payer")
    return (
        billable_notes()
        .filter(Exists(PrimaryAdjudication.objects.filter(note=OuterRef("pk"), is_current=True)))
        .select_related("participant", "author")
        .prefetch_related(Prefetch("primary_adjudications", queryset=current, to_attr="current_adjudication"))
        .order_by("-date", "-start_time", "-pk")
    )


def adjudication_history(note: SessionNote) -> list[PrimaryAdjudication]:
    """Every version recorded for the note, the current one first, with their adjustments."""
    return list(
        PrimaryAdjudication.objects.filter(note=note)
        .select_related("coverage__payer", "recorded_by")
        .prefetch_related("adjustments")
        .order_by("-is_current", "-recorded_at", "-pk")
    )


def live_line(note: SessionNote) -> ClaimLine | None:
    return ClaimLine.objects.filter(note=note, voided=False).select_related("claim").first()


def default_coverage(note: SessionNote) -> Coverage | None:
    """The other insurance in force on the note's day, the one a clerk records by default."""
    return (
        Coverage.objects.filter(participant_id=note.participant_id, kind=Coverage.Kind.OTHER_INSURANCE)
        .in_force_on(note.date)
        .order_by("rank", "pk")
        .first()
    )


def assessment_of(note: SessionNote):
    """The note's assessment today (what Medicaid would be billed, and what holds it), or None
    when it is no longer waiting to be billed."""
    return next(iter(assess(billable_notes().filter(pk=note.pk))), None)


def primary_adjudication_from_835(*, note: SessionNote, text: str, ctx: AuditContext) -> PrimaryAdjudication:
    """Record the other insurance's adjudication of `note` from that payer's own 835: the one
    service line for the coverage's member on the note's day (pyx12 validates the file first).
    Anything the file leaves unclear is refused, to be typed from the paper remittance instead."""
    coverage = default_coverage(note)
    if coverage is None:
        raise ValidationError(f"No other insurance covers {note.participant} on {note.date:%b} {note.date.day}.")
    try:
        remittances = read_835(text)
    except RemittanceFileError as error:
        raise ValidationError(["This is not a valid 835; nothing was recorded.", *error.messages]) from error
    member = coverage.member_id.strip().upper()
    found = [
        (remittance, claim, line)
        for remittance in remittances
        for claim in remittance.claims
        if claim.member_id.strip().upper() == member and claim.status_code != "22"  # not a reversal
        for line in claim.lines
        if (line.service_date or claim.service_date) == note.date
    ]
    day = f"{note.date:%b} {note.date.day}, {note.date.year}"
    if len(found) != 1:
        count = "no service" if not found else f"{len(found)} services"
        raise ValidationError(
            f"This 835 has {count} for member {coverage.member_id} on {day}; type this session's adjudication "
            "from the remittance instead."
        )
    remittance, claim, line = found[0]
    if claim.adjustments:  # claim-level CAS belongs to no one line: a person divides it
        raise ValidationError("Its claim has claim-level adjustments; type this session's share from the remittance.")
    # CLP06 uses the claim filing indicator code list SBR09 uses; one we don't know is sent as
    # ZZ, mutually defined, rather than guessed.
    indicator = claim.filing_indicator
    if indicator not in FilingIndicator.values:
        indicator = FilingIndicator.MUTUALLY_DEFINED
    return primary_adjudication_record(
        note=note, coverage=coverage, billed=line.charge, paid=line.paid, adjudicated_on=remittance.paid_on,
        filing_indicator=indicator, claim_number=claim.payer_claim_number[:50],
        adjustments=[(a.group, a.reason, a.amount) for a in line.adjustments],
        source=PrimaryAdjudication.Source.ERA, ctx=ctx,
    )  # fmt: skip
