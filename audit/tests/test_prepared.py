"""Prepared queries (audit/prepared.py): compiled once, each call reads the rows the queryset
would, for its own values, as model instances (with their select_related) or as rows."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from audit.prepared import Prepared, Slot

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
