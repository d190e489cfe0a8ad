"""The "Instruments" application of the viewflow site: every page of ``documents.views``."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from documents import views, views_exports, views_import
from documents.permissions import instrument_policy


class InstrumentsApp(Application):
    title = _("Instruments")
    icon = "description"
    app_name = "documents"
    menu_template_name = "documents/app_menu.html"
    turbo_disabled = True

    index_path = path("", views.instrument_list, name="index")
    create_path = path("new/", views.instrument_create, name="create")
    instrument_path = path("<int:pk>/", views.instrument_editor, name="instrument")
    outline_fold_path = path(
        "<int:pk>/text/<int:provision_pk>/", views.outline_fold, name="outline_fold"
    )
    details_path = path("<int:pk>/details/", views.instrument_details, name="details")
    provision_add_path = path("<int:pk>/provisions/add/", views.provision_add, name="provision_add")
    provision_detail_path = path(
        "<int:pk>/provisions/<int:provision_pk>/",
        views.provision_detail,
        name="provision_detail",
    )
    provision_edit_path = path(
        "<int:pk>/provisions/<int:provision_pk>/edit/",
        views.provision_edit,
        name="provision_edit",
    )
    provision_move_path = path(
        "<int:pk>/provisions/<int:provision_pk>/move/",
        views.provision_move,
        name="provision_move",
    )
    provision_delete_path = path(
        "<int:pk>/provisions/<int:provision_pk>/delete/",
        views.provision_delete,
        name="provision_delete",
    )
    schedule_path = path("<int:pk>/schedule/", views.schedule, name="schedule")
    schedule_add_path = path(
        "<int:pk>/schedule/add/", views.schedule_row_add, name="schedule_row_add"
    )
    schedule_row_path = path(
        "<int:pk>/schedule/<int:row_pk>/", views.schedule_row_detail, name="schedule_row"
    )
    schedule_edit_path = path(
        "<int:pk>/schedule/<int:row_pk>/edit/", views.schedule_row_edit, name="schedule_row_edit"
    )
    schedule_delete_path = path(
        "<int:pk>/schedule/<int:row_pk>/delete/",
        views.schedule_row_delete,
        name="schedule_row_delete",
    )
    versions_path = path("<int:pk>/versions/", views.versions, name="versions")
    version_save_path = path("<int:pk>/versions/save/", views.version_save, name="version_save")
    version_restore_path = path(
        "<int:pk>/versions/<int:version_pk>/restore/",
        views.version_restore,
        name="version_restore",
    )
    import_path = path("import/", views_import.instrument_import, name="import")
    import_confirm_path = path(
        "import/confirm/", views_import.instrument_import_confirm, name="import_confirm"
    )
    compare_path = path("<int:pk>/compare/", views.compare, name="compare")
    timeline_path = path("<int:pk>/timeline/", views.timeline, name="timeline")
    export_docx_path = path(
        "<int:pk>/export/<str:version>.docx", views_exports.instrument_docx, name="export_docx"
    )
    export_pdf_path = path(
        "<int:pk>/export/<str:version>.pdf", views_exports.instrument_pdf, name="export_pdf"
    )

    def has_view_permission(self, user, obj=None):
        """The application (its menu, its pages) is the department's: whoever may read the
        instruments (``documents.permissions``)."""
        if obj is not None:
            return instrument_policy.user_may(user, "view", obj)
        return instrument_policy.is_internal(user)
