"""Acknowledgments of our own exported batches: 999s and 277CAs accepting and rejecting claims,
the same file twice, files that are invalid or not for us, and a rejected claim sent again."""

import datetime
import io

import pytest
import pyx12.params
import pyx12.x12n_document
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit.context import AuditContext
from audit.models import AuditEvent
from billing import corrections, services
from billing.acks.reading import AcknowledgmentError
from billing.acks.services import acknowledgment_import, claim_resend
from billing.assessment import READY
from billing.billability import assess, billable_notes
from billing.models import Acknowledgment, Claim, ClaimEvent, ClaimLine
from billing.tests.x12_validation import assert_valid
from notes.tests.factories import signed_note

from .acks import ack_277ca, ack_999, segment_position
from .factories import TODAY, bill, billable_participant, days_ago
from .posted import noon

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(identity, payer, author, program, person):
    """An exported batch of two claims: Rosa's (two notes), then Ana's (one)."""
    ana = billable_participant(author, program, payer, first_name="Ana", last_name="Lopez")
    notes = [signed_note(person, author, day=days_ago(4)), signed_note(person, author), signed_note(ana, author)]
    return services.batch_export(batch=bill(payer, notes), ctx=AuditContext(author))


@pytest.fixture
def clerk(billing_user):
    return AuditContext(billing_user)


def claims_of(batch):
    rosa, ana = batch.claims.order_by("pk")
    return rosa, ana


def test_a_999_accepting_the_file_accepts_every_claim(batch, clerk, billing_user):
    result = acknowledgment_import(text=ack_999(batch), file_name="batch.999", ctx=clerk)

    ack = result.acknowledgment
    assert result.created
    assert (ack.batch, ack.kind, ack.sender_id, ack.control_number) == (batch, "999", "TXMEDICAID", "000000901")
    assert (ack.accepted_count, ack.rejected_count, ack.imported_by) == (2, 0, billing_user)
    for claim in claims_of(batch):
        claim.refresh_from_db()
        assert claim.status == Claim.Status.ACCEPTED
        event = claim.events.order_by("pk").last()
        assert event.status == Claim.Status.ACCEPTED and event.actor == billing_user
        assert event.text.startswith("Accepted by the payer's 999 (interchange 000000901 from TXMEDICAID)")
    audit = AuditEvent.objects.get(target_type="billing.acknowledgment", target_id=str(ack.pk))
    assert audit.action == AuditEvent.Action.CREATE and audit.actor == billing_user
    assert audit.details == {"kind": "999", "batch": batch.pk, "accepted": [c.pk for c in claims_of(batch)],
                             "rejected": []}  # fmt: skip


def test_a_999_rejecting_one_claims_segment_shows_the_reason_on_that_claim(batch, clerk):
    rosa, ana = claims_of(batch)
    position = segment_position(batch, ana, "DMG*")
    text = ack_999(batch, code="R", errors=[("DMG", position, "8", [("3", "1068", "7", "Z")])])

    acknowledgment_import(text=text, ctx=clerk)

    rosa.refresh_from_db()
    ana.refresh_from_db()
    assert ana.status == rosa.status == Claim.Status.REJECTED
    assert f"DMG segment (number {position} in the transaction): DMG03 Gender Code: invalid code value" in (
        ana.status_detail
    )
    assert "the whole file" not in ana.status_detail
    assert rosa.status_detail.endswith("The payer rejected the whole file for errors in other claims; resend.")
    assert ana.events.order_by("pk").last().text == ana.status_detail


def pyx12_999(text: str) -> str:
    """The 999 pyx12 writes for an 837P, as a payer's translator would: its IK302s are its own count."""
    answer = io.StringIO()
    pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(text), answer, None, None, None)
    return answer.getvalue()


def test_a_999_pyx12_wrote_for_a_broken_copy_of_our_file_rejects_the_claims_it_points_at(batch, clerk):
    """Our 837P with errors either side of the border between two claims: an invalid date in the
    last segment of Rosa's claim, an invalid code in the first of Ana's. Each goes to its own claim."""
    rosa, ana = claims_of(batch)
    segments = batch.file_837.split("~")
    hl = segment_position(batch, ana, "HL*") + 1  # the ST, position 1, is the file's third segment
    assert segments[hl] == "HL*3*1*22*0" and segments[hl - 1].startswith("DTP*472*D8*")
    segments[hl] = "HL*3*1*22*X"
    segments[hl - 1] = "DTP*472*D8*20251399"

    acknowledgment_import(text=pyx12_999("~".join(segments)), ctx=clerk)

    ana.refresh_from_db()
    rosa.refresh_from_db()
    assert 'HL04 Hierarchical Child Code: invalid code value (found "X")' in ana.status_detail
    assert "DTP" not in ana.status_detail
    assert "DTP03 Date Time Period: invalid date" in rosa.status_detail and "HL04" not in rosa.status_detail


