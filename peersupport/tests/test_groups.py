"""The group form takes its size limit from the billing service code of the group."""

import pytest
from django.urls import reverse

from billing.models import ServiceCode
from billing.selectors import group_size_limit
from billing.tests.factories import TODAY, ensure_reference_codes
from notes.models import SessionNote
from notes.tests.factories import group_data
from participants.tests.factories import CoverageFactory, enrolled_participant


@pytest.fixture
def group_codes(db):
    ensure_reference_codes()
    ServiceCode.objects.filter(kind="group", billing_program="tx_1915i_amh").update(max_group_size=3)
    ServiceCode.objects.filter(kind="group", billing_program="ct_1915c_mhw").update(max_group_size=5)


@pytest.mark.django_db
def test_a_group_larger_than_its_code_allows_is_refused_whole(client, peer, team, program, group_codes):
    people = [enrolled_participant(peer, program=program, started_days_ago=30) for _ in range(4)]
    for person in people:
        CoverageFactory(participant=person, billing_program="tx_1915i_amh")
    client.force_login(peer)
    assert "At most 3 attendees." in client.get(reverse("group_new")).content.decode()
    response = client.post(reverse("group_new"), group_data(people))
    assert response.status_code == 400
    assert "at most 3 attendees; you chose 4" in response.content.decode()
    assert not SessionNote.objects.exists()
    response = client.post(reverse("group_new"), group_data(people[:3]))
    assert response.status_code == 302 and SessionNote.objects.count() == 3


@pytest.mark.django_db
def test_the_strictest_code_of_the_attendees_programs_applies(peer, team, program, group_codes):
    tx, ct, uncovered = (enrolled_participant(peer, program=program, started_days_ago=30) for _ in range(3))
    CoverageFactory(participant=tx, billing_program="tx_1915i_amh")
    CoverageFactory(participant=ct, billing_program="ct_1915c_mhw")
    assert group_size_limit([ct.pk], TODAY) == 5
    assert group_size_limit([tx.pk, ct.pk], TODAY) == 3
    # A grant-funded group: no payer's code covers it, so the strictest active code applies.
    assert group_size_limit([uncovered.pk], TODAY) == 3
    ServiceCode.objects.filter(kind="group").update(is_active=False)
    assert group_size_limit([ct.pk], TODAY) is None


def _group_services(client) -> list[str]:
    page = client.get(reverse("group_new")).content.decode()
    return [s for s in ("peer_support", "medication_training", "skills_training") if f'value="{s}"' in page]


@pytest.mark.django_db
def test_the_group_form_offers_peer_support_and_services_with_a_group_code(client, peer, team, program):
    ensure_reference_codes()
    person = enrolled_participant(peer, program=program, started_days_ago=30)
    coverage = CoverageFactory(participant=person, billing_program="tx_1915i_amh")
    client.force_login(peer)
    assert _group_services(client) == ["peer_support"]

    # The Texas state plan has a group code for medication training (H0034 HQ), none for
    # skills training: a group may be the one, not the other.
    coverage.billing_program = "tx_state_plan"
    coverage.save()
    assert _group_services(client) == ["peer_support", "medication_training"]
    refused = client.post(reverse("group_new"), group_data([person], service="skills_training"))
    assert refused.status_code == 400 and not SessionNote.objects.exists()
    response = client.post(reverse("group_new"), group_data([person], service="medication_training"))
    assert response.status_code == 302
    assert list(SessionNote.objects.values_list("service", flat=True)) == ["medication_training"]
    # Its size limit is medication training's group code's.
    ServiceCode.objects.filter(hcpcs="H0034", kind="group").update(max_group_size=1)
    assert group_size_limit([person.pk], TODAY, service="medication_training") == 1
    assert group_size_limit([person.pk], TODAY) == 12


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"intervention": "x" * 100_000}, "at most 5000 characters"),
        ({"next_steps": "next\x00week"}, "Null characters are not allowed"),
        ({"date": "9999-12-31"}, "10 years ahead"),
    ],
)
def test_a_group_with_a_huge_text_nul_or_far_date_saves_no_note(client, peer, team, program, change, message):
    person = enrolled_participant(peer, program=program, started_days_ago=30)
    client.force_login(peer)
    response = client.post(reverse("group_new"), group_data([person], **change))
    assert response.status_code == 400 and message in response.content.decode()
    assert not SessionNote.objects.exists()


@pytest.mark.django_db
def test_an_attendee_note_with_nul_saves_no_note(client, peer, team, program):
    person = enrolled_participant(peer, program=program, started_days_ago=30)
    client.force_login(peer)
    response = client.post(reverse("group_new"), {**group_data([person]), f"note-{person.pk}": "came\x00late"})
    assert response.status_code == 400 and "Null characters are not allowed" in response.content.decode()
    assert not SessionNote.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["group_attendee_search", "group_attendee_rows"])
def test_a_superscript_digit_as_an_id_is_no_500(peer, team, name):
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(peer)
    response = client.get(reverse(name), {"row": "²", "id": "²", "q": "Ro\x00sa"})
    assert response.status_code in (200, 404)
