"""Secondary claims: while other insurance covers the day, a note waits for that payer's
adjudication; recorded, it bills Medicaid as secondary with SBR*S and loops 2320, 2330A, 2330B
and 2430, and the file passes pyx12 and our coordination-of-benefits balancing."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from audit.context import AuditContext
from audit.models import AuditEvent
from billing import coordination, corrections, services
from billing.assessment import HOLD, READY
from billing.billability import assess, billable_notes
from billing.models import Claim, ClaimLine, PrimaryAdjudication
from billing.validation import check_837p, cob_problems
from billing.x12 import ExportError
from notes.models import SessionNote
from notes.tests.factories import signed_note

from .factories import TODAY, bill, billable_participant, days_ago
from .secondary import CHARGE, other_insurance, record
from .x12_validation import assert_valid, lines_of_csv

D = Decimal


@pytest.fixture
def employer(person):
    return other_insurance(person)


def export(payer, author, notes):
    return services.batch_export(batch=bill(payer, notes), ctx=AuditContext(author))


def segments_of(text, clm01):
    """The segments of one claim's subscriber loop, from its HL to the next HL or SE."""
    segments = text.strip().rstrip("~").split("~")
    clm = next(i for i, s in enumerate(segments) if s.startswith(f"CLM*{clm01}*"))
    start = max(i for i in range(clm) if segments[i].startswith("HL*"))
    end = next(i for i in range(clm, len(segments)) if segments[i].startswith(("HL*", "SE*")))
    return segments[start:end]


@pytest.mark.django_db
def test_a_note_held_for_the_primary_is_recorded_billed_as_secondary_and_exported_valid(
    identity, payer, author, person, employer
):
    note = signed_note(person, author, day=days_ago(20))
    [a] = assess(billable_notes())
    assert a.status == HOLD and [r.kind for r in a.reasons] == ["primary"]

    adjudication = record(note, employer, by=author, adjudicated_on=days_ago(6))
    [a] = assess(billable_notes())
    assert a.status == READY, [r.text for r in a.reasons]
    assert (a.coverage.kind, a.other_coverage, a.adjudication) == ("medicaid", employer, adjudication)

    batch = export(payer, author, [note])
    claim = batch.claims.get()
    assert claim.other_coverage == employer
    text = batch.file_837
    assert_valid(text)
    block = segments_of(text, claim.claim_number)
    adjudicated = days_ago(6).strftime("%Y%m%d")
    # Medicaid is secondary (2000B), the employer plan paid first (2320, 2330A, 2330B), line by line (2430).
    assert block[1] == "SBR*S*18*******MC"
    hi, lx = next(i for i, s in enumerate(block) if s.startswith("HI*")), block.index("LX*1")
    assert block[hi + 1 : lx] == [
        "SBR*P*18*******CI",
        "AMT*D*40",
        "OI***Y***Y",
        "NM1*IL*1*QUINTERO*ROSA****MI*XK-2231",
        "N3*12 OAK ST",
        "N4*AUSTIN*TX*78741",
        "NM1*PR*2*BLUE PLAN*****PI*BLUE1",
        "REF*F8*EOB-77",
    ]
    assert block[lx + 1 :] == [
        "SV1*HC:H0038:HE*73.08*UN*3***1",
        f"DTP*472*D8*{days_ago(20):%Y%m%d}",
        "SVD*BLUE1*40*HC:H0038:HE**3",
        "CAS*CO*45*13.08",
        "CAS*PR*2*20",
        f"DTP*573*D8*{adjudicated}",
        "AMT*EAF*20",  # the remaining patient liability: its PR adjustments (RFIs 1515, 1521)
    ]
    rows = lines_of_csv(batch.file_csv)
    assert len(rows) == 1
    csv_text = batch.file_csv.splitlines()
    assert csv_text[1].endswith(",Blue Plan,40.00")


@pytest.mark.django_db
def test_a_pure_medicaid_claim_is_unchanged_beside_a_secondary_one(identity, payer, author, program, person, employer):
    other = billable_participant(author, program, payer, first_name="Ana", last_name="Solis")
    secondary, plain = signed_note(person, author, day=days_ago(4)), signed_note(other, author, day=days_ago(4))
    record(secondary, employer, by=author)
    batch = export(payer, author, [secondary, plain])
    assert_valid(batch.file_837)
    by_person = {c.participant: c for c in batch.claims.all()}
    assert by_person[other].other_coverage is None
    block = segments_of(batch.file_837, by_person[other].claim_number)
    assert block[1] == "SBR*P*18*******MC"
    assert not [s for s in block if s.startswith(("AMT*D", "OI*", "SVD*", "CAS*", "DTP*573", "NM1*PR*2*BLUE"))]
    assert segments_of(batch.file_837, by_person[person].claim_number)[1] == "SBR*S*18*******MC"


