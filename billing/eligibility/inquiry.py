"""Eligibility inquiries (270, 005010X279A1): whom we ask about, the file, and the service that
stores one inquiry per payer.

pyx12 4.0 has no map for the 5010 270/271 (005010X279A1): its maps.xml carries only the 4010
ones (004010X092A1), with the 5010 entries commented out, so x12n_document can't validate
these files the way billing/validation.py validates the 837P. `check_270` makes our own checks
instead: it reads the file back with pyx12's segment reader (envelope and HL counts, SE01),
then checks the segment order and that every value is in the X12 basic character set.
"""

import datetime
import io
import re
from collections import defaultdict

import pyx12.x12file
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import audit_disclosure, audit_record
from notes.selectors import last_contacts
from participants.models import CaseloadAssignment, Coverage
from participants.selectors import caseload_rows, contact_is_overdue

from .. import services
from ..models import BillingIdentity, ClaimBatch, EligibilityInquiry, EligibilityInquiryLine
from ..x12 import COMPONENT, REPETITION, SEGMENT, _seg, clean

VERSION = "005010X279A1"
COMING_DAYS = 7
# Payers commonly take at most 99 subscribers in one batch 270 transaction set. We have no
# source for our payers' own limit, so the conservative reading keeps every ST to 99 and starts
# another ST (in the same file) for the rest.
SUBSCRIBERS_PER_TRANSACTION = 99
# ISA, GS, then per transaction: ST BHT, the source (payer) and receiver (agency) levels, and
# per subscriber HL TRN NM1 DMG DTP*291 EQ*30; then the trailers.
_SHAPE = re.compile(r"^ISA GS (ST BHT HL20 NM1PR HL21 NM11P (HL22 TRN1 NM1IL DMG DTP291 EQ30 )+SE )+GE IEA $")


def medicaid_coverages(today: datetime.date) -> QuerySet[Coverage]:
    """Medicaid coverages in force today: those a 270 can ask about."""
    return Coverage.objects.in_force_on(today).filter(kind=Coverage.Kind.MEDICAID)


def coming_week_coverages(today: datetime.date) -> QuerySet[Coverage]:
    """ "Everyone with a session in the coming week". The app keeps no appointment calendar, so
    we read it as: every participant on an active caseload whose next contact is due within
    the next 7 days or is already overdue. The contact rule is the participants app's, reused
    here (not copied): a contact due by the 7th day from today is a contact overdue on the 8th."""
    specialists = CaseloadAssignment.objects.current().values_list("specialist_id", flat=True)
    rows = caseload_rows(specialists, last_contacts=last_contacts, today=today)
    day_after = today + datetime.timedelta(days=COMING_DAYS + 1)
    due = [
        r.participant.pk for r in rows if contact_is_overdue(r.contact_baseline, r.contact_frequency_days, day_after)
    ]
    return medicaid_coverages(today).filter(participant_id__in=due)


def next_control_number() -> int:
    """ISA13 of a 270, from the sequence the 837P's interchange numbers come from, so no two
    interchanges we send share one (ISA13 is unique per sender)."""
    if connection.vendor == "postgresql":
        return services.next_interchange_control_number()
    # SQLite (development only) serializes writers: max + 1 over both kinds of interchange.
    batches = ClaimBatch.objects.aggregate(m=Max("interchange_control_number"))["m"] or 0
    inquiries = EligibilityInquiry.objects.aggregate(m=Max("interchange_control_number"))["m"] or 0
    return max(batches, inquiries) + 1


