"""Secondary claims after a correction of the other payer's adjudication, and the notes held
because their secondary claim can't be written right yet: a second other insurance (Medicaid
would be tertiary) or a minor, whose other plan is usually a parent's."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.context import AuditContext
from billing import coordination, corrections, services
from billing.assessment import HOLD, READY
from billing.billability import assess, billable_notes
from billing.caps import day_text
from billing.models import Claim, ClaimLine
from notes.tests.factories import signed_note
from participants.models import Participant
from participants.tests.factories import CoverageFactory, PayerFactory

from .factories import bill, days_ago
from .secondary import other_insurance, record
from .test_secondary_claims import _fields, export, segments_of
from .x12_validation import assert_valid

D = Decimal
# Blue Plan's corrected figures: it paid $60.00 of $73.08 on its claim EOB-78, no coinsurance.
CORRECTED = {"paid": D("60.00"), "claim_number": "EOB-78", "adjustments": [("CO", "45", D("13.08"))]}


@pytest.fixture
def employer(person):
    return other_insurance(person)


def _void(claim, author, number="TX-1"):
    """Medicaid's claim voided, its notes to be billed again, as primary_record.html asks first."""
    services.claim_set_payer_number(claim=claim, number=number, ctx=AuditContext(author))
    return corrections.claim_correct(claim=claim, frequency="8", rebill=True, ctx=AuditContext(author))


def _correct(adjudication, author, **changes):
    return coordination.primary_adjudication_correct(
        adjudication=adjudication, reason="Blue Plan reprocessed it", ctx=AuditContext(author),
        **_fields(adjudication, **changes),
    )  # fmt: skip


def _live_lines(note):
    return ClaimLine.objects.filter(note=note, voided=False)


@pytest.mark.django_db
def test_a_void_after_a_correction_repeats_the_figures_of_the_claim_it_voids(identity, payer, author, person, employer):
    note = signed_note(person, author, day=days_ago(12))
    first = record(note, employer, by=author)
    original = export(payer, author, [note]).claims.get()
    assert original.lines.get().primary_adjudication == first

    void_batch = _void(original, author)
    corrected = _correct(first, author, **CORRECTED)
    void_batch = services.batch_export(batch=void_batch, ctx=AuditContext(author))
    void = void_batch.claims.get()
    assert_valid(void_batch.file_837)
    block = segments_of(void_batch.file_837, void.claim_number)
    # Medicaid's claim (2300 REF*F8) with Blue Plan's figures as that claim sent them: $40.00 on EOB-77.
    assert "REF*F8*TX-1" in block and "AMT*D*40" in block and "REF*F8*EOB-77" in block
    assert "SVD*BLUE1*40*HC:H0038:HE**3" in block and "CAS*PR*2*20" in block and "AMT*EAF*20" in block
    assert not [s for s in block if s in ("AMT*D*60", "REF*F8*EOB-78", "AMT*EAF*0")]
    assert void.lines.get().primary_adjudication == first
    # Its CSV says what its 837P says: the figures of the claim it voids.
    assert [row["other_payer_paid"] for row in csv.DictReader(io.StringIO(void_batch.file_csv))] == ["40.00"]

    # The note bills again, once, with the corrected figures; the claim that paid $40 is voided in a sent file.
    again = export(payer, author, [note])
    assert_valid(again.file_837)
    new = again.claims.get()
    block = segments_of(again.file_837, new.claim_number)
    assert "AMT*D*60" in block and "REF*F8*EOB-78" in block and "AMT*EAF*0" in block
    assert [line.claim for line in _live_lines(note)] == [new]
    assert new.lines.get().primary_adjudication == corrected
    assert void_batch.is_frozen and void.frequency == Claim.Frequency.VOID and void.original == original


@pytest.mark.django_db
def test_a_void_of_two_notes_exports_when_one_was_corrected_onto_another_primary_claim(
    identity, payer, author, person, employer
):
    """Before: "The lines were adjudicated on different Blue Plan claims", a void that could not be
    sent nor discarded while both notes billed again as new originals: the paid claim never voided."""
    notes = [signed_note(person, author, day=days_ago(n)) for n in (9, 8)]
    versions = [record(note, employer, by=author) for note in notes]
    original = export(payer, author, notes).claims.get()
    void_batch = _void(original, author)
    _correct(versions[0], author, claim_number="EOB-76")

    void_batch = services.batch_export(batch=void_batch, ctx=AuditContext(author))
    assert_valid(void_batch.file_837)
    block = segments_of(void_batch.file_837, void_batch.claims.get().claim_number)
    assert "AMT*D*80" in block and "REF*F8*EOB-77" in block and "REF*F8*EOB-76" not in block

    again = export(payer, author, notes)
    assert_valid(again.file_837)
    # One claim per Blue Plan claim now, and each note on one live line.
    assert sorted(len(c.lines.all()) for c in again.claims.all()) == [1, 1]
    assert [_live_lines(note).count() for note in notes] == [1, 1]


@pytest.mark.django_db
def test_a_rejected_void_sent_again_keeps_the_version_it_voids(identity, payer, author, person, employer):
    note = signed_note(person, author)
    first = record(note, employer, by=author)
    void_batch = _void(export(payer, author, [note]).claims.get(), author)
    _correct(first, author, **CORRECTED)
    void = services.batch_export(batch=void_batch, ctx=AuditContext(author)).claims.get()
    Claim.objects.filter(pk=void.pk).update(status=Claim.Status.REJECTED)  # as a 277CA rejection records it

    resent = corrections.correction_resend(claim=void, ctx=AuditContext(author))
    assert resent.claims.get().lines.get().primary_adjudication == first
    text = services.batch_export(batch=resent, ctx=AuditContext(author)).file_837
    assert_valid(text)
    assert "AMT*D*40~" in text and "REF*F8*EOB-77~" in text


