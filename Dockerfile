# The production image: gunicorn serving Django, and the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=peersupport.settings.production

WORKDIR /app
RUN groupadd --system app && useradd --system --gid app --home /app app

# WeasyPrint (report PDFs) draws text with Pango; DejaVu gives it fonts to draw with.
# `make backup` runs pg_dump, which refuses a server newer than itself: bookworm ships 15, the
# compose database is 16, so the client comes from PostgreSQL's own apt repository, set up by
# Debian's postgresql-common script (https://wiki.postgresql.org/wiki/Apt). Keep PG_MAJOR equal
# to the `db` image's major version in docker-compose.yml (tests/test_deployment.py checks).
ARG PG_MAJOR=16
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
        postgresql-common ca-certificates \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends postgresql-client-${PG_MAJOR} \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs settings to import; these placeholders are never used at run time.
RUN SECRET_KEY=build-only-build-only-build-only-build-only-build-only \
    ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 CACHE_URL=redis://build:6379/1 \
    CELERY_BROKER_URL=redis://build:6379/0 EMAIL_URL=consolemail:// SITE_URL=http://build \
    MFA_ENCRYPTION_KEYS=YnVpbGQtb25seS1idWlsZC1vbmx5LWJ1aWxkLW9ubHk= \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media && chown -R app:app /app/media

USER app
EXPOSE 8000
CMD ["gunicorn", "peersupport.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
