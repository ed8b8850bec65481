"""A free port on 127.0.0.1 for a server we start ourselves (a test's private Redis, `make run`'s
check, the bench's gunicorn), picked so that no one else takes it first."""

import os
import random
import socket

# Below Linux's ephemeral range (32768-60999), which the system hands to outgoing connections
# and to bind(("", 0)): a port found free that way could be taken by someone else before the
# server binds it. Each process of a parallel
# run (pytest-xdist's gw0, gw1, ...) picks in its own band, so two never pick the same port.
PORT_BAND = range(20000, 32000, 500)


def free_port() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    start = PORT_BAND[int(worker.removeprefix("gw") or 0) % len(PORT_BAND)]
    band = list(range(start, start + PORT_BAND.step))
    random.shuffle(band)  # a port left in TIME_WAIT by the previous test is not tried first
    for port in band:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise OSError(f"no free port between {start} and {start + PORT_BAND.step - 1}")
