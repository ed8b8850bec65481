"""Twelve months of exported claim batches, one per payer per month, each with its payer's
remittance posted: most lines paid, some partly paid (CO-45), some denied (CO-16, for the
denial queue). Claims gather a participant's co-signed or final notes of the month, one line
per note, priced at the code's rate in whole 15-minute units, with every stored total
(batch charge, what each line was paid, adjusted and denied) as posting would leave it.

The stored 837P is a short envelope that names the batch and its totals, not a full
interchange: writing and validating 300,000 service lines as X12 would take most of the
time budget, and no page reads a frozen batch's file except to download it."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import connection

from accounts.models import User
from billing import marks, owed
from billing.billability import TELEHEALTH_MODIFIER
from billing.models import (
    Adjustment,
    Claim,
    ClaimBatch,
    ClaimEvent,
    ClaimLine,
    Rate,
    Remittance,
    RemittanceClaim,
    RemittanceLine,
    ServiceCode,
)
from billing.services import ICN_SEQUENCE
from participants.models import Participant
from programs.models import BillingProgram, Payer, StaffProfile

from . import Gen
from .copy import Copier, reserve_ids

PAYER_ID = "1741234567"  # TRN03 of the demo payers' remittances (billing/remittance/simulate.py)
DENIED_EVERY, PARTLY_EVERY = 19, 29  # of lines: about 5% denied, 3% partly paid
CLAIM_COLUMNS = [
    "id", "batch_id", "participant_id", "billing_program", "member_id", "frequency", "rendering_provider_id",
    "authorization_id", "diagnosis_codes", "payer_claim_number", "created_at", "status", "status_detail",
    "adjudicated_on",
]  # fmt: skip
LINE_COLUMNS = [
    "id", "claim_id", "note_id", "service_code_id", "hcpcs", "modifiers", "units", "charge", "place_of_service",
    "service_date", "diagnosis_pointer", "voided", "do_not_rebill", "void_reason", "paid", "allowed", "adjusted",
    "denied", "written_off", "denial_reason", "claim_adjudicated_on",
]  # fmt: skip
REMIT_CLAIM_COLUMNS = [
    "id", "remittance_id", "claim_id", "position", "patient_control_number", "status_code", "charge", "paid",
    "payer_claim_number", "member_id", "patient_name", "remark_codes",
]  # fmt: skip
REMIT_LINE_COLUMNS = [
    "id", "remittance_claim_id", "claim_line_id", "position", "hcpcs", "modifiers", "submitted_hcpcs",
    "submitted_modifiers", "service_date", "charge", "paid", "allowed", "units", "remark_codes", "match",
    "dismiss_reason",
]  # fmt: skip


def _month_start(day: datetime.date, back: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def generate(gen: Gen) -> None:
    today = gen.today
    clerk = User.objects.get(email="billing@example.org")
    codes = {
        c.billing_program: c
        for c in ServiceCode.objects.filter(service="peer_support", kind="individual", is_active=True)
    }
    rates = {c.pk: Rate.objects.filter(service_code=c).order_by("-effective_from").first() for c in codes.values()}
    payers = {p.pk: p for p in Payer.objects.filter(name__in=["Texas Medicaid", "Connecticut Medicaid"])}
    profiles = dict(StaffProfile.objects.filter(agency=gen.agency).values_list("user_id", "pk"))
    people = {pid: coverage for pid, _s, _a, _g, coverage in gen.data["participants"]}
    names = {
        pk: (f"{last}, {first}", dx)
        for pk, first, last, dx in Participant.objects.filter(pk__in=people).values_list(
            "pk", "first_name", "last_name", "primary_diagnosis"
        )
    }
    authorizations = gen.data.get("authorization_by_participant", {})
    first_month = _month_start(today, gen.sizes.billed_months)
    this_month = _month_start(today, 0)
    # month -> payer -> participant -> notes
    grouped: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for note in gen.data["billable_notes"]:
        _nid, pid, _author, day, *_ = note
        if first_month <= day < this_month:
            grouped[(day.year, day.month)][people[pid].payer_id][pid].append(note)
    batches = []
    for month in sorted(grouped):
        for payer_id in sorted(grouped[month]):
            batches.append((month, payer_id, grouped[month][payer_id]))
    claim_total = sum(len(by_person) for _m, _p, by_person in batches)
    line_total = sum(len(ns) for _m, _p, by_person in batches for ns in by_person.values())
    claim_id, line_id = reserve_ids(Claim, claim_total), reserve_ids(ClaimLine, line_total)
    rclaim_id, rline_id = reserve_ids(RemittanceClaim, claim_total), reserve_ids(RemittanceLine, line_total)
    out = {
        "first_line": line_id,
        "claims": Copier(Claim, CLAIM_COLUMNS),
        "lines": Copier(ClaimLine, LINE_COLUMNS),
        "rclaims": Copier(RemittanceClaim, REMIT_CLAIM_COLUMNS),
        "rlines": Copier(RemittanceLine, REMIT_LINE_COLUMNS),
        "adjustments": Copier(Adjustment, ["remittance_claim_id", "line_id", "group", "reason", "amount", "category"]),
        "events": Copier(ClaimEvent, ["claim_id", "at", "status", "text", "actor_id", "remittance_id"]),
    }
    for (year, month), payer_id, by_person in batches:
        month_end = _month_start(datetime.date(year, month, 1), -1) - datetime.timedelta(days=1)
        exported_on = min(month_end + datetime.timedelta(days=5), today)
        paid_on = min(month_end + datetime.timedelta(days=26), today)
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [ICN_SEQUENCE])
            icn = cursor.fetchone()[0]
        payer = payers[payer_id]
        batch = ClaimBatch.objects.create(
            payer=payer, status=ClaimBatch.Status.EXPORTED, created_by=clerk, created_at=gen.at(exported_on, 9),
            interchange_control_number=icn, exported_at=gen.at(exported_on, 10), exported_by=clerk,
            # Past exports, as the migration marks those made before pyx12 moved to a worker.
            pyx12_checked_at=gen.at(exported_on, 10),
        )  # fmt: skip
        remittance = Remittance.objects.create(
            trace_number=f"LARGE-{year}{month:02d}-{payer.pk}", payer_identifier=PAYER_ID, payer=payer,
            payer_name=payer.name.upper()[:60], payment_amount=Decimal(0), payment_method="ACH", paid_on=paid_on,
            file_name=f"large-{year}{month:02d}-{payer.pk}.835", status=Remittance.Status.POSTED,
            imported_by=clerk, imported_at=gen.at(paid_on, 15),
        )  # fmt: skip
        charged, paid_total, count = Decimal(0), Decimal(0), 0
        posted = [Decimal(0)] * 3  # what the remittance posts to our lines: paid, adjusted, denied
        for position, pid in enumerate(sorted(by_person), start=1):
            coverage = people[pid]
            code = codes[coverage.billing_program]
            rate = rates[code.pk].rate_per_unit
            outcome = _claim(
                out, gen, batch, remittance, claim_id, rclaim_id, line_id, rline_id, position, pid, coverage, code,
                rate, by_person[pid], names[pid], profiles, authorizations, clerk, paid_on,
            )  # fmt: skip
            charged += outcome[0]
            paid_total += outcome[1]
            posted = [total + part for total, part in zip(posted, outcome[1:], strict=True)]
            claim_id, rclaim_id = claim_id + 1, rclaim_id + 1
            line_id, rline_id = line_id + len(by_person[pid]), rline_id + len(by_person[pid])
            count += 1
        batch.total_charge, batch.claim_count = charged, count
        batch.file_837 = _envelope(batch, icn, count, charged, exported_on)
        batch.save(update_fields=["total_charge", "claim_count", "file_837"])
        remittance.payment_amount = paid_total
        remittance.posted_paid, remittance.posted_adjusted, remittance.posted_denied = posted
        remittance.file_text = (
            f"ST*835*0001~BPR*I*{paid_total}*C*ACH~TRN*1*{remittance.trace_number}*{PAYER_ID}~SE*4*0001~"
        )
        remittance.claim_count = count  # a RemittanceClaim per claim, as the import stores it
        remittance.save(
            update_fields=[
                "payment_amount",
                "file_text",
                "posted_paid",
                "posted_adjusted",
                "posted_denied",
                "claim_count",
            ]
        )
    gen.counts.update(batches=len(batches), remittances=len(batches))
    del out["first_line"]
    gen.counts.update({f"billing_{name}": copier.close() for name, copier in out.items()})
    # The notes on those lines are done with billing (SessionNote.billing_closed), as
    # batch_build would have marked them: one set-based update after the copy.
    gen.counts["billing_closed_notes"] = marks.refresh_all()
    owed.refresh_all()  # what each batch is still owed (ClaimBatch.owed), as posting keeps it


def _claim(out, gen, batch, remittance, claim_id, rclaim_id, line_id, rline_id, position, pid, coverage, code, rate,
           notes, name_dx, profiles, authorizations, clerk, paid_on):  # fmt: skip
    """One claim of a participant's month, its lines, the payer's answer and the history."""
    patient_name, diagnosis = name_dx
    serial = line_id - out["first_line"]  # not the id itself: sequences differ between databases
    payer_number = f"ICN{claim_id:08d}"
    charged = paid = adjusted_total = denied_total = Decimal(0)
    statuses = set()
    for n, (note_id, _pid, _author, day, minutes, modality, place) in enumerate(sorted(notes, key=lambda x: x[3])):
        units = minutes // code.unit_minutes
        charge = rate * units
        modifiers = list(code.modifier_list)
        if modality in TELEHEALTH_MODIFIER:
            modifiers.append(TELEHEALTH_MODIFIER[modality])
        if (serial + n) % DENIED_EVERY == DENIED_EVERY - 1:
            line_paid, allowed, adjusted, denied, reason = Decimal(0), None, Decimal(0), charge, "CO-16"
            out["adjustments"].add((rclaim_id, rline_id + n, "CO", "16", charge, Adjustment.Category.DENIED))
            statuses.add("denied")
        elif (serial + n) % PARTLY_EVERY == PARTLY_EVERY - 1:
            line_paid = (charge / 2).quantize(Decimal("0.01"))
            allowed, adjusted, denied, reason = line_paid, charge - line_paid, Decimal(0), ""
            out["adjustments"].add((rclaim_id, rline_id + n, "CO", "45", adjusted, Adjustment.Category.ADJUSTED))
            statuses.add("partly")
        else:
            line_paid, allowed, adjusted, denied, reason = charge, charge, Decimal(0), Decimal(0), ""
            statuses.add("paid")
        out["lines"].add((
            line_id + n, claim_id, note_id, code.pk, code.hcpcs, modifiers, units, charge, place, day, 1, False, False,
            "", line_paid, allowed, adjusted, denied, Decimal(0), reason, paid_on,
        ))  # fmt: skip
        out["rlines"].add((
            rline_id + n, rclaim_id, line_id + n, n + 1, code.hcpcs, modifiers, "", [], day, charge, line_paid,
            allowed, Decimal(units), [] if line_paid else ["N130"], RemittanceLine.Match.MATCHED, "",
        ))  # fmt: skip
        charged += charge
        paid += line_paid
        adjusted_total += adjusted
        denied_total += denied
    if statuses == {"denied"}:
        status, clp = Claim.Status.DENIED, "4"
    elif statuses == {"paid"}:
        status, clp = Claim.Status.PAID, "1"
    else:
        status, clp = Claim.Status.PARTLY_PAID, "1"
    texas = coverage.billing_program != BillingProgram.CT_1915C_MHW
    out["claims"].add((
        claim_id, batch.pk, pid, coverage.billing_program, coverage.member_id, Claim.Frequency.ORIGINAL,
        profiles[notes[0][2]] if texas else None, authorizations.get(pid), [diagnosis], payer_number, batch.created_at,
        status, f"Remittance {remittance.trace_number}: paid {paid} of {charged}.", paid_on,
    ))  # fmt: skip
    out["rclaims"].add((
        rclaim_id, remittance.pk, claim_id, position, f"PS{claim_id:08d}", clp, charged, paid, payer_number,
        coverage.member_id, patient_name[:120], [],
    ))  # fmt: skip
    sent = f"Sent in batch {batch.pk} (interchange {batch.interchange_control_number:09d})."
    out["events"].add((claim_id, batch.exported_at, Claim.Status.SENT, sent, clerk.pk, None))
    out["events"].add((claim_id, remittance.imported_at, status, f"{status.label}: paid {paid}.", clerk.pk,
                       remittance.pk))  # fmt: skip
    return charged, paid, adjusted_total, denied_total


def _envelope(batch: ClaimBatch, icn: int, claims: int, charged: Decimal, day: datetime.date) -> str:
    """A short X12 envelope standing for the batch's 837P (see the module's docstring)."""
    stamp = f"{day:%y%m%d}*1000"
    receiver = batch.payer.receiver_id or "RECEIVER"
    return "~\n".join([
        f"ISA*00*          *00*          *ZZ*RIVERBEND01    *ZZ*{receiver:<15}*{stamp}*^*00501*{icn:09d}*0*T*:",
        f"GS*HC*RIVERBEND01*{receiver}*20{stamp}*{icn}*X*005010X222A1",
        "ST*837*0001*005010X222A1",
        f"BHT*0019*00*LARGE{batch.pk}*20{day:%y%m%d}*1000*CH",
        f"NTE*ADD*LARGE DEMO SUMMARY {claims} CLAIMS TOTAL {charged}",
        "SE*4*0001",
        f"GE*1*{icn}",
        f"IEA*1*{icn:09d}~",
    ])  # fmt: skip