def test_a_999_naming_the_claim_in_its_context_segment_rejects_that_claim(batch, clerk):
    _, ana = claims_of(batch)
    text = ack_999(batch, code="R", errors=[("REF", 9, "I4", [], ana.claim_number)])

    acknowledgment_import(text=text, ctx=clerk)

    ana.refresh_from_db()
    assert 'REF segment (number 9 in the transaction): Implementation "not used" segment present' in ana.status_detail


def test_a_277ca_accepts_one_claim_with_its_number_and_rejects_the_other_with_reasons(batch, clerk):
    rosa, ana = claims_of(batch)
    text = ack_277ca(batch, {rosa: ("A2:20:PR", "TX2603020001", ""), ana: ("A7:33:IL", "", "A7:164:IL")})

    ack = acknowledgment_import(text=text, ctx=clerk).acknowledgment

    assert (ack.kind, ack.accepted_count, ack.rejected_count) == ("277CA", 1, 1)
    assert ack.summary == f"1 claim(s) accepted, 1 rejected of batch {batch.pk}."
    rosa.refresh_from_db()
    ana.refresh_from_db()
    assert (rosa.status, rosa.payer_claim_number) == (Claim.Status.ACCEPTED, "TX2603020001")
    assert "A2 Accepted into the adjudication system: 20 Accepted for processing (payer)" in rosa.status_detail
    assert rosa.events.order_by("pk").last().text.endswith("The payer's claim number is TX2603020001.")
    assert ana.status == Claim.Status.REJECTED and not ana.payer_claim_number
    assert "A7 Rejected for invalid information: 33 Subscriber and subscriber id not found (subscriber)" in (
        ana.status_detail
    )
    assert "164 Entity's contract/member number (subscriber)" in ana.status_detail


def test_a_later_277ca_with_another_payer_number_is_noted_not_taken(batch, clerk):
    rosa, _ = claims_of(batch)
    acknowledgment_import(text=ack_277ca(batch, {rosa: ("A1:19:PR", "TX1", "")}), ctx=clerk)
    acknowledgment_import(text=ack_277ca(batch, {rosa: ("A2:20:PR", "TX2", "")}, control="000000778"), ctx=clerk)

    rosa.refresh_from_db()
    assert (rosa.status, rosa.payer_claim_number) == (Claim.Status.ACCEPTED, "TX1")
    assert rosa.events.order_by("pk").last().text.endswith("Its claim number TX2 (REF*1K) differs; TX1 stays.")


def test_the_same_file_twice_records_nothing_the_second_time(batch, clerk):
    rosa, ana = claims_of(batch)
    text = ack_277ca(batch, {rosa: ("A2:20:PR", "TX1", ""), ana: ("A7:33:IL", "", "")})
    first = acknowledgment_import(text=text, ctx=clerk)
    counts = (Acknowledgment.objects.count(), ClaimEvent.objects.count(), AuditEvent.objects.count())

    again = acknowledgment_import(text=text, ctx=clerk)

    assert not again.created and again.acknowledgment == first.acknowledgment
    assert (Acknowledgment.objects.count(), ClaimEvent.objects.count(), AuditEvent.objects.count()) == counts


def test_an_acknowledgment_never_undoes_a_rejection_nor_moves_a_claim_sent_again(batch, clerk):
    rosa, ana = claims_of(batch)
    acknowledgment_import(text=ack_277ca(batch, {rosa: ("A7:33:IL", "", ""), ana: ("A6:21", "", "")}), ctx=clerk)
    claim_resend(claim=ana, ctx=clerk)

    acknowledgment_import(text=ack_999(batch), ctx=clerk)  # a late 999
    acknowledgment_import(text=ack_277ca(batch, {ana: ("A2:20", "", "")}, control="000000779"), ctx=clerk)

    rosa.refresh_from_db()
    ana.refresh_from_db()
    assert (rosa.status, ana.status) == (Claim.Status.REJECTED, Claim.Status.RESENT)
    assert rosa.events.order_by("pk").last().text.endswith("Accepted. The claim stays rejected by the payer.")
    assert "The claim stays rejected, sent again." in ana.events.order_by("pk").last().text


