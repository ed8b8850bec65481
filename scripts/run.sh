#!/usr/bin/env bash
# Serve the app for `make run`. With PostgreSQL and Redis configured, also run a Celery
# worker and beat; without them, tasks run in-process and nothing else is needed.
set -euo pipefail
VENV=${VENV:-.venv}

if [ -n "${DATABASE_URL:-}" ] && [ -n "${CELERY_BROKER_URL:-}" ]; then
  echo "Starting a Celery worker and beat on ${CELERY_BROKER_URL}."
  "$VENV/bin/celery" -A peersupport worker --loglevel=INFO --concurrency=2 &
  "$VENV/bin/celery" -A peersupport beat --loglevel=INFO --schedule="${TMPDIR:-/tmp}/peersupport-celerybeat-schedule" &
  # Stop them when the server stops (Ctrl-C).
  trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
fi

echo "Serving on http://127.0.0.1:8000 (Ctrl-C stops)."
"$VENV/bin/python" manage.py runserver 127.0.0.1:8000
