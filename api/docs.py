"""The API's documentation page: Swagger UI, served by Lekhit itself (drf-spectacular-sidecar's
copy under /static/, no CDN), its start-up script fetched from this page's own address (so
the Content-Security-Policy needs no inline script), its one inline style with the nonce."""

from django.contrib.auth.decorators import login_not_required
from drf_spectacular.views import SpectacularSwaggerSplitView


class DocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"

    @classmethod
    def as_view(cls, **initkwargs):
        return login_not_required(super().as_view(**initkwargs))