@pytest.mark.django_db
def test_lines_share_a_secondary_claim_only_when_adjudicated_on_one_primary_claim(
    identity, payer, author, person, employer
):
    first, second, third = (signed_note(person, author, day=days_ago(n)) for n in (5, 4, 3))
    record(first, employer, by=author, claim_number="EOB-1")
    record(second, employer, by=author, claim_number="EOB-1", paid=D("0"), adjustments=[("CO", "96", CHARGE)])
    record(third, employer, by=author, claim_number="EOB-2")
    batch = export(payer, author, [first, second, third])
    assert_valid(batch.file_837)
    claims = {tuple(sorted(line.note_id for line in c.lines.all())): c for c in batch.claims.all()}
    assert set(claims) == {tuple(sorted([first.pk, second.pk])), (third.pk,)}
    shared = segments_of(batch.file_837, claims[tuple(sorted([first.pk, second.pk]))].claim_number)
    # AMT*D is the sum of the lines' SVD02: 40 + 0; the denied line carries its CO-96.
    assert "AMT*D*40" in shared and "REF*F8*EOB-1" in shared
    assert "SVD*BLUE1*0*HC:H0038:HE**3" in shared and "CAS*CO*96*73.08" in shared
    # Each line's remaining patient liability: PR-2 $20.00 on the paid one, none on the denied one.
    assert [s for s in shared if s.startswith("AMT*EAF")] == ["AMT*EAF*20", "AMT*EAF*0"]


@pytest.mark.django_db
def test_a_note_paid_in_full_still_bills_medicaid_with_the_payment_shown(identity, payer, author, person, employer):
    """TMPPM 6.12.1: the other insurance credit is shown even when Medicaid is expected to pay nothing."""
    note = signed_note(person, author)
    adjudication = record(note, employer, by=author, paid=CHARGE, adjustments=[])
    assert adjudication.paid_in_full
    [a] = assess(billable_notes())
    assert a.status == READY
    text = export(payer, author, [note]).file_837
    assert_valid(text)
    assert "AMT*D*73.08~" in text and "SVD*BLUE1*73.08*HC:H0038:HE**3~" in text and "~CAS*" not in text
    assert "~AMT*EAF*0~" in text  # required even at zero (X12 RFI 1515)


@pytest.mark.django_db
def test_without_the_adjudication_a_batch_leaves_the_note_out(identity, payer, author, person, employer):
    note = signed_note(person, author)
    with pytest.raises(ValidationError, match="None of the chosen notes is ready"):
        bill(payer, [note])


@pytest.mark.django_db
def test_a_primary_billed_another_charge_is_held_for_a_person(payer, author, person, employer):
    note = signed_note(person, author)
    record(note, employer, by=author, billed=D("100.00"), paid=D("50.00"), adjustments=[("CO", "45", D("50.00"))])
    [a] = assess(billable_notes())
    assert a.status == HOLD
    assert [r.text for r in a.reasons] == [
        "Blue Plan was billed $100.00 for this note, but its Medicaid charge is $73.08: each line of a secondary "
        "claim carries the charge the primary payer decided on. Correct the adjudication if it was typed wrong; if "
        "not, ask a program admin how this note is billed."
    ]


@pytest.mark.django_db
def test_an_other_payer_without_a_payer_id_is_held_for_an_admin(payer, author, person, employer):
    employer.payer.payer_id = ""
    employer.payer.save()
    record(signed_note(person, author), employer, by=author)
    [a] = assess(billable_notes())
    assert a.status == HOLD and a.reasons[0].fixed_by == "a program admin"
    assert a.reasons[0].text.startswith("Blue Plan has no payer ID: a secondary claim names the payer that paid first")


@pytest.mark.django_db
def test_an_adjudication_whose_coverage_no_longer_covers_the_day_is_held(payer, author, person, employer):
    """Billing Medicaid as primary would ignore the recorded payment."""
    note = signed_note(person, author, day=days_ago(10))
    record(note, employer, by=author)
    employer.end_date = days_ago(30)
    employer.save()
    [a] = assess(billable_notes())
    assert a.status == HOLD and a.other_coverage is None
    assert "Blue Plan's adjudication of this note is on file, but no other insurance covers" in a.reasons[0].text


