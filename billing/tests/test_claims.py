import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from audit.context import AuditContext
from audit.tests.waiting import wait_until
from billing import corrections, services
from billing.models import Claim, ClaimBatch, ClaimLine
from billing.tests.x12_validation import assert_valid
from billing.validation import check_837p
from billing.x12 import ExportError
from notes.models import GroupSession, SessionNote
from notes.tests.factories import signed_note

from .factories import billable_participant, days_ago


def build_and_export(payer, author, notes):
    batch = services.batch_build(payer=payer, note_ids=[n.pk for n in notes], ctx=AuditContext(author))
    return services.batch_export(batch=batch, ctx=AuditContext(author))


@pytest.mark.django_db
def test_one_claim_per_participant_and_at_most_fifty_lines(identity, payer, author, program, person):
    other = billable_participant(author, program, payer)
    notes = [signed_note(person, author, day=days_ago(3 + n), start="09:00", end="09:15") for n in range(55)]
    notes.append(signed_note(other, author))
    from billing.models import ServiceCode

    ServiceCode.objects.update(rolling_cap_units=None, rolling_cap_days=None)
    batch = build_and_export(payer, author, notes)
    claims = list(batch.claims.order_by("pk"))
    assert sorted(c.lines.count() for c in claims) == [1, 5, 50]
    assert {c.participant for c in claims} == {person, other}
    assert_valid(batch.file_837)
    assert batch.file_837.count("~CLM*") == 3


@pytest.mark.django_db
def test_individual_group_and_telehealth_lines_in_a_valid_837p(identity, payer, author, person):
    group = GroupSession.objects.create(facilitator=author, topic="t", date=days_ago(4), start_time="13:00",
                                        end_time="14:00", modality="in_person", place_of_service="53")  # fmt: skip
    notes = [
        signed_note(person, author, day=days_ago(5)),
        signed_note(person, author, group=group, day=days_ago(4), start="13:00", end="14:00", place="53"),
        signed_note(person, author, day=days_ago(3), modality="video", place="10"),
    ]
    text = build_and_export(payer, author, notes).file_837
    assert_valid(text)
    assert "SV1*HC:H0038:HE*73.08*UN*3***1~" in text
    assert "SV1*HC:H0038:HE:HQ*20*UN*4*53**1~" in text  # away from the claim's place (99): SV105
    assert "SV1*HC:H0038:HE:95*73.08*UN*3*10**1~" in text
    assert "NM1*85*2*" in text and "XX*1234567893" in text and "N4*AUSTIN*TX*787011234" in text
    assert "CLM*PS" in text and "*99:B:1*" in text


@pytest.mark.django_db
def test_replacement_and_void_claims_refer_to_the_original(identity, payer, author, person):
    note = signed_note(person, author)
    first = build_and_export(payer, author, [note])
    original = services.claim_set_payer_number(claim=first.claims.get(), number="TX-0001", ctx=AuditContext(author))

    replacement_batch = corrections.claim_correct(claim=original, frequency="7", ctx=AuditContext(author))
    replacement = replacement_batch.claims.get()
    assert (replacement.frequency, replacement.original) == ("7", original)
    text = services.batch_export(batch=replacement_batch, ctx=AuditContext(author)).file_837
    assert_valid(text)
    assert ":B:7*" in text and "REF*F8*TX-0001~" in text  # the payer's number for the original
    assert ClaimLine.objects.filter(note=note, voided=False).count() == 1

    replacement = services.claim_set_payer_number(claim=replacement, number="TX-0002", ctx=AuditContext(author))
    void_batch = corrections.claim_correct(claim=replacement, frequency="8", ctx=AuditContext(author), rebill=True)
    text = services.batch_export(batch=void_batch, ctx=AuditContext(author)).file_837
    assert_valid(text)
    assert ":B:8*" in text and "REF*F8*TX-0002~" in text
    assert not ClaimLine.objects.filter(note=note, voided=False).exists()  # billable again
    with pytest.raises(Exception, match="already been voided or replaced"):
        corrections.claim_correct(claim=replacement, frequency="8", ctx=AuditContext(author), rebill=True)


@pytest.mark.django_db
def test_exporting_freezes_the_batch_with_a_sequence_number(identity, payer, author, person):
    first = build_and_export(payer, author, [signed_note(person, author, day=days_ago(3))])
    second = build_and_export(payer, author, [signed_note(person, author, day=days_ago(4))])
    assert second.interchange_control_number == first.interchange_control_number + 1
    frozen_text = first.file_837
    again = services.batch_export(batch=first, ctx=AuditContext(author))
    assert again.file_837 == frozen_text and again.interchange_control_number == first.interchange_control_number
    with pytest.raises(Exception, match="Only exported claims"):
        corrections.claim_correct(
            claim=build_unexported(payer, author, person).claims.get(), frequency="7", ctx=AuditContext(author)
        )


