"""A member of staff invited but not yet there can't be given a caseload."""

import pytest
from django.contrib.auth.models import Group

from accounts.roles import Role
from accounts.services import invitee_user
from participants.forms import specialists_for
from programs.tests.factories import StaffProfileFactory


@pytest.mark.django_db
def test_an_invited_specialist_is_assignable_only_once_they_accept(admin_user, agency):
    invitee = invitee_user(email="new.peer@example.org", first_name="Nia", last_name="Brooks")
    StaffProfileFactory(user=invitee, agency=agency, is_active=False)
    invitee.groups.add(Group.objects.get(name=Role.PEER_SPECIALIST))
    assert invitee not in specialists_for(admin_user)
    invitee.is_active = True  # what accepting the invitation does (accounts.services.invitation_accept)
    invitee.save()
    assert invitee in specialists_for(admin_user)
