from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from api import pages, views, views_search
from api.docs import DocsView

app_name = "api"

urlpatterns = [
    path("schema/", views.login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    path("token/", pages.token, name="token"),
    path("v1/instruments/", views.InstrumentList.as_view(), name="instruments"),
    path("v1/instruments/<int:pk>/", views.InstrumentDetail.as_view(), name="instrument"),
    path("v1/instruments/<int:pk>/text/", views.InstrumentText.as_view(), name="text"),
    path("v1/instruments/<int:pk>/schedule/", views.InstrumentSchedule.as_view(), name="schedule"),
    path("v1/instruments/<int:pk>/audit/", views.InstrumentAudit.as_view(), name="audit"),
    path("v1/instruments/<int:pk>/versions/", views.VersionList.as_view(), name="versions"),
    path(
        "v1/instruments/<int:pk>/versions/<int:version_pk>/",
        views.VersionDetail.as_view(),
        name="version",
    ),
    path("v1/instruments/<int:pk>/compare/", views.VersionCompare.as_view(), name="compare"),
    path("v1/processes/", views.ProcessList.as_view(), name="processes"),
    path("v1/processes/<int:pk>/", views.ProcessDetail.as_view(), name="process"),
    path("v1/processes/<int:pk>/tasks/", views.ProcessTasks.as_view(), name="process_tasks"),
    path("v1/processes/<int:pk>/rounds/", views.RoundList.as_view(), name="rounds"),
    path(
        "v1/processes/<int:pk>/rounds/<int:number>/matrix/",
        views.Matrix.as_view(),
        name="matrix",
    ),
    path("v1/tasks/mine/", views.MyTasks.as_view(), name="my_tasks"),
    path("v1/consultations/", views.ConsultationList.as_view(), name="consultations"),
    path("v1/consultations/<int:pk>/", views.ConsultationDetail.as_view(), name="consultation"),
    path(
        "v1/consultations/<int:pk>/comments/",
        views.ConsultationComments.as_view(),
        name="comments",
    ),
    path(
        "v1/consultations/<int:pk>/position/",
        views.ConsultationPosition.as_view(),
        name="position",
    ),
    path("v1/comments/<int:pk>/", views.CommentDelete.as_view(), name="comment"),
    path("v1/search/", views_search.Search.as_view(), name="search"),
    path("v1/verify/<str:sha256>/", views.Verify.as_view(), name="verify"),
    re_path(r"", views.NotFound.as_view(), name="not_found"),
]
