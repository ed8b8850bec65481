"""Claims that get paid and never over-bill (issue 10): what goes into each 837P and CSV,
tested through the services as the app calls them. Every file these tests export passes
pyx12 and our own checks (`assert_valid`), as every export must."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from audit.models import AuditEvent
from audit.tests.reading import subject_ids
from billing import corrections, services
from billing.assessment import HOLD, READY
from billing.billability import assess, billable_notes
from billing.models import ClaimBatch, ClaimLine
from billing.x12 import ExportError
from notes.tests.factories import signed_note
from programs.models import Payer, StaffProfile
from programs.tests.factories import CertificationFactory, StaffProfileFactory

from .factories import TODAY, authorize, billable_participant, certify_for_connecticut, days_ago, make_payer
from .posted import noon
from .x12_validation import assert_valid, envelope, lines_of_837, lines_of_csv


def build(payer, user, notes):
    return services.batch_build(payer=payer, note_ids=[n.pk for n in notes], ctx=AuditContext(user))


def export(batch, user):
    batch = services.batch_export(batch=batch, ctx=AuditContext(user))
    assert_valid(batch.file_837)
    return batch


# Finding 13: every export is validated before it is offered.


@pytest.mark.django_db
def test_a_batch_that_fails_validation_is_not_frozen_and_its_page_lists_the_problems_by_claim(
    client, billing_user, identity, payer, author, program, person
):
    undiagnosed = billable_participant(author, program, payer, first_name="Una", last_name="Diaz", primary_diagnosis="")
    batch = build(payer, author, [signed_note(person, author, day=days_ago(4)), signed_note(undiagnosed, author)])
    bad = batch.claims.get(participant=undiagnosed)
    client.force_login(billing_user)
    client.post(reverse("billing:batch_export", args=[batch.pk]))
    batch.refresh_from_db()
    assert not batch.is_frozen and batch.file_837 == "" and batch.interchange_control_number is None
    assert batch.export_errors == [
        {
            "claim": bad.claim_number,
            "message": 'Health Care Diagnosis Code (HI): Mandatory segment "Health Care Diagnosis Code" (HI) missing',
        }
    ]
    page = client.get(reverse("billing:batch_detail", args=[batch.pk])).content.decode()
    assert f"Claim {bad.claim_number}" in page and "(HI) missing" in page
    assert client.get(reverse("billing:batch_download", args=[batch.pk, "837p"])).status_code == 404

    type(undiagnosed).objects.filter(pk=undiagnosed.pk).update(primary_diagnosis="F33.2")
    type(bad).objects.filter(pk=bad.pk).update(diagnosis_codes=["F33.2"])
    batch = export(batch, billing_user)
    assert batch.is_frozen and batch.export_errors == []


@pytest.mark.django_db
def test_export_problems_without_a_claim_stop_the_export_too(identity, payer, author, person):
    batch = build(payer, author, [signed_note(person, author)])
    identity.zip_code = "78701"
    identity.save()
    with pytest.raises(ExportError, match="9 digits"):
        services.batch_export(batch=batch, ctx=AuditContext(author))
    batch.refresh_from_db()
    assert batch.export_errors == [{"claim": "", "message": "The billing provider's ZIP code must have 9 digits."}]


# Finding 10: text in the X12 basic character set; the original everywhere else.


@pytest.mark.django_db
def test_names_are_transliterated_in_the_837p_and_kept_as_written_on_screen_and_in_the_csv(
    client, billing_user, identity, payer, author, program
):
    person = billable_participant(author, program, payer, first_name="José", last_name="Núñez-O'Brien")
    type(person).objects.filter(pk=person.pk).update(address_line1="12 Calle Peñasco № 5 ★", city="Cañon City")
    client.force_login(billing_user)
    batch = build(payer, billing_user, [signed_note(person, author)])
    client.post(reverse("billing:batch_export", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.is_frozen, batch.export_errors
    assert_valid(batch.file_837)
    assert "NM1*IL*1*NUNEZ-O'BRIEN*JOSE****MI*" in batch.file_837
    assert "N3*12 CALLE PENASCO NO 5~N4*CANON CITY*TX*78741~" in batch.file_837
    assert all(ord(c) < 128 for c in batch.file_837)
    page = client.get(reverse("billing:batch_detail", args=[batch.pk])).content.decode()
    assert "José Núñez-O&#x27;Brien" in page
    csv_text = client.get(reverse("billing:batch_download", args=[batch.pk, "csv"])).content.decode()
    assert ",Núñez-O'Brien,José," in csv_text
    # Every download of claims is a disclosure of each participant in it (42 CFR 2.24, 45 CFR 164.528).
    disclosed = AuditEvent.objects.get(action="disclose", target_id=str(batch.pk))
    assert (disclosed.details["file"], subject_ids(disclosed)) == (f"batch-{batch.pk}.csv", [person.pk])


# Finding 3: each payer has its own receiver, usage indicator and rules.


@pytest.mark.django_db
def test_each_batch_goes_to_its_own_payers_receiver_under_its_usage_indicator(identity, payer, author, program):
    connecticut = make_payer(
        "Connecticut Medicaid", payer_id="CTMCD", timely_filing_days=365, receiver_id="CTMEDICAID",
        receiver_name="Connecticut Medicaid", usage="P",
    )  # fmt: skip
    texan = billable_participant(author, program, payer)
    certify_for_connecticut(author)
    ct_person = billable_participant(author, program, connecticut, billing_program="ct_1915c_mhw")
    authorize(ct_person, "CT-1", billing_program="ct_1915c_mhw")
    tx_batch = export(build(payer, author, [signed_note(texan, author)]), author)
    ct_batch = export(build(connecticut, author, [signed_note(ct_person, author)]), author)
    assert envelope(tx_batch.file_837) == (
        "TXMEDICAID     ", "T", "TXMEDICAID", "NM1*40*2*TEXAS MEDICAID*****46*TXMEDICAID"
    )  # fmt: skip
    assert envelope(ct_batch.file_837) == (
        "CTMEDICAID     ", "P", "CTMEDICAID", "NM1*40*2*CONNECTICUT MEDICAID*****46*CTMEDICAID"
    )  # fmt: skip


@pytest.mark.django_db
def test_a_payer_without_a_receiver_is_refused_at_export(identity, payer, author, person):
    batch = build(payer, author, [signed_note(person, author)])
    Payer.objects.filter(pk=payer.pk).update(receiver_id="")
    with pytest.raises(ExportError, match="Texas Medicaid has no receiver ID or receiver name"):
        services.batch_export(batch=batch, ctx=AuditContext(author))
    batch.refresh_from_db()
    assert not batch.is_frozen and "no receiver ID" in batch.export_errors[0]["message"]


@pytest.mark.django_db
def test_program_admins_keep_each_payers_receiver_usage_and_rules_in_the_admin(client, admin_user, payer):
    client.force_login(admin_user)
    page = client.get(f"/django-admin/programs/payer/{payer.pk}/change/").content.decode()
    assert all(f'name="{field}"' in page for field in ("receiver_id", "receiver_name", "usage"))
    listing = client.get("/django-admin/programs/payer/").content.decode()
    assert "TXMEDICAID" in listing


# Finding 1: place of service per line.


@pytest.mark.django_db
def test_a_line_away_from_the_claims_place_of_service_says_where_and_the_csv_agrees_line_by_line(
    client, billing_user, identity, payer, author, person
):
    notes = [
        signed_note(person, author, day=days_ago(6), place="11"),
        signed_note(person, author, day=days_ago(5), modality="video", place="10"),
        signed_note(person, author, day=days_ago(4), place="11"),
        signed_note(person, author, day=days_ago(3), place="99"),
    ]
    batch = export(build(payer, author, notes), author)
    assert "*11:B:1*" in batch.file_837  # CLM05-1: the first line's place
    svs = [s for s in batch.file_837.split("~") if s.startswith("SV1*")]
    assert [s.split("*")[5] for s in svs] == ["", "10", "", "99"]
    client.force_login(billing_user)
    csv_text = client.get(reverse("billing:batch_download", args=[batch.pk, "csv"])).content.decode()
    in_837, in_csv = lines_of_837(batch.file_837), lines_of_csv(csv_text)
    assert in_837 == in_csv
    assert [line[-1] for line in in_837] == ["11", "10", "11", "99"]


# Finding 4: prior authorization in REF*G1, one authorization per claim.


@pytest.mark.django_db
def test_the_assessment_records_the_authorization_that_covered_the_note_required_or_not(
    identity, payer, author, program, person
):
    connecticut = make_payer("Connecticut Medicaid", payer_id="CTMCD", receiver_id="CTMEDICAID")
    certify_for_connecticut(author)
    ct_person = billable_participant(author, program, connecticut, billing_program="ct_1915c_mhw")
    required = authorize(ct_person, "CT-7000", billing_program="ct_1915c_mhw")
    on_file = authorize(person, "TX-1")  # the Texas code needs none, but one is on file
    signed_note(ct_person, author, day=days_ago(5))
    signed_note(person, author, day=days_ago(4))
    ct_a, tx_a = assess(billable_notes())
    assert (ct_a.status, ct_a.authorization) == (READY, required)
    assert (tx_a.status, tx_a.authorization) == (READY, on_file)


@pytest.mark.django_db
def test_lines_under_different_authorizations_go_on_separate_claims_each_with_its_ref_g1(
    client, billing_user, identity, payer, author, person
):
    authorize(person, "PA-OLD/1", start=days_ago(60), end=days_ago(11))
    authorize(person, "PA-NEW/2", start=days_ago(10))
    notes = [signed_note(person, author, day=days_ago(d)) for d in (20, 15, 8, 3)]
    batch = export(build(payer, author, notes), author)
    claims = list(batch.claims.order_by("pk"))
    assert [(c.authorization.number, c.lines.count()) for c in claims] == [("PA-OLD/1", 2), ("PA-NEW/2", 2)]
    text = batch.file_837
    assert f"CLM*{claims[0].claim_number}*" in text.split("REF*G1*PA-OLD/1~")[0].rsplit("HL*", 1)[1]
    assert f"CLM*{claims[1].claim_number}*" in text.split("REF*G1*PA-NEW/2~")[0].rsplit("HL*", 1)[1]
    client.force_login(billing_user)
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(reverse("billing:batch_download", args=[batch.pk, "csv"])).content.decode())
        )
    )
    assert [(r["claim"], r["authorization"]) for r in rows] == [
        (claims[0].claim_number, "PA-OLD/1"), (claims[0].claim_number, "PA-OLD/1"),
        (claims[1].claim_number, "PA-NEW/2"), (claims[1].claim_number, "PA-NEW/2"),
    ]  # fmt: skip
    page = client.get(reverse("billing:batch_detail", args=[batch.pk])).content.decode()
    assert "Authorization PA-OLD/1" in page and "Authorization PA-NEW/2" in page


# Finding 2: the rendering provider, where the payer requires it.

NPI_PAT, NPI_JORDAN = "1234567802", "1234567810"


def second_author(agency):
    """Jordan Lee, certified, on the same supervisor's team as `author`."""
    jordan = UserFactory(first_name="Jordan", last_name="Lee", role=Role.PEER_SPECIALIST)
    profile = StaffProfileFactory(user=jordan, agency=agency, npi=NPI_JORDAN)
    CertificationFactory(profile=profile, issued_on=days_ago(400))
    return jordan


