"""Data built once and shared by the tests that read it: a transaction opened for a module or
the session, rolled back at its end. Each test still runs in a savepoint of its own inside it."""

import contextlib

from django.db import connection, transaction


class SharedTransaction:
    """A transaction opened now and rolled back by `close()`. The database stays blocked in
    between (build the data under `django_db_blocker.unblock()`), so a test without `db` still
    cannot reach it."""

    def __init__(self, django_db_blocker):
        self.blocker = django_db_blocker
        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.depth = len(connection.atomic_blocks)

    def close(self) -> None:
        if self.atomic is None:
            return
        with self.blocker.unblock():
            # Ours must be the innermost transaction: one opened inside it and still open
            # (a module's shared data, a test's savepoint) would be cut short.
            assert len(connection.atomic_blocks) == self.depth, "a transaction inside this one is still open"
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = None


@contextlib.contextmanager
def shared_until_rolled_back(django_db_blocker):
    """A SharedTransaction for the length of a `with` block (a module-scoped fixture's yield)."""
    shared = SharedTransaction(django_db_blocker)
    try:
        yield
    finally:
        shared.close()
