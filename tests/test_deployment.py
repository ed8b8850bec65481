"""The deployment files and production settings: checked as far as this machine can."""

import ast
import json
import os
import re
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import closing
from pathlib import Path

import psycopg2
import psycopg2.errors
import pytest
import yaml

from audit.tests.reading import TAMPERING_SQL

ROOT = Path(__file__).resolve().parents[1]

PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 64,
    "ALLOWED_HOSTS": "peersupport.example.org",
    "DATABASE_URL": "postgres://u:p@db:5432/peersupport",
    "CACHE_URL": "redis://redis:6379/1",
    "CELERY_BROKER_URL": "redis://redis:6379/0",
    "EMAIL_URL": "smtp+tls://u:p@smtp.example.org:587",
    "SITE_URL": "https://peersupport.example.org",
    "MFA_ENCRYPTION_KEYS": "YnVpbGQtb25seS1idWlsZC1vbmx5LWJ1aWxkLW9ubHk=",
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


def test_production_refuses_to_start_without_the_mfa_encryption_keys_and_says_how_to_make_one():
    result = _production_settings({k: v for k, v in PRODUCTION_ENV.items() if k != "MFA_ENCRYPTION_KEYS"})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "MFA_ENCRYPTION_KEYS" in result.stderr
    assert "Fernet.generate_key().decode()" in result.stderr


def test_a_key_that_is_not_a_fernet_key_stops_start_up_without_being_echoed():
    result = _production_settings(
        {**PRODUCTION_ENV, "MFA_ENCRYPTION_KEYS": f"{PRODUCTION_ENV['MFA_ENCRYPTION_KEYS']},oops-secret"}
    )
    assert result.returncode != 0
    assert "MFA_ENCRYPTION_KEYS: key 2 is not a Fernet key" in result.stderr
    assert "oops-secret" not in result.stderr


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