def requires_rendering(payer):
    Payer.objects.filter(pk=payer.pk).update(rendering_provider=Payer.RenderingProvider.REQUIRED)
    payer.refresh_from_db()


@pytest.mark.django_db
def test_a_payer_that_requires_the_rendering_provider_gets_one_specialist_per_claim_in_loop_2310b(
    client, billing_user, identity, payer, author, agency, person
):
    requires_rendering(payer)
    StaffProfile.objects.filter(user=author).update(npi=NPI_PAT)
    jordan = second_author(agency)
    notes = [signed_note(person, author, day=days_ago(5)), signed_note(person, jordan, day=days_ago(4)),
             signed_note(person, author, day=days_ago(3))]  # fmt: skip
    batch = export(build(payer, billing_user, notes), billing_user)
    claims = list(batch.claims.order_by("pk"))
    assert [(c.rendering_provider.user, c.lines.count()) for c in claims] == [(author, 2), (jordan, 1)]
    assert batch.file_837.count("~NM1*82*") == 2
    assert f"~HI*ABK:F332~NM1*82*1*NGUYEN*PAT****XX*{NPI_PAT}~LX*1~" in batch.file_837
    assert f"~HI*ABK:F332~NM1*82*1*LEE*JORDAN****XX*{NPI_JORDAN}~LX*1~" in batch.file_837
    client.force_login(billing_user)
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(reverse("billing:batch_download", args=[batch.pk, "csv"])).content.decode())
        )
    )
    assert [(r["claim"], r["rendering"], r["rendering_npi"]) for r in rows] == [
        (claims[0].claim_number, "Pat Nguyen", NPI_PAT), (claims[0].claim_number, "Pat Nguyen", NPI_PAT),
        (claims[1].claim_number, "Jordan Lee", NPI_JORDAN),
    ]  # fmt: skip


