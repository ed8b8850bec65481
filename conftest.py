"""The fixed cast of users every test can ask for, one per role."""

import pytest
from django.core.cache import cache

from accounts.roles import Role
from accounts.tests.factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate limits and used TOTP codes live in the (Redis) cache: start every test clean.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def admin_user(db):
    return UserFactory(email="alma.admin@example.org", role=Role.PROGRAM_ADMIN)


@pytest.fixture
def supervisor(db):
    return UserFactory(email="sam.supervisor@example.org", role=Role.SUPERVISOR)


@pytest.fixture
def peer(db):
    return UserFactory(email="pat.peer@example.org", role=Role.PEER_SPECIALIST)


@pytest.fixture
def billing_user(db):
    return UserFactory(email="bea.billing@example.org", role=Role.BILLING)


@pytest.fixture
def role_users(admin_user, supervisor, peer, billing_user):
    return {
        Role.PROGRAM_ADMIN: admin_user,
        Role.SUPERVISOR: supervisor,
        Role.PEER_SPECIALIST: peer,
        Role.BILLING: billing_user,
    }
