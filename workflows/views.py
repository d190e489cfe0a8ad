"""Task pages and the process's own pages. Thin: parse, call a service or selector, render.

Task views run inside viewflow's task wrapper, which has already locked the process and
checked that the user may execute the task (``request.activation``).
"""

import hashlib
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import generic
from django.views.decorators.http import require_GET, require_POST
from viewflow.forms import Layout
from viewflow.workflow.flow.views import AssignTaskView, DetailTaskView, mixins
from viewflow.workflow.models import Task

from documents import export_pdf
from documents.diffing import compare_snapshots
from documents.errors import EditConflict
from documents.models import Version, VersionPdf
from documents.permissions import instrument_policy
from documents.selectors import version_text
from organisations.models import User
from workflows import forms, selectors, services
from workflows.audit import audit_lines
from workflows.models import Comment, Consultation, Decision, SignOffDecision
from workflows.permissions import (
    consultation_policy,
    process_policy,
    round_policy,
    task_policy,
    version_policy,
)
from workflows.views_exports import matrix_read


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, field by field where it says which."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class TaskFormView(
    mixins.SuccessMessageMixin,
    mixins.TaskSuccessUrlMixin,
    mixins.TaskViewTemplateNames,
    generic.FormView,
):
    """A task page whose form hands over to one service; its errors show on the form."""

    template_name = "workflows/task.html"
    success_message = gettext_lazy("Task {task} has been completed.")
    # What the person does, said on the button that does it (never viewflow's "Execute").
    submit_label = gettext_lazy("Send")
    # A step whose form asks for one choice (approve or return...): one button per choice,
    # each saying what it does, and the choice is the button pressed.
    choice_field = None
    choice_labels: dict = {}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.choice_field:
            form.layout = Layout(*(name for name in form.fields if name != self.choice_field))
        return form

    def submit_buttons(self) -> list[dict]:
        """The form's buttons: ``name`` and ``value`` posted with it, ``label``, and the
        first one is the main one."""
        if not self.choice_field:
            return [{"name": "", "value": "", "label": self.submit_label}]
        return [
            {"name": self.choice_field, "value": value, "label": label}
            for value, label in self.choice_labels.items()
        ]

    def form_invalid(self, form):
        # The choice is a button, not a field on the page: say its error with the form's.
        for error in form.errors.pop(self.choice_field, []) if self.choice_field else []:
            form.add_error(None, error)
        return super().form_invalid(form)

    def form_valid(self, form):
        try:
            self.perform(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return super().form_valid(form)

    def perform(self, data):
        raise NotImplementedError

    @property
    def activation(self):
        return self.request.activation

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["instrument"] = self.activation.process.instrument
        context["returned"] = selectors.return_that_led_to(self.activation.task)
        return context


class ReviewView(TaskFormView):
    """Office chief, director or legal reviewer: approve, or return with a reason."""

    form_class = forms.ReviewDecisionForm
    choice_field = "decision"
    choice_labels = {
        Decision.APPROVE: gettext_lazy("Approve"),
        Decision.RETURN: gettext_lazy("Return with a reason"),
    }

    def perform(self, data):
        services.review_decide(
            activation=self.activation,
            user=self.request.user,
            decision=data["decision"],
            reason=data["reason"],
        )


class ResubmitView(TaskFormView):
    form_class = forms.ResubmitForm
    submit_label = gettext_lazy("Send the revised draft for review")

    def perform(self, data):
        services.draft_resubmit(
            activation=self.activation, user=self.request.user, note=data["note"]
        )


class PlanRoundView(TaskFormView):
    form_class = forms.PlanRoundForm
    submit_label = gettext_lazy("Send to the organisations")
    # Rendered by Django: viewflow's JavaScript has no <vf-field-checkbox-select>.
    template_name = "workflows/plan_round.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organisations": services.consultable_organisations()}

    def perform(self, data):
        services.round_plan(
            activation=self.activation,
            user=self.request.user,
            organisations=list(data["organisations"]),
            working_days=data["working_days"],
            silence_rule=data["silence_rule"],
        )


