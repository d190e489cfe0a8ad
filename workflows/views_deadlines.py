"""The pages of the process at its deadlines: a supervisor extends a task's deadline, and the
director decides on a round past its deadline (named ``deadlines:``; reminders link to them)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from khmer.formats import format_date
from tasks import hooks, selectors
from tasks.models import TaskDeadline
from tasks.permissions import deadline_policy
from workflows import deadlines
from workflows.forms import DeadlineExtendForm
from workflows.models import ConsultationRound
from workflows.permissions import process_policy, round_policy
from workflows.services import round_close_unanswered


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
        "workflows/deadline_extend.html",
        {
            "deadline": deadline,
            "step": hooks.step_title(deadline.step),
            "form": form,
            "absence": selectors.deadline_absence(deadline),
        },
    )


def _absence_text(absence) -> str:
    return _("The deadline falls in %(name)s's recorded absence (%(start)s – %(end)s).") % {
        "name": absence.delegator,
        "start": format_date(absence.starts_on),
        "end": format_date(absence.ends_on),
    }


@require_http_methods(["GET", "POST"])
def round_decide(request, round_pk):
    """The director's page for a round past its deadline whose rule leaves it to them."""
    consultation_round = get_object_or_404(
        ConsultationRound.objects.select_related("instrument"),
        pk=round_pk,
        process__in=process_policy.queryset(request.user, "view"),
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
        "workflows/round_decide.html",
        {
            "round": consultation_round,
            "consultations": consultation_round.consultations.select_related("organisation"),
        },
    )
