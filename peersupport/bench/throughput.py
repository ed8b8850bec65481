"""`make bench`, parts 2 to 4 (issue 16): how fast billing and reports run on an agency's data.

- Billability: every unbilled signed note assessed at once, as the billing work page assesses
  its window (billing.billability.assess): notes per second.
- 837P: the largest payer-month of ready notes built into a batch and exported (the services
  the batch pages call: batch_build, then batch_export, which writes the file and runs our own
  checks), in lines per second and against PostgreSQL's COPY of the same lines' columns in the
  same run, so a slower machine moves both figures and the ratio stays. pyx12's reading of the
  file, which a worker does after the export commits (billing.file_check), is not measured: the
  bench's transaction never commits, and the file is offered only once pyx12 has passed it.
- Monthly report: the largest program-month generated in every format, in process, by the
  function the Celery task runs (reports.services.report_generate): seconds.

The 837P and the report write rows; both run in a transaction rolled back at the end, and the
report's files are deleted, so the bench leaves the database as it found it and the notes stay
billable for the next run.
"""

import datetime
import io
import time
import uuid
from collections import Counter

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from accounts.roles import Role
from audit.context import AuditContext
from billing.assessment import READY
from billing.billability import assess, billable_notes
from billing.models import Claim, ClaimLine
from billing.services import batch_build, batch_export
from notes.models import SessionNote
from participants.models import Enrollment, Participant
from programs.models import Payer, Program
from reports import render as report_render
from reports import services as report_services
from reports.models import Report

from . import Row

NOTES_PER_SECOND = 20_000
LINES_PER_SECOND = 50_000
TIMES_COPY = 8
REPORT_SECONDS = 10


def run(stdout) -> list[Row]:
    row, payer_month = billability()
    rows = [row]
    if payer_month is None:
        stdout.write("No ready note to bill: the 837P is not measured.")
    else:
        rows.append(batch_837p(*payer_month))
    program_month = largest_program_month()
    if program_month is None:
        stdout.write("No signed note in any program: the monthly report is not measured.")
    else:
        rows.append(monthly_report(*program_month))
    return rows


def _bench_context() -> AuditContext:
    """The bench acts as the first billing user, who builds and exports batches, as a command
    run on their behalf."""
    actor = get_user_model().objects.filter(groups__name=Role.BILLING, is_active=True).order_by("pk").first()
    return AuditContext.for_command(actor, "bench")


def billability() -> tuple[Row, tuple | None]:
    """Assess every billable note. Also returns the (payer, first day, note ids) with the most
    ready notes in one month of service, the batch the 837P part builds."""
    started = time.perf_counter()
    assessments = assess(billable_notes())
    seconds = time.perf_counter() - started
    rate = len(assessments) / seconds if assessments else 0.0
    ready: dict[tuple, list[int]] = {}
    for a in assessments:
        if a.status == READY:
            ready.setdefault((a.coverage.payer_id, a.note.date.replace(day=1)), []).append(a.note.pk)
    statuses = Counter(a.status for a in assessments)
    row = Row(
        part="billability",
        name="assess every unbilled signed note",
        value=rate,
        unit="notes/s",
        budget=f"≥ {NOTES_PER_SECOND:,} notes/s",
        passed=rate >= NOTES_PER_SECOND,
        detail={"notes": len(assessments), "seconds": seconds, **statuses},
    )
    if not ready:
        return row, None
    (payer_id, month), note_ids = max(ready.items(), key=lambda item: len(item[1]))
    return row, (Payer.objects.get(pk=payer_id), month, note_ids)


