"""django-simple-history's admin, answering 404 (not 500) to an id that cannot be one.

Its history pages take the object's id from the URL as any text (``<path:object_id>``: so
``/admin/organisations/user/3/password/history/`` reaches the history page with the id
``3/password``) and the version's too, and hand them to the database unchecked, which raises.
Each id is first converted as its field would convert it; one that cannot be is not found.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

__all__ = ["HistoryAdmin"]


def _checked(field, value: str) -> None:
    try:
        field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        raise Http404 from None


class HistoryAdmin(SimpleHistoryAdmin):
    def history_view(self, request, object_id, extra_context=None):
        _checked(self.model._meta.pk, unquote(object_id))
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        _checked(self.model._meta.pk, unquote(object_id))
        _checked(self.model.history.model._meta.pk, version_id)
        return super().history_form_view(
            request, object_id, version_id, extra_context=extra_context
        )
