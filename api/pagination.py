from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """Every list: ``?page=`` and ``?page_size=`` (at most 200)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
