"""Remittances posted for tests as the 835 import posts them: Remittance, RemittanceClaim,
RemittanceLine and Adjustment rows matched to our claim lines, then billing's own posting code
(`posting.post_claim`) adds them to the claim lines. Nothing here writes
a ClaimLine sum by hand."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from audit.context import AuditContext
from billing import owed, services
from billing.denials import open_denied
from billing.models import (
    Adjustment,
    BatchDenial,
    Claim,
    ClaimBatch,
    ClaimLine,
    Remittance,
    RemittanceClaim,
    RemittanceLine,
)
from billing.remittance import posting

from .factories import TODAY, bill

ZERO = Decimal(0)


def exported(payer, notes, *, by, days_ago: int | None = None) -> ClaimBatch:
    """Bill `notes` in one batch and export it; with `days_ago`, the batch is dated as exported
    at noon that many days ago (an explicit `exported_at`, so ages and months never depend on
    the hour the tests run)."""
    batch = services.batch_export(batch=bill(payer, notes, by=by), ctx=AuditContext(by))
    if days_ago is not None:
        batch.exported_at = noon(TODAY - datetime.timedelta(days=days_ago))
        ClaimBatch.objects.filter(pk=batch.pk).update(exported_at=batch.exported_at)
    return batch


def noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def post(
    claim: Claim,
    decisions,
    *,
    paid_on: datetime.date,
    trace: str,
    by,
    payer_claim_number: str = "",
    status_code: str = "",
) -> Remittance:
    """Post one remittance for `claim`: `decisions` holds, for each of its live lines in order,
    `(paid, [(group, reason, amount), ...])`. The payer's claim number is "TX-<claim pk>" unless
    given; CLP02 is 4 (denied) when nothing is paid, else 1."""
    lines = list(claim.lines.filter(voided=False).order_by("service_date", "pk"))
    assert len(lines) == len(decisions), "one decision per live line"
    paid = sum((Decimal(p) for p, _ in decisions), ZERO)
    with transaction.atomic():
        remittance = Remittance.objects.create(
            trace_number=trace,
            payer_identifier="1746000000",
            payer=claim.batch.payer,
            payer_name=claim.batch.payer.name,
            payment_amount=paid,
            payment_method="ACH",
            paid_on=paid_on,
            file_text="(built by billing/tests/posted.py)",
            status=Remittance.Status.POSTED,
            imported_by=by,
            claim_count=1,
        )
        rclaim = RemittanceClaim.objects.create(
            remittance=remittance,
            claim=claim,
            position=1,
            patient_control_number=claim.claim_number,
            status_code=status_code or ("4" if paid == 0 else "1"),
            charge=sum((line.charge for line in lines), ZERO),
            paid=paid,
            payer_claim_number=payer_claim_number or f"TX-{claim.pk}",
        )
        postings = []
        for position, (line, (line_paid, adjustments)) in enumerate(zip(lines, decisions, strict=True), start=1):
            line_paid = Decimal(line_paid)
            rline = RemittanceLine.objects.create(
                remittance_claim=rclaim,
                claim_line=line,
                position=position,
                hcpcs=line.hcpcs,
                modifiers=line.modifiers,
                service_date=line.service_date,
                charge=line.charge,
                paid=line_paid,
                allowed=line_paid,
                units=line.units,
                match=RemittanceLine.Match.MATCHED,
            )
            rows = [
                Adjustment.objects.create(
                    remittance_claim=rclaim,
                    line=rline,
                    group=group,
                    reason=reason,
                    amount=Decimal(amount),
                    category=posting.category_of(group, reason, line_paid),
                )
                for group, reason, amount in adjustments
            ]
            postings.append((rline, rows))
        posting.post_claim(rclaim, postings, actor=by)
        owed.refresh([claim.batch_id])  # as the import does once it has posted a file's claims
    return remittance


def deny(claim: Claim, *, paid_on: datetime.date, trace: str, by, reason=("CO", "16")) -> Remittance:
    """The payer denies every live line of `claim` in full, for `reason`."""
    lines = claim.lines.filter(voided=False).order_by("service_date", "pk")
    return post(claim, [(ZERO, [(*reason, line.charge)]) for line in lines], paid_on=paid_on, trace=trace, by=by)


def posted_totals_from_rows() -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """Each posted remittance's (paid, adjusted, denied) on our lines, summed from its rows as
    accounts receivable did before they were stored: lines matched or resolved to ours, the
    payment of a CLP of ours without service lines, and the adjustments of those lines and of
    our claims as a whole."""
    totals: dict[int, list[Decimal]] = {}
    by, posted = "remittance_claim__remittance", {"remittance_claim__remittance__status": Remittance.Status.POSTED}
    for row in RemittanceLine.objects.filter(**posted, claim_line__isnull=False).values(by).annotate(p=Sum("paid")):
        totals.setdefault(row[by], [ZERO, ZERO, ZERO])[0] += row["p"]
    whole = RemittanceClaim.objects.filter(remittance__status=Remittance.Status.POSTED, claim__isnull=False)
    for row in whole.filter(lines__isnull=True).values("remittance").annotate(p=Sum("paid")):
        totals.setdefault(row["remittance"], [ZERO, ZERO, ZERO])[0] += row["p"]
    ours = Q(line__claim_line__isnull=False) | Q(line__isnull=True, remittance_claim__claim__isnull=False)
    for row in Adjustment.objects.filter(ours, **posted).values(by, "category").annotate(a=Sum("amount")):
        index = 1 if row["category"] == Adjustment.Category.ADJUSTED else 2
        totals.setdefault(row[by], [ZERO, ZERO, ZERO])[index] += row["a"]
    return {pk: tuple(figures) for pk, figures in totals.items()}


def assert_posted_totals_stored() -> None:
    """Every posted remittance's stored totals (Remittance.posted_*) equal its rows' sums."""
    computed = posted_totals_from_rows()
    stored = Remittance.objects.filter(status=Remittance.Status.POSTED).values_list(
        "pk", "posted_paid", "posted_adjusted", "posted_denied"
    )
    assert {pk: tuple(figures) for pk, *figures in stored} == {
        pk: computed.get(pk, (ZERO, ZERO, ZERO)) for pk, *_ in stored
    }


def assert_claim_dates_copied() -> None:
    """Every claim line's copy of its claim's decision date (ClaimLine.claim_adjudicated_on)
    equals the claim's."""
    differ = ClaimLine.objects.exclude(claim_adjudicated_on=F("claim__adjudicated_on")).exclude(
        claim_adjudicated_on__isnull=True, claim__adjudicated_on__isnull=True
    )
    assert list(differ.values_list("pk", "claim_adjudicated_on", "claim__adjudicated_on")) == []


