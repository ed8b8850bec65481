import pytest

from accounts.roles import Role
from accounts.tests.factories import UserFactory

from .factories import AgencyFactory, CertificationFactory, StaffProfileFactory


@pytest.fixture
def agency(db):
    return AgencyFactory()


@pytest.fixture
def specialist_profile(agency, peer, supervisor):
    """`peer`'s profile, supervised by `supervisor`, with one current certification."""
    StaffProfileFactory(user=supervisor, agency=agency)
    profile = StaffProfileFactory(user=peer, agency=agency, supervisor=supervisor)
    CertificationFactory(profile=profile)
    return profile


@pytest.fixture
def cast(admin_user, supervisor, peer, billing_user, specialist_profile, agency):
    """Everyone the access matrix asks about, relative to `specialist_profile`."""
    other_supervisor = UserFactory(email="other.supervisor@example.org", role=Role.SUPERVISOR)
    other_peer = StaffProfileFactory(
        user=UserFactory(email="other.peer@example.org", role=Role.PEER_SPECIALIST),
        agency=agency,
        supervisor=other_supervisor,
    ).user
    return {
        "admin": admin_user,
        "supervisor_of": supervisor,
        "other_supervisor": other_supervisor,
        "self": peer,
        "other_specialist": other_peer,
        "billing": billing_user,
    }
