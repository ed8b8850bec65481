"""Pages over lists whose length follows history: counted only as far as a person can use."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Rows counted before a list says "more than": beyond this, a count reads a large part of an
# index on every request for a figure no one acts on (164,000 notes awaiting billing took
# 100 ms to count on the large demo; 10,000 take a few).
COUNT_BOUND = 10_000


class BoundedPaginator(Paginator):
    """Counts at most `bound` rows, and always one page past the page asked for, so that every
    page stays reachable page by page. `more`: the list goes on past what was counted; `count`
    is then the bound, to be shown as "more than"."""

    def __init__(self, object_list, per_page, number=None, *, bound: int | None = None):
        super().__init__(object_list, per_page)
        bound = COUNT_BOUND if bound is None else bound
        try:
            asked = max(int(number), 1)
        except (TypeError, ValueError):
            asked = 1
        self.bound = max(bound, (asked + 1) * per_page)

    @cached_property
    def _counted(self) -> int:
        # COUNT(*) over a LIMITed subquery, unordered: which rows make up the first bound + 1
        # does not change how many there are, and sorting them first cost as much as counting.
        return self.object_list.order_by()[: self.bound + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.bound)

    @cached_property
    def more(self) -> bool:
        return self._counted > self.bound


def counted_page(object_list, per_page: int, number=None, *, count: int | None):
    """Page `number` of `object_list` as Paginator.get_page gives it, for a list whose length is
    known without counting it (stored with its record, or counted with other figures):
    Paginator.count is a cached property, and given, it is not queried. None: counted."""
    paginator = Paginator(object_list, per_page)
    if count is not None:
        paginator.count = count
    return paginator.get_page(number)


def bounded_page(object_list, per_page: int, number=None, *, bound: int | None = None):
    """Page `number` of `object_list` as Paginator.get_page gives it (the first page for what is
    not a number, the last counted for a number past it), counted at most to the bound."""
    return BoundedPaginator(object_list, per_page, number, bound=bound).get_page(number)
