"""Data built once and shared by the tests that read it: a transaction opened for a module or
the session, rolled back at its end. Each test still runs in a savepoint of its own inside it."""

import contextlib

from django.db import transaction


@contextlib.contextmanager
def shared_until_rolled_back(django_db_blocker):
    """Open a transaction and yield (the caller builds its data in it, with the database
    unblocked by its own `with django_db_blocker.unblock()`); roll it back afterwards. The
    database stays blocked in between, so a test without `db` still cannot reach it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
