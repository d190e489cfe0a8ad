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
