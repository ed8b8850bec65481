"""Prepared queries (audit/prepared.py): compiled once, each call reads the rows the queryset
would, for its own values, as model instances (with their select_related) or as rows."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.prepared import MOST_VALUES_PREPARED, Prepared, Slot, _numbered

pytestmark = pytest.mark.django_db

# audit is below accounts in the layers (import-linter): the user model by its setting.
User = get_user_model()


def _users(n: int) -> list[User]:
    return [User.objects.create_user(email=f"u{i}@example.org", password="x", first_name=f"U{i}") for i in range(n)]


def test_each_call_reads_the_rows_of_its_own_values():
    users = _users(4)
    named = Prepared(lambda: User.objects.filter(pk__in=Slot("ids", many=True)).order_by("pk"))
    for ids in ([users[0].pk], [u.pk for u in users[1:]], []):
        rows = named(ids=ids)
        assert [u.pk for u in rows] == sorted(ids)
        assert all(isinstance(u, User) and u.first_name for u in rows)


def test_rows_and_single_values_and_select_related(django_assert_num_queries):
    users = _users(3)
    group = Group.objects.create(name="Readers")
    users[1].groups.add(group)
    rows = Prepared(
        lambda: (
            User.objects.filter(pk__in=Slot("ids", many=True), date_joined__lte=Slot("day"))
            .order_by("pk")
            .values_list("pk", "first_name")
        )
    )
    assert rows(ids=[users[0].pk, users[2].pk], day=timezone.now()) == [(users[0].pk, "U0"), (users[2].pk, "U2")]
    assert rows(ids=[users[0].pk], day=timezone.now() - datetime.timedelta(days=1)) == []
    through = User.groups.through
    memberships = Prepared(lambda: through.objects.filter(user_id__in=Slot("ids", many=True)).select_related("group"))
    [membership] = memberships(ids=[u.pk for u in users])
    with django_assert_num_queries(0):
        assert membership.group.name == "Readers"


def test_the_sql_is_written_once(monkeypatch):
    users = _users(2)
    named = Prepared(lambda: User.objects.filter(pk__in=Slot("ids", many=True)))
    named(ids=[users[0].pk])
    written = []
    as_sql = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: written.append(self) or as_sql(self, *a, **k))
    assert [u.pk for u in named(ids=[users[1].pk])] == [users[1].pk]
    assert written == []


def test_it_reads_from_the_database_the_router_chooses(settings):
    """Inside reading_from_replica() a prepared query reads where the queryset would."""
    from audit.replica import ReplicaRouter, reading_from_replica

    chosen = []

    class Recording(ReplicaRouter):
        def db_for_read(self, model, **hints):
            chosen.append(model)
            return super().db_for_read(model, **hints)

    settings.DATABASE_ROUTERS = [Recording()]
    users = _users(1)
    named = Prepared(lambda: User.objects.filter(pk__in=Slot("ids", many=True)))
    with reading_from_replica():
        assert [u.pk for u in named(ids=[users[0].pk])] == [users[0].pk]
    assert chosen == [User]


def _server_statements() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        return dict(cursor.fetchall())


class _Sent:
    """The SQL sent to the server, as it was sent (Django records an EXECUTE as its SQL)."""

    def __init__(self):
        self.sql: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.sql.append(sql)
        return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)  # the connection is closed mid-test
def test_postgresql_prepares_the_query_once_per_connection(django_assert_num_queries):
    """PREPARE once on each connection, then an EXECUTE per call: PostgreSQL neither parses
    nor, once settled on a generic plan, plans it again. The statement outlives a rollback
    (as PostgreSQL keeps it), and a connection opened again prepares it again."""
    users = _users(3)
    named = Prepared(lambda: User.objects.filter(pk__in=Slot("ids", many=True)).order_by("pk"))
    name = named._statement.name
    sent = _Sent()
    with connection.execute_wrapper(sent):
        for user in users:  # six calls: past the five custom plans PostgreSQL makes first
            assert [u.pk for u in named(ids=[user.pk])] == [user.pk]
            assert [u.pk for u in named(ids=[users[0].pk, user.pk])] == sorted({users[0].pk, user.pk})
    assert sent.sql == [f"EXECUTE {name}(%s)"] * 6
    assert f"PREPARE {name} AS SELECT" in _server_statements()[name]
    with pytest.raises(RuntimeError), transaction.atomic():
        named(ids=[users[1].pk])
        raise RuntimeError("rolled back")
    assert name in _server_statements()
    connection.close()
    assert name not in _server_statements()
    with django_assert_num_queries(1):
        assert [u.first_name for u in named(ids=[u.pk for u in users])] == ["U0", "U1", "U2"]
    assert name in _server_statements()


def test_what_django_records_of_an_execute_is_the_sql_it_ran():
    """The debug log, DEBUG's connection.queries and the tests' captured queries show the query
    and its values, as they would unprepared; the driver was sent the EXECUTE."""
    users = _users(2)
    named = Prepared(lambda: User.objects.filter(pk__in=Slot("ids", many=True), first_name=Slot("name")))
    sent = _Sent()
    with connection.execute_wrapper(sent), CaptureQueriesContext(connection) as ran:
        assert [u.pk for u in named(ids=[users[0].pk], name="U0")] == [users[0].pk]
    [recorded] = [q["sql"] for q in ran.captured_queries]
    assert sent.sql == [f"EXECUTE {named._statement.name}(%s, %s)"]
    assert recorded.startswith('SELECT "accounts_user"."id"')
    assert f"IN (SELECT unnest(ARRAY[{users[0].pk}]::bigint[])))" in recorded
    assert "\"first_name\" = ('U0')" in recorded


def test_long_lists_and_the_setting_off_run_the_sql_itself(settings):
    """A batch's thousands of ids are planned for their number, not by the generic plan made
    for a page's few; PREPARED_STATEMENTS off (a pooler in transaction mode) never prepares."""
    users = _users(2)
    named = Prepared(lambda: User.objects.filter(pk__in=Slot("ids", many=True)).values_list("first_name", flat=True))
    many = [users[1].pk, *range(10**9, 10**9 + MOST_VALUES_PREPARED)]
    sent = _Sent()
    with connection.execute_wrapper(sent):
        assert named(ids=many) == ["U1"]
        settings.PREPARED_STATEMENTS = False
        assert named(ids=[users[0].pk]) == ["U0"]
    assert [sql.split()[0] for sql in sent.sql] == ["SELECT", "SELECT"]
    assert named._statement.name not in _server_statements()


def test_numbered_parameters_keep_literal_percent_signs():
    assert _numbered("SELECT %s, 'a%%b' LIKE %s, %s") == "SELECT $1, 'a%b' LIKE $2, $3"


def test_a_query_with_a_literal_percent_sign_is_prepared_and_runs():
    """Django writes a literal % as %% for the driver; PREPARE is sent without parameters, so
    it must carry a single %."""
    _users(2)
    named = Prepared(
        lambda: (
            User.objects.filter(pk__in=Slot("ids", many=True))
            .annotate(shown=Concat("first_name", Value("%")))
            .values_list("shown", flat=True)
        )
    )
    assert named(ids=list(User.objects.values_list("pk", flat=True))) in (["U0%", "U1%"], ["U1%", "U0%"])
    assert named._statement.name in _server_statements()
