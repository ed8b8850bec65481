"""The pages of coordination of benefits: the list of notes waiting for another payer's
adjudication, and the form that records or corrects it."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from audit.models import AuditEvent
from billing import services
from billing.assessment import READY
from billing.billability import assess, billable_notes
from billing.models import PrimaryAdjudication
from billing.remittance.simulate import primary_835
from billing.selectors import filing_cutoff
from notes.models import SessionNote
from notes.tests.factories import signed_note
from participants.tests.factories import CoverageFactory, PayerFactory

from .factories import bill, billable_participant, days_ago
from .secondary import CHARGE, PAID, USUAL, other_insurance, record

SECRET = "SECRET NARRATIVE"


def posted(coverage, day, **changes):
    """The form as a clerk fills it: Blue Plan paid $40.00 of $73.08, CO-45 and PR-2."""
    data = {
        "coverage": coverage.pk, "claim_number": "EOB-77", "adjudicated_on": day.isoformat(), "billed": "73.08",
        "paid": "40.00", "filing_indicator": "CI",
        "adj-TOTAL_FORMS": "3", "adj-INITIAL_FORMS": "0", "adj-MIN_NUM_FORMS": "0", "adj-MAX_NUM_FORMS": "30",
        "adj-0-group": "CO", "adj-0-reason": "45", "adj-0-amount": "13.08",
        "adj-1-group": "PR", "adj-1-reason": "2", "adj-1-amount": "20.00",
    }  # fmt: skip
    return data | changes


@pytest.fixture
def employer(person):
    return other_insurance(person)


@pytest.fixture
def held(person, author, employer):
    return signed_note(person, author, day=days_ago(12))


@pytest.mark.django_db
def test_the_work_page_links_a_held_note_to_the_form_that_records_its_payment(client, billing_user, held):
    client.force_login(billing_user)
    page = client.get(reverse("billing:work")).content.decode()
    url = reverse("billing:primary_record", args=[held.pk])
    assert f'<a href="{url}">Record its payment</a>' in page
    assert "Bill the primary payer first: Blue Plan" in page


@pytest.mark.django_db
def test_a_clerk_records_the_primarys_payment_and_the_note_is_ready(client, billing_user, held, employer, person):
    SessionNote.objects.filter(pk=held.pk).update(intervention=SECRET, response=SECRET, next_steps=SECRET)
    client.force_login(billing_user)
    url = reverse("billing:primary_record", args=[held.pk])
    form = client.get(url).content.decode()
    assert "Medicaid charge: H0038 HE × 3 = $73.08" in form and SECRET not in form
    assert 'value="73.08"' in form  # billed starts as the Medicaid charge
    response = client.post(url, posted(employer, days_ago(5)))
    assert response.status_code == 302 and response.url == reverse("billing:primary_list")
    adjudication = PrimaryAdjudication.objects.get(note=held)
    assert (adjudication.paid, adjudication.source) == (Decimal("40.00"), "typed")
    assert adjudication.recorded_by == billing_user
    assert [a.code for a in adjudication.adjustments.all()] == ["CO-45", "PR-2"]
    assert AuditEvent.objects.filter(target_type="billing.primaryadjudication", actor=billing_user).count() == 1
    work = client.get(reverse("billing:work")).content.decode()
    assert "Ready to bill" in work and "Bill the primary payer first" not in work


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"paid": "45.00"}, "These amounts do not balance: billed $73.08 less adjustments of $33.08 leaves $40.00"),
        ({"adjudicated_on": days_ago(20).isoformat()}, "The date it paid or denied can&#x27;t be before the service"),
        ({"adj-2-group": "PR"}, "Give the group, the reason code and the amount, or leave the row empty."),
        ({"adj-0-reason": "4*5"}, "Adjustment 1: A reason code is 1 to 5 letters or digits"),
        ({"billed": "lots"}, "Enter a number."),
    ],
)
def test_a_form_that_does_not_add_up_says_why_and_saves_nothing(client, billing_user, held, employer, changes, message):
    client.force_login(billing_user)
    response = client.post(reverse("billing:primary_record", args=[held.pk]), posted(employer, days_ago(5), **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PrimaryAdjudication.objects.exists()


@pytest.mark.django_db
def test_choosing_medicaid_or_a_coverage_not_in_force_is_explained(client, billing_user, held, employer, person):
    client.force_login(billing_user)
    url = reverse("billing:primary_record", args=[held.pk])
    medicaid = person.coverages.get(kind="medicaid")
    page = client.post(url, posted(medicaid, days_ago(5))).content.decode()
    assert "Texas Medicaid is Medicaid, not other insurance: choose the payer that paid before Medicaid." in page
    old = CoverageFactory(
        participant=person, payer=PayerFactory(name="Old Plan"), kind="other_insurance", billing_program="other",
        member_id="OP-1", start_date=days_ago(400), end_date=days_ago(301),
    )  # fmt: skip
    page = client.post(url, posted(old, days_ago(5))).content.decode()
    assert "Old Plan&#x27;s coverage (ID OP-1) did not cover the service on" in page
    assert not PrimaryAdjudication.objects.exists()


@pytest.mark.django_db
def test_a_correction_needs_a_reason_and_keeps_the_old_figures(client, billing_user, held, employer):
    record(held, employer, by=billing_user)
    client.force_login(billing_user)
    url = reverse("billing:primary_record", args=[held.pk])
    assert "Correct the primary payer" in client.get(url).content.decode()
    changed = posted(employer, held.date, paid="45.00", **{"adj-1-amount": "15.00"})
    assert "This field is required." in client.post(url, changed).content.decode()
    response = client.post(url, changed | {"correction_reason": "Typed the coinsurance wrong"})
    assert response.status_code == 302
    versions = list(PrimaryAdjudication.objects.filter(note=held).order_by("pk"))
    assert [(v.is_current, v.paid) for v in versions] == [(False, Decimal("40.00")), (True, Decimal("45.00"))]
    page = client.get(url).content.decode()
    assert "replaced" in page and "corrected because: Typed the coinsurance wrong" in page


@pytest.mark.django_db
def test_on_a_live_claim_the_page_asks_for_a_void_first(client, billing_user, identity, payer, held, employer):
    record(held, employer, by=billing_user)
    claim = bill(payer, [held]).claims.get()
    client.force_login(billing_user)
    url = reverse("billing:primary_record", args=[held.pk])
    page = client.get(url).content.decode()
    assert f"This note is on claim {claim.claim_number}" in page and '<form method="post" novalidate' not in page
    fields = posted(employer, held.date, paid="45.00", **{"adj-1-amount": "15.00", "correction_reason": "Wrong"})
    page = client.post(url, fields).content.decode()
    assert "Void that claim first" in page
    assert PrimaryAdjudication.objects.get(note=held).paid == Decimal("40.00")


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.PEER_SPECIALIST, Role.SUPERVISOR])
def test_only_billing_staff_and_admins_see_or_record_adjudications(client, held, employer, role):
    client.force_login(UserFactory(role=role))
    url = reverse("billing:primary_record", args=[held.pk])
    assert client.get(reverse("billing:primary_list")).status_code == 403
    assert client.get(url).status_code == 403
    assert client.post(url, posted(employer, days_ago(5))).status_code == 403
    assert not PrimaryAdjudication.objects.exists()


@pytest.mark.django_db
def test_an_admin_may_record_and_a_draft_or_missing_note_is_not_found(client, admin_user, held, employer, person):
    client.force_login(admin_user)
    response = client.post(reverse("billing:primary_record", args=[held.pk]), posted(employer, days_ago(5)))
    assert response.status_code == 302
    draft = signed_note(person, held.author, day=days_ago(2))
    SessionNote.objects.filter(pk=draft.pk).update(status=SessionNote.Status.DRAFT)
    assert client.get(reverse("billing:primary_record", args=[draft.pk])).status_code == 404
    assert client.get(reverse("billing:primary_record", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_the_pages_take_only_the_methods_they_serve(client, billing_user, held):
    client.force_login(billing_user)
    assert client.post(reverse("billing:primary_list")).status_code == 405
    assert client.delete(reverse("billing:primary_record", args=[held.pk])).status_code == 405


def _waiting_notes(person, author, n, start=0):
    return [signed_note(person, author, day=days_ago(3 + (start + i) // 8), start=f"{8 + (start + i) % 8:02d}:00",
                        end=f"{8 + (start + i) % 8:02d}:45") for i in range(n)]  # fmt: skip


@pytest.mark.django_db
def test_the_waiting_list_shows_each_note_with_the_payer_to_bill_first(
    client, billing_user, held, employer, program, payer
):
    other = billable_participant(held.author, program, payer)
    plain = signed_note(other, held.author, day=days_ago(3))  # Medicaid only: never waits
    client.force_login(billing_user)
    page = client.get(reverse("billing:primary_list")).content.decode()
    assert "Blue Plan · ID XK-2231" in page
    assert reverse("billing:primary_record", args=[held.pk]) in page
    assert reverse("billing:primary_record", args=[plain.pk]) not in page
    record(held, employer, by=billing_user)
    waiting = client.get(reverse("billing:primary_list")).content.decode()
    assert reverse("billing:primary_record", args=[held.pk]) not in waiting
    recorded = client.get(reverse("billing:primary_list") + "?show=recorded").content.decode()
    assert reverse("billing:primary_record", args=[held.pk]) in recorded and "Blue Plan: $40.00 of $73.08" in recorded


@pytest.mark.django_db
@pytest.mark.parametrize("show", ["", "?show=recorded"])
def test_the_lists_query_count_does_not_grow(
    client, billing_user, person, author, employer, show, django_assert_max_num_queries
):
    url = reverse("billing:primary_list") + show
    for note in _waiting_notes(person, author, 2):
        if show:
            record(note, employer, by=author)
    client.force_login(billing_user)
    with django_assert_max_num_queries(20) as few:
        page = client.get(url)
    assert page.content.decode().count('btn-sm" href=') == 2
    for note in _waiting_notes(person, author, 28, start=2):
        if show:
            record(note, employer, by=author)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count('btn-sm" href=') == 30


@pytest.mark.django_db
def test_notes_past_every_filing_limit_are_not_listed(client, billing_user, person, author, employer, payer):
    cutoff = filing_cutoff()  # past every payer's filing limit before it
    old = signed_note(person, author, day=cutoff - datetime.timedelta(days=1))
    recent = signed_note(person, author, day=days_ago(payer.timely_filing_days - 5))
    client.force_login(billing_user)
    page = client.get(reverse("billing:primary_list")).content.decode()
    assert reverse("billing:primary_record", args=[old.pk]) not in page
    assert reverse("billing:primary_record", args=[recent.pk]) in page


@pytest.mark.django_db
def test_batch_and_csv_pages_still_work_with_a_secondary_claim(client, billing_user, identity, payer, held, employer):
    record(held, employer, by=billing_user)
    batch = services.batch_export(batch=bill(payer, [held]), ctx=AuditContext(billing_user))
    client.force_login(billing_user)
    assert client.get(reverse("billing:batch_detail", args=[batch.pk])).status_code == 200
    csv_text = client.get(reverse("billing:batch_download", args=[batch.pk, "csv"])).content.decode()
    assert csv_text.splitlines()[0].endswith(",other_payer,other_payer_paid")
    assert csv_text.splitlines()[1].endswith(",Blue Plan,40.00")


@pytest.mark.django_db
def test_a_clerk_reads_the_primarys_adjudication_from_its_835(client, billing_user, identity, held, employer):
    text = primary_835(held, employer, billed=CHARGE, paid=PAID, cas=USUAL)
    client.force_login(billing_user)
    url = reverse("billing:primary_from_835", args=[held.pk])
    response = client.post(url, {"file": SimpleUploadedFile("blue.835", text.encode())}, follow=True)

    assert "adjudication read from its 835: paid $40.00" in response.content.decode()
    adjudication = PrimaryAdjudication.objects.get(note=held)
    assert (adjudication.source, adjudication.coverage, adjudication.claim_number) == ("835", employer, "EOB-77")
    assert (adjudication.billed, adjudication.paid, adjudication.filing_indicator) == (CHARGE, PAID, "12")
    assert adjudication.adjudicated_on == timezone.localdate()  # the remittance's date (BPR16)
    assert [(a.group, a.reason, a.amount) for a in adjudication.adjustments.order_by("pk")] == USUAL
    [a] = assess(billable_notes())
    assert a.status == READY and a.adjudication == adjudication


def _elsewhere(note, coverage):
    return primary_835(note, coverage, billed=CHARGE, paid=PAID, cas=USUAL).replace("XK-2231", "ZZ-0000")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda note, coverage: "ISA*garbage~", "This is not a valid 835; nothing was recorded."),
        (_elsewhere, "This 835 has no service for member XK-2231"),
        (lambda note, coverage: primary_835(note, coverage, billed=CHARGE, paid=CHARGE, services=2),
         "This 835 has 2 services for member XK-2231"),
        (lambda note, coverage: b"%PDF-1.7\x00", "This is not a text file"),
    ],
    ids=["invalid", "another member", "two that day", "binary"],
)  # fmt: skip
def test_an_835_that_does_not_name_this_session_once_is_refused(
    client, billing_user, identity, held, employer, make, message
):
    client.force_login(billing_user)
    content = make(held, employer)
    upload = SimpleUploadedFile("blue.835", content if isinstance(content, bytes) else content.encode())
    response = client.post(reverse("billing:primary_from_835", args=[held.pk]), {"file": upload}, follow=True)
    assert message in response.content.decode()
    assert not PrimaryAdjudication.objects.exists()


@pytest.mark.django_db
def test_the_form_writes_its_selects_without_a_template_per_option(client, billing_user, held, employer):
    """Issue 16: the payer and kind-of-plan selects are written in Python (audit.widgets), the
    same HTML: an option template each (two dozen kinds of plan) was a tenth of the page."""
    client.force_login(billing_user)
    page = client.get(reverse("billing:primary_record", args=[held.pk]))
    assert "django/forms/widgets/select_option.html" not in [t.name for t in page.templates]
    body = page.content.decode()
    assert f'<option value="{employer.pk}" selected>' in body
    assert '<option value="CI" selected>CI: commercial insurance</option>' in body


@pytest.mark.django_db
def test_the_record_page_reads_the_note_with_its_participant_and_author(
    client, billing_user, person, author, held, employer, django_assert_max_num_queries
):
    """The page names the note's participant and author: read with the note, not one query each
    (issue 16); and the page reads as many queries whatever the participant's other notes."""
    url = reverse("billing:primary_record", args=[held.pk])
    client.force_login(billing_user)
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        page = client.get(url)
    assert f"{person}</a> · {author}</p>" in page.content.decode()
    alone = [f'"participants_participant"."id" = {person.pk} LIMIT 21', f'"accounts_user"."id" = {author.pk} LIMIT 21']
    assert not [q["sql"] for q in few.captured_queries if any(sql in q["sql"] for sql in alone)]
    for note in _waiting_notes(person, author, 6, start=1):
        record(note, employer, by=author)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
