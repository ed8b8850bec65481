"""A redis-server of the test's own, on a free port, that the test may stop and start again.
The shared Redis (6379) is never stopped: other processes use it."""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile

from audit.ports import free_port
from audit.tests.waiting import wait_until


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class PrivateRedis:
    """`start()` and `stop()` as often as a test likes; `close()` (always, in finally) stops it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = tempfile.mkdtemp(prefix="private-redis-")
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", self.directory]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        wait_until(lambda: _answers(self.port), timeout=10, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


@contextlib.contextmanager
def private_redis():
    server = PrivateRedis()
    try:
        yield server
    finally:
        server.close()


@contextlib.contextmanager
def celery_broker(app, url: str):
    """Point the Celery app at `url` for the block, dropping its pooled connections both ways.
    Celery reads CELERY_BROKER_URL from the environment before its own settings."""
    old, old_environ = app.conf.broker_url, os.environ.get("CELERY_BROKER_URL")

    def switch(to: str, environ: str | None) -> None:
        app.conf.broker_url = to
        if environ is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = environ
        app.conf.broker_write_url = None
        app.conf.broker_read_url = None
        # Dropped, not closed: kombu keeps one pool per broker URL in a registry of its own, so
        # the shared broker's pool must stay open for when the app is pointed back at it.
        app._pool = None
        app.amqp._producer_pool = None

    switch(url, url)
    try:
        yield
    finally:
        switch(old, old_environ)
