import pytest
from django.test import RequestFactory
from django.urls import URLResolver, reverse, set_script_prefix
from django.views.defaults import server_error

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from peersupport.navigation import navigation
from peersupport.offline import offline_config

HOMES = {
    Role.PEER_SPECIALIST: "home_peer",
    Role.SUPERVISOR: "home_supervisor",
    Role.BILLING: "home_billing",
    Role.PROGRAM_ADMIN: "home_admin",
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(HOMES))
def test_each_role_lands_on_its_own_home_page(client, role_users, role):
    client.force_login(role_users[role])
    response = client.get(reverse("home"))
    assert response["Location"] == reverse(HOMES[role])
    response = client.get(response["Location"])
    assert response.status_code == 200
    assert response.content.decode().count("<h1") == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "other"), [(r, o) for r in HOMES for o in HOMES if r != o])
def test_another_roles_home_page_is_forbidden(client, role_users, role, other):
    client.force_login(role_users[role])
    response = client.get(reverse(HOMES[other]))
    assert response.status_code == 403
    assert "You don’t have access to this page" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(HOMES))
def test_navigation_shows_only_what_the_role_may_use(client, role_users, role):
    client.force_login(role_users[role])
    body = client.get(reverse(HOMES[role])).content.decode()
    for other, url_name in HOMES.items():
        assert (f'href="{reverse(url_name)}"' in body) == (other == role)
    assert (f'href="{reverse("accounts:invitation_list")}"' in body) == (role == Role.PROGRAM_ADMIN)
    assert (f'href="{reverse("outcomes:dashboard")}"' in body) == (role in (Role.PROGRAM_ADMIN, Role.SUPERVISOR))
    # After export: billing staff's daily two, and the admin's receivables; each of those pages
    # links the rest of the revenue cycle.
    revenue = {"remittance_list": Role.BILLING, "denial_list": Role.BILLING, "receivable_list": Role.PROGRAM_ADMIN}
    for page, shown_to in revenue.items():
        assert (f'href="{reverse("billing:" + page)}"' in body) == (role == shown_to or role == Role.BILLING), page


@pytest.mark.django_db
def test_someone_with_two_roles_sees_both_and_lands_on_the_first(client):
    user = UserFactory(role=Role.SUPERVISOR)
    user.groups.add(*UserFactory(role=Role.PEER_SPECIALIST).groups.all())
    client.force_login(user)
    assert client.get(reverse("home"))["Location"] == reverse("home_supervisor")
    assert client.get(reverse("home_peer")).status_code == 200


@pytest.mark.django_db
def test_a_user_without_a_role_is_told_what_to_do(client):
    client.force_login(UserFactory())
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "no role yet" in response.content.decode()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url_name in ["home", *HOMES.values()]:
        assert client.get(reverse(url_name))["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_unknown_pages_get_the_friendly_404(client, peer):
    client.force_login(peer)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()


def test_server_errors_get_the_friendly_500():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.django_db
def test_pages_send_a_content_security_policy(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.django_db
def test_the_navigation_marks_only_the_page_s_own_link(client, billing_user):
    client.force_login(billing_user)
    links = client.get(reverse("billing:denial_list")).context["nav_links"]
    assert [link["label"] for link in links if link["active"]] == ["Denials"]  # not "Billing work" at /billing/


@pytest.mark.django_db
def test_the_peers_home_offers_a_session_for_at_most_twelve_of_the_caseload(client, peer, team, program):
    from participants.tests.factories import enrolled_participant

    for _ in range(13):
        enrolled_participant(peer, program=program)
    client.force_login(peer)
    body = client.get(reverse("home_peer")).content.decode()
    assert body.count(">Log a session<span") == 12
    assert "everyone is in My caseload" in body


@pytest.mark.django_db
def test_the_navigation_and_offline_settings_reverse_their_urls_once(client, peer, monkeypatch):
    """Every page renders them (issue 16): a second page reverses none of their URLs again,
    and a URL reversed under another script prefix (SCRIPT_NAME) is that prefix's own."""
    client.force_login(peer)
    client.get(reverse("home_peer"))
    request = RequestFactory().get("/caseload/")
    request.user = peer
    reversed_urls = []
    original = URLResolver._reverse_with_prefix

    def counted(self, lookup_view, _prefix, *args, **kwargs):
        reversed_urls.append(lookup_view)
        return original(self, lookup_view, _prefix, *args, **kwargs)

    monkeypatch.setattr(URLResolver, "_reverse_with_prefix", counted)
    links, config = navigation(request)["nav_links"], offline_config(request)["offline_config"]
    assert reversed_urls == []
    assert {"label": "My caseload", "url": "/caseload/", "active": True} in links
    assert config["outbox"] == "/on-this-phone/"
    set_script_prefix("/agency/")
    try:
        assert navigation(request)["nav_links"][0]["url"] == "/agency/home/peer/"
        assert offline_config(request)["offline_config"]["outbox"] == "/agency/on-this-phone/"
    finally:
        set_script_prefix("/")
