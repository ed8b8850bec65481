"""A build's claims and lines are written by one INSERT ... SELECT from arrays per table
(billing.claim_insert), not bulk_create: every column must come out as bulk_create wrote it."""

from decimal import Decimal

import pytest

from billing import claim_insert, collector
from billing.models import Claim, ClaimBatch, ClaimLine
from notes.tests.factories import signed_note

from .factories import billable_participant, days_ago

SET_BY_THE_DATABASE = {"id", "claim_id", "created_at"}


def _rows(model, batch) -> list[dict]:
    field = "batch" if model is Claim else "claim__batch"
    names = [f.attname for f in model._meta.concrete_fields if f.attname not in SET_BY_THE_DATABASE]
    return list(model.objects.filter(**{field: batch}).order_by("pk").values(*names))


def _values(person, other, notes, code, authorization_id=None):
    claims = [
        {"participant_id": p.pk, "billing_program": "tx_state_plan", "member_id": f"M{p.pk}",
         "diagnosis_codes": ["F33.1", "F41.1"], "authorization_id": authorization_id,
         "other_coverage_id": None, "rendering_provider_id": None}
        for p in (person, other)
    ]  # fmt: skip
    lines = [
        [
            {"note_id": n.pk, "service_code_id": code.pk, "hcpcs": code.hcpcs, "modifiers": modifiers,
             "units": 3, "charge": charge, "place_of_service": n.place_of_service, "service_date": n.date,
             "primary_adjudication_id": None}
            for n, modifiers, charge in chunk
        ]
        for chunk in (
            # Half a cent: the array path must round the charge as bulk_create's preparation does.
            [(notes[0], ["HE"], Decimal("73.085")), (notes[1], ["HE", "95"], Decimal("20"))],
            [(notes[2], [], Decimal("18.265"))],
        )
    ]  # fmt: skip
    return claims, lines


@pytest.mark.django_db
def test_the_arrays_write_every_column_as_bulk_create_did(payer, author, program, person, tx_code):
    other = billable_participant(author, program, payer)
    notes = [
        signed_note(person, author, day=days_ago(5)),
        signed_note(person, author, day=days_ago(4), modality="video", place="10"),
        signed_note(other, author, day=days_ago(3)),
    ]
    written = {}
    for way in ("arrays", "bulk_create"):
        batch = ClaimBatch.objects.create(payer=payer, created_by=author)
        claims, lines = _values(person, other, notes, tx_code)
        if way == "arrays":
            claim_insert.insert(batch.pk, claims, lines, frequency=Claim.Frequency.ORIGINAL, original_id=None)
        else:
            claim_insert._bulk_create(batch.pk, claims, lines, frequency=Claim.Frequency.ORIGINAL, original_id=None)
        written[way] = (_rows(Claim, batch), _rows(ClaimLine, batch), batch)
        # The claims ascend in the order given, each with its own lines.
        made = list(Claim.objects.filter(batch=batch).order_by("pk"))
        assert [c.participant_id for c in made] == [person.pk, other.pk]
        assert [sorted(line.note_id for line in c.lines.all()) for c in made] == [
            sorted([notes[0].pk, notes[1].pk]),
            [notes[2].pk],
        ]
        ClaimLine.objects.filter(claim__batch=batch).delete()  # the notes may be billed again
    (claims, lines, _), (old_claims, old_lines, _) = written["arrays"], written["bulk_create"]
    assert [{**c, "batch_id": None} for c in claims] == [{**c, "batch_id": None} for c in old_claims]
    assert lines == old_lines
    assert [line["charge"] for line in lines] == [Decimal("73.09"), Decimal("20.00"), Decimal("18.27")]
    assert {c["status"] for c in claims} == {Claim.Status.BUILT}


def test_the_collector_is_paused_in_the_block_and_resumed_after_the_outermost():
    import gc

    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
