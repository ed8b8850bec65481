"""The note's stored billing mark (SessionNote.billing_closed, billing/marks.py) stays what the
claim lines and duplicate decisions say through every write that changes them, in the same
transaction, and billable_notes() reading it answers as the three anti-joins it replaced."""

import pytest
from django.db.models import Exists, OuterRef

from audit.context import AuditContext
from billing import corrections, marks, services
from billing.acks.services import acknowledgment_import, claim_resend
from billing.billability import BILLABLE_STATUSES, billable_notes
from billing.models import Claim, ClaimLine, DuplicateDecision
from notes.models import SessionNote
from notes.tests.factories import signed_note

from .acks import ack_277ca
from .factories import bill, billable_participant, days_ago, make_author

pytestmark = pytest.mark.django_db


def old_billable_notes():
    """billable_notes() as it was before the mark: three anti-joins over every line ever written."""
    live_line = ClaimLine.objects.filter(note=OuterRef("pk"), voided=False)
    not_to_rebill = ClaimLine.objects.filter(note=OuterRef("pk"), do_not_rebill=True)
    return (
        SessionNote.objects.filter(status__in=BILLABLE_STATUSES)
        .exclude(Exists(live_line))
        .exclude(Exists(not_to_rebill))
        .exclude(Exists(DuplicateDecision.objects.filter(not_billed=OuterRef("pk"))))
    )


def closed(note) -> bool:
    """The stored mark, checked against the old definition for every note at the same time."""
    assert set(billable_notes().values_list("pk", flat=True)) == set(old_billable_notes().values_list("pk", flat=True))
    note.refresh_from_db(fields=["billing_closed"])
    return note.billing_closed


@pytest.fixture
def clerk(billing_user):
    return AuditContext(billing_user)


@pytest.fixture
def exported(identity, payer, author, person, clerk):
    """An exported batch of one claim of two of Rosa's notes, with the payer's claim number."""
    notes = [signed_note(person, author, day=days_ago(4)), signed_note(person, author)]
    batch = services.batch_export(batch=bill(payer, notes), ctx=clerk)
    claim = services.claim_set_payer_number(claim=batch.claims.get(), number="TX-1", ctx=clerk)
    return claim, notes


def test_building_a_batch_closes_its_notes_and_discarding_it_opens_them(payer, author, person, clerk):
    notes = [signed_note(person, author, day=days_ago(4)), signed_note(person, author)]
    other = signed_note(person, author, day=days_ago(6))
    batch = bill(payer, notes)
    assert [closed(n) for n in notes] == [True, True] and not closed(other)
    services.batch_discard(batch=batch, ctx=clerk)
    assert [closed(n) for n in notes] == [False, False]


def test_removing_a_line_from_an_open_batch_opens_that_note_only(payer, author, person, clerk):
    kept, removed = signed_note(person, author, day=days_ago(4)), signed_note(person, author)
    batch = bill(payer, [kept, removed])
    services.batch_remove_line(line=ClaimLine.objects.get(claim__batch=batch, note=removed), ctx=clerk)
    assert (closed(kept), closed(removed)) == (True, False)


def test_a_void_to_bill_again_opens_the_notes(exported, clerk):
    claim, notes = exported
    corrections.claim_correct(claim=claim, frequency="8", rebill=True, ctx=clerk)
    assert [closed(n) for n in notes] == [False, False]


def test_a_void_not_to_bill_again_keeps_them_closed(exported, clerk):
    claim, notes = exported
    corrections.claim_correct(claim=claim, frequency="8", rebill=False, reason="Not a billable service.", ctx=clerk)
    assert ClaimLine.objects.filter(note__in=notes, voided=False).count() == 0
    assert [closed(n) for n in notes] == [True, True]


def test_a_replacement_bills_the_same_notes_again(exported, clerk):
    claim, notes = exported
    replacement = corrections.claim_correct(claim=claim, frequency="7", ctx=clerk).claims.get()
    assert ClaimLine.objects.filter(note__in=notes, voided=False, claim=replacement).count() == 2
    assert [closed(n) for n in notes] == [True, True]


def test_a_claim_the_payer_rejected_sent_again_opens_its_notes(exported, clerk):
    claim, notes = exported
    acknowledgment_import(text=ack_277ca(claim.batch, {claim: ("A7:33:IL", "", "")}), ctx=clerk)
    claim_resend(claim=Claim.objects.get(pk=claim.pk), ctx=clerk)
    assert [closed(n) for n in notes] == [False, False]


@pytest.mark.parametrize(("frequency", "closed_after"), [("7", True), ("8", False)])
def test_a_rejected_correction_built_again(exported, clerk, frequency, closed_after):
    claim, notes = exported
    first = corrections.claim_correct(claim=claim, frequency=frequency, rebill=True, ctx=clerk)
    first = services.batch_export(batch=first, ctx=clerk)
    rejected = first.claims.get()
    acknowledgment_import(text=ack_277ca(first, {rejected: ("A7:33:IL", "", "")}), ctx=clerk)
    corrections.correction_resend(claim=Claim.objects.get(pk=rejected.pk), ctx=clerk)
    assert [closed(n) for n in notes] == [closed_after, closed_after]


def test_a_duplicate_decided_not_billed_is_closed_and_the_other_stays_open(agency, author, person, clerk):
    successor = make_author(agency, first_name="Jo", last_name="Reyes")
    mine = signed_note(person, author, day=days_ago(4), start="10:00", end="10:45")
    theirs = signed_note(person, successor, day=days_ago(4), start="10:30", end="11:15")
    services.duplicate_decide(stands=mine, not_billed=theirs, ctx=clerk)
    assert (closed(mine), closed(theirs)) == (False, True)


def test_billable_notes_answers_as_the_old_definition_on_a_mixed_set(exported, payer, author, program, clerk):
    """Billed, voided to rebill, voided not to rebill, decided against, unsigned, in an open
    batch, and never billed: the same notes either way; and refresh_all (the large seed) puts
    right marks written wrong, touching no other note."""
    claim, notes = exported
    ana = billable_participant(author, program, payer, first_name="Ana", last_name="Lopez")
    voided = services.batch_export(batch=bill(payer, [signed_note(ana, author, day=days_ago(8))]), ctx=clerk)
    voided = services.claim_set_payer_number(claim=voided.claims.get(), number="TX-2", ctx=clerk)
    corrections.claim_correct(claim=voided, frequency="8", rebill=False, reason="Duplicate.", ctx=clerk)
    bill(payer, [signed_note(ana, author, day=days_ago(9))])  # an open batch
    corrections.claim_correct(claim=claim, frequency="8", rebill=True, ctx=clerk)
    signed_note(ana, author, day=days_ago(10))  # never billed
    successor = make_author(author.staff_profile.agency, first_name="Jo", last_name="Reyes")
    theirs = signed_note(ana, successor, day=days_ago(11), start="10:00", end="10:30")
    services.duplicate_decide(
        stands=signed_note(ana, author, day=days_ago(11), start="10:15", end="10:45"), not_billed=theirs, ctx=clerk
    )
    expected = set(old_billable_notes().values_list("pk", flat=True))
    assert len(expected) == 4 and set(billable_notes().values_list("pk", flat=True)) == expected

    right = dict(SessionNote.objects.values_list("pk", "billing_closed"))
    SessionNote.objects.update(billing_closed=False)
    SessionNote.objects.filter(pk__in=expected).update(billing_closed=True)
    assert marks.refresh_all() == len(right)
    assert dict(SessionNote.objects.values_list("pk", "billing_closed")) == right
    assert marks.refresh_all() == 0
