"""A supervisor records training for their supervisees, from the team page or the profile."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from programs.access import can_add_training
from programs.models import TrainingRecord

TODAY = timezone.localdate()
DATA = {"course": "Motivational interviewing", "kind": "continuing", "hours": "4", "completed_on": TODAY.isoformat()}


@pytest.mark.django_db
def test_a_supervisor_records_training_for_a_supervisee(client, supervisor, specialist_profile):
    client.force_login(supervisor)
    url = reverse("programs:training_create", args=[specialist_profile.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {**DATA, "hours": "0"}).status_code == 400  # nothing saved
    assert not TrainingRecord.objects.exists()
    response = client.post(url, DATA)
    assert response["Location"] == reverse("programs:profile_detail", args=[specialist_profile.pk])
    record = TrainingRecord.objects.get()
    assert (record.profile, record.hours) == (specialist_profile, 4)
    event = AuditEvent.objects.get(target_type="programs.trainingrecord", target_id=str(record.pk))
    assert event.actor == supervisor
    body = client.get(reverse("programs:profile_detail", args=[specialist_profile.pk])).content.decode()
    assert "Add training" in body and "Training this year: 4 of 20 hours" in body


@pytest.mark.django_db
def test_only_their_own_supervisor_records_a_specialists_training(client, cast, specialist_profile):
    allowed = {who for who, user in cast.items() if can_add_training(user, specialist_profile)}
    assert allowed == {"admin", "supervisor_of", "self"}
    client.force_login(cast["other_supervisor"])
    url = reverse("programs:training_create", args=[specialist_profile.pk])
    assert client.post(url, DATA).status_code == 404
    assert not TrainingRecord.objects.exists()


@pytest.mark.django_db
def test_the_team_page_offers_training_on_each_supervisees_row(client, supervisor, specialist_profile):
    client.force_login(supervisor)
    body = client.get(reverse("team_caseloads")).content.decode()
    assert f'href="{reverse("programs:training_create", args=[specialist_profile.pk])}"' in body
