from django.shortcuts import render
from django.urls import reverse

from documents.permissions import instrument_policy
from project.pagination import BoundedPaginator
from search import selectors
from search.forms import SearchForm

PAGE_SIZE = 20


def results(request, *, per_page: int = PAGE_SIZE):
    """The page of results for the query and filters in ``request.GET`` (view and API)."""
    form = SearchForm(request.GET or None)
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    filters = form.filters() if form.is_bound else {}
    entries = selectors.results(request.user, q, **filters)
    page = BoundedPaginator(entries, per_page).get_page(request.GET.get("page"))
    hits = selectors.hits(page.object_list, q, inside_words=filters.get("inside_words", False))
    return form, q, page, hits


def search(request):
    form, q, page, hits = results(request)
    # Where a result leads: the editor for whoever reads the working draft, else the process
    # page (the versions sent to them).
    for hit in hits:
        hit.reads_draft = instrument_policy.user_may(request.user, "view", hit.instrument)
        name = "documents:instrument" if hit.reads_draft else "workflows:instrument_process"
        hit.url = reverse(name, args=[hit.instrument.pk])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "search/results.html",
        {"form": form, "q": q, "page": page, "hits": hits, "query": query.urlencode()},
    )