class OrganisationReviewView(TaskFormView):
    """A consulted organisation reads the version sent, comments article by article, and
    gives its position."""

    form_class = forms.PositionForm
    template_name = "workflows/organisation_review.html"

    def get_consultation(self) -> Consultation:
        return selectors.consultation_of_task(self.activation.task)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        consultation = self.get_consultation()
        provisions, general_comments = selectors.consultation_provisions(
            consultation=consultation, language=get_language()
        )
        context.update(
            consultation=consultation,
            provisions=provisions,
            schedule=selectors.consultation_schedule(consultation=consultation),
            general_comments=general_comments,
            comment_form=forms.CommentForm(),
            previous_round=consultation.round.number - 1,
        )
        return context

    def perform(self, data):
        services.consultation_answer(
            activation=self.activation,
            user=self.request.user,
            position=data["position"],
            remarks=data["remarks"],
        )


class ConsolidateView(TaskFormView):
    """The drafter answers every comment, revises the text, and chooses what comes next."""

    form_class = forms.ConsolidationForm
    template_name = "workflows/consolidate.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        process = self.activation.process
        language = get_language()
        rows = selectors.process_matrix_rows(process=process, language=language)
        context["rows"] = rows
        context["groups"] = selectors.consolidation_groups(process=process, rows=rows)
        context["provisions"] = selectors.draft_provisions(
            instrument=process.instrument, language=language
        )
        context["unanswered"] = sum(1 for row in rows if not row["comment"].disposition)
        context["response_form"] = forms.ResponseForm
        return context

    def perform(self, data):
        services.consolidation_finish(
            activation=self.activation, user=self.request.user, next_step=data["next_step"]
        )


class SignOffView(TaskFormView):
    form_class = forms.SignOffForm
    choice_field = "decision"
    choice_labels = {
        SignOffDecision.APPROVE: gettext_lazy("Sign"),
        SignOffDecision.RETURN: gettext_lazy("Return with a reason"),
        SignOffDecision.REJECT: gettext_lazy("Reject"),
    }

    def perform(self, data):
        services.sign_off_decide(
            activation=self.activation,
            user=self.request.user,
            decision=data["decision"],
            reason=data["reason"],
        )


class RegisterView(TaskFormView):
    form_class = forms.RegisterForm
    submit_label = gettext_lazy("Register")

    def get_initial(self):
        instrument = self.activation.process.instrument
        return {
            "reference_number": services.next_reference_number(
                instrument_type=instrument.instrument_type, year=timezone.localdate().year
            )
        }

    def perform(self, data):
        services.instrument_register(
            activation=self.activation,
            user=self.request.user,
            reference_number=data["reference_number"],
            registered_on=data["registered_on"],
        )


class TaskDetailView(DetailTaskView):
    """A step's own page (where a finished step's link, or Back after a step, leads): what
    the step is about, who holds it, and once done what was decided, by whom and when; its
    actions only those the policies allow the reader (viewflow asks the node, which asks
    them), each saying what it does."""

    ACTIONS = {
        "start": gettext_lazy("Open the form"),
        "assign": gettext_lazy("Take"),
        "unassign": gettext_lazy("Give back to the queue"),
        "cancel": gettext_lazy("Cancel this step"),
        "undo": gettext_lazy("Undo this step"),
        "revive": gettext_lazy("Restart this step"),
    }

    def get_actions(self):
        activation = self.request.activation
        actions = []
        for transition in activation.get_available_transitions(self.request.user):
            label = self.ACTIONS.get(transition.slug)
            if label is None:
                continue
            name = "execute" if transition.slug == "start" else transition.slug
            try:
                url = activation.flow_task.reverse(
                    name, args=[activation.process.pk, activation.task.pk]
                )
            except NoReverseMatch:
                continue
            actions.append((label, url))
        return actions

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        task = self.request.activation.task
        context["instrument"] = self.request.activation.process.instrument
        context["decision"] = selectors.task_decision(task=task)
        return context


class TaskAssignView(AssignTaskView):
    """Viewflow's page to take a step, as the step's page with one button: Take (and open
    its form). No message after it: the form that opens says the step is theirs, and a
    message would lie over the form's own buttons for its first seconds."""

    success_message = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["instrument"] = self.request.activation.process.instrument
        return context


# --- Pages outside a task -------------------------------------------------------------


