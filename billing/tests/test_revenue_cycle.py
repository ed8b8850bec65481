"""The revenue cycle end to end: a batch of ours exported, the payer's 835 for it imported, and
what billing staff then see: claim statuses, the denial queue, accounts receivable, the claim
page and the counts on their home page."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.context import AuditContext
from billing import denials, receivables, services
from billing.models import Claim
from billing.remittance.importing import remittance_import
from billing.remittance.simulate import deny, pay, remittance_835
from notes.tests.factories import signed_note

from .factories import billable_participant, days_ago

D = Decimal


@pytest.fixture
def batch(identity, payer, author, program, person):
    """Exported 20 days ago: three claims of one line each, $73.08 a line."""
    people = [person] + [
        billable_participant(author, program, payer, first_name=name, last_name="Reyes") for name in ("Ana", "Luz")
    ]
    notes = [signed_note(p, author, day=days_ago(25)) for p in people]
    built = services.batch_build(payer=payer, note_ids=[n.pk for n in notes], ctx=AuditContext(author))
    exported = services.batch_export(batch=built, ctx=AuditContext(author))
    exported.exported_at = timezone.now() - datetime.timedelta(days=20)
    exported.save(update_fields=["exported_at"])
    return exported


@pytest.mark.django_db
def test_an_835_for_our_own_batch_posts_every_line_and_the_figures_follow(batch, billing_user, client):
    paid_claim, partly_claim, denied_claim = batch.claims.order_by("pk")
    partly_line, denied_line = partly_claim.lines.get(), denied_claim.lines.get()
    text = remittance_835(
        batch,
        decisions={
            # $50 paid; $23.08 denied: units over the benefit maximum (CARC 119).
            partly_line: pay(50, ("CO", "119", None)),
            denied_line: deny(("CO", "16", None)),
        },
        trace="EFT-2026-1",
    )
    remittance_import(text=text, file_name="era.835", ctx=AuditContext(billing_user))

    statuses = {c.pk: c.status for c in Claim.objects.filter(batch=batch)}
    assert statuses == {
        paid_claim.pk: Claim.Status.PAID,
        partly_claim.pk: Claim.Status.PARTLY_PAID,
        denied_claim.pk: Claim.Status.DENIED,
    }
    for claim in (paid_claim, partly_claim, denied_claim):  # every line posted
        line = claim.lines.get()
        assert line.paid + line.adjusted + line.denied == line.charge == D("73.08")

    # The denial queue: the denied and the partly paid lines, grouped by reason.
    queue = list(denials.queue({}))
    assert {(line.pk, line.denial_reason) for line in queue} == {(partly_line.pk, "CO-119"), (denied_line.pk, "CO-16")}

    # Accounts receivable: still owed is the denied money, all 20 days since export (0-30).
    report = receivables.receivables(timezone.localdate())
    (row,) = report.by_payer
    assert row.buckets == [D("96.16"), D(0), D(0), D(0)]  # 23.08 + 73.08
    this_month = next(m for m in report.by_month if m.month == timezone.localdate().replace(day=1))
    assert (this_month.paid, this_month.denied) == (D("123.08"), D("96.16"))  # 73.08 + 50

    # The claim page shows what was posted, with the reason's meaning.
    client.force_login(billing_user)
    page = client.get(reverse("billing:claim_detail", args=[denied_claim.pk])).content.decode()
    assert "Denied" in page and "CO-16" in page and "lacks information" in page.lower()
    # The billing home counts what waits, each count a link to its list.
    home = client.get(reverse("home_billing")).content.decode()
    assert f'href="{reverse("billing:denial_list")}"' in home
    assert client.get(reverse("home_billing")).context["counts"]["denials"] == 2


@pytest.mark.django_db
def test_each_page_after_export_links_the_others(client, admin_user):
    client.force_login(admin_user)  # admins reach them from Receivables; billing staff from their home too
    pages = ["remittance_list", "unmatched_list", "acknowledgment_list", "denial_list", "receivable_list"]
    pages += ["eligibility", "primary_list"]
    for page in pages:
        body = client.get(reverse(f"billing:{page}")).content.decode()
        assert all(f'href="{reverse(f"billing:{other}")}"' in body for other in pages), page


@pytest.mark.django_db
def test_the_home_page_counts_the_unmatched_lines_its_link_shows(batch, billing_user, client):
    line = batch.claims.order_by("pk").first().lines.get()
    text = remittance_835(batch, decisions={line: pay(code="H2014")}, trace="EFT-9")  # a code we never billed
    (outcome,) = remittance_import(text=text, file_name="era.835", ctx=AuditContext(billing_user))
    client.force_login(billing_user)
    assert client.get(reverse("home_billing")).context["counts"]["unmatched_lines"] == 1
    # A held (or dismissed) file's lines are not on the unmatched list, so not counted either.
    type(outcome.remittance).objects.filter(pk=outcome.remittance.pk).update(status="held")
    assert client.get(reverse("home_billing")).context["counts"]["unmatched_lines"] == 0
    assert "matching no claim" in client.get(reverse("home_billing")).content.decode()
