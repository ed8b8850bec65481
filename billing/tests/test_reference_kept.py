"""Billing's reference data is kept per process while its version stands (billing/reference_kept.py,
issue 16): an assessment reads it again after any write to it, and never keeps a rolled-back one."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from billing import reference_kept
from billing.assessment import GRANT, HOLD, READY
from billing.billability import assess, billable_notes
from billing.models import CombinedDailyCap, FundingSource, Rate, ServiceCode
from notes.tests.factories import signed_note

from .factories import TODAY, days_ago

pytestmark = pytest.mark.django_db

REFERENCE_TABLES = ('"billing_servicecode"', '"billing_rate"', '"billing_fundingsource"')


def _assessed():
    """The one note's assessment, and whether it read the reference data."""
    with CaptureQueriesContext(connection) as queries:
        [a] = assess(billable_notes())
    read = any(f"FROM {table}" in q["sql"] for q in queries.captured_queries for table in REFERENCE_TABLES)
    return a, read


def _summary(a):
    return (a.status, [r.text for r in a.reasons], a.code and a.code.pk, a.units, a.rate, a.funding and a.funding.pk)


def test_the_reference_data_is_read_once_while_unchanged(person, author):
    signed_note(person, author, day=days_ago(3))
    first, _ = _assessed()
    again, read = _assessed()
    assert not read and first.status == READY and _summary(again) == _summary(first)


@pytest.mark.parametrize(
    "change",
    [
        lambda code: Rate.objects.filter(service_code=code).update(effective_from=TODAY),  # no rate on the day
        lambda code: ServiceCode.objects.filter(pk=code.pk).update(daily_unit_cap=1),
        lambda code: Rate.objects.filter(service_code=code).delete(),
    ],
)
def test_every_write_to_it_is_read_at_the_next_assessment(person, author, tx_code, change):
    signed_note(person, author, day=days_ago(3))
    before, _ = _assessed()
    change(tx_code)
    after, read = _assessed()
    reference_kept._kept.clear()
    afresh, _ = _assessed()
    assert read and _summary(after) == _summary(afresh) != _summary(before)


def test_a_changed_combined_cap_is_read(person, author, tx_code):
    cap = CombinedDailyCap.objects.create(billing_program=tx_code.billing_program, name="All", daily_minutes=480)
    ServiceCode.objects.filter(pk=tx_code.pk).update(combined_daily_cap=cap)
    signed_note(person, author, day=days_ago(3))
    before, _ = _assessed()
    CombinedDailyCap.objects.filter(pk=cap.pk).update(daily_minutes=tx_code.unit_minutes)
    after, read = _assessed()
    assert read and (before.units, after.units) == (3, 1)


def test_a_new_funding_source_and_a_renamed_program_are_read(person, author, program):
    person.coverages.update(start_date=days_ago(2))
    signed_note(person, author, day=days_ago(3))
    assert _assessed()[0].status == HOLD
    source = FundingSource.objects.create(program=program, name="SOR grant", kind="samhsa", start_date=days_ago(365))
    a, read = _assessed()
    assert read and (a.status, a.funding) == (GRANT, source)
    program.name = "Renamed"
    program.save()
    assert _assessed()[1]


def test_a_rolled_back_change_is_never_kept(person, author, tx_code):
    signed_note(person, author, day=days_ago(3))
    before, _ = _assessed()
    with pytest.raises(RuntimeError), transaction.atomic():
        Rate.objects.filter(service_code=tx_code).update(rate_per_unit="0.01")
        assert _assessed()[0].rate.compare(before.rate) != 0  # read, and kept, inside
        raise RuntimeError
    after, read = _assessed()
    assert read and _summary(after) == _summary(before)
