"""A bounded page counts no further than a person can use, and every page stays reachable
(over Django's own permissions: a list that is there in every database)."""

import math

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.paging import bounded_page


@pytest.fixture
def rows():
    rows = Permission.objects.order_by("pk")
    assert rows.count() > 40
    return rows


@pytest.mark.django_db
def test_a_short_list_is_counted_exactly(rows):
    page = bounded_page(rows, 5, "2", bound=10_000)
    assert (page.paginator.count, page.paginator.more, page.number, page.has_next()) == (rows.count(), False, 2, True)


@pytest.mark.django_db
def test_a_long_list_is_counted_to_the_bound_and_says_there_is_more(rows):
    with CaptureQueriesContext(connection) as counting:
        page = bounded_page(rows, 5, None, bound=10)
    assert (page.paginator.count, page.paginator.more, page.paginator.num_pages) == (10, True, 2)
    assert "LIMIT 11" in counting.captured_queries[0]["sql"]  # never a COUNT(*) of the whole list


@pytest.mark.django_db
def test_every_page_stays_reachable_page_by_page_past_the_bound(rows):
    seen, number = [], 1
    while True:
        page = bounded_page(rows, 5, str(number), bound=5)
        seen += list(page.object_list)
        if not page.has_next():
            break
        number = page.next_page_number()
    assert seen == list(rows)


@pytest.mark.django_db
def test_what_is_not_a_page_gives_the_first_and_a_page_past_the_end_the_last(rows):
    assert bounded_page(rows, 5, "x", bound=10_000).number == 1
    last = bounded_page(rows, 5, "9999", bound=10)
    assert last.number == last.paginator.num_pages == math.ceil(rows.count() / 5) and not last.has_next()
