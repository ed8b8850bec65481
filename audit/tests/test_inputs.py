"""The one definition of input limits: plausible dates, text lengths, NUL, posted ids."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.inputs import EARLIEST_DATE, latest_date, local_path, plausible_date, whole_number, whole_numbers


@pytest.mark.parametrize("day", [EARLIEST_DATE, datetime.date(1961, 2, 28), None])
def test_a_plausible_date_passes(day):
    plausible_date(day)
    plausible_date(latest_date())


@pytest.mark.parametrize(
    ("day", "message"),
    [(datetime.date(1, 1, 1), "before 1900"), (datetime.date(1899, 12, 31), "before 1900"),
     (datetime.date(9999, 12, 31), "10 years ahead")],
)  # fmt: skip
def test_a_date_out_of_range_is_refused_with_its_reason(day, message):
    with pytest.raises(ValidationError, match=message):
        plausible_date(day)


def test_the_latest_date_is_ten_years_ahead_even_from_a_leap_day():
    assert latest_date(datetime.date(2028, 2, 29)) == datetime.date(2038, 2, 28)
    assert latest_date() > timezone.localdate()


def test_posted_ids_are_ascii_digits_that_fit_an_integer():
    # "²" and "١" are digits to str.isdigit(); int("²") raises, which was a 500.
    assert whole_numbers(["12", "²", "١", "-3", "1e3", "", "99999999999", " 7", "0008"]) == [12, 8]
    assert whole_number(None) is None and whole_number("²") is None and whole_number("42") == 42
    assert whole_numbers([str(n) for n in range(5)], limit=3) == [0, 1, 2]


@pytest.mark.parametrize(
    ("value", "kept"),
    [("/staff/invitations/?status=pending", True), ("-402940209", False), ("è", False), ("a\x00b", False),
     ("//evil.example/", False), ("https://evil.example/", False), ("", False), (None, False)],
)  # fmt: skip
def test_a_next_address_is_kept_only_when_it_is_a_path_here(value, kept):
    # A bare word was handed to redirect(), which took it for a view name: NoReverseMatch, a 500.
    assert local_path(value, host="testserver", https=False) == (value if kept else "")
