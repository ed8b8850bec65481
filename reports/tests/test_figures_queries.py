"""The whole report, every section together: a program-month with 10 notes and one with
1,000 read the same number of queries (each section's own test checks it on its own)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.tests.factories import reference_kept
from notes.models import SessionNote
from programs.tests.factories import ProgramFactory
from reports.figures import all_sections

from .month import END, START, at, october, person, specialist

pytestmark = pytest.mark.django_db


def _month_of_notes(program, count: int) -> None:
    author = specialist(program, "Ana", "Alvarez")
    people = [person(program, datetime.date(2026, 9, 1), to=author) for _ in range(5)]
    SessionNote.objects.bulk_create(
        SessionNote(
            participant=people[i % 5], author=author, status=SessionNote.Status.COSIGNED, date=october(1 + i % 31),
            start_time=datetime.time(10), end_time=datetime.time(10, 30), modality="in_person",
            place_of_service="99", signed_at=at(october(1 + i % 31)),
        )
        for i in range(count)
    )  # fmt: skip


def test_a_report_reads_the_same_queries_for_10_or_1000_notes(agency):
    small, large = ProgramFactory(agency=agency, name="Small"), ProgramFactory(agency=agency, name="Large")
    _month_of_notes(small, 10)
    _month_of_notes(large, 1000)
    counts = []
    for program in (small, large):
        reference_kept()  # billing's reference data kept, as after any assessment before
        with CaptureQueriesContext(connection) as queries:
            sections = all_sections(program, START, END)
        counts.append(len(queries))
        services = next(s for s in sections if s["key"] == "services")
        assert next(n["value"] for n in services["numbers"] if n["label"] == "Sessions") in (10, 1000)
    assert counts[0] == counts[1]