def test_an_invalid_file_is_rejected_with_pyx12s_messages_and_changes_nothing(batch, clerk):
    text = ack_999(batch).replace("IK5*A~", "IK5*A*99~")
    events = ClaimEvent.objects.count()

    with pytest.raises(AcknowledgmentError) as error:
        acknowledgment_import(text=text, ctx=clerk)

    assert any("(99) is not a valid code" in message for message in error.value.messages), error.value.messages
    assert not Acknowledgment.objects.exists() and ClaimEvent.objects.count() == events
    assert set(Claim.objects.values_list("status", flat=True)) == {Claim.Status.SENT}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda b: ack_999(b, group_control=987654), "987654 (AK102), which is none of our exported batches"),
        (lambda b: b.file_837, "This file is a 837 (005010X222A1), not a 999"),
        (lambda b: ack_999(b).replace("AK2*837*0001*", "AK2*837*0002*"), "transaction set 0002 (AK202)"),
        (lambda b: "Claim PS1 was rejected.", "This is not an X12 file"),
    ],
    ids=["unknown batch", "not an acknowledgment", "unknown transaction set", "not X12"],
)
def test_a_file_that_is_not_for_one_of_our_batches_says_why_and_changes_nothing(batch, clerk, make, message):
    with pytest.raises(AcknowledgmentError) as error:
        acknowledgment_import(text=make(batch), ctx=clerk)

    assert message in str(error.value)
    assert not Acknowledgment.objects.exists()
    assert set(Claim.objects.values_list("status", flat=True)) == {Claim.Status.SENT}


def test_a_277ca_naming_a_claim_we_did_not_send_changes_nothing(batch, clerk):
    rosa, ana = claims_of(batch)
    text = ack_277ca(batch, {rosa: ("A2:20", "", ""), ana: ("A2:20", "", "")}).replace(
        f"TRN*2*{ana.claim_number}~", "TRN*2*PS99999999~"
    )

    with pytest.raises(AcknowledgmentError, match="claims we did not send: PS99999999"):
        acknowledgment_import(text=text, ctx=clerk)

    rosa.refresh_from_db()
    assert rosa.status == Claim.Status.SENT and not Acknowledgment.objects.exists()


def test_a_rejected_claim_goes_back_to_the_work_page_and_a_new_batch_bills_it(batch, clerk, billing_user, payer):
    rosa, ana = claims_of(batch)
    acknowledgment_import(text=ack_277ca(batch, {rosa: ("A2:20", "", ""), ana: ("A7:33:IL", "", "")}), ctx=clerk)
    note = ana.lines.get().note

    assert claim_resend(claim=ana, ctx=clerk) == 1

    line = ana.lines.get()
    assert (line.voided, line.do_not_rebill) == (True, False)
    assert line.void_reason.startswith("Rejected by the payer's 277CA") and line.void_reason.endswith("as a new claim.")
    assert ana.events.order_by("pk").last().text.startswith("Returned to the work page to correct and send again")
    audit = AuditEvent.objects.filter(target_type="billing.claim", target_id=str(ana.pk)).get()
    assert audit.details == {"resent": True, "lines": [line.pk], "notes": [note.pk]} and audit.actor == billing_user
    [assessment] = assess(billable_notes().filter(pk=note.pk))
    assert assessment.status == READY
    new = services.batch_export(batch=bill(payer, [note], by=billing_user), ctx=clerk)
    claim = new.claims.get()
    assert (claim.frequency, claim.lines.get().note) == (Claim.Frequency.ORIGINAL, note)
    assert_valid(new.file_837)
    assert ClaimLine.objects.filter(note=note, voided=False).get().claim == claim

    with pytest.raises(ValidationError, match="already sent again or corrected"):
        claim_resend(claim=ana, ctx=clerk)


def test_only_a_rejected_claim_is_sent_again(batch, clerk):
    rosa, _ = claims_of(batch)
    acknowledgment_import(text=ack_999(batch), ctx=clerk)

    with pytest.raises(ValidationError, match="is accepted by the payer, not rejected"):
        claim_resend(claim=rosa, ctx=clerk)
    assert not ClaimLine.objects.filter(voided=True).exists()


