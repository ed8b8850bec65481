"""The cast the notes tests share: Rosa on `peer`'s caseload, and `peer` signed in."""

import pytest

from participants.tests.factories import enrolled_participant


@pytest.fixture
def person(peer, team, program):
    return enrolled_participant(peer, program=program, started_days_ago=30, first_name="Rosa", last_name="Quintero")


@pytest.fixture
def signed_in_peer(client, peer):
    client.force_login(peer)
    return client
