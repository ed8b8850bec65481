"""The in-force rule (`programs.models.InForce`) on billing's dated records."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing.models import Authorization, FundingSource, Rate
from participants.tests.factories import ParticipantFactory
from programs.tests.factories import ProgramFactory, assert_in_force

ONE = datetime.timedelta(days=1)
# Before the rates the reference data seeds (from 2024-01-01, open-ended).
D = datetime.date(2022, 3, 1)  # first day
E = datetime.date(2022, 9, 30)  # last day
LATER = datetime.date(2030, 1, 1)


def _rate(code, start, end=None) -> Rate:
    return Rate(service_code=code, rate_per_unit=Decimal("4.50"), effective_from=start, effective_to=end)


def test_a_rate_is_in_force_from_its_first_through_its_last_day_or_on_when_open(tx_code):
    closed, open_ = Rate.objects.bulk_create([_rate(tx_code, D, E), _rate(tx_code, D)])
    assert_in_force(
        [closed, open_],
        {D - ONE: [], D: [closed, open_], E: [closed, open_], E + ONE: [open_], LATER: [open_]},
    )


def test_a_funding_source_is_in_force_from_its_first_through_its_last_day_or_on_when_open(db):
    program = ProgramFactory()
    closed = FundingSource.objects.create(program=program, name="Block", kind="block_grant", start_date=D, end_date=E)
    open_ = FundingSource.objects.create(program=program, name="SOR", kind="samhsa", start_date=D)
    assert_in_force(
        [closed, open_],
        {D - ONE: [], D: [closed, open_], E: [closed, open_], E + ONE: [open_], LATER: [open_]},
    )
    assert list(FundingSource.objects.current()) == [open_]


def test_an_authorization_is_in_force_from_its_first_through_its_last_day(tx_code):
    authorization = Authorization.objects.create(
        participant=ParticipantFactory(), service_code=tx_code, number="A-1", units_authorized=24,
        start_date=D, end_date=E,
    )  # fmt: skip
    assert_in_force([authorization], {D - ONE: [], D: [authorization], E: [authorization], E + ONE: []})


def test_a_rate_may_start_the_day_after_the_last_one_ends_but_must_not_overlap_another(tx_code):
    _rate(tx_code, D, E).save()
    _rate(tx_code, E + ONE, datetime.date(2023, 12, 31)).full_clean()
    for start, end in [
        (E, datetime.date(2023, 12, 31)),  # starts on the earlier rate's last day
        (D - 10 * ONE, D),  # ends on its first day
        (E + ONE, None),  # open-ended: meets the seeded rate from 2024
    ]:
        with pytest.raises(ValidationError, match="overlap another rate"):
            _rate(tx_code, start, end).full_clean()


@pytest.mark.django_db
def test_every_dated_record_refuses_a_last_day_before_its_first_in_its_own_words():
    from participants.models import Consent, Coverage, Enrollment

    day, before = datetime.date(2026, 5, 10), datetime.date(2026, 5, 9)
    cases = [
        (
            Enrollment(start_date=day, end_date=before),
            "end_date",
            "The discharge date can't be before the enrollment start.",
        ),
        (Coverage(start_date=day, end_date=before), "end_date", "The end date can't be before the start date."),
        (
            Consent(signed_on=day, expires_on=before),
            "expires_on",
            "The expiry date can't be before the signature date.",
        ),
        (Rate(effective_from=day, effective_to=before), "effective_to", "The end date can't be before the start date."),
        (Authorization(start_date=day, end_date=before), "end_date", "The end date can't be before the start date."),
    ]
    for record, field, message in cases:
        assert record.range_errors() == {field: message}
        record_ok = type(record)(**{record.in_force_from: day, record.in_force_until: day})
        assert record_ok.range_errors() == {}
        try:
            record.clean()
        except ValidationError as error:
            assert message in error.message_dict[field]
        else:
            raise AssertionError(f"{type(record).__name__} took a last day before its first")
