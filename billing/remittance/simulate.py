"""A payer's 835 for one of our exported batches, written as a payer would (valid against
pyx12's 005010X221A1 map), for the demo data and the tests, with the decisions asked for: by default every line paid in
full; `decisions` pays a line partly or denies it, `reversals` takes back an earlier payment.

    text = remittance_835(batch, decisions={line: pay(50)}, trace="T1")
    text = remittance_835(batch, decisions={line: deny(("CO", "16", None))})
    text = remittance_835(batch, reversals={claim: {}}, decisions={line: pay(60)})  # reversal and correction
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from billing.models import BillingIdentity, Claim, ClaimBatch
from billing.x12 import money

REST = None  # a CAS amount of REST takes whatever of the charge is not paid or otherwise adjusted


@dataclass(frozen=True)
class Pay:
    paid: Decimal | None = None  # None: the charge less the adjustments given (all of it, with none)
    cas: tuple = ()  # (group, reason, amount or REST)
    remarks: tuple = ()
    allowed: Decimal | None = None
    code: str = ""  # another procedure code than the line's (a line that matches nothing)
    recoded: str = ""  # adjudicated as this code (SVC01), ours echoed in SVC06


def pay(paid=None, *cas, remarks=(), allowed=None, code="", recoded="") -> Pay:
    """Pay `paid` (default: the whole charge); what is not paid is CO-45 unless `cas` says.
    `recoded`: the payer adjudicated the line as that code, and sends ours in SVC06."""
    paid = Decimal(str(paid)) if paid is not None else None
    if paid is not None and not cas:
        cas = (("CO", "45", REST),)
    return Pay(paid, tuple(cas), tuple(remarks), allowed, code, recoded)


def deny(*cas, remarks=("N130",), code="") -> Pay:
    """Pay nothing: CO-16 for the whole charge unless `cas` says otherwise."""
    return Pay(Decimal(0), tuple(cas) or (("CO", "16", REST),), tuple(remarks), code=code)


def payer_number(claim: Claim) -> str:
    """The payer's claim number (CLP07) the helper gives a claim."""
    return f"ICN{claim.pk:08d}"


def remittance_835(
    batch: ClaimBatch,
    *,
    decisions: dict | None = None,
    reversals: dict | None = None,
    claims=None,
    trace: str = "TRACE0001",
    plb=(),
    paid_on=None,
    control_number: int = 1,
) -> str:
    """The 835 for `batch`: first a reversal (CLP02 22) of each claim in `reversals` (its value:
    the decisions being taken back, {} for full payment), then one CLP per claim in `claims`
    (default: every claim of the batch) with each line decided by `decisions` (default: paid in
    full). `plb`: (reason, reference, amount) provider-level adjustments."""
    decisions, reversals = decisions or {}, reversals or {}
    claims = list(batch.claims.order_by("pk")) if claims is None else list(claims)
    body, total = [], Decimal(0)
    for claim in reversals:
        segments, paid = _clp(claim, reversals[claim], sign=-1)
        body, total = body + segments, total + paid
    for claim in claims:
        segments, paid = _clp(claim, decisions, sign=1)
        body, total = body + segments, total + paid
    payer = batch.payer
    sender = payer.receiver_id or "PAYER"
    return _file(body, total, payer=(payer.name, payer.payer_id, sender), trace=trace, plb=plb, paid_on=paid_on,
                 control_number=control_number)  # fmt: skip


def primary_835(
    note, coverage, *, billed: Decimal, paid: Decimal, cas=(), claim_number="EOB-77", filing_indicator="12",
    trace="PRIMARY0001", paid_on=None, hcpcs="H0038", services=1,
) -> str:  # fmt: skip
    """The other insurance's own 835 for one session of `note`'s participant (for the demo and
    the tests of secondary claims): one claim, under that payer's own claim number, with one
    service line on the note's day (`services` of them), billed, paid and adjusted by `cas`
    ((group, reason, amount))."""
    person = coverage.participant
    line = [
        _seg("SVC", f"HC:{hcpcs}", money(billed), money(paid)),
        _seg("DTM", "472", note.date.strftime("%Y%m%d")),
        *_cas_segments([(g, r, Decimal(str(a))) for g, r, a in cas], sign=1),
    ]
    body = [
        _seg("CLP", f"RB{note.pk}", "1", money(billed * services), money(paid * services), "", filing_indicator,
             claim_number, note.place_of_service, "1"),
        _seg("NM1", "QC", "1", person.last_name.upper(), person.first_name.upper(), "", "", "", "MI",
             coverage.member_id),
        *line * services,
    ]  # fmt: skip
    about = (coverage.payer.name, coverage.payer.payer_id or "OTHER", "OTHERPAYER")
    return _file(body, paid * services, payer=about, trace=trace, plb=(), paid_on=paid_on, control_number=1)