@pytest.mark.django_db
def test_a_replacement_of_a_secondary_claim_stays_secondary(identity, payer, author, person, employer):
    note = signed_note(person, author)
    record(note, employer, by=author)
    claim = export(payer, author, [note]).claims.get()
    services.claim_set_payer_number(claim=claim, number="TX-9", ctx=AuditContext(author))
    replacement = corrections.claim_correct(claim=claim, frequency="7", ctx=AuditContext(author))
    text = services.batch_export(batch=replacement, ctx=AuditContext(author)).file_837
    assert_valid(text)
    assert replacement.claims.get().other_coverage == employer
    assert "SBR*S*18" in text and "AMT*D*40~" in text and "REF*F8*TX-9~" in text
    second = services.claim_set_payer_number(claim=replacement.claims.get(), number="TX-10", ctx=AuditContext(author))
    void = corrections.claim_correct(claim=second, frequency="8", rebill=True, ctx=AuditContext(author))
    assert void.claims.get().other_coverage == employer


# --- Recording and correcting ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"paid": D("45.00")}, "paid", "billed $73.08 less adjustments of $33.08 leaves $40.00, but it paid $45.00"),
        ({"adjudicated_on": days_ago(30)}, "adjudicated_on", "can't be before the service on"),
        ({"adjudicated_on": TODAY.replace(year=TODAY.year + 1)}, "adjudicated_on", "can't be in the future"),
        ({"adjustments": [("CO", "4 5", D("13.08"))]}, "adjustments", "Adjustment 1: A reason code is 1 to 5"),
        ({"adjustments": [("XX", "45", D("13.08"))]}, "adjustments", "Adjustment 1: Value 'XX' is not a valid choice"),
        ({"adjustments": [("CO", "45", D("0"))]}, "adjustments", "an adjustment of $0.00 adjusts nothing"),
        ({"paid": D("-1")}, "paid", "greater than or equal to 0"),
    ],
)
def test_an_adjudication_that_does_not_add_up_is_explained_and_not_saved(
    author, person, employer, change, field, message
):
    note = signed_note(person, author, day=days_ago(10))
    with pytest.raises(ValidationError) as caught:
        record(note, employer, by=author, **change)
    assert any(message in m for m in caught.value.message_dict[field]), caught.value.message_dict
    assert not PrimaryAdjudication.objects.exists()


@pytest.mark.django_db
def test_only_other_insurance_in_force_that_day_can_have_paid_first(author, person, employer):
    note = signed_note(person, author, day=days_ago(10))
    medicaid = person.coverages.get(kind="medicaid")
    with pytest.raises(ValidationError, match="Texas Medicaid is Medicaid, not other insurance"):
        record(note, medicaid, by=author)
    employer.start_date = days_ago(5)
    employer.save()
    with pytest.raises(ValidationError) as caught:
        record(note, employer, by=author)
    assert caught.value.message_dict["coverage"] == [
        f"Blue Plan's coverage (ID XK-2231) did not cover the service on {days_ago(10):%b} {days_ago(10).day}, "
        f"{days_ago(10).year}: it starts on {days_ago(5):%b} {days_ago(5).day}, {days_ago(5).year}. Choose the "
        "coverage in force that day, or correct its dates on the participant's page."
    ]


@pytest.mark.django_db
def test_a_note_not_signed_yet_or_recorded_already_is_refused(author, person, employer):
    note = signed_note(person, author)
    SessionNote.objects.filter(pk=note.pk).update(status=SessionNote.Status.SUBMITTED)
    note.refresh_from_db()
    with pytest.raises(ValidationError, match="not co-signed yet"):
        record(note, employer, by=author)
    SessionNote.objects.filter(pk=note.pk).update(status=SessionNote.Status.COSIGNED)
    note.refresh_from_db()
    record(note, employer, by=author)
    with pytest.raises(ValidationError, match="already recorded; correct it instead"):
        record(note, employer, by=author)


