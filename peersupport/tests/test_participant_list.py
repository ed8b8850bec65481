"""The participant list shows each one's last contact, which the notes app provides."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notes.tests.factories import signed_note
from participants.tests.factories import days_ago, enrolled_participant
from programs.tests.factories import ProgramFactory

URL = reverse("participants:search")


@pytest.mark.django_db
def test_the_list_shows_the_last_contact_from_the_notes_in_a_fixed_number_of_queries(
    client, peer, django_assert_max_num_queries
):
    program = ProgramFactory()
    seen = enrolled_participant(peer, program=program, last_name="Aaron", started_days_ago=30)
    signed_note(seen, peer, day=days_ago(4))
    enrolled_participant(peer, program=program, last_name="Zed")
    client.force_login(peer)
    with CaptureQueriesContext(connection) as small:
        response = client.get(URL)
    rows = response.context["rows"]
    assert [(r.participant.last_name, r.last_contact_on) for r in rows] == [("Aaron", days_ago(4)), ("Zed", None)]
    assert "None yet" in response.content.decode()
    for i in range(20):
        person = enrolled_participant(peer, program=program, last_name=f"Mid{i:02d}", started_days_ago=30)
        signed_note(person, peer, day=days_ago(2))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(URL)
    assert len(response.context["rows"]) == 22
