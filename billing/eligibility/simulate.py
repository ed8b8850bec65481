"""A payer's 271 answering our 270s (005010X279A1), written as a payer would, for the demo
data and the tests. The app itself reads X12 with pyx12, never by splitting."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from ..models import EligibilityInquiry


@dataclass
class Said:
    """What the payer says about one subscriber: EB01 codes, AAA rejections (reason, follow-up)."""

    member_id: str
    trace: str = ""
    eb: tuple = ("1",)
    aaa: tuple = ()


def active(line) -> Said:
    return Said(line.member_id, line.trace, eb=("1",))


def inactive(line) -> Said:
    return Said(line.member_id, line.trace, eb=("6",))


def rejected(line, reason="75", follow_up="C") -> Said:
    return Said(line.member_id, line.trace, eb=(), aaa=((reason, follow_up),))


def isa(sender: str, receiver: str, control: str, day: datetime.date) -> str:
    return (
        f"ISA*00*{' ' * 10}*00*{' ' * 10}*ZZ*{sender:<15}*ZZ*{receiver:<15}*{day:%y%m%d}*1200*^*00501*{control}*0*T*:"
    )


def response_271(
    answers: list[Said],
    *,
    control="000000777",
    sender="TXMEDICAID",
    payer_id="TXMCD",
    day: datetime.date | None = None,
    version="005010X279A1",
    kind="271",
    source_rejection=None,
    se_count=None,
) -> str:
    day = day or timezone.localdate()
    body = [f"ST*{kind}*0001*{version}", f"BHT*0022*11*R{control}*{day:%Y%m%d}*1200", "HL*1**20*1"]
    if source_rejection:  # the whole inquiry: AAA in loop 2000A
        body.append(f"AAA*N**{source_rejection}*R")
    body += [
        f"NM1*PR*2*TEXAS MEDICAID*****PI*{payer_id}",
        "HL*2*1*21*1",
        "NM1*1P*2*RIVERBEND BEHAVIORAL HEALTH*****XX*1234567893",
    ]
    for hl, said in enumerate(answers, start=3):
        body.append(f"HL*{hl}*2*22*0")
        if said.trace:
            body.append(f"TRN*2*{said.trace}*1741234567")  # ours, echoed
        body.append(f"TRN*1*P{control}{hl}*9TXMEDICAID")  # the payer's own
        body.append(f"NM1*IL*1*QUINTERO*ROSA****MI*{said.member_id}")
        body += [f"AAA*N**{reason}*{follow_up}" for reason, follow_up in said.aaa]
        body.append("DMG*D8*19800517")
        body += [f"EB*{code}*IND*30*MC" for code in said.eb]
    body.append(f"SE*{se_count or len(body) + 1}*0001")
    segments = [
        isa(sender, "RIVERBEND01", control, day),
        f"GS*HB*{sender}*RIVERBEND01*{day:%Y%m%d}*1200*{int(control)}*X*{version}",
        *body,
        f"GE*1*{int(control)}",
        f"IEA*1*{control}",
    ]
    return "~".join(segments) + "~\n"


def answer(inquiry: EligibilityInquiry, say=active, overrides=None, *, control="000000777") -> str:
    """A 271 answering every member of `inquiry`, by `say` (a function of the line), or for
    the coverages in `overrides` (coverage pk -> function) otherwise."""
    lines, overrides = inquiry.lines.order_by("position"), overrides or {}
    return response_271([overrides.get(line.coverage_id, say)(line) for line in lines], control=control)
