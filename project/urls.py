from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition
from django.views.i18n import JavaScriptCatalog
from viewflow.contrib.auth import AuthViewset
from viewflow.urls import Site

from organisations.forms import PasswordChangeForm
from organisations.views import ProfileView, SignInView, away, home, language_switch
from oversight.viewsets import OversightApp
from project.i18n import catalogue_etag
from project.security import ThrottledPasswordChangeView, ThrottledPasswordResetView
from tasks.views import health
from workflows.flows import ApprovalFlow
from workflows.views import verify, verify_hash, verify_pdf, verify_text
from workflows.viewsets import ApprovalFlowViewset, InstrumentsApp, LekhitWorkflowApp

# The Tasks application (inbox, queue, archive): its menu frames the pages beside the site
# too (project.frame).
tasks_app = LekhitWorkflowApp(
    title=_("Tasks"),
    icon="assignment",
    flow_viewsets=[ApprovalFlowViewset(ApprovalFlow, icon="gavel")],
)

site = Site(
    title=_("Lekhit"),
    primary_color="#0b3d6e",
    secondary_color="#b8860b",
    viewsets=[
        InstrumentsApp(),
        tasks_app,
        OversightApp(),
    ],
)

urlpatterns = [
    path("health/", health, name="health"),
    path("api/", include("api.urls")),
    path(
        "accounts/",
        AuthViewset(
            login_view=SignInView.as_view(),
            profile_view=ProfileView.as_view(),
            pass_reset_view=ThrottledPasswordResetView.as_view(),
            pass_change_view=ThrottledPasswordChangeView.as_view(form_class=PasswordChangeForm),
        ).urls,
    ),
    path("language/", language_switch, name="language_switch"),
    path("away/", away, name="away"),
    # On every page, the sign-in page too. A browser keeps it and asks each time whether it
    # changed (an ETag of the language and the compiled catalogues): an answer of no body.
    path(
        "jsi18n/",
        login_not_required(
            cache_control(no_cache=True)(
                condition(etag_func=catalogue_etag)(JavaScriptCatalog.as_view())
            )
        ),
        name="javascript-catalog",
    ),
    path("admin/", admin.site.urls),
    path("process/", include("workflows.urls")),
    path("verify/", verify, name="verify"),
    path("verify/<str:sha256>/", verify_hash, name="verify_hash"),
    path("verify/<str:sha256>/text/", verify_text, name="verify_text"),
    path("verify/<str:sha256>/pdf/", verify_pdf, name="verify_pdf"),
    path("notifications/", include("notifications.urls")),
    path("search/", include("search.urls")),
    path("deadlines/", include("workflows.urls_deadlines")),
    path("", home, name="home"),  # before the site's own index, which assumes a role
    path("", site.urls),
]

# Our error pages: translated, framed, with the way back to the person's work (project/errors.py).
handler403 = "project.errors.forbidden"
handler404 = "project.errors.not_found"
handler500 = "project.errors.server_error"
