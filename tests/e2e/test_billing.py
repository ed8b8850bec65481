import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from billing.models import ClaimBatch
from billing.tests.factories import (
    billable_participant,
    ensure_reference_codes,
    make_author,
    make_identity,
    make_payer,
)
from billing.tests.x12_validation import assert_valid
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
