"""`make bench`'s throughput part (issue 16) on the small demo: it measures billability, one
payer-month's 837P and one monthly report, and leaves the database as it found it."""

import io

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from billing.billability import billable_notes
from billing.models import Claim, ClaimBatch, ClaimLine
from billing.tests.factories import ensure_reference_codes
from peersupport.bench import throughput
from reports.models import Report


def _state() -> dict:
    storage = Report._meta.get_field("pdf").storage
    return {
        "batches": list(ClaimBatch.objects.order_by("pk").values_list("pk", "status", "file_837")),
        "claims": Claim.objects.count(),
        "lines": ClaimLine.objects.count(),
        "reports": list(Report.objects.order_by("pk").values_list("pk", "status", "pdf", "run_token")),
        "audit": AuditEvent.objects.count(),
        "billable": sorted(billable_notes().values_list("pk", flat=True)),
        "report files": sorted(storage.listdir("")[1]) if storage.exists("") else [],
    }


@pytest.mark.django_db
def test_the_throughput_part_measures_three_rows_and_rolls_back():
    ensure_reference_codes()
    call_command("seed_demo", verbosity=0)
    before = _state()

    rows = {row.part: row for row in throughput.run(io.StringIO())}

    assert list(rows) == ["billability", "837P", "monthly report"]
    billability, claims, report = rows["billability"], rows["837P"], rows["monthly report"]
    assert billability.unit == "notes/s" and billability.value > 0
    assert billability.detail["notes"] == len(before["billable"])
    assert billability.detail["ready"] > 0
    assert claims.unit == "lines/s" and claims.value > 0
    assert claims.detail["lines"] > 0 and claims.detail["copy_seconds"] > 0
    assert claims.detail["ratio"] == pytest.approx(claims.detail["seconds"] / claims.detail["copy_seconds"])
    assert report.unit == "s" and report.value > 0
    assert report.detail["status"] == Report.Status.READY.label
    assert all(isinstance(row.passed, bool) for row in rows.values())
    # The batch and the report were rolled back, their files deleted: the notes stay billable.
    assert _state() == before
