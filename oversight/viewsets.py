"""The "Oversight" application of the viewflow site: the portfolio dashboard and the
transfer tracker."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from oversight import views
from oversight.permissions import portfolio_policy


class OversightApp(Application):
    title = _("Oversight")
    icon = "insights"
    app_name = "oversight"
    menu_template_name = "oversight/app_menu.html"
    turbo_disabled = True

    index_path = path("", views.dashboard, name="index")
    transfers_path = path("transfers/", views.transfers, name="transfers")

    def has_view_permission(self, user, obj=None):
        return portfolio_policy.user_may(user, "view_portfolio")
