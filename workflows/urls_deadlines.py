from django.urls import path

from workflows import views_deadlines

app_name = "deadlines"

urlpatterns = [
    path("<int:task_pk>/extend/", views_deadlines.deadline_extend, name="extend"),
    path("rounds/<int:round_pk>/decide/", views_deadlines.round_decide, name="round_decide"),
]
