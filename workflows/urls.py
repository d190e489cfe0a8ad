from django.urls import path

from workflows import views, views_exports, views_returned

app_name = "workflows"

urlpatterns = [
    path("instruments/<int:pk>/", views.instrument_process, name="instrument_process"),
    path("instruments/<int:pk>/submit/", views.instrument_submit, name="submit"),
    path(
        "instruments/<int:pk>/versions/<int:version_pk>/text/",
        views.instrument_version_text,
        name="version_text",
    ),
    path(
        "instruments/<int:pk>/versions/<int:version_pk>/docx/",
        views_exports.version_docx,
        name="version_docx",
    ),
    path(
        "instruments/<int:pk>/versions/<int:version_pk>/pdf/",
        views_exports.version_pdf,
        name="version_pdf",
    ),
    path(
        "<int:process_pk>/rounds/<int:round_number>/close/", views.round_close, name="round_close"
    ),
    path("tasks/<int:task_pk>/reassign/", views.task_reassign, name="task_reassign"),
    path("<int:process_pk>/rounds/<int:round_number>/matrix/", views.matrix, name="matrix"),
    path(
        "<int:process_pk>/rounds/<int:round_number>/matrix/publish/",
        views.matrix_publish,
        name="matrix_publish",
    ),
    path("consultations/<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("consultations/<int:pk>/changes/", views.changes_since, name="changes_since"),
    path("consultations/<int:pk>/returned/", views_returned.returned_docx, name="returned_docx"),
    path(
        "consultations/<int:pk>/returned/send/",
        views_returned.returned_docx_send,
        name="returned_docx_send",
    ),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:pk>/respond/", views.comment_respond, name="comment_respond"),
    path(
        "<int:process_pk>/rounds/<int:round_number>/matrix.<str:file_format>",
        views_exports.matrix_export,
        name="matrix_export",
    ),
    path(
        "<int:process_pk>/matrix.<str:file_format>",
        views_exports.matrix_export,
        name="matrix_export_all",
    ),
    path(
        "instruments/<int:pk>/comparison.docx",
        views_exports.comparison_export,
        name="comparison_export",
    ),
    path(
        "instruments/<int:pk>/comparison.pdf",
        views_exports.comparison_export,
        {"file_format": "pdf"},
        name="comparison_pdf",
    ),
]