@pytest.mark.django_db
def test_a_payer_that_does_not_take_the_rendering_provider_gets_none_and_one_claim(
    identity, payer, author, agency, person
):
    jordan = second_author(agency)
    notes = [signed_note(person, author, day=days_ago(5)), signed_note(person, jordan, day=days_ago(4))]
    batch = export(build(payer, author, notes), author)
    assert batch.claims.count() == 1 and batch.claims.get().rendering_provider is None
    assert "NM1*82*" not in batch.file_837


@pytest.mark.django_db
def test_a_specialist_without_an_npi_is_held_with_a_link_only_for_who_may_open_their_profile(
    client, billing_user, admin_user, identity, payer, author, person
):
    requires_rendering(payer)
    signed_note(person, author)
    [a] = assess(billable_notes())
    assert a.status == HOLD
    assert [r.text for r in a.reasons] == ["Pat Nguyen has no NPI; Texas Medicaid requires the rendering provider."]
    profile_url = reverse("programs:profile_detail", args=[author.staff_profile.pk])

    client.force_login(admin_user)  # program admins open every profile and fix the NPI there
    page = client.get(reverse("billing:work")).content.decode()
    assert f'Texas Medicaid requires the rendering provider. <a href="{profile_url}">Fix this</a>' in page
    assert client.get(profile_url).status_code == 200

    client.force_login(billing_user)  # billing staff can't open staff profiles: they are told whom to ask
    page = client.get(reverse("billing:work")).content.decode()
    assert "Texas Medicaid requires the rendering provider. Ask a program admin to fix this." in page
    assert profile_url not in page
    assert client.get(profile_url).status_code == 404

    StaffProfile.objects.filter(user=author).update(npi=NPI_PAT)
    assert only_status(assess(billable_notes())) == READY


