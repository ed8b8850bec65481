"""A test run never crosses the agency's midnight.

The suite's modules read "today" once, when they are imported (`TODAY = timezone.localdate()`),
and compare it with the dates the app computes as the tests run: a run that crosses midnight in
the agency's time zone compares yesterday's dates with today's and fails by a day (22 tests in a
CI rehearsal started at 23:59 in Chicago). So a run that starts within MARGIN of midnight waits
for the new day first: `make test` runs this module before pytest (a whole run takes about 8
minutes). Not a pytest hook: the root conftest's imports already read "today"."""

import datetime
import os

from django.utils import timezone

from audit.tests.waiting import wait_until

MARGIN = datetime.timedelta(minutes=15)


def seconds_to_wait(now: datetime.datetime, margin: datetime.timedelta = MARGIN) -> float:
    """0 when `now` (aware) is further than `margin` from the next local midnight; else about
    how long until it (what the wait announces; the wait itself watches the date change)."""
    local = timezone.localtime(now)
    midnight = timezone.make_aware(
        datetime.datetime.combine(local.date() + datetime.timedelta(days=1), datetime.time.min)
    )
    left = (midnight - local).total_seconds()
    return left + 5 if left < margin.total_seconds() else 0.0


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersupport.settings.test")
    django.setup()
    wait = seconds_to_wait(timezone.now())
    if wait:
        zone = timezone.get_current_timezone_name()
        print(f"Waiting {wait:.0f} s for midnight in {zone}: the tests read today's date once, at import.")  # noqa: T201
        day = timezone.localdate()
        wait_until(lambda: timezone.localdate() != day, timeout=wait + 60, what="the agency's new day")