def _consultation_or_404(request, pk) -> Consultation:
    return get_object_or_404(
        consultation_policy.queryset(request.user, "view").select_related("round"), pk=pk
    )


@require_POST
def comment_add(request, pk):
    consultation = _consultation_or_404(request, pk)
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(
                consultation=consultation,
                user=request.user,
                text=form.cleaned_data["text"],
                provision_uid=form.cleaned_data["provision"] or None,
                schedule_row_uid=form.cleaned_data["schedule_row"] or None,
            )
            messages.success(request, _("Your comment is saved."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return HttpResponseRedirect(_back(request))


@require_POST
def comment_delete(request, pk):
    comment = get_object_or_404(Comment, pk=pk)
    _consultation_or_404(request, comment.consultation_id)
    try:
        services.comment_delete(comment=comment, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return HttpResponseRedirect(_back(request))


@require_POST
def comment_respond(request, pk):
    """The drafter's answer to one comment. From the consolidation page's htmx form, the
    answer's form comes back in place, saved or with what to correct, the page not
    reloaded; without scripts, back to the page with a message."""
    comment = get_object_or_404(Comment.objects.select_related("consultation__round"), pk=pk)
    process = (
        process_policy.queryset(request.user, "view")
        .filter(pk=comment.consultation.round.process_id)
        .select_related("instrument")
        .first()
    )
    if process is None:
        raise Http404
    form = forms.ResponseForm(request.POST)
    chosen = request.POST.getlist("changed_provisions")
    saved, error = False, ""
    if form.is_valid():
        try:
            comment = services.comment_respond(
                comment=comment,
                user=request.user,
                disposition=form.cleaned_data["disposition"],
                response=form.cleaned_data["response"],
                changed_provisions=chosen,
                expected_lock_version=form.cleaned_data["lock_version"],
            )
            saved = True
        except EditConflict as conflict:
            error = str(conflict)
        except ValidationError as failure:
            error = " ".join(failure.messages)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if request.htmx:
        if not saved:  # what was typed stays in the form, to correct
            comment.disposition = request.POST.get("disposition", "")
            comment.response = request.POST.get("response", "")
            comment.changed_provisions = chosen
        return render(
            request,
            "workflows/includes/answer_form.html",
            {
                "comment": comment,
                "provisions": selectors.draft_provisions(
                    instrument=process.instrument, language=get_language()
                ),
                "response_form": forms.ResponseForm,
                "saved": saved,
                "error": error,
            },
        )
    if saved:
        messages.success(request, _("The answer is saved."))
    else:
        messages.error(request, error)
    return HttpResponseRedirect(_back(request))


def _back(request) -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return "/"
    return target


def matrix(request, process_pk, round_number):
    """The round's comment–response matrix, gathered as its downloads are
    (``views_exports.matrix_read``: what the reader may see of it)."""
    read = matrix_read(request.user, process_pk=process_pk, round_number=round_number)
    consultation_round = read.rounds[0]
    return render(
        request,
        "workflows/matrix.html",
        {
            "process": read.process,
            "instrument": read.process.instrument,
            "round": consultation_round,
            "hide_answers": not read.answers_shown,
            "can_publish": round_policy.user_may(
                request.user, "publish_matrix", consultation_round
            ),
            "result_pending": bool(read.results_pending),
            "rows": read.rows,
        },
    )


@require_POST
def matrix_publish(request, process_pk, round_number):
    process = get_object_or_404(process_policy.queryset(request.user, "view"), pk=process_pk)
    consultation_round = get_object_or_404(process.rounds, number=round_number)
    try:
        services.matrix_publish(consultation_round=consultation_round, user=request.user)
        messages.success(request, _("The matrix is published to the consulted organisations."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return HttpResponseRedirect(
        reverse("workflows:matrix", args=[process.pk, consultation_round.number])
    )


def changes_since(request, pk):
    """For a reviewer: what changed between the version their organisation saw in its
    previous round and the version sent now."""
    consultation = _consultation_or_404(request, pk)
    earlier = selectors.earlier_consultation(consultation=consultation)
    if earlier is None:
        raise Http404
    old, new = earlier.round.version, consultation.round.version
    return render(
        request,
        "workflows/changes.html",
        {
            "consultation": consultation,
            "old": old,
            "new": new,
            "comparison": compare_snapshots(old.snapshot, new.snapshot),
        },
    )


@login_not_required
def verify(request):
    """Public: does this hash (or this file's text) match a text the director-general
    signed? The URL is printed on every signed text."""
    form = forms.VerifyForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        digest = (form.cleaned_data.get("sha256") or "").lower()
        if form.cleaned_data.get("file"):
            hasher = hashlib.sha256()
            for chunk in form.cleaned_data["file"].chunks():  # never the whole file in memory
                hasher.update(chunk)
            digest = hasher.hexdigest()
        sign_off = selectors.sign_off_by_hash(digest)
        if sign_off is None:  # the signed PDF itself, as kept at the signature?
            kept = VersionPdf.objects.filter(sha256=digest).values_list("version__sha256")
            sign_off = selectors.sign_off_by_hash(kept[0][0]) if kept else None
        result = {"sha256": digest, "sign_off": sign_off}
    elif request.GET.get("sha256"):
        # Looked up only when it is a SHA-256: PostgreSQL refuses a NUL in a text comparison.
        digest, sign_off = _sign_off_of(request.GET["sha256"])
        result = {"sha256": digest, "sign_off": sign_off}
    if result and result["sign_off"]:
        result["pdf"] = True  # every signed text has its PDF (``verify_pdf``)
    return render(request, "workflows/verify.html", {"form": form, "result": result})


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _sign_off_of(sha256: str):
    digest = sha256.strip().lower()
    return digest, (selectors.sign_off_by_hash(digest) if _SHA256.fullmatch(digest) else None)


def _verify_result(request, digest: str, sign_off) -> HttpResponse:
    """The verification page for one hash: 404 (and says so) when nothing signed has it."""
    return render(
        request,
        "workflows/verify.html",
        {
            "form": forms.VerifyForm(),
            "result": {
                "sha256": digest if _SHA256.fullmatch(digest) else "",
                "sign_off": sign_off,
                "pdf": sign_off is not None,
            },
        },
        status=200 if sign_off else 404,
    )


@login_not_required
@require_GET
def verify_hash(request, sha256: str):
    """Public, one address per signed text (``/verify/<sha256>/``): what was signed, by whom,
    acting for whom, when, and the signed text itself to download and hash again."""
    digest, sign_off = _sign_off_of(sha256)
    return _verify_result(request, digest, sign_off)


@login_not_required
@require_GET
def verify_text(request, sha256: str):
    """Public: the exact bytes whose SHA-256 the director-general's sign-off records."""
    digest, sign_off = _sign_off_of(sha256)
    if sign_off is None:
        return _verify_result(request, digest, None)
    return version_text_response(sign_off.version)


@login_not_required
@require_GET
def verify_pdf(request, sha256: str):
    """Public: the signed text's PDF, the very file kept at the signature."""
    digest, sign_off = _sign_off_of(sha256)
    if sign_off is None:
        return _verify_result(request, digest, None)
    try:  # printed and kept now if the signature's job has not yet run
        content = export_pdf.kept_pdf(sign_off.version)
    except export_pdf.PdfUnavailable as error:
        return HttpResponse(error.messages[0], status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content, content_type="application/pdf")
    instrument = sign_off.instrument
    filename = (
        f"lekhit-{instrument.instrument_type.code}-{instrument.pk}"
        f"-v{sign_off.version.number}-{sign_off.sha256[:12]}.pdf"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def version_text_response(version: Version) -> HttpResponse:
    """A version's canonical text as a file: the bytes are exactly those hashed.

    The canonical form is JSON (``documents.snapshots``), so the file is served as
    ``application/json; charset=utf-8`` (UTF-8 is what those bytes are in; the parameter
    only helps a browser that opens it show the Khmer right) and as an attachment, so that
    no browser or proxy re-encodes or pretty-prints it on the way to the person's disk.
    """
    response = HttpResponse(
        version_text(version=version), content_type="application/json; charset=utf-8"
    )
    instrument = version.instrument
    filename = (
        f"lekhit-{instrument.instrument_type.code}-{instrument.pk}"
        f"-v{version.number}-{version.sha256[:12]}.json"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_GET
def instrument_version_text(request, pk: int, version_pk: int):
    """A version's canonical text, from the instrument's pages, to whoever may see that
    version (the version policy's ``view``); 404 to anyone else."""
    version = get_object_or_404(
        version_policy.queryset(request.user, "view").select_related("instrument__instrument_type"),
        pk=version_pk,
        instrument_id=pk,
    )
    return version_text_response(version)


def instrument_process(request, pk):
    """The instrument's place in the process: open steps, consultation rounds and their
    answers, matrices, the audit trail, and the actions this user may take here. A consulted
    organisation's reviewer sees only their organisation's consultations (the version sent,
    the deadline, their answer) and the matrices: no internal step, reason or official."""
    instrument = get_object_or_404(instrument_policy.queryset(request.user, "view_header"), pk=pk)
    process = selectors.latest_process(instrument=instrument)
    internal = process_policy.user_may(request.user, "view_record_any")
    open_tasks = selectors.open_tasks(process=process) if process and internal else []
    reassign_to = selectors.reassign_candidates(tasks=open_tasks, user=request.user)
    # Each step this person may open is a link to it; one query for them all.
    viewable = (
        set(
            task_policy.queryset(request.user, "view")
            .filter(pk__in=[task.pk for task in open_tasks])
            .values_list("pk", flat=True)
        )
        if open_tasks
        else set()
    )
    rounds = selectors.rounds_with_consultations(instrument=instrument, user=request.user)
    sent = [r.version_id for r in rounds]
    if process and internal and getattr(process, "sign_off", None):
        sent.append(process.sign_off.version_id)
    # The versions sent, and the one signed, that this person may download (text or Word):
    # one query for them all.
    downloadable = set(
        version_policy.queryset(request.user, "view")
        .filter(pk__in=sent)
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "workflows/instrument_process.html",
        {
            "instrument": instrument,
            "process": process,
            "internal": internal,
            "open_tasks": [
                {
                    "task": task,
                    "reassign_to": reassign_to[task.pk],
                    "url": task.flow_task.reverse("index", args=[task.process_id, task.pk])
                    if task.pk in viewable
                    else "",
                }
                for task in open_tasks
            ],
            "rounds": rounds,
            "audit": audit_lines(selectors.audit_trail(instrument=instrument)[:200])
            if internal
            else [],
            "can_submit": services.can_submit(instrument=instrument, user=request.user),
            "can_close_rounds": {
                r.pk for r in rounds if round_policy.user_may(request.user, "close", r)
            },
            "can_read_text": instrument_policy.user_may(request.user, "view", instrument),
            "downloadable": downloadable,
            "sign_off": getattr(process, "sign_off", None) if process and internal else None,
        },
    )


@require_POST
def instrument_submit(request, pk):
    instrument = get_object_or_404(instrument_policy.queryset(request.user, "view_header"), pk=pk)
    try:
        services.process_start(instrument=instrument, user=request.user)
        messages.success(request, _("The draft is submitted for internal review."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return HttpResponseRedirect(reverse("workflows:instrument_process", args=[instrument.pk]))


@require_POST
def round_close(request, process_pk, round_number):
    """The director closes what is left of a round (the round's rule: the director decides)."""
    process = get_object_or_404(process_policy.queryset(request.user, "view"), pk=process_pk)
    consultation_round = get_object_or_404(process.rounds, number=round_number, closed_at=None)
    closed = services.round_close_unanswered(
        consultation_round=consultation_round, user=request.user, by="director"
    )
    messages.success(request, _("%(count)s unanswered consultation(s) closed.") % {"count": closed})
    return HttpResponseRedirect(
        reverse("workflows:instrument_process", args=[process.instrument_id])
    )


@require_POST
def task_reassign(request, task_pk):
    task = get_object_or_404(Task, pk=task_pk)
    process = get_object_or_404(process_policy.queryset(request.user, "view"), pk=task.process_id)
    to = request.POST.get("to", "")
    if not (to.isascii() and to.isdigit() and len(to) <= 18):
        raise Http404
    to = get_object_or_404(User, pk=to)
    try:
        services.task_reassign(task=task, user=request.user, to=to)
        messages.success(request, _("The task is now with %(name)s.") % {"name": to})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return HttpResponseRedirect(
        reverse("workflows:instrument_process", args=[process.instrument_id])
    )
