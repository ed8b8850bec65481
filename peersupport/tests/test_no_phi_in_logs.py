"""No PHI in logs: errors raised with a participant's name, date of birth, Medicaid ID and note
text in play (500s, a form error, a failed Celery task) leave none of them in the log output.

The 500s are real database errors: a CHECK (false) constraint added for the test (rolled back
with it) makes PostgreSQL refuse the row, and its error names the row's values ("Failing row
contains ..."). The output checked is that of the handler settings.LOGGING configures, with
its own filters and formatter."""

import io
import logging

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from notes.tests.factories import note_data
from participants.forms import ParticipantForm
from participants.models import Coverage
from peersupport.celery import app
from peersupport.log_redaction import RedactRecordValues, redact

NARRATIVE = "Talked through the relapse at Maple Street shelter"
# Built, not written out: a traceback quotes source lines, and the value must come from the row.
NEW_MEDICAID_ID = str(987654320 + 1)


@app.task(name="tests.touch_coverage")
def touch_coverage(coverage_id: int) -> None:
    Coverage.objects.filter(pk=coverage_id).update(member_id=NEW_MEDICAID_ID)


@pytest.fixture
def log_output():
    """What the configured handler writes, for the test's length."""
    handler = next(h for h in logging.getLogger().handlers if any(isinstance(f, RedactRecordValues) for f in h.filters))
    buffer = io.StringIO()
    old = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(old)


def refuse_rows(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the fixtures' deferred checks, done now
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT fault_injected CHECK (false) NOT VALID")


def phi_of(participant) -> list[str]:
    return [participant.first_name, participant.last_name, participant.date_of_birth.isoformat(), "123456789"]


def test_a_500_with_a_participant_in_play_logs_no_name_or_birth_date(participant, peer, log_output):
    client = Client(raise_request_exception=False)
    client.force_login(peer)
    data = {k: v for k, v in model_to_dict(participant, fields=ParticipantForm.Meta.fields).items() if v is not None}
    refuse_rows("participants_participant")
    response = client.post(reverse("participants:edit", args=[participant.pk]), data)
    assert response.status_code == 500
    output = log_output.getvalue()
    assert "Internal Server Error" in output and "fault_injected" in output  # the error is logged
    assert not [value for value in phi_of(participant) if value in output]


def test_a_500_on_a_note_logs_no_note_text(participant, peer, log_output):
    client = Client(raise_request_exception=False)
    client.force_login(peer)
    refuse_rows("participants_sessionnote")  # the notes app kept the table
    response = client.post(reverse("notes:note_new", args=[participant.pk]), note_data(intervention=NARRATIVE))
    assert response.status_code == 500
    output = log_output.getvalue()
    assert "fault_injected" in output
    assert NARRATIVE not in output and "Maple Street" not in output


def test_a_form_error_logs_nothing_that_was_typed(participant, peer, log_output):
    client = Client(raise_request_exception=False)
    client.force_login(peer)
    data = {k: v for k, v in model_to_dict(participant, fields=ParticipantForm.Meta.fields).items() if v is not None}
    response = client.post(reverse("participants:edit", args=[participant.pk]), {**data, "date_of_birth": "1980-02-30"})
    assert response.status_code == 400
    output = log_output.getvalue()
    assert "Bad Request" in output
    assert not [value for value in [*phi_of(participant), "1980-02-30"] if value in output]


def test_a_failed_task_logs_no_medicaid_id(participant, log_output):
    coverage = participant.coverages.get()
    refuse_rows("participants_coverage")
    result = touch_coverage.apply(args=[coverage.pk], throw=False)  # Celery's own tracer logs the failure
    assert result.failed()
    output = log_output.getvalue()
    assert "touch_coverage" in output and "fault_injected" in output
    assert not [value for value in [*phi_of(participant), NEW_MEDICAID_ID] if value in output]


@pytest.mark.parametrize(
    "text",
    [
        'new row violates check constraint "c"\nDETAIL:  Failing row contains (7, Rosa, 1980-05-17).',
        "IntegrityError('duplicate key\\nDETAIL:  Key (member_id)=(123456789) already exists.\\n')",
        'invalid input syntax for type date: "Rosa 1980-05-17"',
    ],
)
def test_row_values_in_database_errors_are_removed(text):
    clean = redact(text)
    assert "Rosa" not in clean and "1980-05-17" not in clean and "123456789" not in clean
