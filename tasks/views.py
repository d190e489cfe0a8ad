from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tasks import selectors


@login_not_required
@never_cache
@require_GET
def health(request):
    """Machine-readable health: 200 when every part is up, 503 when any is not.

    ``?roundtrip=1`` also sends a job through the broker and waits for a worker's answer.
    """
    checks = {
        "database": selectors.database_status(),
        "broker": selectors.broker_status(),
    }
    if checks["database"]["ok"]:
        checks.update(selectors.heartbeat_status())
        # Informative (always "ok"): the heartbeat already says whether beat and workers run.
        checks["sweep"] = selectors.sweep_status()
        checks["queue"] = selectors.reminder_queue_status()
    if request.GET.get("roundtrip") == "1" and checks["broker"]["ok"]:
        checks["roundtrip"] = selectors.roundtrip_status()
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "error", "checks": checks}, status=200 if ok else 503
    )
