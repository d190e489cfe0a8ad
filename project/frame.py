"""The application's frame (viewflow's side menu with the person's inbox and queue, the top
bar) on every page, not only on the pages of the viewflow site.

Viewflow's ``base.html`` reads ``site``, ``app`` and ``viewset`` from ``request.resolver_match``,
where its ``SiteMiddleware`` puts them for the URLs of the site (``project.urls.site.urls``).
Lekhit's pages mounted beside the site (the instrument's process page, the matrix, Away,
notifications, deadlines, the error pages) had none: they fell out of the frame into a bare
bar. :class:`SiteFrameMiddleware` gives a signed-in person's pages there the site and the
Tasks application, as viewflow gives its own; :func:`site_frame` adds the inbox and queue
that the Tasks menu counts, which viewflow adds only to its own views' responses.
"""

from django.urls import ResolverMatch


def _site_and_tasks():
    from project.urls import site, tasks_app  # the URLconf imports every view: at call time

    return site, tasks_app


def frame(request) -> None:
    """Put the site and the Tasks application on ``request.resolver_match`` for a signed-in
    person's page outside the site. Also for a page no URL matched (the 404 handler)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return  # the menu is a signed-in person's; a public page keeps the bare bar
    match = getattr(request, "resolver_match", None)
    if match is None:
        match = request.resolver_match = ResolverMatch(lambda r: None, (), {}, url_name="")
    if getattr(match, "site", None) is not None:
        return  # a page of the viewflow site: viewflow's own frame
    site, tasks_app = _site_and_tasks()
    # The Tasks menu only for whom viewflow would let in (a ministry head holds no step):
    # the site's menu alone for the others, as on viewflow's own pages.
    app = tasks_app if tasks_app.has_view_permission(user) else None
    match.site, match.app, match.viewset = site, app, app
    match.lekhit_frame = True


class SiteFrameMiddleware:
    """After viewflow's ``SiteMiddleware``: frames the pages it leaves bare."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, callback, callback_args, callback_kwargs):
        frame(request)


def site_frame(request):
    """The inbox and queue querysets the Tasks menu counts, on the pages framed above (lazy:
    each counted once where the menu is drawn)."""
    match = getattr(request, "resolver_match", None)
    if not getattr(match, "lekhit_frame", False) or match.app is None:
        return {}
    return match.app.get_context_data(request)
