"""Every file holding a participant's PHI that leaves the app is a disclosure row naming each
person in it, and their accounting (42 CFR 2.24, 45 CFR 164.528) lists it with its recipient."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.tests.reading import subject_ids
from billing import services
from notes.tests.factories import signed_note

from .factories import bill, billable_participant
from .test_export_rules import export


@pytest.fixture
def exported(person, author, program, payer, billing_user, identity):
    """Rosa and Ana in one frozen batch; Lena, also on the caseload, billed in none."""
    ana = billable_participant(author, program, payer, first_name="Ana", last_name="Ruiz")
    lena = billable_participant(author, program, payer, first_name="Lena", last_name="Moss")
    batch = export(bill(payer, [signed_note(person, author), signed_note(ana, author)], by=billing_user), billing_user)
    return batch, ana, lena


@pytest.mark.django_db
def test_each_download_of_a_batch_discloses_everyone_in_it_to_its_recipient(client, billing_user, exported, person):
    batch, ana, lena = exported
    client.force_login(billing_user)
    for fmt in ("837p", "csv"):
        assert client.get(reverse("billing:batch_download", args=[batch.pk, fmt])).status_code == 200
    rows = list(AuditEvent.objects.filter(action="disclose").order_by("id"))
    assert [subject_ids(row) for row in rows] == [sorted([person.pk, ana.pk])] * 2
    assert [row.details["file"] for row in rows] == [
        f"batch-{batch.pk}-{batch.interchange_control_number:09d}.837",
        f"batch-{batch.pk}.csv",
    ]
    # The 837P is for the payer's receiver, named as inside the file (loop 1000B).
    assert rows[0].details["recipient"] == f"{batch.payer.receiver_name} (receiver {batch.payer.receiver_id})"
    assert rows[1].details["recipient"].startswith("The agency")
    assert "Rosa" not in str([row.details for row in rows])  # what and to whom, never the contents


@pytest.mark.django_db
def test_a_participants_accounting_lists_the_files_that_held_them_and_only_those(
    client, billing_user, admin_user, exported, person
):
    batch, ana, lena = exported
    client.force_login(billing_user)
    client.get(reverse("billing:batch_download", args=[batch.pk, "837p"]))
    client.force_login(admin_user)

    page = client.get(reverse("participant_disclosures", args=[person.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert f"batch-{batch.pk}-{batch.interchange_control_number:09d}.837" in body
    assert batch.payer.receiver_name in body and billing_user.email in body and "Payment: claims" in body

    untouched = client.get(reverse("participant_disclosures", args=[lena.pk])).content.decode()
    assert "No file holding Lena" in untouched and f"batch-{batch.pk}" not in untouched
    # Reading the accounting is itself a read of the participant's record.
    read = AuditEvent.objects.filter(action="view", details__page="accounting of disclosures").first()
    assert (read.actor, subject_ids(read)) == (admin_user, [lena.pk])


@pytest.mark.django_db
def test_the_accounting_keeps_its_query_count_as_disclosures_grow(client, billing_user, admin_user, exported, person):
    batch, _, _ = exported
    url = reverse("participant_disclosures", args=[person.pk])
    client.force_login(admin_user)

    def queries_after(downloads: int) -> int:
        for _ in range(downloads):
            services.batch_download(batch=batch, fmt="csv", ctx=AuditContext(billing_user))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert queries_after(2) == queries_after(60)  # past a page (50): the page stays one query
