"""Billing's data migrations, run against a database that holds the rows they move."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from billing import services
from notes.models import SessionNote
from notes.tests.factories import signed_note
from programs.tests.factories import AgencyFactory

from .factories import bill, days_ago, make_payer
from .test_billing_mark import old_billable_notes


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_the_identitys_receiver_and_usage_move_onto_every_existing_payer():
    AgencyFactory(name="Riverbend")
    old = _migrate([("billing", "0005_batch_export_errors"), ("programs", "0005_payer_routing")])
    agency = old.get_model("programs", "Agency").objects.get(name="Riverbend")
    old.get_model("billing", "BillingIdentity").objects.create(
        agency=agency, legal_name="Riverbend", npi="1234567893", tax_id="74-1234567", address_line1="1 Main",
        city="Austin", state="TX", zip_code="78701-1234", contact_name="Bea", contact_phone="5125550100",
        submitter_id="RIVERBEND01", receiver_id="TXMEDICAID", receiver_name="Texas Medicaid", usage="P",
    )  # fmt: skip
    Payer = old.get_model("programs", "Payer")
    Payer.objects.get_or_create(name="Connecticut Medicaid")
    Payer.objects.get_or_create(name="A plan with its own receiver", defaults={"receiver_id": "PLAN01"})

    new = _migrate(_latest())
    payers = {
        p.name: (p.receiver_id, p.receiver_name, p.usage) for p in new.get_model("programs", "Payer").objects.all()
    }
    # As before the move (one receiver for all) until an admin gives each payer its own.
    assert payers["Connecticut Medicaid"] == ("TXMEDICAID", "Texas Medicaid", "P")
    assert payers["A plan with its own receiver"] == ("PLAN01", "", "T")

    # And back: the identity gets its receiver again.
    old = _migrate([("billing", "0005_batch_export_errors")])
    identity = old.get_model("billing", "BillingIdentity").objects.get()
    assert (identity.receiver_id, identity.receiver_name, identity.usage) == ("TXMEDICAID", "Texas Medicaid", "P")
    _migrate(_latest())


@pytest.mark.django_db(transaction=True)
def test_batches_exported_before_pyx12_moved_to_a_worker_count_as_checked_at_their_export():
    user, payer = UserFactory(), make_payer()
    old = _migrate([("billing", "0026_claimline_do_not_rebill_index")])
    ClaimBatch = old.get_model("billing", "ClaimBatch")
    exported_at = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC)
    exported = ClaimBatch.objects.create(
        payer_id=payer.pk, created_by_id=user.pk, status="exported", exported_at=exported_at,
        interchange_control_number=41, file_837="ISA*...~",
    )  # fmt: skip
    still_open = ClaimBatch.objects.create(payer_id=payer.pk, created_by_id=user.pk, status="open")

    new = _migrate(_latest()).get_model("billing", "ClaimBatch")
    # pyx12 passed them at their export (it froze only what it passed): still offered.
    assert new.objects.get(pk=exported.pk).pyx12_checked_at == exported_at
    assert new.objects.get(pk=still_open.pk).pyx12_checked_at is None


@pytest.mark.django_db(transaction=True)
def test_the_billing_mark_is_filled_from_the_lines_and_decisions_written_before_it(identity, payer, author, person):
    bill(payer, [signed_note(person, author, day=days_ago(4)), signed_note(person, author, day=days_ago(5))])
    stands = signed_note(person, author, day=days_ago(6), start="10:00", end="10:30")
    theirs = signed_note(person, author, day=days_ago(6), start="10:15", end="10:45")
    services.duplicate_decide(stands=stands, not_billed=theirs, ctx=AuditContext(UserFactory()))
    signed_note(person, author, day=days_ago(7))  # never billed
    expected = dict(SessionNote.objects.values_list("pk", "billing_closed"))
    assert sorted(expected.values()) == [False, False, True, True, True]
    assert set(old_billable_notes().values_list("pk", flat=True)) == {pk for pk, shut in expected.items() if not shut}

    _migrate([("billing", "0027_batch_pyx12_check")])
    SessionNote.objects.update(billing_closed=False)  # as every note was when the column came
    _migrate(_latest())
    assert dict(SessionNote.objects.values_list("pk", "billing_closed")) == expected
