"""The participant's page reads its few rows once (participants.record): after with_record,
the relations and each row's participant are answered without a query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants.models import Participant
from participants.record import with_record
from participants.tests.factories import CoverageFactory, enrolled_participant


@pytest.mark.django_db
def test_the_record_is_read_once_with_each_rows_participant(django_assert_num_queries, peer):
    person = enrolled_participant(peer)
    CoverageFactory(participant=person)
    person = Participant.objects.get(pk=person.pk)
    with django_assert_num_queries(4):
        with_record(person)
    with CaptureQueriesContext(connection) as asked:
        enrollments, coverages = list(person.enrollments.all()), list(person.coverages.all())
        rows = [*enrollments, *coverages, *person.assignments.all(), *person.consents.all()]
        names = [(row.participant.pk, str(getattr(row, "program", ""))) for row in rows]
    assert not asked.captured_queries, [q["sql"][:100] for q in asked.captured_queries]
    assert enrollments and coverages and all(pk == person.pk for pk, _ in names)
    assert [e.pk for e in enrollments] == list(person.enrollments.values_list("pk", flat=True))
