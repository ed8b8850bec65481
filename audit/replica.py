"""Reading the heavy aggregates from a PostgreSQL read replica (docs/scaling-out.md).

When REPLICA_DATABASE_URL is set, settings add a "replica" database and ReplicaRouter. Code
that aggregates history (the outcome dashboard, a report's figures) runs inside
`reading_from_replica()`; every other read, and every write, goes to "default". Without a
replica there is no router, and `reading_from_replica()` changes nothing.

What stays on the primary, and why:
- every write, so the audit rows a dashboard download writes go where they always did;
- any read inside a transaction on "default": it must see that transaction's own writes and
  the rows it locked, which the replica has not received yet;
- sessions: a session created a moment ago may not have reached the replica, and reading
  it there would sign the person out.

It lives here, in the lowest app, so that every app may enter it; settings name the router
by its path and never import it.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
# Models never read from the replica, even inside reading_from_replica() (see above).
PRIMARY_ONLY_APPS = frozenset({"sessions"})

_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


@contextmanager
def reading_from_replica() -> Iterator[None]:
    """Reads in this block may come from the replica, which may lag the primary by seconds:
    use it only for figures where that is harmless, never before a write that depends on them."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


def reads_from_replica(view: Callable) -> Callable:
    """A view whose reads may come from the replica. Put it under the access decorators, so
    the checks of who may see the page read the primary."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        with reading_from_replica():
            return view(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        # Always an answer, never None: Django would otherwise read an object's relations from
        # the database the object came from, so a row read on the replica would keep its
        # lazy reads there after the block ends.
        if not _reading_from_replica.get() or model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS  # a transaction reads its own writes and locks
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Both aliases are the same data: a program read on the replica may be the target of
        # a row written on the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        # The replica receives the schema from the primary; it is never migrated itself.
        return db != REPLICA
