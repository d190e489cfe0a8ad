from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from notifications import selectors, services
from notifications.models import Notification


@require_GET
def notification_list(request):
    page = Paginator(selectors.notifications_of(user=request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread": selectors.unread_count(user=request.user)},
    )


@require_POST
def notification_read(request, pk):
    """Mark one read; with ``open`` set, go on to what it is about (the bell's links do)."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    target = notification.url if request.POST.get("open") else ""
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        target = reverse("notifications:list")
    return HttpResponseRedirect(target)


@require_POST
def notification_read_all(request):
    services.notifications_mark_all_read(user=request.user)
    return HttpResponseRedirect(reverse("notifications:list"))
