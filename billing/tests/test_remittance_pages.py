"""The remittance pages and `manage.py import_remittance`: who may use them, what they show, what
bad input gets, and query counts that do not grow with the rows."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from billing import services
from billing.models import ClaimLine, Remittance, RemittanceClaim, RemittanceLine
from billing.remittance.importing import remittance_import
from billing.remittance.simulate import deny, pay, remittance_835
from notes.tests.factories import signed_note

from .factories import days_ago

D = Decimal
SAMPLE = Path(__file__).parent / "files" / "835" / "emedny_sample.txt"


@pytest.fixture
def batch(identity, payer, author, person):
    notes = [signed_note(person, author, day=days_ago(4)), signed_note(person, author, day=days_ago(3))]
    built = services.batch_build(payer=payer, note_ids=[n.pk for n in notes], ctx=AuditContext(author))
    return services.batch_export(batch=built, ctx=AuditContext(author))


@pytest.fixture
def posted(batch, billing_user):
    first, second = batch.claims.get().lines.order_by("service_date")
    text = remittance_835(batch, decisions={first: pay(60), second: deny(("CO", "29", None))})
    return remittance_import(text=text, file_name="era.835", ctx=AuditContext(billing_user))[0].remittance


def upload(text, name="era.835"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def _remittances(n, user, prefix):
    for i in range(n):
        Remittance.objects.create(
            trace_number=f"{prefix}{i}", payer_identifier="1741234567", payer_name="TEXAS MEDICAID",
            payment_amount=D(10), payment_method="CHK", paid_on=datetime.date(2025, 3, 1), file_text="-",
            status=Remittance.Status.POSTED, imported_by=user,
        )  # fmt: skip


def _unmatched(n, remittance):
    rclaim = RemittanceClaim.objects.create(
        remittance=remittance, position=9, patient_control_number="FOREIGN", status_code="1", charge=D(n),
        paid=D(n), member_id="600000000",
    )  # fmt: skip
    Remittance.objects.filter(pk=remittance.pk).update(claim_count=F("claim_count") + 1)  # as the import counts it
    for i in range(n):
        RemittanceLine.objects.create(
            remittance_claim=rclaim, position=i + 1, hcpcs="H0038", modifiers=["HE"], service_date=days_ago(3),
            charge=D(1), paid=D(1), match=RemittanceLine.Match.UNMATCHED,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.BILLING, 200), (Role.PROGRAM_ADMIN, 200), (Role.PEER_SPECIALIST, 403), (Role.SUPERVISOR, 403)],
)
def test_only_billing_staff_and_admins_open_the_remittance_pages(client, posted, role, expected):
    client.force_login(UserFactory(role=role))
    line = RemittanceLine.objects.first()
    for url in [
        reverse("billing:remittance_list"),
        reverse("billing:remittance_import"),
        reverse("billing:remittance_detail", args=[posted.pk]),
        reverse("billing:unmatched_list"),
    ]:
        assert client.get(url).status_code == expected, url
    for url in [
        reverse("billing:remittance_post", args=[posted.pk]),
        reverse("billing:remittance_dismiss", args=[posted.pk]),
        reverse("billing:unmatched_resolve", args=[line.pk]),
        reverse("billing:unmatched_dismiss", args=[line.pk]),
    ]:
        assert client.post(url, {"note": "x", "claim": "PS00000001"}).status_code == (302 if expected == 200 else 403)


def test_missing_records_are_404_and_state_changes_are_post_only(client, billing_user, posted):
    client.force_login(billing_user)
    assert client.get(reverse("billing:remittance_detail", args=[posted.pk + 99])).status_code == 404
    assert client.post(reverse("billing:remittance_post", args=[posted.pk + 99]), {"note": "x"}).status_code == 404
    assert client.post(reverse("billing:unmatched_dismiss", args=[99999]), {"note": "x"}).status_code == 404
    line = RemittanceLine.objects.first()
    for url in [
        reverse("billing:remittance_post", args=[posted.pk]),
        reverse("billing:remittance_dismiss", args=[posted.pk]),
        reverse("billing:unmatched_resolve", args=[line.pk]),
        reverse("billing:unmatched_dismiss", args=[line.pk]),
    ]:
        assert client.get(url).status_code == 405, url


def test_a_clerk_imports_an_835_on_the_page_and_sees_what_was_paid_and_why_not(client, billing_user, batch):
    claim = batch.claims.get()
    first, second = claim.lines.order_by("service_date")
    text = remittance_835(batch, decisions={first: pay(60), second: deny(("CO", "29", None), remarks=["N130"])})
    client.force_login(billing_user)
    response = client.post(reverse("billing:remittance_import"), {"file": upload(text)}, follow=True)
    remittance = Remittance.objects.get()
    assert response.redirect_chain[-1][0] == reverse("billing:remittance_detail", args=[remittance.pk])
    body = response.content.decode()
    assert "posted 2 of 2 lines to 1 claim" in body
    assert "Charge exceeds fee schedule/maximum allowable" in body  # CO-45 on the partly paid line
    assert "The time limit for filing has expired." in body and "N130: Consult plan benefit documents" in body
    assert reverse("billing:claim_detail", args=[claim.pk]) in body and claim.claim_number in body
    first.refresh_from_db()
    assert first.paid == D(60)
    again = client.post(reverse("billing:remittance_import"), {"file": upload(text)}, follow=True).content.decode()
    assert "already imported" in again and Remittance.objects.count() == 1


def test_the_import_page_lists_the_validators_messages_and_changes_nothing(client, billing_user, batch):
    text = remittance_835(batch).replace("*1*146.16*", "*X9*146.16*")
    client.force_login(billing_user)
    response = client.post(reverse("billing:remittance_import"), {"file": upload(text)})
    body = response.content.decode()
    assert response.status_code == 200 and "The file was not imported; nothing was changed" in body
    assert "(X9) is not a valid code for Claim Status Code (CLP02)" in body
    assert not Remittance.objects.exists()
    body = client.post(reverse("billing:remittance_import"), {"file": upload(batch.file_837)}).content.decode()
    assert "an 837 claim file, not an 835 remittance advice" in body
    body = client.post(reverse("billing:remittance_import"), {}).content.decode()
    assert "This field is required." in body


def test_the_import_page_refuses_an_amount_too_wide_to_store(client, billing_user, batch):
    claim = batch.claims.order_by("pk").first()
    text = remittance_835(batch)
    text = re.sub(rf"(CLP\*{claim.claim_number}\*1\*)146\.16", r"\g<1>12345678901234", text)
    client.force_login(billing_user)
    response = client.post(reverse("billing:remittance_import"), {"file": upload(text)})
    assert response.status_code == 200
    assert f"CLP {claim.claim_number}: CLP03 is 12345678901234" in response.content.decode()
    assert not Remittance.objects.exists()


def test_the_import_page_refuses_a_file_over_5_mb(client, billing_user):
    client.force_login(billing_user)
    big = SimpleUploadedFile("big.835", b"ISA" + b" " * (5 * 1024 * 1024), content_type="text/plain")
    body = client.post(reverse("billing:remittance_import"), {"file": big}).content.decode()
    assert "import files of at most 5 MB" in body and not Remittance.objects.exists()


def test_a_held_remittance_is_reviewed_on_its_page_then_posted(client, billing_user, batch):
    text = remittance_835(batch).replace("BPR*I*146.16*", "BPR*I*140*")
    held = remittance_import(text=text, file_name="era.835", ctx=AuditContext(billing_user))[0].remittance
    url = reverse("billing:remittance_detail", args=[held.pk])
    client.force_login(billing_user)
    body = client.get(url).content.decode()
    assert "does not balance, and nothing of it has been posted" in body and "but the payment (BPR02) is 140" in body
    response = client.post(reverse("billing:remittance_post", args=[held.pk]), {"note": "  "}, follow=True)
    assert "Write what you checked" in response.content.decode()
    held.refresh_from_db()
    assert held.status == Remittance.Status.HELD
    response = client.post(reverse("billing:remittance_post", args=[held.pk]), {"note": "PLB on paper"}, follow=True)
    assert "Posted after review: 2 lines posted" in response.content.decode()
    held.refresh_from_db()
    assert held.status == Remittance.Status.POSTED and held.review_note == "PLB on paper"
    assert set(ClaimLine.objects.values_list("paid", flat=True)) == {D("73.08")}
    response = client.post(reverse("billing:remittance_dismiss", args=[held.pk]), {"note": "late"}, follow=True)
    assert "Only a held remittance can be dismissed" in response.content.decode()


def test_a_held_remittance_is_dismissed_with_a_reason(client, billing_user, batch):
    text = remittance_835(batch).replace("BPR*I*146.16*", "BPR*I*140*")
    held = remittance_import(text=text, file_name="era.835", ctx=AuditContext(billing_user))[0].remittance
    client.force_login(billing_user)
    response = client.post(reverse("billing:remittance_dismiss", args=[held.pk]), {"note": ""}, follow=True)
    assert "Say why this remittance is dismissed." in response.content.decode()
    client.post(reverse("billing:remittance_dismiss", args=[held.pk]), {"note": "Resent by the payer"})
    held.refresh_from_db()
    assert held.status == Remittance.Status.DISMISSED and not ClaimLine.objects.exclude(paid=0).exists()


def test_an_unmatched_line_the_payer_recoded_shows_the_code_we_billed(client, billing_user, batch):
    claim = batch.claims.get()
    first = claim.lines.order_by("service_date").first()
    text = remittance_835(batch, decisions={first: pay(recoded="H0039")})
    text = text.replace(f"CLP*{claim.claim_number}*", "CLP*MISTYPED1*")
    remittance_import(text=text, file_name="era.835", ctx=AuditContext(billing_user))
    client.force_login(billing_user)
    body = client.get(reverse("billing:unmatched_list")).content.decode()
    assert "H0039 (billed as H0038 HE) ·" in body
    assert body.count(f"Our claims for this member with this code and date: {claim.claim_number}.") == 2


def test_unmatched_lines_are_resolved_or_dismissed_on_their_page(client, billing_user, batch, payer):
    claim = batch.claims.get()
    text = remittance_835(batch).replace(f"CLP*{claim.claim_number}*", "CLP*MISTYPED1*")
    remittance_import(text=text, file_name="era.835", ctx=AuditContext(billing_user))
    first, second = RemittanceLine.objects.order_by("position")
    client.force_login(billing_user)
    body = client.get(reverse("billing:unmatched_list")).content.decode()
    assert "MISTYPED1 is not one of our exported claims." in body
    assert f"Our claims for this member with this code and date: {claim.claim_number}." in body
    resolve = reverse("billing:unmatched_resolve", args=[first.pk])
    body = client.post(resolve, {"claim": "PS99999999"}, follow=True).content.decode()
    assert "“PS99999999” is not one of our exported claims" in body
    body = client.post(resolve, {"claim": claim.claim_number.lower()}, follow=True).content.decode()
    assert f"Posted to {claim.claim_number}, the" in body
    first.refresh_from_db()
    assert first.match == RemittanceLine.Match.RESOLVED and first.claim_line.paid == D("73.08")
    dismiss = reverse("billing:unmatched_dismiss", args=[second.pk])
    assert "Say why the line is dismissed." in client.post(dismiss, {"note": ""}, follow=True).content.decode()
    client.post(dismiss, {"note": "Paid twice by the payer; refund requested"})
    second.refresh_from_db()
    assert second.match == RemittanceLine.Match.DISMISSED
    assert "No unmatched lines" in client.get(reverse("billing:unmatched_list")).content.decode()


def test_the_lists_read_a_fixed_number_of_queries(client, billing_user, django_assert_max_num_queries):
    client.force_login(billing_user)
    _remittances(2, billing_user, "A")
    _unmatched(2, Remittance.objects.first())
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("billing:remittance_list"))
    with django_assert_max_num_queries(14) as small_unmatched:
        client.get(reverse("billing:unmatched_list"))
    _remittances(30, UserFactory(role=Role.BILLING), "B")
    _unmatched(30, Remittance.objects.last())
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("billing:remittance_list"))
    assert len(response.context["page"].object_list) == 32
    with django_assert_max_num_queries(len(small_unmatched.captured_queries)):
        response = client.get(reverse("billing:unmatched_list"))
    assert len(response.context["rows"]) == 32


def test_a_remittances_page_reads_a_fixed_number_of_queries(client, billing_user, django_assert_max_num_queries):
    small = remittance_import(text=SAMPLE.read_text(), file_name="s", ctx=AuditContext(billing_user))[0].remittance
    big_text = SAMPLE.read_text().replace("TRN*1*10100000000*", "TRN*1*20200000000*")
    big = remittance_import(text=big_text, file_name="b", ctx=AuditContext(billing_user))[0].remittance
    for position in range(4, 31):  # 30 claims, with their lines and adjustments
        source = big.claims.get(position=2)
        lines = list(source.lines.all())
        source.pk, source.position = None, position
        source.save()
        for line in lines:
            line.pk, line.remittance_claim = None, source
            line.save()
    big.claim_count = big.claims.count()  # as an import of 30 claims stores it
    big.save(update_fields=["claim_count"])
    client.force_login(billing_user)
    with django_assert_max_num_queries(16) as counted:
        client.get(reverse("billing:remittance_detail", args=[small.pk]))
    with django_assert_max_num_queries(len(counted.captured_queries)):
        response = client.get(reverse("billing:remittance_detail", args=[big.pk]))
    assert len(response.context["page"].object_list) == 25 and "1–25 of 30" in response.content.decode()
    # Read into lists, not a queryset built for each claim and line of the page.
    claim = response.context["page"].object_list[0]
    assert type(claim.line_list) is list and claim.line_list
    assert all(type(line.adjustment_list) is list for line in claim.line_list)


def test_a_remittances_page_does_not_read_its_files_text(client, billing_user, posted):
    """An 835 of a payer-month runs to megabytes; the page shows none of it."""
    client.force_login(billing_user)
    with CaptureQueriesContext(connection) as read:
        response = client.get(reverse("billing:remittance_detail", args=[posted.pk]))
    assert response.status_code == 200
    assert not [q["sql"] for q in read.captured_queries if '"file_text"' in q["sql"]]


def test_the_command_imports_and_says_what_was_posted(tmp_path, capsys, billing_user, batch):
    path = tmp_path / "era.835"
    path.write_text(remittance_835(batch))
    call_command("import_remittance", str(path), "--user", billing_user.email)
    assert "posted 2 of 2 lines to 1 claim" in capsys.readouterr().out
    call_command("import_remittance", str(path), "--user", billing_user.email)
    assert "already imported" in capsys.readouterr().out
    assert Remittance.objects.count() == 1


def test_the_command_fails_with_the_messages_on_an_invalid_or_held_file(tmp_path, billing_user, peer, batch):
    path = tmp_path / "era.835"
    path.write_text(remittance_835(batch).replace("*1*146.16*", "*X9*146.16*"))
    with pytest.raises(CommandError, match=r"(?s)nothing changed.*\(X9\) is not a valid code"):
        call_command("import_remittance", str(path), "--user", billing_user.email)
    assert not Remittance.objects.exists()
    path.write_text(remittance_835(batch).replace("BPR*I*146.16*", "BPR*I*140*"))
    with pytest.raises(CommandError, match=r"(?s)Held for review.*BPR02\) is 140"):
        call_command("import_remittance", str(path), "--user", billing_user.email)
    assert Remittance.objects.get().status == Remittance.Status.HELD
    with pytest.raises(CommandError, match="may not import remittances"):
        call_command("import_remittance", str(path), "--user", peer.email)
    with pytest.raises(CommandError, match="Can't read"):
        call_command("import_remittance", str(tmp_path / "missing.835"), "--user", billing_user.email)
