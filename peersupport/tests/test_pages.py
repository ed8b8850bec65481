"""A one-form page answers 400 when it shows its form's errors, and 200 otherwise."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_a_form_page_with_errors_answers_400_and_saves_nothing(client, admin_user, agency):
    client.force_login(admin_user)
    url = reverse("programs:program_create")
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": ""})
    assert response.status_code == 400
    assert response.templates[0].name == "form_page.html"
    assert "This field is required." in response.content.decode()


@pytest.mark.django_db
def test_other_pages_keep_their_status(client, peer, password):
    # allauth's sign-in page shows a wrong password as a form error, with its own status.
    response = client.post(reverse("account_login"), {"login": peer.email, "password": "wrong"})
    assert response.status_code == 200
