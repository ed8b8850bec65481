import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.roles import Role
from accounts.services import invitation_create
from accounts.tests.factories import InvitationFactory
from audit.context import AuditContext
from audit.models import AuditEvent

LIST = reverse("accounts:invitation_list")
NEW_PASSWORD = "river-stones-and-lanterns"


def invite(admin, **overrides):
    """An invitation as the onboarding form sends it (programs.services.staff_invite calls this)."""
    data = {"email": "new.peer@example.org", "first_name": "Nia", "last_name": "Brooks", "role": Role.PEER_SPECIALIST}
    ctx = AuditContext(actor=admin, address="203.0.113.9", user_agent="test")
    return invitation_create(**{**data, **overrides}, base_url="http://testserver/", ctx=ctx)


def link_path_in(message) -> str:
    return re.search(r"https?://[^/]+(/invitations/\S+/)", message.body).group(1)


@pytest.mark.django_db
def test_an_admin_invites_and_the_invitee_sets_a_password(client, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_user)
    invitation = Invitation.objects.get()
    assert invitation.invited_by == admin_user and invitation.is_pending
    assert AuditEvent.objects.filter(action=AuditEvent.Action.INVITATION_SENT, actor=admin_user).exists()
    assert mail.outbox[0].to == ["new.peer@example.org"]
    path = link_path_in(mail.outbox[0])

    response = client.get(path)
    assert response.status_code == 200
    assert "new.peer@example.org" in response.content.decode()

    response = client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == reverse("account_login")
    user = User.objects.get(email="new.peer@example.org")
    assert user.has_role(Role.PEER_SPECIALIST)
    assert (user.first_name, user.last_name) == ("Nia", "Brooks")
    invitation.refresh_from_db()
    assert invitation.user == user and invitation.accepted_at is not None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.INVITATION_ACCEPTED, actor=user).exists()

    response = client.post("/accounts/login/", {"login": "new.peer@example.org", "password": NEW_PASSWORD})
    assert client.get(response["Location"])["Location"] == reverse("home_peer")

    # The link works once.
    client.logout()
    response = client.get(path)
    assert response.status_code == 404
    assert "already been used" in response.content.decode()


@pytest.mark.django_db
def test_mismatched_or_weak_passwords_are_refused_and_nothing_is_created(
    client, django_capture_on_commit_callbacks, admin_user
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_user)
    path = link_path_in(mail.outbox[0])

    response = client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert response.status_code == 400
    assert "The two passwords are different" in response.content.decode()

    response = client.post(path, {"password1": "short", "password2": "short"})
    assert response.status_code == 400
    assert "too short" in response.content.decode()

    response = client.post(path, {"password1": "new.peer@example.org", "password2": "new.peer@example.org"})
    assert response.status_code == 400
    assert "too similar to the email address" in response.content.decode()
    assert not User.objects.filter(email="new.peer@example.org").exists()
    assert Invitation.objects.get().is_pending


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["garbage", "a" * 300, "MQ:1t2x3y:abc"])
def test_a_malformed_link_gets_a_clear_page_not_an_error(client, token):
    response = client.get(reverse("accounts:invitation_accept", args=[token]))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


@pytest.mark.django_db
def test_an_expired_link_says_so(client, settings):
    from accounts.services import invitation_token

    settings.INVITATION_MAX_AGE_DAYS = 0
    invitation = InvitationFactory()
    response = client.get(reverse("accounts:invitation_accept", args=[invitation_token(invitation)]))
    assert response.status_code == 404
    assert "expired" in response.content.decode()


@pytest.mark.django_db
def test_sending_again_retires_the_old_link_and_withdrawing_kills_it(
    client, admin_user, django_capture_on_commit_callbacks
):
    from accounts.services import invitation_token

    invitation = InvitationFactory(invited_by=admin_user)
    old_token = invitation_token(invitation)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:invitation_resend", args=[invitation.pk]))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    new_path = link_path_in(mail.outbox[0])
    client.logout()
    assert "newer invitation" in client.get(reverse("accounts:invitation_accept", args=[old_token])).content.decode()
    assert client.get(new_path).status_code == 200

    client.force_login(admin_user)
    client.post(reverse("accounts:invitation_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    client.logout()
    assert "withdrawn" in client.get(new_path).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.PEER_SPECIALIST, Role.SUPERVISOR, Role.BILLING])
