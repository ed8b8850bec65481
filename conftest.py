"""The fixed cast every test can ask for: one user per role, an agency with a program, a
supervisor with their peer (and another pair), and a participant on the peer's caseload."""

import io

import pgtrigger
import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command
from django.db import connection
from django.db.backends.postgresql.operations import DatabaseOperations

from accounts.cache import reset_breaker
from accounts.roles import Role
from accounts.tests.factories import PASSWORD, UserFactory
from audit.tests.rolled_back import SharedTransaction
from billing import file_check
from billing.models import ClaimBatch
from billing.tests.factories import ensure_reference_codes
from participants.tests.factories import CoverageFactory, PlanFactory, enrolled_participant
from programs.tests.factories import AgencyFactory, ProgramFactory, StaffProfileFactory

_flush = DatabaseOperations.execute_sql_flush


def _flush_between_tests(self, sql_list):
    # Transactional tests (e2e, races) end with Django's flush, a TRUNCATE of every table, which
    # the audit log's trigger refuses by design. Only this test teardown is let through.
    with pgtrigger.ignore(
        "audit.AuditEvent:audit_rows_never_truncated", "audit.AuditSubject:audit_subjects_never_truncated"
    ):
        _flush(self, sql_list)


DatabaseOperations.execute_sql_flush = _flush_between_tests

_flushdb = RedisCache.clear


def _clear_own_keys(self):
    # The processes of a parallel run (pytest-xdist) share the Redis database, and each one's
    # keys start with its name (KEY_PREFIX: peersupport.settings.test). Clearing the cache,
    # before and after every test, removes this process's keys, not the others' (FLUSHDB).
    if not self.key_prefix:
        return _flushdb(self)
    client = self._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=1000))
    return bool(keys) and bool(client.delete(*keys))


RedisCache.clear = _clear_own_keys


def _replica_for_transactional_tests(items):
    # A transactional test runs outside a transaction, so the reads that production sends to
    # the read replica (audit.replica: dashboards, report figures) go to the test settings'
    # replica alias, a second connection to the test database. Every such test may use it,
    # as the app does; tests inside a transaction read everything from "default".
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("transaction") and "databases" not in marker.kwargs:
            item.add_marker(pytest.mark.django_db(**marker.kwargs, databases=["default", "replica"]), append=False)


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate limits, used TOTP codes and kept figures live in the (Redis) cache: start every test
    # clean, talking to Redis. A Redis call that timed out on a busy machine opens the process's
    # breaker for 30 s (accounts.cache): the next tests would clear, and count the queries of,
    # the database's fallback cache instead.
    reset_breaker()
    cache.clear()
    yield
    cache.clear()


def _unchecked_batches() -> list[int]:
    """Batches exported (with their file) that pyx12 has not read; rows a factory made
    "exported" without a file were never exported."""
    unchecked = ClaimBatch.objects.filter(status=ClaimBatch.Status.EXPORTED, pyx12_checked_at__isnull=True)
    return list(unchecked.exclude(file_837="").values_list("pk", flat=True))


def _uses_database(item) -> bool:
    fixtures = getattr(item, "fixturenames", ())
    return item.get_closest_marker("django_db") is not None or "db" in fixtures or "transactional_db" in fixtures


@pytest.fixture(autouse=True)
def _pyx12_reads_every_exported_file(request):
    """pyx12 reads an exported 837P after the export commits (billing.file_check), which a
    test's own transaction never does: when a test ends, every 837P it exported that nothing
    checked yet is read by pyx12 as the worker reads it, and one pyx12 rejects fails the test
    (unless it is marked `pyx12_rejects`), so a bug in the file's writer still fails the suite."""
    if not _uses_database(request.node):
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up first, so torn down after this check
    yield
    if connection.needs_rollback:
        # The test ended on a database error it asserted (a constraint refusing a row): its
        # transaction reads nothing more, and it exported nothing after the error.
        return
    for batch_id in _unchecked_batches():
        file_check.check_batch_file(batch_id)
    if request.node.get_closest_marker("pyx12_rejects") is None:
        rejected = {b.pk: b.pyx12_errors for b in ClaimBatch.objects.exclude(pyx12_errors=[])}
        assert not rejected, f"pyx12 rejected an exported 837P: {rejected}"


# The demo's transaction while it is open (demo_agency), closed after the last test reading it.
_shared_demo: list[SharedTransaction] = []


@pytest.fixture(scope="session")
def demo_agency(django_db_setup, django_db_blocker):
    """The demo agency (`seed_demo`), built once per test process for the tests that read it,
    and rolled back after them. Each test still runs in its own savepoint, so one that writes
    leaves the demo as it found it. Building it takes about 14 s: seeding it per test made
    these tests the slowest part of `make test`.

    The tests asking for it run one after the other at the end of the plain database tests
    (pytest_collection_modifyitems below), and its transaction is rolled back after the last
    of them (pytest_runtest_teardown): no other test ever sees the demo's rows or runs inside
    its transaction."""
    shared = SharedTransaction(django_db_blocker)
    _shared_demo.append(shared)
    with django_db_blocker.unblock():
        ensure_reference_codes()
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
        # pyx12 reads the demo's 837Ps once, here, as the worker would after the seed commits,
        # not again in each test that reads the demo (_pyx12_reads_every_exported_file).
        for batch_id in _unchecked_batches():
            file_check.check_batch_file(batch_id)
    yield
    shared.close()


def _reads_demo(item) -> bool:
    return item is not None and "demo_agency" in getattr(item, "fixturenames", ())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    if _shared_demo and _reads_demo(item) and not _reads_demo(nextitem):
        _shared_demo.pop().close()
    return result


def _transactional_or_no_db(item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", [])
    if marker is None and "db" not in fixtures and "transactional_db" not in fixtures:
        return True
    transactional = marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    return bool(transactional) or "transactional_db" in fixtures or "live_server" in fixtures


def pytest_itemcollected(item):
    # In a parallel run (`--dist loadgroup`, as `make test` runs) the tests reading the shared
    # demo go to one process, one after the other: the demo is rolled back after the last of
    # them (pytest_runtest_teardown), so one left for later would find it gone. Marked as each
    # is collected: xdist reads the mark in its own pytest_collection_modifyitems.
    if _reads_demo(item):
        item.add_marker(pytest.mark.xdist_group("demo_agency"))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    _replica_for_transactional_tests(items)
    # After pytest-django's order (plain database tests, transactional ones, the rest): the
    # tests that read the shared demo go last among the plain database tests.
    demo = [item for item in items if _reads_demo(item)]
    if not demo:
        return
    rest = [item for item in items if not _reads_demo(item)]
    at = next((i for i, item in enumerate(rest) if _transactional_or_no_db(item)), len(rest))
    items[:] = rest[:at] + demo + rest[at:]


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
