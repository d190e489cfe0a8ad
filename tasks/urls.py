from django.urls import path

from tasks import views

app_name = "deadlines"

urlpatterns = [
    path("<int:task_pk>/extend/", views.deadline_extend, name="extend"),
    path("rounds/<int:round_pk>/decide/", views.round_decide, name="round_decide"),
]
