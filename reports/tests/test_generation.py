"""A report is made once per run: a task delivered twice, two workers at once, or an old task
all end in one run; regenerating keeps the old files until the new ones are stored."""

import datetime
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from audit.models import AuditEvent
from programs.tests.factories import ProgramFactory
from reports import services, tasks
from reports.figures import SECTIONS
from reports.models import Report

OCT = datetime.date(2026, 10, 1)
OCT_END = datetime.date(2026, 10, 31)
DAY = datetime.timedelta(days=1)


class FailingEmailBackend(BaseEmailBackend):
    """The mail server at its worst. notices catches SMTPException per recipient, so this
    raises what it does not catch (a bad address gives a ValueError in Django's SMTP backend)."""

    def send_messages(self, email_messages):
        raise ValueError("Invalid address")


@pytest.fixture
def eager_tasks():
    """Tasks run in-process, as they do with no broker configured."""
    conf = tasks.generate_report.app.conf
    before, conf.task_always_eager = conf.task_always_eager, True
    yield
    conf.task_always_eager = before


@pytest.fixture
def ctx(admin_user):
    return AuditContext(actor=admin_user, address="203.0.113.9", user_agent="pytest")


def request(program, ctx, django_capture_on_commit_callbacks, **kwargs):
    """Ask for October's report; returns it and the tasks it queued (not sent to the broker)."""
    with django_capture_on_commit_callbacks(execute=False) as queued:
        report = services.report_request(program=program, start=OCT, end=OCT_END, ctx=ctx, **kwargs)
    return report, queued


def generate(report, django_capture_on_commit_callbacks) -> bool:
    with django_capture_on_commit_callbacks(execute=True):
        done = services.report_generate(report.pk, str(report.run_token))
    report.refresh_from_db()
    return done


def files_of(report) -> list[str]:
    return [report.pdf.name, report.xlsx.name, report.csv.name]


@pytest.mark.django_db
def test_a_request_makes_one_report_and_queues_one_task(program, ctx, django_capture_on_commit_callbacks):
    report, queued = request(program, ctx, django_capture_on_commit_callbacks)
    assert (report.status, report.progress, len(queued)) == (Report.Status.QUEUED, 0, 1)
    again, queued_again = request(program, ctx, django_capture_on_commit_callbacks)
    assert again.pk == report.pk and again.run_token == report.run_token and queued_again == []
    assert Report.objects.count() == 1
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, target_type="reports.report")
    assert event.target_id == str(report.pk) and event.ip_address == "203.0.113.9"


@pytest.mark.django_db
def test_a_period_that_ends_before_it_starts_is_refused(program, ctx):
    with pytest.raises(ValidationError, match="must end on or after its start"):
        services.report_request(program=program, start=OCT_END, end=OCT, ctx=ctx)
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_the_task_run_twice_for_one_token_makes_one_run(program, ctx, django_capture_on_commit_callbacks):
    report, _ = request(program, ctx, django_capture_on_commit_callbacks)
    assert generate(report, django_capture_on_commit_callbacks) is True
    assert generate(report, django_capture_on_commit_callbacks) is False
    assert (report.status, report.progress, report.attempts, report.error) == (Report.Status.READY, 100, 1, "")
    assert report.has_files and all(default_storage.exists(name) for name in files_of(report))
    assert report.figures["program"]["name"] == "Peer Bridger" and report.figures["period"]["label"] == "October 2026"
    assert [s["key"] for s in report.figures["sections"]] == [m.__name__.rsplit(".", 1)[-1] for m in SECTIONS]
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_an_old_or_unknown_token_does_nothing(program, ctx, django_capture_on_commit_callbacks):
    report, _ = request(program, ctx, django_capture_on_commit_callbacks)
    assert services.report_generate(report.pk, str(uuid.uuid4())) is False
    old_token = report.run_token
    report.refresh_from_db()
    assert (report.status, report.attempts) == (Report.Status.QUEUED, 0)
    generate(report, django_capture_on_commit_callbacks)
    request(program, ctx, django_capture_on_commit_callbacks)  # regenerate: a new token
    assert services.report_generate(report.pk, str(old_token)) is False
    report.refresh_from_db()
    assert report.status == Report.Status.QUEUED and report.run_token != old_token


