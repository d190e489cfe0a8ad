from django.urls import path

from workflows import views

app_name = "workflows"

urlpatterns = [
    path("<int:process_pk>/rounds/<int:round_number>/matrix/", views.matrix, name="matrix"),
    path(
        "<int:process_pk>/rounds/<int:round_number>/matrix/publish/",
        views.matrix_publish,
        name="matrix_publish",
    ),
    path("consultations/<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("consultations/<int:pk>/changes/", views.changes_since, name="changes_since"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:pk>/respond/", views.comment_respond, name="comment_respond"),
]
