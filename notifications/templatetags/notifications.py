from django import template

from notifications.selectors import UNREAD_COUNTED_MOST, unread_count

register = template.Library()


@register.inclusion_tag("notifications/bell.html", takes_context=True)
def notification_bell(context):
    """The top bar's bell: one indexed count per page, for the signed-in user only (the
    page's own, ``notifications_unread``, where the page has counted them already)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    unread = context.get("notifications_unread")
    if unread is None:
        unread = unread_count(user=user)
    # From a hundred: "99+", as the count stops there.
    more = unread >= UNREAD_COUNTED_MOST
    shown = UNREAD_COUNTED_MOST - 1 if more else unread
    return {"show": True, "unread": unread, "more": more, "shown": shown}
