"""`make run`'s setup path on SQLite: migrate and seed twice, then serve the login page."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_run_setup_works_on_a_fresh_sqlite_file(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="peersupport.settings.local", DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    )

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=True,
        )

    manage("migrate", "--noinput")
    first = manage("seed_demo")
    assert "peer@example.org" in first.stdout and "demo-pass-2026" in first.stdout
    manage("seed_demo")  # idempotent: a second run must not fail or duplicate anything
    counts = manage(
        "shell",
        "--no-imports",
        "-c",
        "from accounts.models import User; from programs.models import Agency, Program, StaffProfile; "
        "from programs.demo import DEMO_STAFF; "
        "print(User.objects.filter(email__in=[s[0] for s in DEMO_STAFF]).count(), Agency.objects.count(), "
        "Program.objects.count(), StaffProfile.objects.filter(supervisor__email='supervisor@example.org', "
        "user__email__in=['peer@example.org', 'peer2@example.org']).count(), User.objects.count())",
    )
    demo_sign_ins, agencies, programs, supervised_demo_peers, users = counts.stdout.split()
    assert (demo_sign_ins, agencies, programs, supervised_demo_peers) == ("5", "1", "3", "2")
    assert int(users) >= 10  # the wider demo workforce, not duplicated by the second run

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as response:  # noqa: S310
                    assert response.status == 200
                    assert "Sign in" in response.read().decode()
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=10)
