"""FAULT: Redis (the Celery broker) stopped. Asking for a report still works and saves the
request; once Redis is back the resend sweep sends it and a real worker makes it, once.

The test runs its own redis-server on a free port and stops and starts that one: the shared
Redis is never stopped. transaction=True: the worker's own connection sees only committed rows."""

import datetime

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from audit.tests.private_redis import celery_broker, private_redis
from audit.tests.waiting import wait_until
from reports import services, tasks
from reports.models import Report

app = tasks.generate_report.app


@pytest.mark.django_db(transaction=True)
def test_a_report_asked_for_while_redis_is_down_is_made_once_redis_is_back(client, admin_user, program):
    client.force_login(admin_user)
    with private_redis() as redis, celery_broker(app, redis.url):
        # Redis is down (never started): the page answers as usual and the request is kept.
        response = client.post(
            reverse("reports:report_generate"), {"month-program": program.pk, "month-month": "2026-10"}
        )
        assert response.status_code == 302
        assert client.get(response["Location"]).status_code == 200
        report = Report.objects.get()
        assert (report.status, report.sent_at, report.attempts) == (Report.Status.QUEUED, None, 0)
        assert services.reports_resend_unsent() == 0  # still down: nothing sent, nothing lost
        report.refresh_from_db()
        assert report.sent_at is None

        redis.start()
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=20):
            tasks.resend_unsent_reports.delay()  # what beat sends every minute

            def finished() -> bool:
                report.refresh_from_db()
                return report.status in (Report.Status.READY, Report.Status.FAILED)

            wait_until(finished, timeout=60, what="the worker to make the report sent after Redis came back")
    assert (report.status, report.error, report.attempts) == (Report.Status.READY, "", 1)
    assert report.sent_at is not None


@pytest.mark.django_db
def test_the_stale_sweep_leaves_an_unsent_report_for_the_resend(program, admin_user):
    long_ago = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    unsent = Report.objects.create(
        program=program, period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 1, 31),
        queued_at=long_ago,
    )  # fmt: skip
    lost = Report.objects.create(
        program=program, period_start=datetime.date(2026, 2, 1), period_end=datetime.date(2026, 2, 28),
        queued_at=long_ago, sent_at=long_ago,
    )  # fmt: skip
    assert services.fail_stale_reports() == 1
    unsent.refresh_from_db()
    lost.refresh_from_db()
    assert (unsent.status, lost.status) == (Report.Status.QUEUED, Report.Status.FAILED)
