"""Billing's data migrations, run against a database that holds the rows they move."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from programs.tests.factories import AgencyFactory


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
