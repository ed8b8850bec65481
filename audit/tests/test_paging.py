"""A bounded page counts no further than a person can use, and every page stays reachable
(over Django's own permissions: a list that is there in every database)."""

import math

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.paging import bounded_page, counted_page


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


@pytest.mark.django_db
def test_a_page_of_a_list_whose_length_is_known_does_not_count_it(rows, django_assert_num_queries):
    """A batch's or a remittance's claims, counted when it was stored; the denial queue's lines,
    counted by reason with the page's other figures. None: counted, as Django does."""
    known, second = rows.count(), list(rows[5:10])
    with django_assert_num_queries(1):  # the page's rows only
        page = counted_page(rows, 5, "2", count=known)
        assert list(page.object_list) == second
    assert (page.paginator.count, page.paginator.num_pages) == (known, math.ceil(known / 5))
    with django_assert_num_queries(2):  # the count, then the rows
        page = counted_page(rows, 5, "2", count=None)
        assert page.paginator.count == known and list(page.object_list) == second