def assert_batches_owed_stored() -> None:
    """Every exported batch's stored owed (ClaimBatch.owed, billing.owed) equals its live lines'
    outstanding amounts added up one by one, in Python."""
    computed: dict[int, Decimal] = {}
    exported = ClaimLine.objects.filter(voided=False, claim__batch__status=ClaimBatch.Status.EXPORTED)
    for line in exported.select_related("claim"):
        computed[line.claim.batch_id] = computed.get(line.claim.batch_id, ZERO) + line.outstanding
    stored = dict(ClaimBatch.objects.filter(status=ClaimBatch.Status.EXPORTED).values_list("pk", "owed"))
    assert stored == {pk: computed.get(pk, ZERO) for pk in stored}


def assert_batch_denials_stored() -> None:
    """Every batch's stored open denied money by reason (BatchDenial, billing.owed) equals its
    live lines' added up one by one, in Python, with the service's own `open_denied`."""
    computed: dict[tuple[int, str], list] = {}
    for line in ClaimLine.objects.filter(voided=False).select_related("claim"):
        if (amount := open_denied(line)) > 0:
            row = computed.setdefault((line.claim.batch_id, line.denial_reason), [0, ZERO])
            row[0], row[1] = row[0] + 1, row[1] + amount
    stored = {(row.batch_id, row.reason): [row.lines, row.amount] for row in BatchDenial.objects.all()}
    assert stored == computed


def assert_remittance_claims_counted() -> None:
    """Every remittance's stored claim count (Remittance.claim_count) equals its claims."""
    counted = dict(RemittanceClaim.objects.values_list("remittance").annotate(n=Count("pk")).order_by())
    stored = dict(Remittance.objects.values_list("pk", "claim_count"))
    assert stored == {pk: counted.get(pk, 0) for pk in stored}