@pytest.mark.django_db
def test_regenerating_keeps_the_old_files_until_the_new_ones_are_stored(
    program, ctx, django_capture_on_commit_callbacks
):
    report, _ = request(program, ctx, django_capture_on_commit_callbacks)
    generate(report, django_capture_on_commit_callbacks)
    old_files, old_generated = files_of(report), report.generated_at
    report, queued = request(program, ctx, django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert report.status == Report.Status.QUEUED and len(queued) == 1
    # Still downloadable while the new run waits or works.
    assert report.has_files and files_of(report) == old_files and report.figures["sections"]
    assert all(default_storage.exists(name) for name in old_files)
    generate(report, django_capture_on_commit_callbacks)
    new_files = files_of(report)
    assert report.status == Report.Status.READY and report.generated_at > old_generated
    assert set(new_files).isdisjoint(old_files) and all(default_storage.exists(name) for name in new_files)
    assert not any(default_storage.exists(name) for name in old_files)
    assert report.attempts == 2


@pytest.mark.django_db
def test_a_running_report_is_not_queued_again_until_it_is_stale(program, ctx, django_capture_on_commit_callbacks):
    report, _ = request(program, ctx, django_capture_on_commit_callbacks)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING, started_at=timezone.now())
    assert request(program, ctx, django_capture_on_commit_callbacks)[1] == []
    Report.objects.filter(pk=report.pk).update(started_at=timezone.now() - datetime.timedelta(minutes=31))
    again, queued = request(program, ctx, django_capture_on_commit_callbacks)
    assert len(queued) == 1 and again.status == Report.Status.QUEUED and again.run_token != report.run_token


@pytest.mark.django_db
def test_a_failure_records_its_reason(program, ctx, django_capture_on_commit_callbacks, settings, tmp_path):
    (tmp_path / "a-file").write_text("")
    # A media directory that can't exist: writing the PDF fails the same way every time.
    broken = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "a-file"}}
    settings.STORAGES = {**settings.STORAGES, "default": broken}
    report, _ = request(program, ctx, django_capture_on_commit_callbacks)
    assert generate(report, django_capture_on_commit_callbacks) is True
    assert report.status == Report.Status.FAILED and report.attempts == 1
    assert report.error.startswith("NotADirectoryError") and "Not a directory" in report.error
    assert not report.has_files and report.stage == ""


@pytest.mark.django_db
def test_a_task_that_used_up_its_retries_records_why(program, ctx, django_capture_on_commit_callbacks):
    report, _ = request(program, ctx, django_capture_on_commit_callbacks)
    error = OperationalError("server closed the connection unexpectedly\nThis probably means...")
    tasks.generate_report.on_failure(error, "task-id", (report.pk, str(report.run_token)), {}, None)
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert report.error == "Gave up after retries. A database error: server closed the connection unexpectedly"


@pytest.mark.django_db
def test_runs_left_running_past_the_timeout_are_marked_failed(program, settings):
    settings.REPORT_STALE_MINUTES = 30
    now, minutes = timezone.now(), datetime.timedelta(minutes=1)
    running = {"program": program, "period_start": OCT, "status": Report.Status.RUNNING}
    lost = Report.objects.create(**running, period_end=OCT_END, started_at=now - 31 * minutes)
    working = Report.objects.create(**running, period_end=OCT_END - 5 * DAY, started_at=now - 5 * minutes)
    waiting = Report.objects.create(program=program, period_start=OCT, period_end=OCT_END - 6 * DAY,
                                    queued_at=now - 5 * minutes)  # fmt: skip
    # Sent to the broker, never claimed: the message was lost (an unsent one waits for the resend).
    never = Report.objects.create(program=program, period_start=OCT, period_end=OCT_END - 7 * DAY,
                                  queued_at=now - 120 * minutes, sent_at=now - 120 * minutes)  # fmt: skip
    assert services.fail_stale_reports() == 2
    for report in (lost, working, waiting, never):
        report.refresh_from_db()
    assert lost.status == Report.Status.FAILED and "worker lost" in lost.error
    assert (working.status, waiting.status) == (Report.Status.RUNNING, Report.Status.QUEUED)
    assert never.status == Report.Status.FAILED and never.error == "Never started (queue lost?). Generate it again."
    assert services.report_generate(never.pk, str(never.run_token)) is False
    # The lost worker, if it ever comes back, can no longer store its run.
    assert services.report_generate(lost.pk, str(lost.run_token)) is False


