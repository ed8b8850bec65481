"""The installable app's server side: manifest, service worker, the offline and "On this
phone" pages, whoami, and sign-out telling the browser to drop what it kept. The browser side
(the worker caching pages, the outbox sending by itself) is proven in tests/e2e/test_offline.py."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import resolve, reverse

from peersupport.offline import kept_page_patterns, queued_form_patterns


def _static_path(url: str) -> str:
    return url.removeprefix("/static/")


def test_the_manifest_makes_the_app_installable(client):
    response = client.get(reverse("manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert finders.find(_static_path(icon["src"])), icon["src"]


def test_the_worker_is_served_from_the_root_with_a_shell_that_exists(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    body = response.content.decode()
    config = json.loads(re.search(r"self.PS_CONFIG = (\{.*\});", body).group(1))
    for url in config["precache"]:
        if url.startswith("/static/"):
            assert finders.find(_static_path(url)), url
        else:
            assert client.get(url).status_code == 200, url  # the offline page needs no sign-in
    for script in re.search(r"importScripts\((.*)\);", body).group(1).split(", "):
        assert finders.find(_static_path(json.loads(script)))


@pytest.mark.parametrize(
    ("path", "kept", "queued"),
    [
        ("/caseload/", True, False),
        ("/participants/12/notes/new/", True, True),
        ("/notes/7/edit/", True, True),
        ("/notes/group/new/", True, True),
        ("/on-this-phone/", True, False),
        ("/participants/12/", False, False),
        ("/billing/claims/3/", False, False),
        ("/participants/12/notes/new/extra/", False, False),
    ],
)
def test_the_worker_keeps_only_the_daily_pages_and_forms(path, kept, queued):
    assert any(re.match(p, path) for p in kept_page_patterns()) is kept
    assert any(re.match(p, path) for p in queued_form_patterns()) is queued
    if kept:
        resolve(path)  # a real page of the app, not a pattern that matches nothing


@pytest.mark.django_db
def test_whoami_names_the_signed_in_user_with_a_fresh_token(client, peer):
    assert client.get(reverse("offline_whoami")).json() == {"user": None}
    client.force_login(peer)
    answer = client.get(reverse("offline_whoami")).json()
    assert answer["user"] == peer.pk and len(answer["csrf"]) == 64


@pytest.mark.django_db
def test_every_page_hands_offline_js_its_owner(client, peer):
    page = client.get(reverse("account_login")).content.decode()
    assert (
        json.loads(re.search(r'id="offline-config" type="application/json">(.*?)</script>', page).group(1))["owner"]
        is None
    )
    client.force_login(peer)
    page = client.get(reverse("home_peer")).content.decode()
    config = json.loads(re.search(r'id="offline-config" type="application/json">(.*?)</script>', page).group(1))
    assert config["owner"] == peer.pk and config["outbox"] == reverse("offline_outbox")


@pytest.mark.django_db
def test_the_on_this_phone_page_needs_a_sign_in(client, peer):
    assert client.get(reverse("offline_outbox"))["Location"].startswith(reverse("account_login"))
    client.force_login(peer)
    response = client.get(reverse("offline_outbox") + "?kept=1")
    assert response.status_code == 200 and b"will be sent by itself" in response.content


@pytest.mark.django_db
def test_sign_out_tells_the_browser_to_drop_what_it_kept(client, peer):
    client.force_login(peer)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "_auth_user_id" not in client.session