def test_only_program_admins_manage_invitations(client, role_users, role):
    invitation = InvitationFactory()
    client.force_login(role_users[role])
    assert client.get(LIST).status_code == 403
    assert client.post(reverse("accounts:invitation_revoke", args=[invitation.pk])).status_code == 403
    invitation.refresh_from_db()
    assert invitation.is_pending


@pytest.mark.django_db
def test_invitation_actions_are_post_only_and_404_for_unknown_ids(client, admin_user):
    invitation = InvitationFactory()
    client.force_login(admin_user)
    assert client.get(reverse("accounts:invitation_resend", args=[invitation.pk])).status_code == 405
    assert client.get(reverse("accounts:invitation_revoke", args=[invitation.pk])).status_code == 405
    assert client.post(reverse("accounts:invitation_revoke", args=[999999])).status_code == 404
    # Inviting is the onboarding form's (programs:staff_invite): this page only lists.
    assert client.post(LIST, {"email": "x@example.org"}).status_code == 405


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(LIST)["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_the_invitation_list_query_count_does_not_grow(client, admin_user, django_assert_max_num_queries):
    client.force_login(admin_user)
    InvitationFactory.create_batch(5, invited_by=admin_user)
    with django_assert_max_num_queries(12) as small:
        assert client.get(LIST).status_code == 200
    InvitationFactory.create_batch(45)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(LIST)
    assert response.content.decode().count("Send again") == 50


@pytest.mark.django_db
def test_a_command_can_invite_without_a_request(admin_user, django_capture_on_commit_callbacks):
    from accounts.services import invitation_create
    from audit.context import AuditContext

    ctx = AuditContext.for_command(admin_user, "invite_staff")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            email="from.a.script@example.org",
            first_name="Ada",
            last_name="Script",
            role=Role.BILLING,
            base_url="https://peers.example.org/",
            ctx=ctx,
        )
    assert invitation.invited_by == admin_user
    assert mail.outbox[0].body.count("https://peers.example.org/invitations/") == 1
    event = AuditEvent.objects.get(action=AuditEvent.Action.INVITATION_SENT)
    assert (event.actor, event.ip_address, event.user_agent) == (admin_user, None, "manage.py invite_staff")


@pytest.mark.django_db
def test_accepting_records_the_new_user_and_where_they_accepted_from(client):
    from accounts.services import invitation_token

    invitation = InvitationFactory()
    path = reverse("accounts:invitation_accept", args=[invitation_token(invitation)])
    client.post(
        path,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        REMOTE_ADDR="198.51.100.23",
        HTTP_USER_AGENT="Mozilla/5.0 (Phone)",
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.INVITATION_ACCEPTED)
    assert event.actor == User.objects.get(email=invitation.email)
    assert (event.ip_address, event.user_agent) == ("198.51.100.23", "Mozilla/5.0 (Phone)")


@pytest.mark.django_db
def test_the_actions_go_back_to_the_page_they_were_on_but_never_off_site(client, admin_user):
    invitation = InvitationFactory()
    client.force_login(admin_user)
    url = reverse("accounts:invitation_resend", args=[invitation.pk])
    assert client.post(url, {"next": "/workforce/?state=invited"})["Location"] == "/workforce/?state=invited"
    assert client.post(url, {"next": "https://evil.example/"})["Location"] == LIST
    assert client.post(url, {"next": "//evil.example/"})["Location"] == LIST


@pytest.mark.django_db
def test_the_admins_count_of_waiting_invitations_opens_exactly_them(client, admin_user):
    InvitationFactory.create_batch(2, invited_by=admin_user)
    InvitationFactory(invited_by=admin_user, accepted_at=timezone.now())
    InvitationFactory(invited_by=admin_user, revoked_at=timezone.now())
    client.force_login(admin_user)
    home = client.get(reverse("home_admin"))
    assert home.context["pending_invitations"] == 2
    link = f"{LIST}?status=pending"
    assert f'href="{link}"' in home.content.decode()
    listed = client.get(link).context["page"].object_list
    assert len(listed) == 2 and all(invitation.is_pending for invitation in listed)
    assert len(client.get(LIST).context["page"].object_list) == 4
