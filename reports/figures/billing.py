"""Billing: what was billed for the period's services, by billing program and by payer; the
period's grant-funded hours by funding source; the period's notes on hold, by reason.

A service belongs to the period by its note's date (the date of service: a claim line's
service date is its note's date). It belongs to the program when its participant was enrolled
in the program on that day (Enrollment's in-force rule). Billed means on a live (not voided)
claim line of an exported batch; a line in a batch not yet exported is counted apart.

Grant funding and holds are not stored: billability decides them when it assesses a note. So
the period's unbilled notes, and only those, are assessed as billing's work page assesses
them (`billability.assess`, a fixed number of queries) and summed by `selectors.work_summary`.
"""

import datetime
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum

from billing.billability import assess, billable_notes
from billing.models import ClaimBatch, ClaimLine
from billing.selectors import work_summary
from participants.models import Enrollment
from programs.models import BillingProgram

title = "Billing"

CENT = Decimal("0.01")
NOTES = [
    "Services are counted by the date of service (the note's date, which is the claim line's "
    "service date) within the period, for participants enrolled in this program on that day. "
    "Voided claim lines are left out.",
    "Billed: lines of exported claim batches. Lines built into a batch that has not been "
    "exported yet are counted apart, as not yet sent.",
    "Paid, adjusted, denied and written-off amounts are what the payers' remittances (835) and "
    "billing staff had posted to these lines when the report was made. Outstanding is billed less "
    "paid, adjusted and written off: denied money stays outstanding until it is corrected, won on "
    "appeal or written off.",
    "Grant-funded hours and holds are the period's signed notes not yet billed, assessed as "
    "billing's work page assesses them, today: a hold fixed since shows as fixed. A note held "
    "for several reasons counts under each.",
]


def _enrolled_on_service_day(program, participant: str, day: str) -> Exists:
    """The participant was enrolled in `program` on the service's day (one in-force rule)."""
    enrolled = Enrollment.objects.filter(program=program, participant=OuterRef(participant))
    return Exists(enrolled.in_force_on(OuterRef(day)))


def _participants(program, start: datetime.date, end: datetime.date):
    """Those enrolled in the program during the period: the notes are read through them, on
    the (participant, date) index, rather than across every participant's history."""
    return Enrollment.objects.filter(program=program).overlapping(start, end).values("participant_id")


def _line_rows(program, start: datetime.date, end: datetime.date) -> list[dict]:
    """Live lines of the period's services, summed per billing program, payer and whether
    the batch was sent: one query."""
    lines = ClaimLine.objects.filter(
        voided=False,
        note__participant_id__in=_participants(program, start, end),
        note__date__gte=start,
        note__date__lte=end,
    ).filter(_enrolled_on_service_day(program, "note__participant", "note__date"))
    sent = Q(claim__batch__status=ClaimBatch.Status.EXPORTED)
    return list(
        lines.values("claim__billing_program", "claim__batch__payer__name")
        .annotate(
            lines=Count("pk", filter=sent),
            units=Sum("units", filter=sent),
            amount=Sum("charge", filter=sent),
            paid_total=Sum("paid", filter=sent),
            denied_total=Sum("denied", filter=sent),
            outstanding=Sum(F("charge") - F("paid") - F("adjusted") - F("written_off"), filter=sent),
            unsent=Sum("charge", filter=~sent),
        )
        .order_by("claim__billing_program", "claim__batch__payer__name")
    )


MONEY_FIGURES = ("amount", "paid_total", "denied_total", "outstanding")


def _by(rows: list[dict], key: str, label=lambda value: value) -> list[list]:
    """[name, lines, units, billed, paid, denied, outstanding] per value of `key`."""
    totals: dict[str, list] = {}
    for row in rows:
        if not row["lines"]:
            continue
        total = totals.setdefault(label(row[key]), [0, 0] + [Decimal(0)] * len(MONEY_FIGURES))
        total[0] += row["lines"]
        total[1] += row["units"] or 0
        for i, figure in enumerate(MONEY_FIGURES, start=2):
            total[i] += row[figure] or Decimal(0)
    return [[name, lines, units, *map(_money, money)] for name, (lines, units, *money) in sorted(totals.items())]


