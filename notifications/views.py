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
    # ``notifications_unread``: the bell in the top bar shows this count, not one of its own.
    return render(
        request,
        "notifications/list.html",
        {"page": page, "notifications_unread": selectors.unread_count(user=request.user)},
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


def _checked(request, name: str) -> bool:
    return request.POST.get(name) == "on"


def preferences(request):
    """How each kind of notification reaches the person, and their Telegram link."""
    from django.conf import settings
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.db import transaction
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from notifications import telegram
    from notifications.models import Timing, Topic

    if request.method == "POST":
        action = request.POST.get("action")
        if action == "telegram_code" and telegram.configured():
            services.telegram_code_issue(user=request.user)
        elif action == "telegram_unlink":
            services.telegram_unlink(user=request.user)
            messages.success(request, _("Telegram is no longer linked to your account."))
        elif action == "save":
            try:
                with transaction.atomic():
                    for topic in Topic.values:
                        services.preference_set(
                            user=request.user,
                            topic=topic,
                            timing=request.POST.get(f"{topic}-timing", Timing.NOW),
                            email=_checked(request, f"{topic}-email"),
                            telegram=_checked(request, f"{topic}-telegram"),
                        )
            except ValidationError:
                messages.error(request, _("Choose, for each kind, when and how to be told."))
            else:
                messages.success(request, _("Your choices are saved."))
        return HttpResponseRedirect(reverse("notifications:preferences"))
    if request.method != "GET":
        from django.http import HttpResponseNotAllowed

        return HttpResponseNotAllowed(["GET", "POST"])
    account = selectors.telegram_account_of(user=request.user)
    code_valid = bool(
        account
        and account.code
        and account.code_expires_at
        and account.code_expires_at > timezone.now()
    )
    return render(
        request,
        "notifications/preferences.html",
        {
            "rows": selectors.preferences_of(user=request.user),
            "timings": Timing.choices,
            "telegram_configured": telegram.configured(),
            "telegram_linked": bool(account and account.chat_id),
            "telegram_account": account,
            "telegram_code": account.code if code_valid else "",
            "telegram_bot": settings.TELEGRAM_BOT_USERNAME,
        },
    )