@pytest.mark.django_db
def test_a_correction_keeps_the_old_version_and_is_audited_without_amounts(author, person, employer):
    note = signed_note(person, author)
    old = record(note, employer, by=author)
    with pytest.raises(ValidationError, match="Say why"):
        coordination.primary_adjudication_correct(
            adjudication=old, reason=" ", ctx=AuditContext(author), **_fields(old)
        )
    new = coordination.primary_adjudication_correct(
        adjudication=old, reason="Typed the coinsurance wrong", ctx=AuditContext(author),
        **_fields(old, paid=D("45.00"), adjustments=[("CO", "45", D("13.08")), ("PR", "2", D("15.00"))]),
    )  # fmt: skip
    old.refresh_from_db()
    assert (old.is_current, new.is_current, new.corrects, new.correction_reason) == (
        False, True, old, "Typed the coinsurance wrong",
    )  # fmt: skip
    assert [(a.code, a.amount) for a in new.adjustments.all()] == [("CO-45", D("13.08")), ("PR-2", D("15.00"))]
    events = AuditEvent.objects.filter(target_type="billing.primaryadjudication").order_by("pk")
    assert [e.action for e in events] == [AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE]
    assert events[1].details == {
        "note": note.pk, "coverage": employer.pk, "source": "typed", "adjustments": 2, "corrects": old.pk,
        "changed": ["paid", "adjustments"],
    }  # fmt: skip
    assert not re.search(r"45\.00|15\.00|73\.08", str([e.details for e in events]))


@pytest.mark.django_db
def test_a_correction_is_refused_while_the_note_is_on_a_live_claim(identity, payer, author, person, employer):
    note = signed_note(person, author)
    old = record(note, employer, by=author)
    claim = export(payer, author, [note]).claims.get()
    with pytest.raises(ValidationError, match=f"on claim {claim.claim_number}.*Void that claim first"):
        coordination.primary_adjudication_correct(
            adjudication=old, reason="Wrong", ctx=AuditContext(author), **_fields(old, paid=D("40.00"))
        )
    services.claim_set_payer_number(claim=claim, number="TX-1", ctx=AuditContext(author))
    corrections.claim_correct(claim=claim, frequency="8", rebill=True, ctx=AuditContext(author))
    new = coordination.primary_adjudication_correct(
        adjudication=old, reason="Recouped", ctx=AuditContext(author),
        **_fields(old, paid=D("30.00"), adjustments=[("CO", "45", D("13.08")), ("PR", "2", D("30.00"))]),
    )  # fmt: skip
    text = export(payer, author, [note]).file_837
    assert_valid(text)
    assert new.is_current and "AMT*D*30~" in text and "CAS*PR*2*30~" in text


def _fields(adjudication, **changes):
    fields = {
        "coverage": adjudication.coverage, "billed": adjudication.billed, "paid": adjudication.paid,
        "adjudicated_on": adjudication.adjudicated_on, "filing_indicator": adjudication.filing_indicator,
        "claim_number": adjudication.claim_number,
        "adjustments": [(a.group, a.reason, a.amount) for a in adjudication.adjustments.all()],
    }  # fmt: skip
    return fields | changes


# --- Our own checks of the 837P ---------------------------------------------------------------


@pytest.fixture
def secondary_file(identity, payer, author, person, employer):
    note = signed_note(person, author)
    record(note, employer, by=author)
    return export(payer, author, [note]).file_837


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda t: t.replace("SVD*BLUE1*40*", "SVD*BLUE1*41*"), "paid 41 and adjusted 33.08, which does not add up"),
        (lambda t: t.replace("AMT*D*40~", "AMT*D*39~"), "AMT*D 39 is not its line payments 40"),
        (lambda t: t.replace("SVD*BLUE1*", "SVD*OTHER*"), "SVD01 OTHER names no other payer of the claim"),
        (lambda t: re.sub(r"SBR\*P\*18\*{7}CI~.*?~(?=LX\*1~)", "", t), "needs the other payer's loop 2320"),
        (lambda t: t.replace("~AMT*EAF*20~", "~"), "Line 1: loop 2430 of other payer BLUE1 lacks AMT*EAF"),
        (lambda t: t.replace("AMT*D*40~", "AMT*D*40~AMT*EAF*20~"), "reported at the claim level (2320) and the line"),
    ],
)
def test_our_checks_catch_a_secondary_claim_that_does_not_balance(secondary_file, tamper, message):
    assert cob_problems(secondary_file) == []
    tampered = tamper(secondary_file)
    assert tampered != secondary_file
    with pytest.raises(ExportError, match=re.escape(message)):
        check_837p(tampered)


@pytest.mark.django_db
def test_a_claim_whose_adjudication_went_missing_is_not_written(identity, payer, author, person, employer):
    note = signed_note(person, author)
    record(note, employer, by=author)
    batch = bill(payer, [note])
    ClaimLine.objects.filter(note=note).update(primary_adjudication=None)
    with pytest.raises(ExportError, match="Blue Plan's adjudication of every line must be on file"):
        services.batch_export(batch=batch, ctx=AuditContext(author))
    assert Claim.objects.get().batch.is_open
