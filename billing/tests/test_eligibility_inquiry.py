"""The 270: one file per payer for chosen participants or the coming week's contacts, checked
by our own rules (pyx12 has no 005010X279A1 map) and read back by pyx12's segment reader."""

import io

import pytest
import pyx12.x12file
from django.core.exceptions import ValidationError

from audit.context import AuditContext
from audit.models import AuditEvent
from billing import services
from billing.eligibility import inquiry
from billing.eligibility.inquiry import check_270, coming_week_coverages, inquiry_create
from billing.models import EligibilityInquiry, EligibilityInquiryLine
from notes.tests.factories import signed_note
from participants.models import Coverage
from participants.tests.factories import CoverageFactory, ParticipantFactory

from .eligibility_files import TODAY, ask
from .factories import billable_participant, days_ago, make_payer

CHOSEN, COMING_WEEK = EligibilityInquiry.Scope.CHOSEN, EligibilityInquiry.Scope.COMING_WEEK


def read_back(text: str):
    """Segments as pyx12's reader sees them, and the errors it found."""
    reader = pyx12.x12file.X12Reader(io.StringIO(text))
    segments = list(reader)
    reader.cleanup()
    return segments, reader.pop_errors()


def subscribers(text: str) -> list[dict]:
    """Each subscriber loop (HL ... 22) of a 270, its segments by tag."""
    segments, _ = read_back(text)
    loops = []
    for s in segments:
        if s.get_seg_id() == "HL" and s.get_value("HL03") == "22":
            loops.append({})
        elif loops and s.get_seg_id() not in ("SE", "GE", "IEA"):
            loops[-1][s.get_seg_id()] = s
    return loops


@pytest.fixture
def ct_payer(db):
    return make_payer(
        "Connecticut Medicaid", payer_id="CTMCD", receiver_id="CTMEDICAID", receiver_name="CT Medicaid", usage="P"
    )


@pytest.mark.django_db
def test_a_270_for_chosen_participants_goes_one_file_per_payer(identity, payer, ct_payer, author, program, person):
    second = billable_participant(author, program, payer, first_name="Ana", last_name="Diaz")
    in_ct = billable_participant(author, program, ct_payer, first_name="Lee", last_name="Park")
    other_insurance = CoverageFactory(participant=second, payer=payer, kind="other_insurance", billing_program="other")
    ended = CoverageFactory(participant=second, payer=payer, start_date=days_ago(900), end_date=days_ago(400))
    chosen = [*Coverage.objects.filter(participant__in=[person, second, in_ct]).values_list("pk", flat=True)]

    made = inquiry_create(scope=CHOSEN, coverage_ids=chosen, ctx=AuditContext(author))

    tx, ct = sorted(made, key=lambda i: i.payer.name, reverse=True)
    assert (tx.payer, ct.payer) == (payer, ct_payer)
    asked = {line.coverage for line in EligibilityInquiryLine.objects.filter(inquiry__in=made)}
    expected = [person.coverages.get(), second.coverages.get(kind="medicaid", end_date=None), in_ct.coverages.get()]
    assert asked == set(expected)
    assert other_insurance not in asked and ended not in asked
    for made_inquiry in made:
        assert check_270(made_inquiry.file_text) == []
        segments, errors = read_back(made_inquiry.file_text)
        assert errors == []
        isa = segments[0]
        assert isa.get_value("ISA08").strip() == made_inquiry.payer.receiver_id
        assert isa.get_value("ISA15") == made_inquiry.payer.usage
        assert int(isa.get_value("ISA13")) == made_inquiry.interchange_control_number
        assert [s.get_value("ST01") for s in segments if s.get_seg_id() == "ST"] == ["270"]
    assert ct.file_text.count("~HL*") == 3 and "NM1*PR*2*CONNECTICUT MEDICAID*****PI*CTMCD~" in ct.file_text
    assert AuditEvent.objects.filter(action="create", target_type="billing.eligibilityinquiry").count() == 2


@pytest.mark.django_db
def test_each_subscriber_carries_its_trace_member_id_birth_date_and_the_inquiry_date(identity, payer, author, person):
    made = ask(person, by=author, today=days_ago(2))
    [line] = made.lines.all()
    [loop] = subscribers(made.file_text)
    assert loop["TRN"].get_value("TRN01") == "1" and loop["TRN"].get_value("TRN02") == line.trace
    assert loop["TRN"].get_value("TRN03") == "1741234567"  # "1" and the agency's EIN
    assert loop["NM1"].get_value("NM101") == "IL" and loop["NM1"].get_value("NM108") == "MI"
    assert loop["NM1"].get_value("NM109") == person.coverages.get().member_id == line.member_id
    assert loop["DMG"].get_value("DMG02") == "19800517"
    assert loop["DTP"].get_value("DTP01") == "291" and loop["DTP"].get_value("DTP03") == f"{days_ago(2):%Y%m%d}"
    assert loop["EQ"].get_value("EQ01") == "30"
    assert made.inquired_on == days_ago(2)