def _money(amount: Decimal) -> str:
    return str(amount.quantize(CENT))


def _hours(hours: Decimal) -> str:
    return str(hours.quantize(CENT))


def _assessments(program, start: datetime.date, end: datetime.date) -> list:
    """The period's signed, unbilled notes of this program's participants, assessed; kept when
    billability gives them to this program (a participant in two programs bills under the
    enrollment it finds first, as on the work page)."""
    # The ids themselves, read first: given the subquery, PostgreSQL could not tell how few
    # they were and read every note of the month (a sequential scan of all the notes, 0.35 s
    # on the large demo's largest program-month); given the list, it reads these participants'
    # notes of the month on the (participant, date) index (0.07 to 0.09 s).
    participants = sorted(set(_participants(program, start, end).values_list("participant_id", flat=True)))
    notes = billable_notes().filter(participant_id__in=participants, date__gte=start, date__lte=end)
    notes = notes.filter(_enrolled_on_service_day(program, "participant", "date"))
    return [a for a in assess(notes) if a.program == program]


def section(program, start, end) -> dict:
    rows = _line_rows(program, start, end)
    programs = dict(BillingProgram.choices)
    by_program = _by(rows, "claim__billing_program", lambda value: programs.get(value, value))
    by_payer = _by(rows, "claim__batch__payer__name")
    lines = sum(r[1] for r in by_payer)
    units = sum(r[2] for r in by_payer)
    billed, paid, denied, outstanding = (sum((Decimal(r[i]) for r in by_payer), Decimal(0)) for i in range(3, 7))
    unsent = sum((row["unsent"] or Decimal(0) for row in rows), Decimal(0))

    summary = work_summary(_assessments(program, start, end))
    grants = sorted(summary["grants"], key=lambda g: g[0].name)
    grant_hours = sum((hours for _, _, hours in grants), Decimal(0))
    holds = summary["holds_by_reason"]

    return {
        "title": title,
        "numbers": [
            {"label": "Units billed", "value": units, "unit": ""},
            {"label": "Amount billed", "value": _money(billed), "unit": "$"},
            {"label": "Paid", "value": _money(paid), "unit": "$"},
            {"label": "Denied", "value": _money(denied), "unit": "$"},
            {"label": "Outstanding", "value": _money(outstanding), "unit": "$"},
            {"label": "In batches not yet sent", "value": _money(unsent), "unit": "$"},
            {"label": "Grant-funded hours", "value": _hours(grant_hours), "unit": "h"},
            {"label": "Notes on hold", "value": summary["hold_count"], "unit": ""},
        ],
        "tables": [
            {
                "title": "Billed by billing program",
                "columns": ["Billing program", "Claim lines", "Units", "Amount"],
                "kinds": ["text", "int", "int", "money"],
                "rows": [row[:4] for row in by_program],
                "total": ["Total", lines, units, _money(billed)],
            },
            {
                "title": "Billed and outstanding by payer",
                "columns": ["Payer", "Claim lines", "Units", "Billed", "Paid", "Denied", "Outstanding"],
                "kinds": ["text", "int", "int", "money", "money", "money", "money"],
                "rows": by_payer,
                "total": ["Total", lines, units, *map(_money, (billed, paid, denied, outstanding))],
            },
            {
                "title": "Grant-funded hours by funding source",
                "columns": ["Funding source", "Notes", "Hours"],
                "kinds": ["text", "int", "decimal"],
                "rows": [[source.name, notes, _hours(hours)] for source, notes, hours in grants],
                "total": ["Total", sum(notes for _, notes, _ in grants), _hours(grant_hours)],
            },
            {
                "title": "Notes on hold by reason",
                "columns": ["Reason", "Notes"],
                "kinds": ["text", "int"],
                "rows": [[label, count] for _, label, count in sorted(holds, key=lambda h: (-h[2], h[1]))],
                "total": ["Notes on hold", summary["hold_count"]],
            },
        ],
        "charts": [],
        "notes": NOTES,
    }
