"""The lists' pager counts no further than anyone pages (``project.pagination``)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations.models import Organisation
from project.pagination import BoundedPaginator


class SmallBound(BoundedPaginator):
    bound = 5


@pytest.mark.django_db
def test_a_list_longer_than_the_bound_holds_its_first_rows_and_says_there_are_more():
    Organisation.objects.bulk_create(
        Organisation(code=f"o{n}", name_km=f"ក្រសួង {n}", kind="ministry") for n in range(12)
    )
    rows = Organisation.objects.filter(code__startswith="o").order_by("code")
    pager = SmallBound(rows, 2)
    with CaptureQueriesContext(connection) as captured:
        assert (pager.count, pager.beyond_bound, pager.num_pages) == (5, True, 3)
    assert len(captured) == 1
    assert "LIMIT 6" in captured[0]["sql"] and "ORDER BY" not in captured[0]["sql"]
    last = pager.page(3)
    assert (last.start_index(), last.end_index(), last.has_next()) == (5, 5, False)


@pytest.mark.django_db
def test_a_list_within_the_bound_is_counted_exactly():
    Organisation.objects.bulk_create(
        Organisation(code=f"o{n}", name_km=f"o{n}", kind="ministry") for n in range(4)
    )
    pager = SmallBound(Organisation.objects.filter(code__startswith="o"), 2)
    assert (pager.count, pager.beyond_bound, pager.num_pages) == (4, False, 2)


@pytest.mark.django_db
def test_a_page_is_found_by_its_keys_and_read_in_the_lists_order():
    """The keys are sorted and skipped without the tables a row shows; the rows, read by key,
    keep the list's order."""
    parent = Organisation.objects.create(code="p", name_km="ក្រសួង", kind="ministry")
    Organisation.objects.bulk_create(
        Organisation(code=f"o{n:02}", name_km=f"o{n}", kind="ministry", parent=parent)
        for n in range(7)
    )
    rows = (
        Organisation.objects.filter(code__startswith="o").select_related("parent").order_by("-code")
    )
    pager = BoundedPaginator(rows, 3)
    pager.count  # noqa: B018 - counted apart
    with CaptureQueriesContext(connection) as captured:
        page = pager.page(2)
        codes = [row.code for row in page]
        parents = {row.parent.code for row in page}
    assert codes == ["o03", "o02", "o01"] and parents == {"p"}
    keys, read = (query["sql"] for query in captured)
    assert "JOIN" not in keys and "LIMIT 3" in keys and "OFFSET 3" in keys
    assert "JOIN" in read  # each row with what it shows, in the same query
