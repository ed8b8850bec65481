"""The 837P and the CSV are written from values() rows, each table read once, and say exactly
what the writers that read model objects said (issue 16, export throughput).

How: a golden file would need stable control numbers, dates and ids, which a test database does
not give. So each test builds a varied batch and compares, in the same test, the current
writers' output with the previous writers', kept verbatim in `old_writers` (the reference, reached
from the tests only): the 837P byte for byte with the same control number and time, the CSV byte
for byte, and the problems a batch that can't be sent raises, claim by claim."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from billing import corrections, services
from billing.exports import batch_csv
from billing.models import Claim, ClaimEvent
from billing.validation import export_problems
from billing.x12 import ExportError, build_837p
from notes.models import GroupSession
from notes.tests.factories import signed_note
from programs.models import Payer
from programs.tests.factories import CertificationFactory, StaffProfileFactory

from . import old_writers
from .factories import authorize, bill, billable_participant, days_ago
from .secondary import other_insurance, record

NOW = datetime.datetime(2026, 3, 4, 9, 7, tzinfo=datetime.UTC)


def assert_written_as_before(batch, identity):
    new = build_837p(batch, identity, control_number=4321, now=NOW)
    old = old_writers.build_837p(batch, identity, control_number=4321, now=NOW)
    assert new == old
    assert batch_csv(batch) == old_writers.batch_csv(batch)
    return new


def assert_exported_as_before(batch, identity, author):
    """batch_export's frozen files are what the old writers write with its control number and
    the time its GS segment gives."""
    batch = services.batch_export(batch=batch, ctx=AuditContext(author))
    gs = batch.file_837.split("~")[1].split("*")
    now = datetime.datetime.strptime(gs[4] + gs[5] + "+0000", "%Y%m%d%H%M%z")
    expected = old_writers.build_837p(batch, identity, control_number=batch.interchange_control_number, now=now)
    assert batch.file_837 == expected
    assert batch.file_csv == old_writers.batch_csv(batch)
    return batch


def assert_same_problems(batch, identity):
    with pytest.raises(ExportError) as new:
        build_837p(batch, identity, control_number=7, now=NOW)
    with pytest.raises(ExportError) as old:
        old_writers.build_837p(batch, identity, control_number=7, now=NOW)
    assert new.value.problems == old.value.problems
    assert new.value.problems


def second_author(agency, first_name, last_name, npi):
    peer = UserFactory(first_name=first_name, last_name=last_name, role=Role.PEER_SPECIALIST)
    profile = StaffProfileFactory(user=peer, agency=agency, npi=npi)
    CertificationFactory(profile=profile, issued_on=days_ago(400))
    return peer


def requires_rendering(payer):
    Payer.objects.filter(pk=payer.pk).update(rendering_provider=Payer.RenderingProvider.REQUIRED)
    payer.refresh_from_db()


@pytest.mark.django_db
def test_a_varied_batch_is_written_byte_for_byte_as_before(identity, payer, author, program, person):
    """Claims split at 50 lines under an authorization, names outside the character set,
    several diagnosis codes, group (HQ) and telehealth (95) lines away from the claim's place,
    and a secondary claim with the other payer's adjustments beside a plain one."""
    authorize(person, "PA-2231", units=1000)
    notes = [signed_note(person, author, day=days_ago(day), end="10:15") for day in range(2, 57)]
    jose = billable_participant(
        author,
        program,
        payer,
        first_name="José*",
        last_name="Núñez~O'Brien",
        primary_diagnosis="F33.2",
        other_diagnoses="F41.1, Z59.0",
    )
    group = GroupSession.objects.create(facilitator=author, topic="t", date=days_ago(4), start_time="13:00",
                                        end_time="14:00", modality="in_person", place_of_service="53")  # fmt: skip
    notes += [
        signed_note(jose, author, day=days_ago(5)),
        signed_note(jose, author, group=group, day=days_ago(4), start="13:00", end="14:00", place="53"),
        signed_note(jose, author, day=days_ago(3), modality="video", place="10"),
    ]
    ana = billable_participant(author, program, payer, first_name="Ana", last_name="Solis")
    employer = other_insurance(ana)
    both = [signed_note(ana, author, day=days_ago(6)), signed_note(ana, author, day=days_ago(7))]
    record(both[0], employer, by=author)
    record(both[1], employer, by=author, adjustments=[("CO", "45", D("13.08")), ("PR", "1", D(10)), ("PR", "3", D(10))])
    lee = billable_participant(author, program, payer, first_name="Lee", last_name="Ortiz")
    notes += [*both, signed_note(lee, author, day=days_ago(7))]
    batch = bill(payer, notes)
    assert batch.claims.count() == 5 and sum(c.lines.count() for c in batch.claims.all()) == len(notes)
    text = assert_written_as_before(batch, identity)
    assert "SBR*S*" in text and "REF*G1*PA-2231" in text and "HQ" in text
    started = timezone.now()
    batch = assert_exported_as_before(batch, identity, author)
    # Every claim is sent, with one event saying so, by whom and when (history.batch_sent).
    sent = f"Sent in batch {batch.pk} (interchange {batch.interchange_control_number:09d})."
    events = ClaimEvent.objects.filter(claim__batch=batch).order_by("claim_id")
    assert [(e.claim_id, e.status, e.text, e.actor) for e in events] == [
        (pk, "sent", sent, author) for pk in batch.claims.order_by("pk").values_list("pk", flat=True)
    ]
    assert all(started <= e.at <= timezone.now() for e in events)
    assert set(batch.claims.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_payer_requiring_the_rendering_provider_is_written_as_before(identity, payer, author, agency, person):
    author.staff_profile.npi = "1234567802"
    author.staff_profile.save()
    jordan = second_author(agency, "Jordan", "Lee", "1234567810")
    requires_rendering(payer)
    batch = bill(payer, [signed_note(person, author, day=days_ago(5)), signed_note(person, jordan, day=days_ago(4))])
    assert "NM1*82*1*LEE*JORDAN" in assert_written_as_before(batch, identity)
    assert_exported_as_before(batch, identity, author)


@pytest.mark.django_db
def test_replacements_and_voids_are_written_as_before(identity, payer, author, person):
    first = assert_exported_as_before(bill(payer, [signed_note(person, author)]), identity, author)
    original = services.claim_set_payer_number(claim=first.claims.get(), number="TX-0001", ctx=AuditContext(author))
    replacement_batch = corrections.claim_correct(claim=original, frequency="7", ctx=AuditContext(author))
    assert "REF*F8*TX-0001" in assert_written_as_before(replacement_batch, identity)
    replacement_batch = assert_exported_as_before(replacement_batch, identity, author)
    replacement = services.claim_set_payer_number(
        claim=replacement_batch.claims.get(), number="TX-0002", ctx=AuditContext(author)
    )
    void_batch = corrections.claim_correct(claim=replacement, frequency="8", ctx=AuditContext(author), rebill=True)
    assert ":B:8*" in assert_written_as_before(void_batch, identity)
    # The payer's number lost: both writers refuse the void with the same words.
    Claim.objects.filter(pk=replacement.pk).update(payer_claim_number="")
    assert_same_problems(void_batch, identity)


@pytest.mark.django_db
def test_the_problems_of_a_batch_that_cant_be_sent_are_the_same(identity, payer, author, agency, program, person):
    other = billable_participant(author, program, payer, first_name="Ana", last_name="Solis")
    built_before = bill(payer, [signed_note(person, author, day=days_ago(5))])
    no_npi = second_author(agency, "Jordan", "Lee", "")
    author.staff_profile.npi = "1234567802"
    author.staff_profile.save()
    requires_rendering(payer)
    # Built before the payer required the rendering provider: the claim names none.
    assert_same_problems(built_before, identity)
    without_npi = bill(payer, [signed_note(other, author, day=days_ago(4))])
    Claim.objects.filter(batch=without_npi).update(rendering_provider=no_npi.staff_profile)
    assert_same_problems(without_npi, identity)


def varied_notes(author, program, payer, people: int) -> list:
    """`people` participants, each with two notes billed as secondary, and one without other
    insurance, each on a claim of their own."""
    notes = [signed_note(billable_participant(author, program, payer, last_name="Plain"), author)]
    for n in range(people):
        someone = billable_participant(author, program, payer, first_name=f"P{n}", last_name="Tester")
        employer = other_insurance(someone, payer_id=f"BLUE{n}")
        for day in (6, 7):
            notes.append(signed_note(someone, author, day=days_ago(day)))
            record(notes[-1], employer, by=author)
    return notes


@pytest.mark.django_db
def test_the_export_reads_a_fixed_number_of_queries_whatever_the_batch_size(
    identity, payer, author, program, django_assert_max_num_queries
):
    small = bill(payer, varied_notes(author, program, payer, 1))
    with django_assert_max_num_queries(40) as few:
        services.batch_export(batch=small, ctx=AuditContext(author))
    large = bill(payer, varied_notes(author, program, payer, 8))
    assert large.claims.count() == 9
    with django_assert_max_num_queries(len(few.captured_queries)):
        services.batch_export(batch=large, ctx=AuditContext(author))


@pytest.mark.django_db
def test_the_checks_still_find_characters_outside_the_basic_set_and_the_repetition_separator(
    identity, payer, author, person
):
    """export_problems looks at the elements only of segments with a suspect character: the
    ones it skips are those where there is nothing to find."""
    text = build_837p(bill(payer, [signed_note(person, author)]), identity, control_number=9, now=NOW)
    assert export_problems(text) == []
    tampered = text.replace("NM1*IL*1*QUINTERO*", "NM1*IL*1*Quintero*").replace("N3*12 OAK ST", "N3*12 OAK^ST")
    messages = [p.message for p in export_problems(tampered)]
    assert "NM103 has characters outside the X12 basic character set: 'Quintero'." in messages
    assert "A N3 segment contains the repetition separator." in messages
