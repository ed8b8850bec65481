"""Onboarding: one form invites a member of staff and sets up their profile, which becomes
active only when they accept."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.roles import Role
from audit.models import AuditEvent
from programs.models import StaffProfile

from .factories import ProgramFactory, StaffProfileFactory

INVITE = reverse("programs:staff_invite")
NEW_PASSWORD = "river-stones-and-lanterns"


def _data(**overrides):
    data = {
        "email": "nia.brooks@example.org",
        "first_name": "Nia",
        "last_name": "Brooks",
        "role": Role.PEER_SPECIALIST,
        "programs": [],
        "supervisor": "",
        "hire_date": "",
        "npi": "",
        "languages": "English, Spanish",
        "requires_cosignature": "on",
    }
    return {**data, **overrides}


def _link(message) -> str:
    return re.search(r"https?://[^/]+(/invitations/\S+/)", message.body).group(1)


@pytest.fixture
def team(agency, supervisor):
    StaffProfileFactory(user=supervisor, agency=agency)
    return ProgramFactory(agency=agency, name="Bridger")


@pytest.mark.django_db
def test_an_invitation_sets_up_an_inactive_profile_that_accepting_activates(
    client, admin_user, agency, supervisor, team, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    data = _data(programs=[team.pk], supervisor=supervisor.pk, hire_date=timezone.localdate().isoformat())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INVITE, data)
    assert response.status_code == 302
    profile = StaffProfile.objects.get(user__email="nia.brooks@example.org")
    assert not profile.is_active and not profile.user.is_active and profile.user.is_invitee
    assert (profile.supervisor, list(profile.programs.all()), profile.languages) == (
        supervisor,
        [team],
        "English, Spanish",
    )
    assert profile.user.has_role(Role.PEER_SPECIALIST)
    assert Invitation.objects.get().is_pending
    assert AuditEvent.objects.filter(action=AuditEvent.Action.INVITATION_SENT).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, target_id=str(profile.pk)).exists()

    # Invited: listed as such, and no "Reactivate" that would make them active.
    page = client.get(reverse("workforce"), {"state": "invited"})
    assert [r.pk for r in page.context["rows"]] == [profile.pk] and "Send again" in page.content.decode()
    detail = client.get(reverse("programs:profile_detail", args=[profile.pk])).content.decode()
    assert "Invited: active once they accept" in detail and "Reactivate" not in detail
    response = client.post(reverse("programs:profile_set_active", args=[profile.pk]), {"active": "1"}, follow=True)
    assert "has not accepted their invitation yet" in response.content.decode()
    profile.refresh_from_db()
    assert not profile.is_active

    client.logout()
    response = client.post(_link(mail.outbox[0]), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == reverse("account_login")
    profile.refresh_from_db()
    profile.user.refresh_from_db()
    assert profile.is_active and profile.user.is_active and profile.user.check_password(NEW_PASSWORD)
    assert User.objects.filter(email="nia.brooks@example.org").count() == 1
    activated = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, target_id=str(profile.pk))
    assert activated.actor == profile.user
    client.force_login(admin_user)
    assert client.get(reverse("workforce"), {"state": "active", "q": "brooks"}).context["rows"][0].pk == profile.pk


@pytest.mark.django_db
def test_a_withdrawn_or_expired_invitation_leaves_no_active_profile(client, admin_user, agency, settings):
    client.force_login(admin_user)
    client.post(INVITE, _data())
    invitation = Invitation.objects.get()
    client.post(reverse("accounts:invitation_revoke", args=[invitation.pk]), {"next": reverse("workforce")})
    profile = StaffProfile.objects.get()
    assert not profile.is_active
    rows = client.get(reverse("workforce"), {"state": "invitation withdrawn"}).context["rows"]
    assert [r.pk for r in rows] == [profile.pk]
    assert client.get(reverse("workforce")).context["rows"] == []  # not counted as current staff

    # Invited again: the same account and profile, with what the form says now.
    response = client.post(INVITE, _data(first_name="Nya", languages="English"))
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (StaffProfile.objects.count(), profile.user.first_name, profile.languages) == (1, "Nya", "English")

    Invitation.objects.filter(revoked_at__isnull=True).update(
        sent_at=timezone.now() - datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS + 1)
    )
    rows = client.get(reverse("workforce"), {"state": "invitation expired"}).context["rows"]
    assert [r.pk for r in rows] == [profile.pk] and not rows[0].is_active


@pytest.mark.django_db
def test_the_invite_form_explains_bad_input_and_saves_nothing(client, admin_user, agency, peer):
    client.force_login(admin_user)
    response = client.post(INVITE, _data(email=peer.email.upper(), npi="123", role="Wizard"))
    assert response.status_code == 400
    text = response.content.decode()
    assert "already has an account" in text and "Select a valid choice" in text
    assert not Invitation.objects.exists() and not StaffProfile.objects.exists()
    client.post(INVITE, _data())
    response = client.post(INVITE, _data(email="Nia.Brooks@Example.org"))
    assert "already waiting" in response.content.decode()
    assert (Invitation.objects.count(), StaffProfile.objects.count()) == (1, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [(Role.SUPERVISOR, 403), (Role.PEER_SPECIALIST, 403), (Role.BILLING, 403)])
def test_only_program_admins_invite(client, role_users, agency, role, status):
    client.force_login(role_users[role])
    assert client.get(INVITE).status_code == status
    assert client.post(INVITE, _data()).status_code == status
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_the_invite_form_shows_for_an_admin(client, admin_user, agency):
    client.force_login(admin_user)
    response = client.get(INVITE)
    assert response.status_code == 200 and "Send invitation" in response.content.decode()
