import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from billing import file_check, services
from billing.models import ClaimBatch
from billing.tests.factories import (
    bill,
    billable_participant,
    ensure_reference_codes,
    make_author,
    make_identity,
    make_payer,
)
from billing.tests.x12_validation import assert_valid, with_an_unknown_filing_indicator
from notes.tests.factories import signed_note
from programs.tests.factories import AgencyFactory, ProgramFactory

from .helpers import assert_accessible, assert_fits_the_screen, sign_in


@pytest.mark.django_db(transaction=True)
def test_a_billing_clerk_builds_and_exports_a_batch_on_a_phone(phone):
    ensure_reference_codes()
    agency = AgencyFactory()
    identity, payer, author = make_identity(agency), make_payer(), make_author(agency)
    program = ProgramFactory(agency=agency)
    UserFactory(email="bea@example.org", role=Role.BILLING)
    person = billable_participant(author, program, payer, first_name="Rosa", last_name="Quintero")
    signed_note(person, author)
    assert identity.pk

    sign_in(phone, "bea@example.org")
    phone.get_by_role("link", name="Ready to bill").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Billing work")
    assert_accessible(phone)
    phone.get_by_text("Review the 1 note (all ticked)").click()
    expect(phone.get_by_text(re.compile(r"Rosa Quintero · H0038 HE × 3 = \$73\.08"))).to_be_visible()
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    phone.get_by_role("button", name="Build a batch of the ticked notes").click()
    expect(phone.get_by_text(re.compile("built with 1 claim"))).to_be_visible()
    phone.get_by_role("button", name="Export and freeze").click()
    expect(phone.get_by_text("Exported. The batch is frozen")).to_be_visible()
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    # pyx12 reads the file in a worker after the export (billing.file_check); none has yet
    # here, so the clerk has it checked now and downloads it; once passed, it is offered.
    expect(phone.get_by_role("link", name="Download 837P")).to_have_count(0)
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="Check it now and download").click()
    text = download_info.value.path().read_text()
    phone.reload()
    expect(phone.get_by_text("Checked by pyx12 against the 005010X222A1 map")).to_be_visible()
    expect(phone.get_by_role("link", name="Download 837P")).to_be_visible()
    assert text.startswith("ISA*")
    assert_valid(text)
    assert ClaimBatch.objects.get().is_frozen


@pytest.mark.django_db(transaction=True)
@pytest.mark.pyx12_rejects
def test_a_billing_clerk_withdraws_a_batch_pyx12_rejected_and_bills_its_note_again(phone):
    """A writer's bug our checks missed and pyx12 caught: the file was never offered, so never
    sent. The clerk withdraws the batch from its page and the note is ready to bill again."""
    ensure_reference_codes()
    agency = AgencyFactory()
    identity, payer, author = make_identity(agency), make_payer(), make_author(agency)
    clerk = UserFactory(email="bea@example.org", role=Role.BILLING)
    person = billable_participant(author, ProgramFactory(agency=agency), payer, first_name="Rosa", last_name="Quintero")
    batch = services.batch_export(batch=bill(payer, [signed_note(person, author)]), ctx=AuditContext(clerk))
    ClaimBatch.objects.filter(pk=batch.pk).update(file_837=with_an_unknown_filing_indicator(batch.file_837))
    assert identity.pk and file_check.check_batch_file(batch.pk) is False  # as the worker would find it

    sign_in(phone, "bea@example.org")
    phone.goto(f"/billing/batches/{batch.pk}/")
    expect(phone.get_by_role("heading", name=re.compile("pyx12 found problems in this 837P"))).to_be_visible()
    expect(phone.get_by_role("link", name="Download 837P")).to_have_count(0)
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    phone.get_by_role("button", name="Withdraw this batch and bill its notes again").click()
    expect(phone.get_by_text(f"Batch {batch.pk} withdrawn; it was never sent.")).to_be_visible()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Billing work")
    phone.get_by_text("Review the 1 note (all ticked)").click()
    expect(phone.get_by_text(re.compile(r"Rosa Quintero · H0038 HE × 3 = \$73\.08"))).to_be_visible()
    assert_accessible(phone)
    batch.refresh_from_db()
    assert batch.is_withdrawn and batch.file_837.count("*******QQ~") == 1  # kept as the record

    phone.goto(f"/billing/batches/{batch.pk}/")
    expect(phone.get_by_text("Its file was never offered nor sent")).to_be_visible()
    expect(phone.get_by_role("button", name="Withdraw this batch and bill its notes again")).to_have_count(0)
    assert_fits_the_screen(phone)