def only_status(assessments):
    [a] = assessments
    return a.status


@pytest.mark.django_db
def test_two_staff_profiles_may_not_share_an_npi(agency, author):
    StaffProfile.objects.filter(user=author).update(npi=NPI_PAT)
    other = StaffProfileFactory(agency=agency)
    other.npi = NPI_PAT
    with pytest.raises(ValidationError, match="Pat Nguyen already has this NPI; an NPI belongs to one person."):
        other.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffProfile.objects.filter(pk=other.pk).update(npi=NPI_PAT)
    StaffProfileFactory(agency=agency, npi="")  # many profiles have no NPI
    other.npi = NPI_JORDAN
    other.full_clean()


# Finding 11: corrections quote the payer's claim number and follow its correction limit.


@pytest.mark.django_db
def test_a_correction_is_refused_until_the_payers_claim_number_is_entered_and_then_quotes_it(
    identity, payer, author, person
):
    original = export(build(payer, author, [signed_note(person, author)]), author).claims.get()
    with pytest.raises(ValidationError, match=f"Enter Texas Medicaid's claim number for {original.claim_number}"):
        corrections.claim_correct(claim=original, frequency="8", ctx=AuditContext(author), rebill=True)
    original = services.claim_set_payer_number(claim=original, number="620240001234567", ctx=AuditContext(author))
    void = export(
        corrections.claim_correct(claim=original, frequency="8", ctx=AuditContext(author), rebill=True), author
    )
    assert "~REF*F8*620240001234567~" in void.file_837
    assert f"REF*F8*{original.claim_number}" not in void.file_837


