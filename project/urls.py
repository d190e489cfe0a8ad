from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog
from viewflow.contrib.auth import AuthViewset
from viewflow.urls import Site
from viewflow.workflow.flow import FlowViewset, WorkflowAppViewset

from organisations.views import SignInView, language_switch
from tasks.views import health
from workflows.flows import ApprovalFlow

site = Site(
    title=_("Lekhit"),
    primary_color="#0b3d6e",
    secondary_color="#b8860b",
    viewsets=[
        WorkflowAppViewset(
            title=_("Tasks"),
            icon="assignment",
            flow_viewsets=[FlowViewset(ApprovalFlow, icon="gavel")],
        ),
    ],
)

urlpatterns = [
    path("health/", health, name="health"),
    path("accounts/", AuthViewset(login_view=SignInView.as_view()).urls),
    path("language/", language_switch, name="language_switch"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("", site.urls),
]