def inquiry_create(
    *, scope: str, ctx: AuditContext, coverage_ids=(), today: datetime.date | None = None
) -> list[EligibilityInquiry]:
    """One 270 per payer for the chosen coverages (or the coming week's), each member asked
    about once. Nothing is saved unless every file can be written."""
    today = today or timezone.localdate()
    if scope == EligibilityInquiry.Scope.COMING_WEEK:
        coverages = coming_week_coverages(today)
    else:
        coverages = medicaid_coverages(today).filter(pk__in=list(coverage_ids))
    coverages = coverages.select_related("participant", "payer").order_by(
        "payer__name", "participant__last_name", "participant__first_name", "pk"
    )
    by_payer: dict = defaultdict(dict)
    for coverage in coverages:
        by_payer[coverage.payer].setdefault(clean(coverage.member_id), coverage)  # one subscriber per member
    if not by_payer:
        raise ValidationError("Nobody to ask about: choose participants with a Medicaid coverage in force today.")
    identity = BillingIdentity.objects.order_by("pk").first()
    problems = [problem for payer in by_payer for problem in _payer_problems(payer)]
    if identity is None:
        problems.insert(0, "Set up the agency's billing identity (NPI, tax ID, submitter) first.")
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        return [
            _inquiry(payer, list(members.values()), identity, scope, today, ctx) for payer, members in by_payer.items()
        ]


def _payer_problems(payer) -> list[str]:
    needed = {"payer ID": payer.payer_id, "receiver ID": payer.receiver_id, "receiver name": payer.receiver_name}
    missing = [label for label, value in needed.items() if not clean(value)]
    return [f"{payer} has no {' or '.join(missing)}; add it under Payers in the admin."] if missing else []


def _inquiry(payer, coverages, identity, scope, today, ctx) -> EligibilityInquiry:
    number = next_control_number()
    inquiry = EligibilityInquiry(
        payer=payer, scope=scope, inquired_on=today, interchange_control_number=number, created_by=ctx.actor
    )
    lines = [
        EligibilityInquiryLine(coverage=c, position=n, trace=f"{number:09d}-{n}", member_id=clean(c.member_id, 30))
        for n, c in enumerate(coverages, start=1)
    ]
    inquiry.file_text = build_270(inquiry, lines, identity)
    problems = check_270(inquiry.file_text)
    if problems:  # our own fault, never the clerk's: refuse rather than offer a bad file
        raise ValidationError([f"The 270 for {payer} could not be written: {p}" for p in problems])
    inquiry.full_clean()
    inquiry.save()
    for line in lines:
        line.inquiry = inquiry
    EligibilityInquiryLine.objects.bulk_create(lines)
    audit_record(
        action=AuditEvent.Action.CREATE,
        target=inquiry,
        ctx=ctx,
        details={"scope": scope, "coverages": [line.coverage_id for line in lines]},
    )
    return inquiry


def build_270(inquiry: EligibilityInquiry, lines: list[EligibilityInquiryLine], identity, *, now=None) -> str:
    now = now or timezone.localtime()
    payer, number = inquiry.payer, inquiry.interchange_control_number
    sender, receiver = clean(identity.submitter_id), clean(payer.receiver_id)
    # Each payer has its own receiver and usage indicator (ISA15), as on its claims.
    segments = [
        _seg("ISA", "00", " " * 10, "00", " " * 10, "ZZ", sender.ljust(15), "ZZ", receiver.ljust(15),
             now.strftime("%y%m%d"), now.strftime("%H%M"), REPETITION, "00501", f"{number:09d}", "0", payer.usage,
             COMPONENT),
        _seg("GS", "HS", sender, receiver, now.strftime("%Y%m%d"), now.strftime("%H%M"), number, "X", VERSION),
    ]  # fmt: skip
    # TRN03: "1" followed by the agency's EIN, the usual trace assigning entity identifier.
    originator = "1" + re.sub(r"\D", "", identity.tax_id)
    chunks = [lines[i : i + SUBSCRIBERS_PER_TRANSACTION] for i in range(0, len(lines), SUBSCRIBERS_PER_TRANSACTION)]
    for st, chunk in enumerate(chunks, start=1):
        body = [
            _seg("ST", "270", f"{st:04d}", VERSION),
            _seg("BHT", "0022", "13", f"E{number:09d}{st:04d}", now.strftime("%Y%m%d"), now.strftime("%H%M")),
            _seg("HL", "1", "", "20", "1"),
            _seg("NM1", "PR", "2", clean(payer.name, 60), "", "", "", "", "PI", clean(payer.payer_id, 80)),
            _seg("HL", "2", "1", "21", "1"),
            _seg("NM1", "1P", "2", clean(identity.legal_name, 60), "", "", "", "", "XX", identity.npi),
        ]
        for hl, line in enumerate(chunk, start=3):
            person = line.coverage.participant
            body += [
                _seg("HL", hl, "2", "22", "0"),
                _seg("TRN", "1", line.trace, originator),
                _seg("NM1", "IL", "1", clean(person.last_name, 60), clean(person.first_name, 35), "", "", "", "MI",
                     line.member_id),
                _seg("DMG", "D8", person.date_of_birth.strftime("%Y%m%d")),
                _seg("DTP", "291", "D8", inquiry.inquired_on.strftime("%Y%m%d")),
                _seg("EQ", "30"),  # 30: health benefit plan coverage
            ]  # fmt: skip
        body.append(_seg("SE", len(body) + 1, f"{st:04d}"))
        segments += body
    segments += [_seg("GE", len(chunks), number), _seg("IEA", "1", f"{number:09d}")]
    return SEGMENT.join(segments) + SEGMENT + "\n"


