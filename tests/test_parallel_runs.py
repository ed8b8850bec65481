"""`make test` runs the suite in parallel processes (pytest-xdist). Each has its own test
database (pytest-django); what they share is kept apart here: the Redis cache and broker keys,
the ports of servers the tests start, and the demo readers kept to one process."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from accounts.cache import ResilientRedisCache
from audit.ports import PORT_BAND, free_port

ROOT = Path(__file__).resolve().parents[1]


def _test_settings(worker: str) -> dict:
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.CACHES['default'].get('KEY_PREFIX', ''), "
        "getattr(s, 'CELERY_BROKER_TRANSPORT_OPTIONS', {})]))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "peersupport.settings.test", "PYTEST_XDIST_WORKER": worker}
    if not worker:
        env.pop("PYTEST_XDIST_WORKER")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_each_test_process_has_its_own_cache_and_broker_keys():
    assert _test_settings("gw3") == ["gw3", {"global_keyprefix": "gw3:"}]
    assert _test_settings("") == ["", {}]


def test_clearing_a_process_cache_leaves_the_other_process_keys():
    location = settings.CACHES["default"]["LOCATION"]
    ours, theirs = (ResilientRedisCache(location, {"KEY_PREFIX": f"parallel-test-{n}"}) for n in ("ours", "theirs"))
    try:
        ours.set("rate-limit", 1, 60)
        theirs.set("rate-limit", 2, 60)
        ours.clear()  # what conftest does before and after every test
        assert (ours.get("rate-limit"), theirs.get("rate-limit")) == (None, 2)
    finally:
        theirs.clear()
    assert theirs.get("rate-limit") is None


def test_each_process_picks_ports_in_its_own_band_outside_the_ephemeral_range(monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    second = {free_port() for _ in range(20)}
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    first = {free_port() for _ in range(20)}
    assert all(PORT_BAND[1] <= port < PORT_BAND[2] for port in second)
    assert all(PORT_BAND[0] <= port < PORT_BAND[1] for port in first)
    assert PORT_BAND[-1] + PORT_BAND.step <= 32768  # Linux's ephemeral ports start there


def test_the_tests_reading_the_shared_demo_run_in_one_process(request):
    # Over the tests of this run: the whole suite's in `make test`.
    for item in request.session.items:
        groups = [mark.args for mark in item.iter_markers("xdist_group")]
        assert groups == ([("demo_agency",)] if "demo_agency" in item.fixturenames else []), item.nodeid
