import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from billing import services
from billing.models import Claim, WriteOff
from billing.remittance.simulate import deny, remittance_835
from billing.tests.factories import (
    billable_participant,
    days_ago,
    ensure_reference_codes,
    make_author,
    make_identity,
    make_payer,
)
from notes.tests.factories import signed_note
from programs.tests.factories import AgencyFactory, ProgramFactory

from .helpers import assert_accessible, assert_fits_the_screen, sign_in


@pytest.mark.django_db(transaction=True)
def test_a_billing_clerk_posts_a_remittance_and_works_its_denial_on_a_phone(phone, tmp_path):
    ensure_reference_codes()
    agency = AgencyFactory()
    make_identity(agency)
    payer, author, program = make_payer(), make_author(agency), ProgramFactory(agency=agency)
    UserFactory(email="bea@example.org", role=Role.BILLING)
    people = [
        billable_participant(author, program, payer, first_name=first, last_name=last)
        for first, last in (("Rosa", "Quintero"), ("Ana", "Lopez"))
    ]
    notes = [signed_note(person, author, day=days_ago(10)) for person in people]
    batch = services.batch_export(
        batch=services.batch_build(payer=payer, note_ids=[n.pk for n in notes], ctx=AuditContext(author)),
        ctx=AuditContext(author),
    )
    paid, denied = batch.claims.order_by("pk")
    era = tmp_path / "texas-medicaid.835"
    era.write_text(remittance_835(batch, decisions={denied.lines.get(): deny(("CO", "16", None))}, trace="EFT-1"))

    sign_in(phone, "bea@example.org")
    phone.get_by_role("link", name="Import an 835").click()
    phone.get_by_label("835 remittance advice file").set_input_files(era)
    phone.get_by_role("button", name="Import").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Remittance EFT-1 · Texas Medicaid")
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    assert {c.pk: c.status for c in Claim.objects.all()} == {paid.pk: "paid", denied.pk: "denied"}

    # The denial waits in the queue under its reason, with its meaning and the days left to correct.
    phone.goto("/")
    phone.get_by_role("link", name="Denied lines to work").click()
    expect(phone.get_by_text("Claim/service lacks information or has submission/billing error(s).")).to_be_visible()
    expect(phone.get_by_text("120 days")).to_be_visible()
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    phone.locator("summary", has_text="Work it").click()
    phone.get_by_label("Why").fill("Service not documented as the payer requires; not billable.")
    phone.get_by_role("button", name="Write off").click()
    expect(phone.get_by_text(f"$73.08 written off on {denied.claim_number}.")).to_be_visible()
    assert_accessible(phone)
    assert WriteOff.objects.get().amount == denied.lines.get().charge

    # Accounts receivable: nothing left owed on either claim.
    phone.get_by_role("link", name="Receivables").first.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Accounts receivable")
    assert_fits_the_screen(phone)
    assert_accessible(phone)
