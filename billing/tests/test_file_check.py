"""pyx12 reads each exported 837P after the export commits (billing.file_check, issue 16): the
export runs our own checks only, and the 837P is offered once pyx12 has passed it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.context import AuditContext
from billing import file_check, services, tasks
from billing.models import ClaimBatch
from billing.validation import check_837p, export_problems
from billing.x12 import ExportError
from notes.tests.factories import signed_note

from .factories import bill, billable_participant, days_ago, reference_kept
from .x12_validation import assert_valid, with_an_unknown_filing_indicator


@pytest.fixture
def eager_tasks():
    """Tasks run in-process, as they do with no broker configured."""
    conf = tasks.check_batch_file.app.conf
    before, conf.task_always_eager = conf.task_always_eager, True
    yield
    conf.task_always_eager = before


def _export(batch, user, django_capture_on_commit_callbacks, *, execute):
    with django_capture_on_commit_callbacks(execute=execute) as queued:
        services.batch_export(batch=batch, ctx=AuditContext(user))
    batch.refresh_from_db()
    return batch, queued


def _download_837(client, batch):
    return client.get(reverse("billing:batch_download", args=[batch.pk, "837p"]))


@pytest.mark.django_db
def test_the_export_queues_pyx12_and_offers_the_837p_once_it_passed(
    client, billing_user, identity, payer, person, author, django_capture_on_commit_callbacks, eager_tasks
):
    batch = bill(payer, [signed_note(person, author)])
    batch, queued = _export(batch, billing_user, django_capture_on_commit_callbacks, execute=False)
    assert batch.is_frozen and batch.pyx12_checked_at is None and len(queued) == 1
    client.force_login(billing_user)
    page = client.get(reverse("billing:batch_detail", args=[batch.pk])).content.decode()
    assert "pyx12 is checking the 837P" in page and ">Download 837P<" not in page

    queued[0]()  # the commit: the task runs (eagerly here, as a worker would)
    batch.refresh_from_db()
    assert batch.pyx12_passed and batch.pyx12_errors == []
    page = client.get(reverse("billing:batch_detail", args=[batch.pk])).content.decode()
    assert "Checked by pyx12" in page and ">Download 837P<" in page
    assert _download_837(client, batch).content.decode() == batch.file_837


@pytest.mark.django_db
def test_a_download_before_the_worker_got_to_it_runs_pyx12_first(
    client, billing_user, identity, payer, person, author, django_capture_on_commit_callbacks
):
    batch = bill(payer, [signed_note(person, author)])
    batch, _ = _export(batch, billing_user, django_capture_on_commit_callbacks, execute=False)  # the task is lost
    client.force_login(billing_user)
    assert _download_837(client, batch).status_code == 200
    batch.refresh_from_db()
    assert batch.pyx12_passed


@pytest.mark.django_db
@pytest.mark.pyx12_rejects
def test_an_837p_pyx12_rejects_is_never_offered_and_its_page_says_why(
    client, billing_user, identity, payer, person, author, django_capture_on_commit_callbacks
):
    batch = bill(payer, [signed_note(person, author)])
    batch, _ = _export(batch, billing_user, django_capture_on_commit_callbacks, execute=False)
    broken = with_an_unknown_filing_indicator(batch.file_837)
    assert export_problems(broken) == []
    ClaimBatch.objects.filter(pk=batch.pk).update(file_837=broken)

    assert tasks.check_batch_file(batch.pk) is False
    batch.refresh_from_db()
    assert batch.pyx12_failed and not batch.pyx12_passed
    assert any("SBR" in p["message"] for p in batch.pyx12_errors), batch.pyx12_errors
    client.force_login(billing_user)
    assert _download_837(client, batch).status_code == 404
    with pytest.raises(ExportError, match="pyx12 found problems"):
        services.batch_download(batch=batch, fmt="837p", ctx=AuditContext(billing_user))
    page = client.get(reverse("billing:batch_detail", args=[batch.pk])).content.decode()
    assert "pyx12 found problems in this 837P" in page and ">Download 837P<" not in page
    assert client.get(reverse("billing:batch_download", args=[batch.pk, "csv"])).status_code == 200
    # Checked once: a second delivery of the task changes nothing.
    checked_at = batch.pyx12_checked_at
    assert file_check.check_batch_file(batch.pk) is False
    batch.refresh_from_db()
    assert batch.pyx12_checked_at == checked_at


def _replace_segment(text: str, tag: str, new: str) -> str:
    segments = text.strip().rstrip("~").split("~")
    return "~".join(new if s.startswith(f"{tag}*") else s for s in segments) + "~\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda t: _replace_segment(t, "GE", "GE*2*" + t.split("GE*")[1].split("*")[1].split("~")[0]), "GE must"),
        (lambda t: _replace_segment(t, "IEA", "IEA*1*000000999"), "IEA must"),
        (lambda t: t.replace("~IEA*", "~X*", 1), "not one ISA/GS/ST"),
        (lambda t: _replace_segment(t, "SE", "SE*" + t.split("SE*")[1].split("*")[0] + "*0002"), "SE02"),
        (lambda t: t.replace("~NM1*PR*2*", "~NM1*XX*2*", 1), r"Payer Name \(NM1\): Mandatory segment"),
        (lambda t: t.replace("~DTP*472*", "~DTP*999*", 1), "date of service"),
        (lambda t: t.replace("~N3*", "~N3*" + "A" * 60, 1), "N301 is longer than 55"),
    ],
)
def test_our_own_checks_at_export_catch_a_broken_envelope_or_claim(identity, payer, person, author, tamper, message):
    batch = services.batch_export(batch=bill(payer, [signed_note(person, author)]), ctx=AuditContext(author))
    assert_valid(batch.file_837)
    with pytest.raises(ExportError, match=message):
        check_837p(tamper(batch.file_837))


def _build_and_export_counting(payer, author, notes):
    reference_kept()
    with CaptureQueriesContext(connection) as build:
        batch = bill(payer, notes)
    with CaptureQueriesContext(connection) as export:
        services.batch_export(batch=batch, ctx=AuditContext(author))
    return len(build.captured_queries), len(export.captured_queries)


@pytest.mark.django_db
def test_building_and_exporting_a_batch_take_the_same_queries_at_any_size(identity, payer, author, program, person):
    small = _build_and_export_counting(payer, author, [signed_note(person, author)])
    people = [billable_participant(author, program, payer, first_name=f"P{i}", last_name="Lee") for i in range(4)]
    notes = [signed_note(p, author, day=days_ago(d)) for p in people for d in (3, 5)]
    assert _build_and_export_counting(payer, author, notes) == small
