"""`make run`'s setup path on SQLite: migrate and seed twice, then serve the login page."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


SQLITE_PAGES = """
from django.test import Client
from accounts.models import User
from outcomes.models import CheckIn
from programs.models import Program
program = Program.objects.order_by("pk").first()
participant = CheckIn.objects.filter(timepoint="6m").order_by("pk").first().participant_id
for email, path in [
    ("admin@example.org", f"/outcomes/?program={program.pk}"),
    ("admin@example.org", f"/outcomes/download.xlsx?program={program.pk}"),
    ("admin@example.org", f"/participants/{participant}/"),
    ("supervisor@example.org", "/caseloads/team/"),
    ("peer@example.org", "/caseload/?alerts_only=on"),
]:
    client = Client()
    client.force_login(User.objects.get(email=email))
    print(client.get(path, HTTP_HOST="127.0.0.1").status_code)
"""


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

    # The outcome pages compute dates in SQL, which SQLite does its own way: open them here,
    # on the demo, as the people who use them.
    pages = manage("shell", "--no-imports", "-c", SQLITE_PAGES)
    assert pages.stdout.split() == ["200"] * 5, pages.stdout

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