def test_the_command_imports_a_file_once_for_billing_staff(batch, billing_user, peer, tmp_path):
    path = tmp_path / "batch.999"
    path.write_text(ack_999(batch))
    out = io.StringIO()

    call_command("import_acknowledgment", str(path), "--user", billing_user.email, stdout=out)
    call_command("import_acknowledgment", str(path), "--user", billing_user.email, stdout=out)

    assert f"999 000000901 imported for batch {batch.pk}" in out.getvalue() and "Already imported" in out.getvalue()
    assert Acknowledgment.objects.get().imported_by == billing_user
    audit = AuditEvent.objects.get(target_type="billing.acknowledgment")
    assert audit.user_agent == "manage.py import_acknowledgment"
    with pytest.raises(CommandError, match="may not import acknowledgments"):
        call_command("import_acknowledgment", str(path), "--user", peer.email)
    path.write_text(ack_999(batch, group_control=55555, control="000000902"))
    with pytest.raises(CommandError, match="none of our exported batches"):
        call_command("import_acknowledgment", str(path), "--user", billing_user.email)


@pytest.mark.django_db
@pytest.mark.parametrize("frequency", ["7", "8"])
def test_a_rejected_correction_is_built_again_for_the_same_original(batch, clerk, author, frequency):
    rosa, _ = claims_of(batch)
    rosa = services.claim_set_payer_number(claim=rosa, number="TX-1", ctx=clerk)
    first = services.batch_export(
        batch=corrections.claim_correct(claim=rosa, frequency=frequency, rebill=True, ctx=clerk), ctx=clerk
    )
    rejected = first.claims.get()
    acknowledgment_import(text=ack_277ca(first, {rejected: ("A7:33:IL", "", "")}), ctx=clerk)
    rejected.refresh_from_db()
    assert rejected.status == Claim.Status.REJECTED

    again = corrections.correction_resend(claim=rejected, ctx=clerk)

    resent = again.claims.get()
    assert (resent.frequency, resent.original) == (frequency, rosa)
    assert_valid(services.batch_export(batch=again, ctx=clerk).file_837)
    rejected.refresh_from_db()
    assert rejected.status == Claim.Status.RESENT
    # Exactly one live line per note, whichever the correction: the replacement's, or (a void) none.
    live = ClaimLine.objects.filter(note__in=[line.note_id for line in rosa.lines.all()], voided=False)
    assert live.count() == (len(rosa.lines.all()) if frequency == "7" else 0)
    assert all(line.paid == 0 and not line.denial_reason for line in resent.lines.all())
    with pytest.raises(ValidationError, match="not a rejected correction"):
        corrections.correction_resend(claim=rejected, ctx=clerk)


@pytest.mark.django_db
def test_a_277ca_never_replaces_a_payer_claim_number_already_on_file(batch, clerk):
    rosa, _ = claims_of(batch)
    rosa = services.claim_set_payer_number(claim=rosa, number="TYPED-FROM-RA", ctx=clerk)
    acknowledgment_import(text=ack_277ca(batch, {rosa: ("A2:20:PR", "ICN-OLD", "")}), ctx=clerk)
    rosa.refresh_from_db()
    assert rosa.payer_claim_number == "TYPED-FROM-RA"
    assert "Its claim number ICN-OLD (REF*1K) differs; TYPED-FROM-RA stays." in rosa.events.last().text


@pytest.mark.django_db
def test_a_rejected_claim_is_sent_again_never_replaced(batch, clerk):
    rosa, _ = claims_of(batch)
    acknowledgment_import(text=ack_277ca(batch, {rosa: ("A7:33:IL", "ICN-1", "")}), ctx=clerk)
    rosa.refresh_from_db()
    assert (rosa.status, rosa.payer_claim_number) == (Claim.Status.REJECTED, "ICN-1")
    with pytest.raises(ValidationError, match="rejected .* before adjudicating it"):
        corrections.claim_correct(claim=rosa, frequency="7", ctx=clerk)
    assert not Claim.objects.filter(original=rosa).exists()


@pytest.mark.django_db
def test_a_rejected_correction_past_the_limit_offers_no_resend(batch, clerk, client, billing_user):
    rosa, _ = claims_of(batch)
    rosa = services.claim_set_payer_number(claim=rosa, number="TX-1", ctx=clerk)
    first = services.batch_export(batch=corrections.claim_correct(claim=rosa, frequency="7", ctx=clerk), ctx=clerk)
    rejected = first.claims.get()
    acknowledgment_import(text=ack_277ca(first, {rejected: ("A7:33:IL", "", "")}), ctx=clerk)
    type(batch).objects.filter(pk=batch.pk).update(exported_at=noon(TODAY - datetime.timedelta(days=121)))
    client.force_login(billing_user)
    page = client.get(reverse("billing:claim_detail", args=[rejected.pk])).content.decode()
    assert "can't be sent again" in page and reverse("billing:claim_resend", args=[rejected.pk]) not in page
