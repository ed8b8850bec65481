import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from programs.validators import validate_npi

from .factories import CertificationFactory, StaffProfileFactory


@pytest.mark.parametrize("npi", ["1234567893", "1245319599"])
def test_valid_npis_pass(npi):
    validate_npi(npi)


@pytest.mark.parametrize(
    ("npi", "message"),
    [("1234567890", "check digit"), ("123456789", "exactly 10 digits"), ("12345abcde", "exactly 10 digits")],
)
def test_bad_npis_are_explained(npi, message):
    with pytest.raises(ValidationError, match=message):
        validate_npi(npi)


@pytest.mark.django_db
def test_is_certified_on_at_the_boundaries():
    profile = StaffProfileFactory()
    CertificationFactory(profile=profile, issued_on=datetime.date(2024, 3, 1), expires_on=datetime.date(2026, 2, 28))
    assert not profile.is_certified_on(datetime.date(2024, 2, 29))  # day before issue
    assert profile.is_certified_on(datetime.date(2024, 3, 1))  # issue day
    assert profile.is_certified_on(datetime.date(2026, 2, 28))  # expiry day still counts
    assert not profile.is_certified_on(datetime.date(2026, 3, 1))  # day after


@pytest.mark.django_db
def test_is_certified_on_after_a_lapse_and_a_renewal():
    profile = StaffProfileFactory()
    CertificationFactory(profile=profile, issued_on=datetime.date(2023, 1, 1), expires_on=datetime.date(2025, 1, 1))
    CertificationFactory(profile=profile, issued_on=datetime.date(2025, 2, 1), expires_on=datetime.date(2027, 2, 1))
    assert profile.is_certified_on(datetime.date(2025, 1, 1))
    assert not profile.is_certified_on(datetime.date(2025, 1, 15))  # the lapse
    assert profile.is_certified_on(datetime.date(2025, 2, 1))
    assert profile.is_certified_on(datetime.date(2026, 6, 1))


@pytest.mark.django_db
def test_the_database_refuses_an_expiry_before_the_issue_date():
    with pytest.raises(IntegrityError):
        CertificationFactory(issued_on=datetime.date(2025, 5, 1), expires_on=datetime.date(2025, 4, 1))
