import datetime

from django.utils import timezone

from .midnight import MARGIN, seconds_to_wait


def _local(hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 11, 24, hour, minute))  # noqa: DTZ001 (local time)


def test_a_run_started_just_before_local_midnight_waits_for_the_new_day():
    assert seconds_to_wait(_local(23, 59)) == 65
    assert seconds_to_wait(_local(23, 50)) == 605


def test_a_run_started_earlier_does_not_wait():
    assert seconds_to_wait(_local(23, 40)) == 0
    assert seconds_to_wait(_local(0, 1)) == 0
    assert seconds_to_wait(_local(12, 0)) == 0
    # Midnight is the agency's, not UTC's: 05:55 UTC is 23:55 in Chicago in November.
    assert seconds_to_wait(datetime.datetime(2026, 11, 25, 5, 55, tzinfo=datetime.UTC)) == 305
    assert datetime.timedelta(minutes=15) == MARGIN
