"""Acknowledgments a payer would send for one of our exported batches: a 999 (005010X231A1)
answering its 837P, and a 277CA (005010X214) answering its claims. Each passes pyx12's map, as
a real one would; the tests change what they say, never their syntax."""

import datetime
from decimal import Decimal

from billing.models import Claim, ClaimBatch
from billing.x12 import money

TODAY = datetime.date(2026, 3, 2)


def _envelope(functional_id: str, version: str, control: str, sender: str, body: list[str]) -> str:
    number = int(control)
    segments = [
        f"ISA*00*          *00*          *ZZ*{sender.ljust(15)}*ZZ*RIVERBEND01    *{TODAY:%y%m%d}*1200*^*00501*"
        f"{number:09d}*0*T*:",
        f"GS*{functional_id}*{sender}*RIVERBEND01*{TODAY:%Y%m%d}*1200*{number}*X*{version}",
        *body,
        f"SE*{len(body) + 1}*0001",
        f"GE*1*{number}",
        f"IEA*1*{number:09d}",
    ]
    return "~".join(segments) + "~\n"


def segment_position(batch: ClaimBatch, claim: Claim, prefix: str) -> int:
    """IK302 of `claim`'s first segment starting with `prefix`: its position in the transaction set, ST = 1."""
    segments = [s for s in batch.file_837.strip().split("~") if s]
    st = next(i for i, s in enumerate(segments) if s.startswith("ST*"))
    clm = next(i for i, s in enumerate(segments) if s.startswith(f"CLM*{claim.claim_number}*"))
    hl = max(i for i in range(clm) if segments[i].startswith("HL*"))  # the claim's subscriber loop
    return next(i for i in range(hl, len(segments)) if segments[i].startswith(prefix)) - st + 1


def ack_999(
    batch: ClaimBatch,
    *,
    code: str = "A",
    errors: tuple = (),
    control: str = "000000901",
    sender: str = "TXMEDICAID",
    group_control: int | None = None,
    version: str = "005010X231A1",
) -> str:
    """A 999 for `batch`: IK5/AK9 `code`, and for each error (segment id, position, IK304,
    [(element position, data element number, IK403, bad value)], and optionally the claim's
    CLM01 for a CTX segment) an IK3 with its IK4s."""
    body = [
        f"ST*999*0001*{version}",
        f"AK1*HC*{batch.interchange_control_number if group_control is None else group_control}*005010X222A1",
        "AK2*837*0001*005010X222A1",
    ]
    for segment_id, position, segment_code, elements, *claim in errors:
        body.append(f"IK3*{segment_id}*{position}**{segment_code}")
        body += [f"CTX*CLM01:{number}" for number in claim]
        body += [f"IK4*{pos}*{ref}*{element_code}*{bad}".rstrip("*") for pos, ref, element_code, bad in elements]
    body.append(f"IK5*{code}" + ("*5" if code == "R" and errors else ""))
    body.append(f"AK9*{code}*1*1*{0 if code == 'R' else 1}")
    return _envelope("FA", version, control, sender, body)


def ack_277ca(
    batch: ClaimBatch,
    statuses: dict,
    *,
    control: str = "000000777",
    sender: str = "TXMEDICAID",
    batch_status: str = "A1:19:PR",
) -> str:
    """A 277CA for `batch`: `statuses` maps each claim reported to (STC01, REF*1K or "", STC10 or "")."""
    total = money(sum((line.charge for claim in batch.claims.all() for line in claim.lines.all()), Decimal(0)))
    day = f"{TODAY:%Y%m%d}"
    body = [
        "ST*277*0001*005010X214",
        f"BHT*0085*08*CA{control}*{day}*1200*TH",
        "HL*1**20*1",
        "NM1*PR*2*TEXAS MEDICAID*****PI*TXMCD",
        f"TRN*1*CA{control}",
        f"DTP*050*D8*{day}",
        f"DTP*009*D8*{day}",
        f"HL*2*1*21*{1 if statuses else 0}",
        "NM1*41*2*RIVERBEND BEHAVIORAL HEALTH*****46*RIVERBEND01",
        f"TRN*2*B{batch.pk}",
        f"STC*{batch_status}*{day}*{_action(batch_status)}*{total}",
    ]
    if statuses:  # the billing provider's loop, then one patient loop per claim reported
        body += [
            "HL*3*2*19*1",
            "NM1*85*2*RIVERBEND BEHAVIORAL HEALTH*****XX*1234567893",
            "TRN*1*0",
            f"STC*{batch_status}**{_action(batch_status)}*{total}",
        ]
    for hl, (claim, (stc, payer_number, more)) in enumerate(statuses.items(), start=4):
        lines = list(claim.lines.all())
        charge = money(sum((line.charge for line in lines), Decimal(0)))
        body += [
            f"HL*{hl}*3*PT",
            f"NM1*QC*1*{claim.participant.last_name.upper()}*{claim.participant.first_name.upper()}****MI*{claim.member_id}",
            f"TRN*2*{claim.claim_number}",
            f"STC*{stc}*{day}*{_action(stc)}*{charge}" + (f"******{more}" if more else ""),
        ]
        if payer_number:
            body.append(f"REF*1K*{payer_number}")
        body.append(f"DTP*472*D8*{min(line.service_date for line in lines):%Y%m%d}")
    return _envelope("HN", "005010X214", control, sender, body)


def _action(stc: str) -> str:
    """STC03: WQ (accepted) or U (rejected)."""
    return "WQ" if stc[:2] in ("A1", "A2", "A5") else "U"
