"""A pager that counts no further than anyone pages.

Django's paginator counts every row of a list to number its pages: for the archive of a
director-general who has signed for ten years, or the flow's list of a million tasks, the count
costs more than the page itself, on every page. This one counts up to ``bound`` rows and then
stops: past it, the list says "of more than 1,000" and the person narrows it with its filter.

A page of a queryset is found by its keys first, then its rows are read by key: the database
sorts and skips narrow keys, not the wide rows of every table a row shows, joined for each
candidate before the sort (the director-general's inbox: 7.5 ms for 25 rows out of 400, 2 ms
found by keys)."""

from functools import cached_property

from django.core.paginator import Page, Paginator

COUNT_BOUND = 1000


class BoundedPaginator(Paginator):
    bound = COUNT_BOUND

    @cached_property
    def counted(self) -> int:
        """The rows, up to ``bound + 1``: one more than the bound says there are more. In no
        order: the database stops at the bound by whichever index is quickest, instead of
        walking the list's order past every row it cannot show."""
        rows = self.object_list
        if not hasattr(rows, "order_by"):  # a list, or a sequence that knows its size
            return min(len(rows), self.bound + 1)
        return rows.order_by()[: self.bound + 1].count()

    @cached_property
    def count(self) -> int:
        """The rows the pages hold: all of them, or the first ``bound``."""
        return min(self.counted, self.bound)

    @property
    def beyond_bound(self) -> bool:
        """More rows than the pages hold: the list says so, and its filter finds the rest."""
        return self.counted > self.bound

    def page(self, number) -> Page:
        page = super().page(number)
        rows = page.object_list  # the page's slice of the list, not yet read
        if hasattr(rows, "values_list"):
            keys = list(rows.values_list("pk", flat=True))
            found = self.object_list.order_by().filter(pk__in=keys) if keys else []
            by_key = {row.pk: row for row in found}
            page.object_list = [by_key[key] for key in keys if key in by_key]
        return page
