"""Before the tests: are PostgreSQL and Redis reachable? One clear sentence if not.

Runs without Django so that a missing service never shows up as a traceback.
"""

import os
import sys
from urllib.parse import urlparse

import psycopg2
import redis

HOW_TO_START = "start it with `docker compose up -d db redis` (or your system's service manager)"


def main() -> int:
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peersupport")
    broker_url = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")

    db = urlparse(database_url)
    if db.scheme not in ("postgres", "postgresql", "pgsql"):
        print(f"The tests need PostgreSQL, but DATABASE_URL is {db.scheme}://…; unset it or point it at PostgreSQL.")
        return 1
    try:
        server = psycopg2.connect(
            host=db.hostname or "127.0.0.1",
            port=db.port or 5432,
            user=db.username or "postgres",
            password=db.password or None,
            dbname="postgres",
            connect_timeout=3,
        )
    except psycopg2.OperationalError:
        print(f"PostgreSQL is not reachable at {db.hostname}:{db.port or 5432}; {HOW_TO_START}.")
        return 1
    # `make bench` keeps its own database (it takes minutes to seed): made here when missing.
    if "--create-database" in sys.argv:
        name = db.path.lstrip("/")
        server.autocommit = True
        with server.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if not cursor.fetchone():
                cursor.execute(f'CREATE DATABASE "{name}"')
    server.close()

    try:
        redis.Redis.from_url(broker_url, socket_connect_timeout=3).ping()
    except redis.exceptions.RedisError:
        r = urlparse(broker_url)
        print(f"Redis is not reachable at {r.hostname}:{r.port or 6379}; {HOW_TO_START}.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