def check_270(text: str) -> list[str]:
    """Every problem found in one of our 270s; [] when it may be sent."""
    try:
        reader = pyx12.x12file.X12Reader(io.StringIO(text))
        segments = list(reader)
        reader.cleanup()
    except Exception as exc:  # pyx12 raises X12Error, and plain errors on unreadable input
        return [f"pyx12 could not read it: {exc}"]
    problems = [error[2] for error in reader.pop_errors()]
    if len(text.split(SEGMENT, 1)[0]) != 105:
        problems.append("The ISA segment is not 106 characters with its terminator.")
    shape = "".join(_key(s) + " " for s in segments)
    if not _SHAPE.match(shape):
        problems.append(f"The segments are not in the 270's order: {shape.strip()}")
    traces = [s.get_value("TRN02") for s in segments if s.get_seg_id() == "TRN"]
    if len(set(traces)) != len(traces):
        problems.append("Two subscribers share a trace number.")
    for segment in segments:
        problems += _character_problems(segment)
    return problems


def _key(segment) -> str:
    """A segment's tag with the qualifier that places it in the 270 (HL level, NM1 entity...)."""
    tag = segment.get_seg_id()
    qualifier = {"HL": "HL03", "NM1": "NM101", "DTP": "DTP01", "EQ": "EQ01", "TRN": "TRN01"}.get(tag)
    return tag + (segment.get_value(qualifier) or "" if qualifier else "")


def _character_problems(segment) -> list[str]:
    """Every value as `clean` writes it: upper case, in the X12 basic character set, no separator
    inside. ISA's separators (ISA11, ISA16) and its space-padded fields are its own."""
    tag = segment.get_seg_id()
    problems = []
    for position in range(1, len(segment) + 1):
        if tag == "ISA" and position in (11, 16):
            continue
        value = segment.get_value(f"{position:02d}") or ""
        if (value.strip() if tag == "ISA" else value) != clean(value):
            problems.append(f"{tag}{position:02d} has characters outside the X12 basic character set: {value!r}.")
    return problems


def inquiry_download(*, inquiry: EligibilityInquiry, ctx: AuditContext) -> str:
    """The 270 as it was written, for download. The file names people and their member IDs, so
    every download is a disclosure to the payer's receiver of each person asked about
    (audit.services.audit_disclosure): what was downloaded, never its contents."""
    audit_disclosure(
        ctx=ctx,
        target=inquiry,
        participants=inquiry.lines.values_list("coverage__participant_id", flat=True),
        file=inquiry.file_name,
        recipient=inquiry.payer.receiver_label,
        purpose="Payment: eligibility inquiry (270) to the payer",
    )
    return inquiry.file_text
