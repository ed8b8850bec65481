import pytest
from django.contrib.auth.models import Group

from accounts.roles import Role
from accounts.services import user_role_set
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from audit.models import AuditEvent


@pytest.mark.django_db
def test_setting_a_role_replaces_the_old_group_and_records_the_change(admin_user, peer):
    other = Group.objects.create(name="Newsletter editors")  # not a role: left alone
    peer.groups.add(other)
    ctx = AuditContext(actor=admin_user, address="203.0.113.7", user_agent="pytest")

    user_role_set(user=peer, role=Role.SUPERVISOR, ctx=ctx)

    peer.refresh_from_db()
    assert set(peer.groups.values_list("name", flat=True)) == {Role.SUPERVISOR, "Newsletter editors"}
    assert peer.roles == {Role.SUPERVISOR}
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, target_id=str(peer.pk))
    assert event.target_type == "accounts.user"
    assert event.actor == admin_user and event.ip_address == "203.0.113.7"
    assert event.details == {"role": [Role.PEER_SPECIALIST, Role.SUPERVISOR]}


@pytest.mark.django_db
def test_setting_the_role_someone_already_has_writes_nothing(admin_user, peer):
    user_role_set(user=peer, role=Role.PEER_SPECIALIST, ctx=AuditContext(actor=admin_user))
    assert peer.roles == {Role.PEER_SPECIALIST}
    assert not AuditEvent.objects.filter(target_type="accounts.user").exists()


@pytest.mark.django_db
def test_two_roles_become_one_and_the_row_names_both_old_ones(admin_user):
    user = UserFactory(role=Role.SUPERVISOR)
    user.groups.add(Group.objects.get(name=Role.BILLING))
    user_role_set(user=user, role=Role.BILLING, ctx=AuditContext(actor=admin_user))
    assert user.roles == {Role.BILLING}
    event = AuditEvent.objects.get(target_type="accounts.user", target_id=str(user.pk))
    assert event.details == {"role": [f"{Role.BILLING}, {Role.SUPERVISOR}", Role.BILLING]}


@pytest.mark.django_db
def test_an_unknown_role_is_refused_and_nothing_changes(admin_user, peer):
    with pytest.raises(ValueError):
        user_role_set(user=peer, role="Emperor", ctx=AuditContext(actor=admin_user))
    assert peer.roles == {Role.PEER_SPECIALIST}
