from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from tasks import deadlines, selectors
from tasks.forms import DeadlineExtendForm
from tasks.models import TaskDeadline
from tasks.permissions import deadline_policy
from tasks.services import step_title


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


@require_http_methods(["GET", "POST"])
def deadline_extend(request, task_pk):
    """The supervisor's page: move a task's deadline, with a reason (kept in the audit)."""
    deadline = get_object_or_404(
        TaskDeadline.objects.select_related("instrument", "assignee", "organisation"),
        task_id=task_pk,
    )
    if not deadline_policy.user_may(request.user, "extend", deadline):
        raise PermissionDenied(
            _(
                "Only the assignee's supervisor, a director or the "
                "director-general can extend a deadline."
            )
        )
    form = DeadlineExtendForm(request.POST or None, initial={"due_on": deadline.due_on})
    if request.method == "POST" and form.is_valid():
        try:
            deadline = deadlines.deadline_extend(
                task=deadline.task,
                user=request.user,
                due_on=form.cleaned_data["due_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    for item in errors:
                        form.add_error(field if field in form.fields else None, item)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("The deadline has been extended."))
            absence = selectors.deadline_absence(deadline)
            if absence:
                messages.warning(request, _absence_text(absence))
            return HttpResponseRedirect(reverse("deadlines:extend", args=[task_pk]))
    return render(
        request,
        "tasks/deadline_extend.html",
        {
            "deadline": deadline,
            "step": step_title(deadline.step),
            "form": form,
            "absence": selectors.deadline_absence(deadline),
        },
    )


def _absence_text(absence) -> str:
    from khmer.formats import format_date

    return _("The deadline falls in %(name)s's recorded absence (%(start)s – %(end)s).") % {
        "name": absence.delegator,
        "start": format_date(absence.starts_on),
        "end": format_date(absence.ends_on),
    }


@require_http_methods(["GET", "POST"])
def round_decide(request, round_pk):
    """The director's page for a round past its deadline whose rule leaves it to them."""
    from workflows.models import ConsultationRound
    from workflows.permissions import round_policy
    from workflows.selectors import processes_visible_to
    from workflows.services import round_close_unanswered

    consultation_round = get_object_or_404(
        ConsultationRound.objects.select_related("instrument"),
        pk=round_pk,
        process__in=processes_visible_to(request.user),
    )
    if not round_policy.user_may(request.user, "close", consultation_round):
        raise PermissionDenied(_("Only the director decides on a round."))
    if request.method == "POST":
        if consultation_round.closed_at is None:
            closed = round_close_unanswered(
                consultation_round=consultation_round, user=request.user, by="director"
            )
            messages.success(
                request, _("%(count)s unanswered consultation(s) closed.") % {"count": closed}
            )
        return HttpResponseRedirect(
            reverse("workflows:instrument_process", args=[consultation_round.instrument_id])
        )
    return render(
        request,
        "tasks/round_decide.html",
        {
            "round": consultation_round,
            "consultations": consultation_round.consultations.select_related("organisation"),
        },
    )
