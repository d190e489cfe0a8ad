"""Task pages. Thin: each validates a form and hands over to ``workflows.services``."""

from django.utils.translation import gettext_lazy as _
from django.views import generic
from viewflow.workflow.flow.views import mixins

from workflows import services
from workflows.forms import ResubmitForm, ReviewDecisionForm


class _TaskFormView(
    mixins.SuccessMessageMixin,
    mixins.TaskSuccessUrlMixin,
    mixins.TaskViewTemplateNames,
    generic.FormView,
):
    template_filename = "task.html"
    success_message = _("Task {task} has been completed.")


class ReviewView(_TaskFormView):
    """An office chief's or the director's approve / return."""

    form_class = ReviewDecisionForm

    def form_valid(self, form):
        services.review_decide(
            activation=self.request.activation,
            user=self.request.user,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        )
        return super().form_valid(form)


class ResubmitView(_TaskFormView):
    """The drafter sends a returned draft back into review."""

    form_class = ResubmitForm

    def form_valid(self, form):
        services.draft_resubmit(
            activation=self.request.activation,
            user=self.request.user,
            note=form.cleaned_data["note"],
        )
        return super().form_valid(form)