def _file(body: list[str], total: Decimal, *, payer: tuple, trace, plb, paid_on, control_number: int) -> str:
    """The 835 around the claims of `body`, paying `total` less the PLB amounts to the agency."""
    name, payer_id, sender = payer
    identity = BillingIdentity.objects.order_by("pk").first()
    day = paid_on or timezone.localdate()
    payment = total - sum((Decimal(str(a)) for _, _, a in plb), Decimal(0))
    header = [
        _seg("ST", "835", "0001"),
        _seg("BPR", "I" if payment else "H", money(payment), "C", "CHK" if payment else "NON", *[""] * 11,
             day.strftime("%Y%m%d")),
        _seg("TRN", "1", trace, "1741234567"),
        _seg("DTM", "405", day.strftime("%Y%m%d")),
        _seg("N1", "PR", name.upper()[:60], "XV", payer_id),
        _seg("N3", "PO BOX 204077"),
        _seg("N4", "AUSTIN", "TX", "78720"),
        _seg("PER", "BL", "EDI SUPPORT", "TE", "8009250000"),
        _seg("N1", "PE", identity.legal_name.upper(), "XX", identity.npi),
        _seg("LX", "1"),
    ]  # fmt: skip
    trailer = [_seg("PLB", identity.npi, day.strftime("%Y1231"), *_plb_pairs(plb))] if plb else []
    transaction_set = header + body + trailer
    transaction_set.append(_seg("SE", len(transaction_set) + 1, "0001"))
    now = timezone.localtime()
    receiver = identity.submitter_id
    envelope = [
        _seg("ISA", "00", " " * 10, "00", " " * 10, "ZZ", sender.ljust(15), "ZZ", receiver.ljust(15),
             now.strftime("%y%m%d"), now.strftime("%H%M"), "^", "00501", f"{control_number:09d}", "0", "T", ":"),
        _seg("GS", "HP", sender, receiver, now.strftime("%Y%m%d"), now.strftime("%H%M"), control_number, "X",
             "005010X221A1"),
    ]  # fmt: skip
    closing = [_seg("GE", "1", control_number), _seg("IEA", "1", f"{control_number:09d}")]
    return "~".join(envelope + transaction_set + closing) + "~\n"


def _clp(claim: Claim, decisions: dict, *, sign: int) -> tuple[list[str], Decimal]:
    lines = list(claim.lines.all())
    services, charge, paid = [], Decimal(0), Decimal(0)
    for line in lines:
        decision = decisions.get(line, Pay())
        segments, line_paid = _svc(line, decision, sign)
        services += segments
        charge += sign * line.charge
        paid += line_paid
    status = "22" if sign < 0 else ("4" if paid == 0 and charge else "1")
    p = claim.participant
    segments = [
        _seg("CLP", claim.claim_number, status, money(charge), money(paid), "", "MC", payer_number(claim),
             lines[0].place_of_service, claim.frequency),
        _seg("NM1", "QC", "1", p.last_name.upper(), p.first_name.upper(), "", "", "", "MI", claim.member_id),
        _seg("DTM", "232", lines[0].service_date.strftime("%Y%m%d")),
    ]  # fmt: skip
    return segments + services, paid


def _svc(line, decision: Pay, sign: int) -> tuple[list[str], Decimal]:
    given = sum((Decimal(str(a)) for _, _, a in decision.cas if a is not REST), Decimal(0))
    paid = decision.paid if decision.paid is not None else line.charge - given
    rest = line.charge - paid - given
    cas = [(group, reason, rest if amount is REST else Decimal(str(amount))) for group, reason, amount in decision.cas]
    procedure = ":".join(["HC", decision.code or line.hcpcs, *line.modifiers])
    submitted = ""
    if decision.recoded:
        procedure, submitted = f"HC:{decision.recoded}", procedure
    segments = [
        _seg("SVC", procedure, money(sign * line.charge), money(sign * paid), "", line.units, submitted),
        _seg("DTM", "472", line.service_date.strftime("%Y%m%d")),
    ]
    segments += _cas_segments(cas, sign)
    allowed = decision.allowed if decision.allowed is not None else (paid if paid else None)
    if allowed is not None:
        segments.append(_seg("AMT", "B6", money(sign * allowed)))
    segments += [_seg("LQ", "HE", code) for code in decision.remarks]
    return segments, sign * paid


def _cas_segments(cas, sign: int) -> list[str]:
    """One CAS per group, up to six reasons each."""
    return [
        _seg("CAS", group, *[x for g, reason, amount in cas if g == group for x in (reason, money(sign * amount), "")])
        for group in dict.fromkeys(g for g, _, _ in cas)
    ]


def _plb_pairs(plb) -> list[str]:
    pairs = []
    for reason, reference, amount in plb:
        pairs += [f"{reason}:{reference}" if reference else reason, money(Decimal(str(amount)))]
    return pairs


def _seg(*elements) -> str:
    elements = [str(e) for e in elements]
    while elements and elements[-1] == "":
        elements.pop()
    return "*".join(elements)
