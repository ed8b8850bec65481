import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_health_names_each_dependency_and_answers_200(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }


def _health_in_a_process(**env_overrides) -> tuple[int, dict]:
    # A separate process, so the dependency can really be unreachable from the start.
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/health/'); print(r.status_code); print(r.content.decode())"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "peersupport.settings.test", **env_overrides}
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    status, body = out.stdout.strip().splitlines()[-2:]
    return int(status), json.loads(body)


def test_health_answers_503_when_the_database_is_down():
    status, body = _health_in_a_process(DATABASE_URL="postgres://postgres@127.0.0.1:1/peersupport")
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"].startswith("error")
    assert body["checks"]["broker"] == "ok"


def test_health_answers_503_when_the_broker_is_down(settings):
    db = settings.DATABASES["default"]
    reachable_database = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/postgres"
    status, body = _health_in_a_process(DATABASE_URL=reachable_database, CELERY_BROKER_URL="redis://127.0.0.1:1/0")
    assert status == 503
    assert body["checks"]["broker"].startswith("error")
    assert body["checks"]["database"] == "ok"
