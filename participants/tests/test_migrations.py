"""Participants' data migrations, run against a database that holds the rows they fill."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from participants.models import Participant

from .factories import ParticipantFactory


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_existing_phones_get_their_digits_for_search():
    with_phone = ParticipantFactory(phone="+1 (512) 555-0134")
    without = ParticipantFactory(phone="")
    _migrate([("participants", "0006_coverage_eligibility")])  # before the column existed
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    digits = dict(Participant.objects.values_list("pk", "phone_digits"))
    assert (digits[with_phone.pk], digits[without.pk]) == ("5125550134", "")
