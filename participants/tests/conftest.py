import pytest

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.tests.factories import AgencyFactory, ProgramFactory, StaffProfileFactory

from .factories import CoverageFactory, PlanFactory, enrolled_participant


@pytest.fixture
def agency(db):
    return AgencyFactory()


@pytest.fixture
def program(agency):
    return ProgramFactory(agency=agency, name="Peer Bridger", contact_frequency_days=14, plan_review_days=90)


@pytest.fixture
def team(agency, supervisor, peer):
    """`peer` supervised by `supervisor`; a second supervisor with their own peer."""
    StaffProfileFactory(user=supervisor, agency=agency)
    StaffProfileFactory(user=peer, agency=agency, supervisor=supervisor)
    other_supervisor = UserFactory(email="other.supervisor@example.org", role=Role.SUPERVISOR)
    other_peer = UserFactory(email="other.peer@example.org", role=Role.PEER_SPECIALIST)
    StaffProfileFactory(user=other_peer, agency=agency, supervisor=other_supervisor)
    return {"other_supervisor": other_supervisor, "other_peer": other_peer}


@pytest.fixture
def participant(team, peer, program):
    """On `peer`'s caseload, with coverage and a recovery plan."""
    person = enrolled_participant(peer, program=program, first_name="Rosa", last_name="Quintero", agency=program.agency)
    CoverageFactory(participant=person, member_id="123456789")
    PlanFactory(participant=person)
    return person


@pytest.fixture
def cast(admin_user, supervisor, peer, billing_user, team):
    return {
        "admin": admin_user,
        "supervisor_of": supervisor,
        "other_supervisor": team["other_supervisor"],
        "assigned_peer": peer,
        "other_peer": team["other_peer"],
        "billing": billing_user,
    }