@pytest.mark.django_db
def test_a_replacement_follows_the_payers_correction_limit_not_the_first_claims_filing_limit(
    identity, payer, author, person
):
    assert (payer.timely_filing_days, payer.correction_days) == (95, 120)
    person.enrollments.update(start_date=days_ago(300))
    note = signed_note(person, author, day=days_ago(94))
    batch = export(build(payer, author, [note]), author)
    claim = services.claim_set_payer_number(claim=batch.claims.get(), number="6202400099", ctx=AuditContext(author))
    # 20 days pass: the service is 114 days old, past the 95-day filing limit; the claim went out 20 days ago.
    note.date = days_ago(114)
    note.save()
    ClaimLine.objects.filter(claim=claim).update(service_date=days_ago(114))
    ClaimBatch.objects.filter(pk=batch.pk).update(exported_at=timezone.now() - datetime.timedelta(days=20))
    replacement = export(corrections.claim_correct(claim=claim, frequency="7", ctx=AuditContext(author)), author)
    assert "~REF*F8*6202400099~" in replacement.file_837 and ":B:7*" in replacement.file_837

    # 121 days after the export, Texas takes no correction (counted from the export: the remittance
    # that starts Texas's clock comes later, so this is never too generous).
    newer = services.claim_set_payer_number(
        claim=replacement.claims.get(), number="6202400100", ctx=AuditContext(author)
    )
    ClaimBatch.objects.filter(pk=replacement.pk).update(exported_at=noon(TODAY - datetime.timedelta(days=121)))
    with pytest.raises(ValidationError, match="Past Texas Medicaid's 120-day limit for corrections"):
        corrections.claim_correct(claim=newer, frequency="8", ctx=AuditContext(author), rebill=True)
    assert ClaimLine.objects.filter(claim=newer, voided=False).count() == 1  # nothing changed


# Finding 12: the CSV is frozen at export, and no cell runs as a formula.


def download_csv(client, batch):
    return client.get(reverse("billing:batch_download", args=[batch.pk, "csv"])).content.decode()


@pytest.mark.django_db
def test_the_csv_is_frozen_with_the_837p_and_its_cells_never_run_as_formulas(
    client, billing_user, identity, payer, author, program, tmp_path
):
    person = billable_participant(author, program, payer, first_name='=HYPERLINK("http://x","y")', last_name="+Smith")
    client.force_login(billing_user)
    batch = build(payer, billing_user, [signed_note(person, author)])
    client.post(reverse("billing:batch_export", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.is_frozen, batch.export_errors
    assert_valid(batch.file_837)
    assert 'NM1*IL*1*+SMITH*=HYPERLINK("HTTP //X","Y")****MI*' in batch.file_837
    frozen = download_csv(client, batch)
    assert frozen == batch.file_csv
    [row] = list(csv.DictReader(io.StringIO(frozen)))
    assert (row["first_name"], row["last_name"]) == ('\'=HYPERLINK("http://x","y")', "'+Smith")

    # Later changes to the participant or the claim don't rewrite what was sent.
    type(person).objects.filter(pk=person.pk).update(first_name="Renamed", last_name="Later")
    batch.claims.update(member_id="699999999")
    assert download_csv(client, batch) == frozen
    out = tmp_path / "batch.csv"
    call_command("export_claims", batch.pk, "--format", "csv", "--output", str(out), "--user", billing_user.email)
    assert out.read_bytes() == frozen.encode()


@pytest.mark.django_db
def test_a_batch_exported_before_the_csv_was_frozen_freezes_it_on_first_download(
    client, billing_user, identity, payer, author, person
):
    batch = export(build(payer, author, [signed_note(person, author)]), author)
    ClaimBatch.objects.filter(pk=batch.pk).update(file_csv="")
    client.force_login(billing_user)
    first = download_csv(client, batch)
    assert "Quintero" in first and ClaimBatch.objects.get(pk=batch.pk).file_csv == first
    type(person).objects.filter(pk=person.pk).update(last_name="Later")
    assert download_csv(client, batch) == first