@pytest.mark.django_db
def test_names_are_written_in_the_x12_basic_character_set(identity, payer, author, program):
    person = billable_participant(author, program, payer, first_name="José*", last_name="Núñez-O'Brien~")
    text = ask(person, by=author).file_text
    assert "NM1*IL*1*NUNEZ-O'BRIEN*JOSE****MI*" in text
    assert check_270(text) == []


@pytest.mark.django_db
def test_our_own_check_finds_a_wrong_count_a_wrong_order_and_characters(identity, payer, author, person):
    text = ask(person, by=author).file_text
    assert check_270(text) == []
    assert any("SE count" in p for p in check_270(text.replace("~SE*13*", "~SE*12*")))
    dmg = next(s for s in text.split("~") if s.startswith("DMG"))
    dtp = next(s for s in text.split("~") if s.startswith("DTP"))
    swapped = text.replace(dmg, "@").replace(dtp, dmg).replace("@", dtp)
    assert any("order" in p for p in check_270(swapped))
    assert any("character set" in p for p in check_270(text.replace("QUINTERO", "Quintero")))
    assert check_270("not x12")


@pytest.mark.django_db
def test_more_subscribers_than_one_transaction_takes_start_another(identity, payer, author, program, monkeypatch):
    monkeypatch.setattr(inquiry, "SUBSCRIBERS_PER_TRANSACTION", 2)
    people = [billable_participant(author, program, payer, first_name=f"P{n}") for n in range(3)]
    text = ask(*people, by=author).file_text
    segments, errors = read_back(text)
    assert errors == [] and check_270(text) == []
    assert [s.get_value("ST02") for s in segments if s.get_seg_id() == "ST"] == ["0001", "0002"]
    assert next(s for s in segments if s.get_seg_id() == "GE").get_value("GE01") == "2"
    assert len(subscribers(text)) == 3


@pytest.mark.django_db
def test_one_member_is_asked_about_once(identity, payer, author, program, person):
    twin = CoverageFactory(
        participant=person, payer=payer, billing_program="tx_1915i_amh", member_id=person.coverages.get().member_id
    )
    made = ask(person, by=author)
    assert made.lines.count() == 1 and twin.member_id in made.file_text


@pytest.mark.django_db
def test_a_payer_without_its_receiver_stops_everything(identity, payer, ct_payer, author, program, person):
    billable_participant(author, program, ct_payer, first_name="Lee")
    ct_payer.receiver_id = ""
    ct_payer.save()
    ids = Coverage.objects.values_list("pk", flat=True)
    with pytest.raises(ValidationError, match="Connecticut Medicaid has no receiver ID"):
        inquiry_create(scope=CHOSEN, coverage_ids=ids, ctx=AuditContext(author))
    assert not EligibilityInquiry.objects.exists() and not AuditEvent.objects.filter(action="create").exists()


@pytest.mark.django_db
def test_nobody_to_ask_about_is_explained(identity, payer, author):
    other = CoverageFactory(
        participant=ParticipantFactory(), payer=payer, kind="other_insurance", billing_program="other"
    )
    with pytest.raises(ValidationError, match="Nobody to ask about"):
        inquiry_create(scope=CHOSEN, coverage_ids=[other.pk], ctx=AuditContext(author))


@pytest.mark.django_db
def test_interchange_numbers_are_shared_with_claims_and_never_repeat(identity, payer, author, person):
    first, second = ask(person, by=author), ask(person, by=author)
    after = services.next_interchange_control_number()
    assert first.interchange_control_number < second.interchange_control_number < after
    assert first.lines.get().trace != second.lines.get().trace


@pytest.mark.django_db
def test_the_coming_week_is_whoever_has_a_contact_due_within_seven_days_or_overdue(identity, payer, author, program):
    # Peer Bridger expects a contact every 14 days: due on the 14th day after the last one.
    def with_last_contact(name, days):
        person = billable_participant(author, program, payer, first_name=name)
        if days is not None:
            signed_note(person, author, day=days_ago(days))
        return person

    due_in_4 = with_last_contact("Due", 10)
    due_in_7 = with_last_contact("Seventh", 7)
    overdue = with_last_contact("Overdue", 20)
    never_seen = with_last_contact("Never", None)  # enrolled 80 days ago, no contact since
    due_in_8 = with_last_contact("Eighth", 6)
    seen = with_last_contact("Seen", 2)
    not_medicaid = with_last_contact("Insured", 20)
    Coverage.objects.filter(participant=not_medicaid).update(kind="other_insurance", billing_program="other")
    off_caseload = ParticipantFactory(first_name="Nobody")
    CoverageFactory(participant=off_caseload, payer=payer)

    week = set(coming_week_coverages(TODAY).values_list("participant__first_name", flat=True))

    assert week == {"Due", "Seventh", "Overdue", "Never"}
    assert not week & {due_in_8.first_name, seen.first_name, "Insured", "Nobody"}
    made = ask(by=author, scope=COMING_WEEK)
    assert {line.coverage.participant for line in made.lines.all()} == {due_in_4, due_in_7, overdue, never_seen}
