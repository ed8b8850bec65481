"""Views and templates get the signed-in user itself, not Django's lazy stand-in (issue 16:
each attribute a template read through the stand-in raised and caught an exception)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts.models import User


@pytest.mark.django_db
def test_a_signed_in_request_carries_the_user_itself(client, peer):
    client.force_login(peer)
    response = client.get(reverse("home_peer"))
    assert response.status_code == 200
    assert type(response.wsgi_request.user) is User and response.wsgi_request.user == peer
    assert response.context["user"] is response.wsgi_request.user  # the templates' `user` too


@pytest.mark.django_db
def test_a_visitor_is_anonymous_and_still_sent_to_sign_in(client):
    response = client.get(reverse("home_peer"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert type(response.wsgi_request.user) is AnonymousUser