def test_the_images_pg_dump_matches_the_database_it_backs_up():
    # pg_dump refuses a server newer than itself, so `make backup` in the web container needs
    # the client of the db image's major version (Debian's own is older).
    database_major = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["db"]["image"].split(":")[1]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"ARG PG_MAJOR={database_major}\n" in dockerfile
    assert "postgresql-client-${PG_MAJOR}" in dockerfile and "apt.postgresql.org.sh -y" in dockerfile


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
    documented = set(re.findall(r"^([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), flags=re.M))
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


def test_management_commands_run_on_a_fresh_checkout_before_collectstatic(tmp_path):
    """The Dockerfile runs collectstatic, and `migrate` runs before it on a new server: every
    command imports the URLs, so nothing there may ask the manifest storage for a file."""
    static_root = tmp_path / "static"
    static_root.mkdir()
    (tmp_path / "fresh_checkout.py").write_text(
        f"from peersupport.settings.production import *  # noqa\nSTATIC_ROOT = {str(static_root)!r}\n"
    )
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "fresh_checkout", "PYTHONPATH": f"{ROOT}:{tmp_path}"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    assert list(static_root.iterdir()) == []


def test_the_favicon_address_still_points_at_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_app_connects_as_its_own_role_with_a_password_never_the_superuser():
    compose = _compose()
    db = compose["services"]["db"]
    assert "POSTGRES_HOST_AUTH_METHOD" not in db["environment"]  # no trust authentication
    assert db["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert "./deploy/postgres-init:/docker-entrypoint-initdb.d:ro" in db["volumes"]
    for name in ("web", "worker", "beat"):
        url = compose["services"][name]["environment"]["DATABASE_URL"]
        assert re.fullmatch(r"postgres://peersupport:\$\{APP_DB_PASSWORD:\?[^}]+\}@db:5432/peersupport", url), url
    documented = set(re.findall(r"^([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), flags=re.M))
    assert {"POSTGRES_PASSWORD", "APP_DB_PASSWORD"} <= documented


def test_the_web_health_check_asks_with_the_public_host_name():
    web = _compose()["services"]["web"]
    assert web["healthcheck"]["test"] == ["CMD", "python", "scripts/healthcheck.py"]
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from healthcheck import public_host
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert public_host("peersupport.example.org, admin.example.org") == "peersupport.example.org"
    assert public_host(".example.org") == "example.org"
    assert public_host("*") == public_host("") == "localhost"


@pytest.mark.django_db(transaction=True)
def test_the_health_check_passes_when_allowed_hosts_names_only_the_public_host(live_server, settings):
    settings.ALLOWED_HOSTS = ["peersupport.example.org"]
    env = {**os.environ, "HEALTHCHECK_URL": f"{live_server.url}/health/", "ALLOWED_HOSTS": "peersupport.example.org"}
    run = subprocess.run(
        [sys.executable, "scripts/healthcheck.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
    )
    assert run.returncode == 0, run.stderr
    # What the old check did: ask as 127.0.0.1, which Django refuses with 400.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{live_server.url}/health/", timeout=10)  # noqa: S310
    assert refused.value.code == 400


@pytest.fixture
def init_script_role(settings):
    """The compose init script run for real on this machine's PostgreSQL, under a throwaway name."""
    db = settings.DATABASES["default"]
    name = f"ps_init_{secrets.token_hex(4)}"
    password = secrets.token_hex(16)
    superuser = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "password": db["PASSWORD"] or None}
    env = {
        **os.environ,
        "PGHOST": db["HOST"],
        "PGPORT": str(db["PORT"]),
        "PGPASSWORD": db["PASSWORD"] or "",
        "POSTGRES_USER": db["USER"],
        "APP_DB_USER": name,
        "APP_DB_NAME": name,
        "APP_DB_PASSWORD": password,
    }
    run = subprocess.run(
        ["sh", "deploy/postgres-init/10-app-role.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    try:
        assert run.returncode == 0, run.stderr
        yield {"dbname": name, "user": name, "password": password, "host": db["HOST"], "port": db["PORT"]}
    finally:
        admin = psycopg2.connect(dbname="postgres", **superuser)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'DROP ROLE IF EXISTS "{name}"')
            # The script closes the maintenance database to other roles; this server is shared.
            cursor.execute("GRANT CONNECT ON DATABASE postgres TO PUBLIC")
        admin.close()


@pytest.mark.django_db
def test_the_init_script_makes_a_role_that_owns_only_its_database(init_script_role):
    app = psycopg2.connect(**init_script_role)
    app.autocommit = True
    with app.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False, False)
        cursor.execute("CREATE TABLE migrations_can_run (id int)")  # it owns its database
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cursor.execute("CREATE DATABASE another_one")
    app.close()
    with pytest.raises(psycopg2.OperationalError, match="permission denied"):
        psycopg2.connect(**{**init_script_role, "dbname": "postgres"})


@pytest.mark.django_db
def test_the_app_role_cannot_change_or_remove_audit_rows(init_script_role):
    """The audit tables made by migrations run as the app's own role, as in production; then that
    role tries what an attacker holding its password would (45 CFR 164.312(b))."""
    role = init_script_role
    url = f"postgres://{role['user']}:{role['password']}@{role['host']}:{role['port']}/{role['dbname']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "peersupport.settings.test"}
    run = subprocess.run(
        [sys.executable, "manage.py", "migrate", "audit", "--noinput"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    app = psycopg2.connect(**role)
    app.autocommit = True
    with closing(app), app.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (at, actor_label, action, target_type, target_id, target_label, user_agent,"
            " details) VALUES (now(), 'x', 'view', '', '', '', '', '{}')"
        )
        cursor.execute("SELECT max(id) FROM audit_auditevent")
        (event,) = cursor.fetchone()
        cursor.execute("INSERT INTO audit_auditsubject (event_id, participant_id) VALUES (%s, 7)", [event])
        for sql in TAMPERING_SQL:
            with pytest.raises(psycopg2.errors.RaiseException):
                cursor.execute(sql)
        cursor.execute(
            "SELECT actor_label, participant_id FROM audit_auditevent e JOIN audit_auditsubject ON event_id = e.id"
        )
        assert cursor.fetchall() == [("x", 7)]
