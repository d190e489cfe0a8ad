from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KhmerConfig(AppConfig):
    name = "khmer"
    verbose_name = _("Khmer language support")