@pytest.mark.django_db
def test_a_scheduled_report_emails_each_admin_a_link_without_figures(
    program, ctx, admin_user, django_capture_on_commit_callbacks, settings, eager_tasks
):
    settings.ROOT_URLCONF = "reports.tests.urls_for_links"
    settings.SITE_URL = "https://ps.example.org"
    UserFactory(email="second.admin@example.org", role=Role.PROGRAM_ADMIN)
    UserFactory(email="gone.admin@example.org", role=Role.PROGRAM_ADMIN, is_active=False)
    UserFactory(email="sam@example.org", role=Role.SUPERVISOR)
    report, _ = request(program, ctx, django_capture_on_commit_callbacks, scheduled=True)
    generate(report, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == ["alma.admin@example.org", "second.admin@example.org"]
    message = mail.outbox[0]
    assert f"https://ps.example.org/reports/{report.pk}/" in message.body
    assert "Peer Bridger" in message.subject and "October 2026" in message.subject
    assert message.attachments == []


@pytest.mark.django_db
def test_a_report_asked_for_on_demand_sends_no_email(program, ctx, django_capture_on_commit_callbacks):
    report, _ = request(program, ctx, django_capture_on_commit_callbacks)
    generate(report, django_capture_on_commit_callbacks)
    assert report.status == Report.Status.READY and mail.outbox == []


@pytest.mark.django_db
def test_the_command_queues_each_active_programs_month(program, django_capture_on_commit_callbacks):
    ProgramFactory(agency=program.agency, name="Closed", is_active=False)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        call_command("generate_monthly_reports", "--month", "2026-10")
    [report] = Report.objects.all()
    assert (report.program, report.period_start, report.period_end) == (program, OCT, OCT_END)
    assert report.scheduled and len(queued) == 1
    event = AuditEvent.objects.get(target_id=str(report.pk))
    assert event.actor is None and event.user_agent == "manage.py generate_monthly_reports"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--month", "2026-13"], "--month must be a year and month like 2026-10"),
        (["--month", "October"], "--month must be a year and month like 2026-10"),
        (["--month", "2026-10", "--program", "999999"], "There is no program with ID 999999"),
    ],
)
def test_the_command_refuses_a_bad_month_or_program(arguments, message, program):
    with pytest.raises(CommandError, match=message):
        call_command("generate_monthly_reports", *arguments)
    assert not Report.objects.exists()


def test_failure_reasons_are_one_readable_line():
    assert services.error_reason(SoftTimeLimitExceeded()).startswith("It took longer than the worker's time limit")
    assert services.error_reason(ValueError("bad\nstack")) == "ValueError: bad"
    assert services.error_reason(KeyError()) == "KeyError"