def build_unexported(payer, author, person):
    return services.batch_build(
        payer=payer, note_ids=[signed_note(person, author, day=days_ago(6)).pk], ctx=AuditContext(author)
    )


@pytest.mark.django_db
def test_separators_in_data_are_stripped(identity, payer, author, program):
    person = billable_participant(author, program, payer, first_name="Ann~Marie", last_name="O*Brien:Smith^")
    text = build_and_export(payer, author, [signed_note(person, author)]).file_837
    assert "NM1*IL*1*O BRIEN SMITH*ANN MARIE****MI*" in text
    assert_valid(text)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda t: t.replace("SE*", "SE*9", 1), "SE01"),
        (lambda t: t.replace("SV1*HC:H0038:HE*73.08", "SV1*HC:H0038:HE*70.00"), "differs from the sum"),
        (lambda t: t.replace(":B:1*", ":B:5*"), "frequency code 5"),
    ],
)
def test_the_exporters_own_checks_catch_what_pyx12_may_not(identity, payer, author, person, tamper, message):
    text = build_and_export(payer, author, [signed_note(person, author, start="10:00", end="10:45")]).file_837
    with pytest.raises(ExportError, match=message):
        check_837p(tamper(text))


@pytest.mark.django_db
def test_a_bad_npi_or_short_zip_stops_the_export(identity, payer, author, person):
    batch = services.batch_build(payer=payer, note_ids=[signed_note(person, author).pk], ctx=AuditContext(author))
    identity.npi = "1234567890"
    identity.save()
    with pytest.raises(ExportError, match="check digit"):
        services.batch_export(batch=batch, ctx=AuditContext(author))
    identity.npi, identity.zip_code = "1234567893", "78701"
    identity.save()
    with pytest.raises(ExportError, match="9 digits"):
        services.batch_export(batch=batch, ctx=AuditContext(author))
    batch.refresh_from_db()
    assert not batch.is_frozen and batch.interchange_control_number is None


def _connections_waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_people_building_batches_at_once_cannot_bill_the_same_note(payer, author, person, tx_code):
    """Two threads, two database connections: the second build waits on the participant's
    row the first one locked, then finds the note billed once the first commits. (The unique
    index on live lines stays the last word: test_the_database_refuses_a_second_live_line.)"""
    note = signed_note(person, author)
    start, first_inserted, release = threading.Barrier(2), threading.Event(), threading.Event()
    outcome = {}

    def first():
        from django.db import transaction

        start.wait(10)
        try:
            with transaction.atomic():
                outcome["first"] = services.batch_build(payer=payer, note_ids=[note.pk], ctx=AuditContext(author))
                first_inserted.set()
                release.wait(10)
        finally:
            connection.close()

    def second():
        start.wait(10)
        first_inserted.wait(10)
        try:
            outcome["second"] = services.batch_build(payer=payer, note_ids=[note.pk], ctx=AuditContext(author))
        except (services.BatchConflict, ValidationError) as error:
            outcome["second_error"] = str(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    first_inserted.wait(10)
    # The second connection waits on the participant's row the first one locked.
    wait_until(lambda: _connections_waiting_on_a_lock() == 1, what="the second build to block on the lock")
    release.set()
    for t in threads:
        t.join(20)
    assert "first" in outcome and "second" not in outcome
    assert "None of the chosen notes is ready to bill to this payer." in outcome["second_error"]
    assert ClaimLine.objects.filter(note=note, voided=False).count() == 1
    assert ClaimBatch.objects.count() == 1 and Claim.objects.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_live_line_for_a_note(payer, author, person, tx_code):
    from django.db import IntegrityError, transaction

    note = signed_note(person, author)
    batch = ClaimBatch.objects.create(payer=payer, created_by=author)
    claim = Claim.objects.create(batch=batch, participant=person, billing_program="tx_state_plan", member_id="1")
    line = {
        "claim": claim, "note": note, "service_code": tx_code, "hcpcs": "H0038", "units": 1, "charge": 1,
        "place_of_service": "99", "service_date": note.date,
    }  # fmt: skip
    ClaimLine.objects.create(**line)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimLine.objects.create(**line)
    ClaimLine.objects.create(**line, voided=True)  # voided lines don't count
    assert SessionNote.objects.count() == 1


@pytest.mark.django_db
def test_a_payer_without_a_payer_id_stops_the_export(identity, payer, author, person):
    batch = services.batch_build(payer=payer, note_ids=[signed_note(person, author).pk], ctx=AuditContext(author))
    payer.payer_id = ""
    payer.save()
    with pytest.raises(ExportError, match="has no payer ID"):
        services.batch_export(batch=batch, ctx=AuditContext(author))
