"""Caseload lists show PHI (names, birth dates, contact figures): each page shown is one read
in the audit log with the ids it listed (45 CFR 164.312(b))."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tests.reading import subject_ids


@pytest.mark.django_db
def test_a_caseload_page_records_the_participants_it_showed(client, peer, participant):
    client.force_login(peer)
    assert client.get(reverse("my_caseload")).status_code == 200
    read = AuditEvent.objects.get(action=AuditEvent.Action.VIEW, details__page="caseload")
    assert (read.actor, read.target_id, subject_ids(read)) == (peer, str(peer.pk), [participant.pk])


@pytest.mark.django_db
def test_a_supervisors_team_list_records_the_participants_it_showed(client, supervisor, participant):
    client.force_login(supervisor)
    assert client.get(reverse("team_participants")).status_code == 200
    read = AuditEvent.objects.get(action=AuditEvent.Action.VIEW, details__page="caseload")
    assert (read.actor, read.target_id, subject_ids(read)) == (supervisor, "", [participant.pk])
