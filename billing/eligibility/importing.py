"""Importing a 271: each answer matched to our inquiry line by the trace it echoes (TRN*2),
else to Medicaid coverages by member ID and payer, and written on those coverages. Importing
the same interchange (sender and control number) again records nothing new."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import audit_record
from participants.models import Coverage
from programs.models import Payer

from ..models import EligibilityInquiryLine, EligibilityResponse, EligibilityResult
from .response import Answer, Read271, read_271

Status = Coverage.Eligibility
ELIGIBILITY_FIELDS = ["eligibility_status", "eligibility_checked_on", "eligibility_detail", "eligibility_source"]


@dataclass
class Imported:
    response: EligibilityResponse
    created: bool  # False: this interchange was imported before, and nothing was recorded now


def response_import(*, text: str, file_name: str, ctx: AuditContext) -> Imported:
    """Read, match and record a 271 in one transaction; ResponseError (nothing changed) when
    the file can't be read."""
    read = read_271(text)
    earlier = _earlier(read)
    if earlier is not None:
        return Imported(earlier, created=False)
    try:
        with transaction.atomic():
            lines = _lines(read)
            response = EligibilityResponse(
                sender_id=read.sender_id[:15], interchange_control_number=read.control_number[:9],
                payer=_payer(read, lines), responded_on=read.responded_on, file_name=file_name[:200],
                file_text=text, detail="; ".join(read.rejections)[:500], imported_by=ctx.actor,
            )  # fmt: skip
            # The unique constraint is the database's to enforce, in a race with another import too.
            response.full_clean(validate_constraints=False)
            response.save()
            results = _record(response, read, lines, ctx)
            audit_record(
                action=AuditEvent.Action.CREATE,
                target=response,
                ctx=ctx,
                details={
                    "subscribers": len(read.answers),
                    "statuses": dict(Counter(r.status for r in results)),
                    "coverages_updated": [r.coverage_id for r in results if r.applied],
                },
            )
    except IntegrityError:
        earlier = _earlier(read)
        if earlier is None:  # not the same interchange imported a moment ago by someone else
            raise
        return Imported(earlier, created=False)
    return Imported(response, created=True)


def _earlier(read: Read271) -> EligibilityResponse | None:
    return EligibilityResponse.objects.filter(
        sender_id=read.sender_id[:15], interchange_control_number=read.control_number[:9]
    ).first()


def _lines(read: Read271) -> dict[str, EligibilityInquiryLine]:
    """Our inquiry lines whose trace the file echoes, by trace."""
    traces = [trace for answer in read.answers for trace in answer.traces]
    rows = EligibilityInquiryLine.objects.filter(trace__in=traces).select_related("inquiry", "coverage")
    return {line.trace: line for line in rows}


def _payer(read: Read271, lines: dict) -> Payer | None:
    """The payer that answered: by the information source's ID (2100A NM109), else by the
    sender as our receiver (ISA06), else the payer our echoed inquiries went to. None unless
    exactly one payer fits."""
    for field, value in [("payer_id__iexact", read.payer_identifier), ("receiver_id__iexact", read.sender_id)]:
        payers = list(Payer.objects.filter(**{field: value})[:2]) if value else []
        if len(payers) == 1:
            return payers[0]
    asked = {line.inquiry.payer_id for line in lines.values()}
    return Payer.objects.get(pk=asked.pop()) if len(asked) == 1 else None


def _record(response, read: Read271, lines: dict, ctx: AuditContext) -> list[EligibilityResult]:
    results = []
    for answer in read.answers:
        status, detail = answer.verdict(read.rejections)
        line = next((lines[t] for t in answer.traces if t in lines), None)
        if line is not None:
            payer_id, member_id, day = line.inquiry.payer_id, line.member_id, line.inquiry.inquired_on
            match = EligibilityResult.Match.TRACE
        else:
            # Without our trace the answer speaks for the day the payer wrote it.
            payer_id, member_id, day = response.payer_id, answer.member_id, response.responded_on
            match = EligibilityResult.Match.MEMBER_ID
        said = {
            "response": response, "position": answer.position, "line": line, "trace": _trace(answer, line),
            "member_id": answer.member_id[:80], "status": status, "detail": detail[:300], "checked_on": day,
        }  # fmt: skip
        coverages = _coverages(payer_id, member_id, day)
        if not coverages:
            # Asked about, but the coverage changed since (member ID, dates), or never ours.
            how = match if line else EligibilityResult.Match.UNMATCHED
            results.append(EligibilityResult(coverage=line.coverage if line else None, match=how, **said))
        for coverage in coverages:
            applied = _apply(coverage, response, status, detail, day, ctx)
            results.append(EligibilityResult(coverage=coverage, match=match, applied=applied, **said))
    return EligibilityResult.objects.bulk_create(results)


def _trace(answer: Answer, line) -> str:
    return (line.trace if line else next(iter(answer.traces), ""))[:50]


def _coverages(payer_id, member_id: str, day: datetime.date) -> list[Coverage]:
    """The Medicaid coverages an answer speaks for: the payer's, with the member ID asked about,
    in force on the day. Locked, so two imports at once write one after the other."""
    if payer_id is None or not member_id:
        return []
    rows = Coverage.objects.in_force_on(day).filter(
        payer_id=payer_id, kind=Coverage.Kind.MEDICAID, member_id__iexact=member_id
    )
    return list(rows.select_for_update().order_by("pk"))


def _apply(coverage: Coverage, response, status: str, detail: str, day, ctx: AuditContext) -> bool:
    """Write the answer on the coverage, unless the coverage already holds a later one, or the
    payer could not check a coverage it had reported inactive: that report stands until the
    payer says otherwise (the conservative reading). True when written."""
    if coverage.eligibility_checked_on and day < coverage.eligibility_checked_on:
        return False
    if status == Status.NOT_VERIFIED and coverage.eligibility_status == Status.INACTIVE:
        return False
    coverage.eligibility_status, coverage.eligibility_checked_on = status, day
    coverage.eligibility_detail = detail[:300]
    coverage.eligibility_source = f"271 {response.interchange_control_number} from {response.sender_id}"[:100]
    coverage.save(update_fields=ELIGIBILITY_FIELDS)
    audit_record(
        action=AuditEvent.Action.UPDATE,
        target=coverage,
        ctx=ctx,
        details={"fields": ELIGIBILITY_FIELDS, "eligibility_response": response.pk},
    )
    return True
