from django.shortcuts import render

from documents.permissions import instrument_policy
from project.pagination import BoundedPaginator
from search import selectors
from search.forms import SearchForm
from search.rendering import hit_html

PAGE_SIZE = 20


def results(request, *, per_page: int = PAGE_SIZE):
    """The page of results for the query and filters in ``request.GET``: none while a filter
    is refused (the page says which, and keeps the query in its box)."""
    form = SearchForm(request.GET or None, user=request.user)
    valid = form.is_valid()
    q = form.cleaned_data.get("q", "") if form.is_bound else ""
    filters = form.filters()
    entries = selectors.results(request.user, q if valid else "", **filters)
    page = BoundedPaginator(entries, per_page).get_page(request.GET.get("page"))
    hits = selectors.hits(page.object_list, q, inside_words=filters["inside_words"])
    return form, q, page, hits


def search(request):
    form, q, page, hits = results(request)
    # Where a result leads: the editor for whoever reads the working draft, else the process
    # page (the versions sent to them). One answer an instrument: a page's hits share a few.
    reads_draft = {}
    for hit in hits:
        if hit.instrument.pk not in reads_draft:
            reads_draft[hit.instrument.pk] = instrument_policy.user_may(
                request.user, "view", hit.instrument
            )
    shown = [hit_html(hit, reads_draft=reads_draft[hit.instrument.pk]) for hit in hits]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "search/results.html",
        {"form": form, "q": q, "page": page, "hits": shown, "query": query.urlencode()},
    )
