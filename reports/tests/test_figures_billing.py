"""The billing section of a hand-built period, checked number by number."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.context import AuditContext
from billing import marks, services
from billing.models import Claim, ClaimBatch, ClaimLine, FundingSource, ServiceCode
from billing.remittance.importing import remittance_import
from billing.remittance.simulate import deny, pay, remittance_835
from billing.tests.factories import (
    ClaimBatchFactory,
    ClaimFactory,
    ClaimLineFactory,
    billable_participant,
    days_ago,
    ensure_reference_codes,
    make_author,
    make_identity,
    make_payer,
    reference_kept,
)
from notes.models import SessionNote
from notes.tests.factories import signed_note
from participants.tests.factories import enrolled_participant
from programs.tests.factories import AgencyFactory, ProgramFactory
from reports.figures import billing

START, END = days_ago(40), days_ago(11)


@pytest.fixture
def world(db):
    ensure_reference_codes()
    agency = AgencyFactory()
    program = ProgramFactory(agency=agency, name="Peer Bridger")
    other = ProgramFactory(agency=agency, name="Elsewhere")
    author = make_author(agency)
    medicaid, superior = make_payer("Texas Medicaid"), make_payer("Superior HealthPlan", payer_id="SUPER")
    return {"program": program, "other": other, "author": author, "medicaid": medicaid, "superior": superior}


def _line(claim, note, units, charge, **fields):
    return ClaimLineFactory(claim=claim, note=note, units=units, charge=Decimal(charge), **fields)


def _claim(payer, person, billing_program="tx_state_plan", status=ClaimBatch.Status.EXPORTED):
    return ClaimFactory(batch=ClaimBatchFactory(payer=payer, status=status), participant=person,
                        billing_program=billing_program)  # fmt: skip


def _table(section, title):
    return next(t for t in section["tables"] if t["title"] == title)


@pytest.mark.django_db
def test_a_hand_built_period_is_counted_number_by_number(world):
    program, author, medicaid, superior = world["program"], world["author"], world["medicaid"], world["superior"]
    rosa = billable_participant(author, program, medicaid)
    ana = billable_participant(author, program, superior)
    elsewhere = billable_participant(author, world["other"], medicaid)

    # Billed, exported to Texas Medicaid under the state plan: Rosa on days 20 and 25.
    claim = _claim(medicaid, rosa)
    _line(claim, signed_note(rosa, author, day=days_ago(20)), 3, "60.00")
    _line(claim, signed_note(rosa, author, day=days_ago(25)), 4, "80.00")
    # Not counted: a voided line (not rebilled) and a line dated after the period.
    _line(claim, signed_note(rosa, author, day=days_ago(30)), 2, "40.00", voided=True, do_not_rebill=True)
    _line(claim, signed_note(rosa, author, day=days_ago(5)), 3, "60.00")
    # Billed, exported to Superior under 1915(i): Ana on day 15.
    _line(_claim(superior, ana, "tx_1915i_amh"), signed_note(ana, author, day=days_ago(15)), 2, "45.50")
    # Built but not sent: Ana on day 12, 20.00.
    _line(_claim(medicaid, ana, status=ClaimBatch.Status.OPEN), signed_note(ana, author, day=days_ago(12)), 1, "20.00")
    # Another program's participant, billed in the period: not counted.
    _line(_claim(medicaid, elsewhere), signed_note(elsewhere, author, day=days_ago(20)), 5, "100.00")

    # Grant-funded: Gus has no coverage; the program's SAMHSA grant funds him.
    FundingSource.objects.create(program=program, name="SAMHSA SOR", kind="samhsa", start_date=days_ago(100))
    FundingSource.objects.create(program=world["other"], name="Foundation", kind="foundation", start_date=days_ago(100))
    gus = enrolled_participant(author, program=program, started_days_ago=80, agency=program.agency)
    signed_note(gus, author, day=days_ago(20), start="10:00", end="11:30")  # 90 minutes
    signed_note(gus, author, day=days_ago(22), start="10:00", end="10:45")  # 45 minutes
    signed_note(gus, author, day=days_ago(5), start="10:00", end="12:00")  # after the period
    elsewhere_gus = enrolled_participant(author, program=world["other"], started_days_ago=80)
    signed_note(elsewhere_gus, author, day=days_ago(20))  # the other program's grant

    # Holds: Rosa's note names no goal; Ana's is 5 minutes (under a 15-minute unit) and names none.
    signed_note(rosa, author, day=days_ago(18), goals=[])
    signed_note(ana, author, day=days_ago(16), start="10:00", end="10:05", goals=[])
    signed_note(rosa, author, day=days_ago(19), start="10:00", end="10:30")  # ready: neither held nor billed
    signed_note(rosa, author, day=days_ago(4), goals=[])  # held, but after the period
    signed_note(elsewhere, author, day=days_ago(17), goals=[])  # held, another program

    section = billing.section(program, START, END)
    numbers = {n["label"]: n["value"] for n in section["numbers"]}
    assert numbers == {
        "Units billed": 9,  # 3 + 4 (Rosa) + 2 (Ana)
        "Amount billed": "185.50",  # 60.00 + 80.00 + 45.50
        "Paid": "0.00",  # no remittance posted
        "Denied": "0.00",
        "Outstanding": "185.50",  # nothing paid yet
        "In batches not yet sent": "20.00",  # Ana's day 12
        "Grant-funded hours": "2.25",  # (90 + 45) / 60
        "Notes on hold": 2,  # Rosa day 18, Ana day 16
    }
    by_program = _table(section, "Billed by billing program")
    assert by_program["rows"] == [
        ["TX 1915(i) HCBS Adult Mental Health", 1, 2, "45.50"],
        ["TX Medicaid state plan peer specialist services", 2, 7, "140.00"],  # 3 + 4 units, 60 + 80
    ]
    assert by_program["total"] == ["Total", 3, 9, "185.50"]
    by_payer = _table(section, "Billed and outstanding by payer")
    assert by_payer["rows"] == [
        ["Superior HealthPlan", 1, 2, "45.50", "0.00", "0.00", "45.50"],
        ["Texas Medicaid", 2, 7, "140.00", "0.00", "0.00", "140.00"],
    ]
    assert by_payer["total"] == ["Total", 3, 9, "185.50", "0.00", "0.00", "185.50"]
    grants = _table(section, "Grant-funded hours by funding source")
    assert grants["rows"] == [["SAMHSA SOR", 2, "2.25"]]
    assert grants["total"] == ["Total", 2, "2.25"]
    holds = _table(section, "Notes on hold by reason")
    # No goal: Rosa day 18 and Ana day 16 (2); less than a unit: Ana day 16 (1).
    assert holds["rows"] == [["No plan goal", 2], ["Less than a unit", 1]]
    assert holds["total"] == ["Notes on hold", 2]
    assert any("(835)" in note for note in section["notes"])


@pytest.mark.django_db
def test_an_empty_period_shows_zeros(world):
    section = billing.section(world["program"], START, END)
    numbers = {n["label"]: n["value"] for n in section["numbers"]}
    assert numbers["Amount billed"] == "0.00" and numbers["Units billed"] == 0 and numbers["Notes on hold"] == 0
    assert all(t["rows"] == [] for t in section["tables"])


def _bulk(world, count):
    """`count` signed notes in the period, half of them billed on one exported claim."""
    program, author = world["program"], world["author"]
    people = [billable_participant(author, program, world["medicaid"]) for _ in range(max(1, count // 10))]
    notes = SessionNote.objects.bulk_create(
        SessionNote(
            participant=people[n % len(people)], author=author, status=SessionNote.Status.COSIGNED,
            date=END - datetime.timedelta(days=n // len(people) % 30), start_time="10:00", end_time="10:30",
            modality="in_person", place_of_service="99", service_types=["recovery_coaching"],
        )
        for n in range(count)
    )  # fmt: skip
    code = ServiceCode.objects.get(billing_program="tx_state_plan", service="peer_support", kind="individual",
                                   is_active=True)  # fmt: skip
    claim = _claim(world["medicaid"], people[0])
    ClaimLine.objects.bulk_create(
        ClaimLine(claim=claim, note=n, service_code=code, hcpcs="H0038", units=2, charge=40, place_of_service="99",
                  service_date=n.date)
        for n in notes[::2]
    )  # fmt: skip
    marks.refresh(n.pk for n in notes[::2])  # as every service writing a line does


@pytest.mark.django_db
def test_the_query_count_is_the_same_for_10_and_1000_notes(world):
    ServiceCode.objects.update(rolling_cap_units=None, rolling_cap_days=None)

    def measure():
        reference_kept()
        with CaptureQueriesContext(connection) as queries:
            section = billing.section(world["program"], START, END)
        return len(queries.captured_queries), section

    _bulk(world, 10)
    small, first = measure()
    _bulk(world, 990)
    large, second = measure()
    assert large == small
    assert {n["label"]: n["value"] for n in first["numbers"]}["Units billed"] == 2 * 5
    assert {n["label"]: n["value"] for n in second["numbers"]}["Units billed"] == 2 * (5 + 495)
    assert Claim.objects.count() == 2


@pytest.mark.django_db
def test_what_the_payers_remittances_posted_is_counted(world, billing_user):
    program, author, medicaid = world["program"], world["author"], world["medicaid"]
    make_identity(program.agency)
    rosa = billable_participant(author, program, medicaid)
    notes = [signed_note(rosa, author, day=days_ago(20)), signed_note(rosa, author, day=days_ago(25))]
    batch = services.batch_build(payer=medicaid, note_ids=[n.pk for n in notes], ctx=AuditContext(author))
    batch = services.batch_export(batch=batch, ctx=AuditContext(author))
    late, early = batch.claims.get().lines.order_by("-service_date")
    text = remittance_835(batch, decisions={late: pay(50, ("CO", "45", None)), early: deny(("CO", "16", None))})
    remittance_import(text=text, file_name="era.835", ctx=AuditContext(billing_user))

    numbers = {n["label"]: n["value"] for n in billing.section(program, START, END)["numbers"]}
    # Two lines of $73.08: one paid $50 (the rest the fee schedule's, CO-45), one denied (CO-16).
    assert (numbers["Amount billed"], numbers["Paid"], numbers["Denied"]) == ("146.16", "50.00", "73.08")
    assert numbers["Outstanding"] == "73.08"  # denied money is owed until corrected, appealed or written off
