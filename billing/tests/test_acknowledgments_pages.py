"""The acknowledgment pages: import, list, and the batch page's rejected claims with their resend
button; who may use them, and what a clerk sees when a file is wrong."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from audit.models import AuditEvent
from billing import services
from billing.acks.services import acknowledgment_import
from billing.models import Acknowledgment, Claim, ClaimLine
from billing.uploads import MAX_MB
from notes.tests.factories import signed_note

from .acks import ack_277ca, ack_999
from .factories import bill, billable_participant, days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(identity, payer, author, program, person):
    ana = billable_participant(author, program, payer, first_name="Ana", last_name="Lopez")
    notes = [signed_note(person, author), signed_note(ana, author)]
    return services.batch_export(batch=bill(payer, notes), ctx=AuditContext(author))


def upload(text: str, name: str = "answer.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def rejected_277ca(batch):
    rosa, ana = batch.claims.order_by("pk")
    return ack_277ca(batch, {rosa: ("A2:20:PR", "TX1", ""), ana: ("A7:33:IL", "", "A7:164:IL")})


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.BILLING, 200), (Role.PROGRAM_ADMIN, 200), (Role.PEER_SPECIALIST, 403), (Role.SUPERVISOR, 403)],
)
def test_only_billing_staff_and_admins_see_the_acknowledgment_pages(client, batch, role, expected):
    client.force_login(UserFactory(role=role))
    for url in [reverse("billing:acknowledgment_list"), reverse("billing:acknowledgment_import")]:
        assert client.get(url).status_code == expected, url
    response = client.post(reverse("billing:acknowledgment_import"), {"file": upload(ack_999(batch))})
    assert response.status_code == (302 if expected == 200 else 403)
    assert Acknowledgment.objects.exists() == (expected == 200)


def test_signed_out_visitors_are_sent_to_sign_in(client, batch):
    response = client.get(reverse("billing:acknowledgment_list"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_a_clerk_imports_a_277ca_and_sends_the_rejected_claim_again(client, billing_user, batch):
    rosa, ana = batch.claims.order_by("pk")
    client.force_login(billing_user)

    response = client.post(
        reverse("billing:acknowledgment_import"), {"file": upload(rejected_277ca(batch), "ca.277")}, follow=True
    )

    ack = Acknowledgment.objects.get()
    assert response.redirect_chain[-1][0] == reverse("billing:batch_detail", args=[batch.pk])
    page = response.content.decode()
    assert "277CA 000000777 imported: 1 claim(s) accepted, 1 rejected" in page
    assert f"{ana.claim_number} · Ana Lopez: rejected by the payer" in page
    assert "33 Subscriber and subscriber id not found (subscriber)" in page
    assert reverse("billing:claim_resend", args=[ana.pk]) in page
    assert reverse("billing:claim_resend", args=[rosa.pk]) not in page  # accepted: nothing to resend
    audit = AuditEvent.objects.get(target_type="billing.acknowledgment")
    assert (audit.actor, audit.target_id, audit.ip_address) == (billing_user, str(ack.pk), "127.0.0.1")
    assert ack.file_name == "ca.277"
    # The rejected claim waits on the acknowledgments page and is counted on billing's home page.
    waiting = client.get(reverse("billing:acknowledgment_list")).content.decode()
    assert "Rejected claims to correct and send again (1)" in waiting
    assert reverse("billing:claim_detail", args=[ana.pk]) in waiting
    assert client.get(reverse("home_billing")).context["counts"]["rejected_claims"] == 1

    response = client.post(reverse("billing:claim_resend", args=[ana.pk]), follow=True)

    page = response.content.decode()
    assert f"{ana.claim_number}&#x27;s 1 note(s) are back on the billing work page" in page
    assert "its notes went back to the" in page and reverse("billing:claim_resend", args=[ana.pk]) not in page
    assert ClaimLine.objects.get(claim=ana).voided
    assert "Rejected claims to correct" not in client.get(reverse("billing:acknowledgment_list")).content.decode()
    assert client.get(reverse("home_billing")).context["counts"]["rejected_claims"] == 0
    response = client.post(reverse("billing:claim_resend", args=[ana.pk]), follow=True)
    assert "already sent again or corrected" in response.content.decode()


def test_the_same_file_again_says_it_was_already_imported(client, billing_user, batch):
    client.force_login(billing_user)
    client.post(reverse("billing:acknowledgment_import"), {"file": upload(ack_999(batch))})

    response = client.post(reverse("billing:acknowledgment_import"), {"file": upload(ack_999(batch))}, follow=True)

    assert "This file was already imported on" in response.content.decode()
    assert Acknowledgment.objects.count() == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda b: upload(ack_999(b).replace("IK5*A~", "IK5*A*99~")), "(99) is not a valid code"),
        (lambda b: upload(ack_999(b, group_control=4242)), "none of our exported batches"),
        (lambda b: SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n\xff\xfe\x00"), "This is not a text file"),
        (lambda b: SimpleUploadedFile("big.txt", b"ISA" * (MAX_MB * 1024 * 1024 // 3 + 1)), "The file is too large"),
        (lambda b: "", "This field is required"),
    ],
    ids=["invalid", "not our batch", "binary", "too large", "no file"],
)
def test_a_wrong_file_is_explained_and_changes_nothing(client, billing_user, batch, make, message):
    client.force_login(billing_user)

    response = client.post(reverse("billing:acknowledgment_import"), {"file": make(batch)})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Acknowledgment.objects.exists()
    assert set(Claim.objects.values_list("status", flat=True)) == {Claim.Status.SENT}
    assert not AuditEvent.objects.filter(target_type="billing.acknowledgment").exists()


def test_resend_takes_a_post_from_billing_staff_for_a_claim_that_exists(client, billing_user, peer, batch):
    _, ana = batch.claims.order_by("pk")
    url = reverse("billing:claim_resend", args=[ana.pk])
    client.force_login(billing_user)
    assert client.get(url).status_code == 405
    assert client.post(reverse("billing:claim_resend", args=[ana.pk + 1000])).status_code == 404
    response = client.post(url, follow=True)
    assert "is sent, not rejected" in response.content.decode()
    client.force_login(peer)
    assert client.post(url).status_code == 403
    assert not ClaimLine.objects.filter(voided=True).exists()


def test_the_list_pages_with_the_same_queries_at_2_and_30_files(
    client, billing_user, batch, identity, payer, author, person, django_assert_max_num_queries
):
    def add(count, first):
        for n in range(count):
            acknowledgment_import(text=ack_999(batch, control=f"{first + n:09d}"), ctx=AuditContext(billing_user))

    add(2, 1)
    client.force_login(billing_user)
    with django_assert_max_num_queries(20) as few:
        response = client.get(reverse("billing:acknowledgment_list"))
    assert response.context["page"].paginator.count == 2
    assert "000000002" in response.content.decode()

    other = services.batch_export(batch=bill(payer, [signed_note(person, author, day=days_ago(6))]),
                                  ctx=AuditContext(author))  # fmt: skip
    for n in range(28):
        acknowledgment_import(text=ack_999(other, control=f"{100 + n:09d}"), ctx=AuditContext(billing_user))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("billing:acknowledgment_list"))
    assert response.context["page"].paginator.count == 30