def batch_837p(payer: Payer, month: datetime.date, note_ids: list[int]) -> Row:
    """Build and export one payer-month, then COPY the same lines' columns, all rolled back."""
    ctx = _bench_context()
    with transaction.atomic():
        started = time.perf_counter()
        batch = batch_build(payer=payer, note_ids=note_ids, ctx=ctx)
        built = time.perf_counter()
        batch = batch_export(batch=batch, ctx=ctx)
        exported = time.perf_counter()
        lines = ClaimLine.objects.filter(claim__batch=batch).count()
        copy_seconds = _copy_seconds(batch.pk)
        transaction.set_rollback(True)
    seconds = exported - started
    rate, ratio = lines / seconds, seconds / copy_seconds
    return Row(
        part="837P",
        name=f"build and export {payer} {month:%Y-%m}",
        value=rate,
        unit="lines/s",
        budget=f"≥ {LINES_PER_SECOND:,} lines/s, ≤ {TIMES_COPY}× COPY",
        passed=rate >= LINES_PER_SECOND and ratio <= TIMES_COPY,
        detail={
            "lines": lines,
            "seconds": seconds,
            "build_seconds": built - started,
            "export_seconds": exported - built,
            "copy_seconds": copy_seconds,
            "ratio": ratio,
        },
    )


def _copy_seconds(batch_id: int) -> float:
    """PostgreSQL writing the columns the 837P carries for each line of the batch (the line, its
    claim and its participant) as text: the floor for turning these rows into a file."""
    line, claim, person = (m._meta.db_table for m in (ClaimLine, Claim, Participant))
    sql = (
        "COPY (SELECT c.id, c.member_id, c.frequency, c.diagnosis_codes, p.first_name, p.last_name, "  # noqa: S608 (names from the models)
        "p.address_line1, p.city, p.state, p.zip_code, p.date_of_birth, l.hcpcs, l.modifiers, l.units, "
        "l.charge, l.place_of_service, l.service_date, l.diagnosis_pointer "
        f"FROM {line} l JOIN {claim} c ON c.id = l.claim_id JOIN {person} p ON p.id = c.participant_id "
        f"WHERE c.batch_id = {int(batch_id)} ORDER BY c.id, l.id) TO STDOUT"
    )
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.copy_expert(sql, io.StringIO())
        return time.perf_counter() - started


def largest_program_month() -> tuple[Program, datetime.date] | None:
    """The (program, first day of a month) with the most notes of sessions within an
    enrollment in the program: the biggest monthly report there is to make."""
    note, enrollment = SessionNote._meta.db_table, Enrollment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.program_id, date_trunc('month', n.date)::date, count(*) FROM {note} n "  # noqa: S608 (names from the models)
            f"JOIN {enrollment} e ON e.participant_id = n.participant_id AND e.start_date <= n.date "
            "AND (e.end_date IS NULL OR e.end_date >= n.date) GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 1"
        )
        found = cursor.fetchone()
    return (Program.objects.get(pk=found[0]), found[1]) if found else None


def monthly_report(program: Program, month: datetime.date) -> Row:
    """Generate the program's report of the month (figures, PDF, Excel and CSV) as a worker
    does. Its row is rolled back and the files it wrote are deleted."""
    start, end = report_services.month_bounds(month)
    files = []
    report_render.load_pdf_engine()  # as a worker does when it starts (reports.tasks), not per report
    with transaction.atomic():
        # A run of our own, whatever report the seed holds for the month (the row is rolled back).
        Report.objects.filter(program=program, period_start=start, period_end=end).delete()
        token = uuid.uuid4()
        report = Report.objects.create(program=program, period_start=start, period_end=end, run_token=token)
        started = time.perf_counter()
        done = report_services.report_generate(report.pk, str(token))
        seconds = time.perf_counter() - started
        report.refresh_from_db()
        files = [getattr(report, name).name for name in report_services.FILE_FIELDS]
        status = report.get_status_display()
        transaction.set_rollback(True)
    storage = Report._meta.get_field("pdf").storage
    for name in filter(None, files):
        storage.delete(name)
    passed = done and status == Report.Status.READY.label and seconds < REPORT_SECONDS
    return Row(
        part="monthly report",
        name=f"{program} {month:%Y-%m}, PDF, Excel and CSV",
        value=seconds,
        unit="s",
        budget=f"< {REPORT_SECONDS} s",
        passed=passed,
        detail={"status": status},
    )