def test_the_schedule_reports_on_the_previous_month():
    assert services.previous_month(datetime.date(2026, 1, 1)) == datetime.date(2025, 12, 1)
    assert services.month_bounds(datetime.date(2024, 2, 10)) == (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_make_one_run(program):
    """Two threads, two database connections, the same task: one claims the run."""
    report = Report.objects.create(program=program, period_start=OCT, period_end=OCT_END)
    start = threading.Barrier(2)
    results = []

    def worker():
        start.wait(10)
        try:
            results.append(services.report_generate(report.pk, str(report.run_token)))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    report.refresh_from_db()
    assert sorted(results) == [False, True]
    assert (report.status, report.attempts, Report.objects.count()) == (Report.Status.READY, 1, 1)


@pytest.mark.django_db
def test_beat_queues_last_months_reports_at_two_on_the_first(program, settings, django_capture_on_commit_callbacks):
    schedule = settings.CELERY_BEAT_SCHEDULE
    monthly = schedule["monthly-reports"]
    assert monthly["task"] == "reports.tasks.queue_monthly_reports"
    assert (monthly["schedule"].day_of_month, monthly["schedule"].hour, monthly["schedule"].minute) == ({1}, {2}, {0})
    assert schedule["fail-stale-reports"]["task"] == "reports.tasks.fail_stale_reports"
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert tasks.queue_monthly_reports() == 1
    report = Report.objects.get()
    assert report.period_start == services.previous_month(timezone.localdate()) and report.scheduled
    assert len(queued) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_ready_email_leaves_the_report_ready_with_its_files(program, settings, eager_tasks):
    """Real commits, so the after-commit work runs inside report_generate as in a worker."""
    settings.EMAIL_BACKEND = "reports.tests.test_generation.FailingEmailBackend"
    UserFactory(email="second.admin@example.org", role=Role.PROGRAM_ADMIN)
    report = Report.objects.create(program=program, period_start=OCT, period_end=OCT_END, scheduled=True)
    assert services.report_generate(report.pk, str(report.run_token)) is True
    report.refresh_from_db()
    assert (report.status, report.error) == (Report.Status.READY, "")
    assert report.has_files and all(default_storage.exists(name) for name in files_of(report))


@pytest.mark.django_db
def test_a_scheduled_report_queues_its_email_as_its_own_task(
    program, ctx, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(tasks.send_report_ready, "delay", lambda **kwargs: sent.append(kwargs))
    report, _ = request(program, ctx, django_capture_on_commit_callbacks, scheduled=True)
    generate(report, django_capture_on_commit_callbacks)
    assert report.status == Report.Status.READY and sent == [{"report_id": report.pk}] and mail.outbox == []


@pytest.mark.django_db
def test_a_task_sent_with_keyword_arguments_records_why_it_gave_up(program, ctx, django_capture_on_commit_callbacks):
    report, _ = request(program, ctx, django_capture_on_commit_callbacks)
    kwargs = {"report_id": report.pk, "run_token": str(report.run_token)}
    tasks.generate_report.on_failure(ValueError("bad"), "task-id", (), kwargs, None)
    report.refresh_from_db()
    assert (report.status, report.error) == (Report.Status.FAILED, "Gave up after retries. ValueError: bad")


@pytest.mark.django_db
def test_a_redelivered_task_takes_over_a_run_whose_worker_was_killed(
    program, ctx, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_TIME_LIMIT = 300
    report, _ = request(program, ctx, django_capture_on_commit_callbacks)
    started = timezone.now() - datetime.timedelta(seconds=200)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING, started_at=started, attempts=1)
    # Within the time limit the first worker may still be at it.
    assert services.report_generate(report.pk, str(report.run_token)) is False
    Report.objects.filter(pk=report.pk).update(started_at=timezone.now() - datetime.timedelta(seconds=301))
    assert generate(report, django_capture_on_commit_callbacks) is True
    assert (report.status, report.attempts) == (Report.Status.READY, 2)


@pytest.mark.django_db
def test_a_redelivered_schedule_remakes_only_missing_or_failed_reports(
    program, ctx, django_capture_on_commit_callbacks, eager_tasks
):
    # eager_tasks: the scheduled report's ready email runs in-process, not through the broker.
    other = ProgramFactory(agency=program.agency, name="Second")
    done = services.monthly_reports_queue(month=OCT, ctx=ctx, program=program)[0]
    generate(done, django_capture_on_commit_callbacks)
    failed = services.monthly_reports_queue(month=OCT, ctx=ctx, program=other)[0]
    services.report_fail(failed.pk, failed.run_token, "ValueError: bad")
    ready_token = done.run_token
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.monthly_reports_queue(month=OCT, ctx=ctx)
    done.refresh_from_db()
    failed.refresh_from_db()
    assert (done.status, done.run_token) == (Report.Status.READY, ready_token)
    assert failed.status == Report.Status.QUEUED and len(queued) == 1


def test_settings_refuse_a_stale_timeout_within_the_task_time_limit():
    # 6 minutes is 360 s; a soft limit of 400 s makes the hard limit 460 s.
    env = {**os.environ, "REPORT_STALE_MINUTES": "6", "CELERY_TASK_SOFT_TIME_LIMIT": "400"}
    result = subprocess.run(  # noqa: S603 (our own interpreter and a fixed script)
        [sys.executable, "-c", "from django.conf import settings; settings.REPORT_STALE_MINUTES"],
        cwd=Path(__file__).resolve().parents[2],
        env={**env, "DJANGO_SETTINGS_MODULE": "peersupport.settings.test"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "REPORT_STALE_MINUTES (6 minutes) must be longer than the task time limit" in result.stderr
