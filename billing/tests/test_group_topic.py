"""Billing's work page names a group note's topic, in the ready list and among the holds."""

import pytest
from django.urls import reverse

from participants.models import Goal

from .factories import billable_participant, days_ago, signed_group


@pytest.mark.django_db
def test_the_work_page_shows_a_group_notes_topic_ready_and_held(
    client, billing_user, identity, author, program, payer, person
):
    no_goal = billable_participant(author, program, payer, first_name="Ana", last_name="Beltran")
    Goal.objects.filter(plan__participant=no_goal).delete()  # her note names no goal: held
    signed_group(author, [person, no_goal], day=days_ago(3))
    client.force_login(billing_user)
    body = client.get(reverse("billing:work")).content.decode()
    ready, held = body.split('id="hold-heading"')
    assert "Rosa Quintero · Group: Wellness planning" in ready
    assert "Ana Beltran · Group: Wellness planning" in held