# --- Held: a second other insurance ------------------------------------------------------------


@pytest.fixture
def spouse_plan(person):
    """A second other insurance, ranked after Blue Plan, in force on the same days."""
    return CoverageFactory(
        participant=person, payer=PayerFactory(name="Spouse Plan", payer_id="SPOUSE1"), kind="other_insurance",
        billing_program="other", member_id="SP-77", rank=2, start_date=days_ago(300),
    )  # fmt: skip


@pytest.mark.django_db
def test_a_note_two_other_insurances_cover_is_held_not_billed_as_secondary(
    identity, payer, author, person, employer, spouse_plan
):
    """Medicaid pays after both of them: a tertiary claim, which is not built."""
    note = signed_note(person, author, day=days_ago(7))
    record(note, employer, by=author)
    [a] = assess(billable_notes())
    assert (a.status, a.other_coverage) == (HOLD, None)
    [reason] = a.reasons
    assert reason.kind == "primary" and reason.fix_url.endswith("#coverage")
    assert reason.text.startswith("2 other insurances cover ")
    assert "Blue Plan (ID XK-2231), Spouse Plan (ID SP-77). Medicaid pays after all of them" in reason.text
    assert "(a tertiary claim) is not built here yet" in reason.text
    with pytest.raises(ValidationError, match="None of the chosen notes is ready"):
        bill(payer, [note])

    # The second plan had ended before that day: Medicaid is secondary to Blue Plan alone.
    spouse_plan.end_date = days_ago(8)
    spouse_plan.save()
    [a] = assess(billable_notes())
    assert (a.status, a.other_coverage) == (READY, employer)


@pytest.mark.django_db
def test_a_note_two_other_insurances_cover_is_held_for_both_before_anything_is_recorded(
    payer, author, person, employer, spouse_plan
):
    signed_note(person, author)
    [a] = assess(billable_notes())
    assert a.status == HOLD
    assert [r.fix_label for r in a.reasons] == ["Check the coverages", "Record its payment"]


# --- Held: a minor, whose other plan's policyholder can't be named yet ----------------------------


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # February 29
        return day.replace(year=day.year - years, day=28)


@pytest.mark.django_db
def test_a_minor_is_held_from_secondary_billing_until_the_policyholder_can_be_named(payer, author, person, employer):
    note = signed_note(person, author, day=days_ago(10))
    record(note, employer, by=author)
    eighteenth = _years_before(note.date, 18)
    Participant.objects.filter(pk=person.pk).update(date_of_birth=eighteenth + datetime.timedelta(days=1))
    [a] = assess(billable_notes())
    assert (a.status, a.other_coverage) == (HOLD, None)
    minor = [r for r in a.reasons if r.kind == "primary"]
    assert [r.text for r in minor] == [
        f"Rosa Quintero was under 18 on {day_text(note.date)}: a minor's other "
        "insurance is usually a parent's plan, and the claim to Medicaid must name that plan's policyholder and "
        "their relationship to the participant, which this app can't record yet. Medicaid can't be billed here "
        "after the other insurance for this note."
    ]

    # 18 on the day of service: the participant holds the plan (SBR02 18, self), as the claim says.
    Participant.objects.filter(pk=person.pk).update(date_of_birth=eighteenth)
    [a] = assess(billable_notes())
    assert not [r for r in a.reasons if r.kind == "primary"] and a.other_coverage == employer


@pytest.mark.django_db
def test_a_minor_with_medicaid_alone_is_billed_as_before(payer, author, person):
    """The hold is for secondary claims only: no other insurance, no policyholder to name."""
    note = signed_note(person, author, day=days_ago(10))
    Participant.objects.filter(pk=person.pk).update(date_of_birth=_years_before(note.date, 17))
    [a] = assess(billable_notes())
    assert not [r for r in a.reasons if r.kind == "primary"]


# --- Lines billed before the version was stored ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_lines_billed_before_the_version_was_stored_get_the_one_they_were_billed_with(
    identity, payer, author, person, employer
):
    """Migration 0021 gives each existing secondary line the version recorded by the time its claim
    (for a void: the claim it voids) was built; versions can't change while a note is on a live line."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)

    note = signed_note(person, author, day=days_ago(12))
    first = record(note, employer, by=author)
    original = export(payer, author, [note]).claims.get()
    void = _void(original, author).claims.get()
    corrected = _correct(first, author, **CORRECTED)
    rebilled = export(payer, author, [note]).claims.get()

    migrate([("billing", "0019_claim_sent_again")])  # the column goes, the lines stay
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    by_claim = dict(ClaimLine.objects.values_list("claim_id", "primary_adjudication_id"))
    assert by_claim == {original.pk: first.pk, void.pk: first.pk, rebilled.pk: corrected.pk}


@pytest.mark.django_db
def test_the_record_page_says_why_recording_will_not_bill_the_note(client, billing_user, person, author, spouse_plan):
    other_insurance(person)
    note = signed_note(person, author)
    client.force_login(billing_user)
    page = client.get(reverse("billing:primary_record", args=[note.pk])).content.decode()
    assert "Recording it does not bill this note yet: 2 other insurances cover" in page
    # The hold that this page itself fixes is not repeated.
    assert "Bill the primary payer first" not in page
