"""Dependency checks for /health/: each returns "ok" or a short reason."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from kombu import Connection


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any failure means "down"; the class name says which kind
        connection.close()
        return f"error: {type(exc).__name__}"
    return "ok"


def check_cache() -> str:
    try:
        cache.set("health-check", "ok", 10)
        if cache.get("health-check") != "ok":
            return "error: value not stored"
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def check_broker() -> str:
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def run_checks() -> dict[str, str]:
    checks = {"database": check_database()}
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        checks["cache"] = check_cache()
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = check_broker()
    return checks
