"""The deployment files and production settings: checked as far as this machine can."""

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 64,
    "ALLOWED_HOSTS": "peersupport.example.org",
    "DATABASE_URL": "postgres://u:p@db:5432/peersupport",
    "CACHE_URL": "redis://redis:6379/1",
    "CELERY_BROKER_URL": "redis://redis:6379/0",
    "EMAIL_URL": "smtp+tls://u:p@smtp.example.org:587",
    "SITE_URL": "https://peersupport.example.org",
}


def _production_settings(env: dict) -> subprocess.CompletedProcess:
    script = (
        "import json; from django.conf import settings; "
        "print(json.dumps({k: getattr(settings, k) for k in ["
        "'DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', "
        "'SECURE_HSTS_SECONDS', 'ALLOWED_HOSTS', 'MIDDLEWARE']}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "peersupport.settings.production"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _production_settings({k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_the_sites_address():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SITE_URL"}
    result = _production_settings(env)
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _production_settings({**PRODUCTION_ENV, "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_production_is_locked_down():
    result = _production_settings(PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["ALLOWED_HOSTS"] == ["peersupport.example.org"]
    assert values["MIDDLEWARE"][1] == "whitenoise.middleware.WhiteNoiseMiddleware"


def test_a_bad_value_stops_start_up_with_a_clear_message():
    result = _production_settings({**PRODUCTION_ENV, "SESSION_IDLE_TIMEOUT_MINUTES": "forever"})
    assert result.returncode != 0
    assert "SESSION_IDLE_TIMEOUT_MINUTES must be a whole number" in result.stderr


def test_docker_compose_is_valid_and_has_every_service():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "redis", "web", "worker", "beat"}
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A peersupport worker")
    assert services["beat"]["command"].startswith("celery -A peersupport beat")
    for name in ("web", "worker", "beat"):
        assert services[name]["build"] == "."  # the YAML anchor was merged in
        assert set(services[name]["depends_on"]) == {"db", "redis"}
    assert set(compose["volumes"]) == {"pgdata", "media"}


def _environment_variables_read_in_settings() -> set[str]:
    tree = ast.parse((ROOT / "peersupport/settings/base.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            reads_env = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "env"
            if reads_env or (isinstance(func, ast.Name) and func.id == "_int_between"):
                names.add(node.args[0].value)
    return names


def test_env_example_documents_every_variable():
    read = _environment_variables_read_in_settings()
    assert {"SECRET_KEY", "DATABASE_URL", "SESSION_IDLE_TIMEOUT_MINUTES"} <= read
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), flags=re.M))
    assert read - documented == set(), "add these to .env.example"


def _check_services(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "scripts/check_services.py"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_make_test_names_an_unreachable_database_in_one_sentence():
    result = _check_services(DATABASE_URL="postgres://postgres@127.0.0.1:1/peersupport")
    assert result.returncode == 1
    assert result.stdout.strip().splitlines() == [
        "PostgreSQL is not reachable at 127.0.0.1:1; start it with `docker compose up -d db redis` "
        "(or your system's service manager)."
    ]
    assert "Traceback" not in result.stderr


def test_make_test_names_an_unreachable_redis_in_one_sentence(settings):
    db = settings.DATABASES["default"]
    result = _check_services(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/postgres",
        CELERY_BROKER_URL="redis://127.0.0.1:1/0",
    )
    assert result.returncode == 1
    assert result.stdout.startswith("Redis is not reachable at 127.0.0.1:1")
    assert "Traceback" not in result.stderr
