"""Instrument pages: the list, the editor, the transfer schedule, versions, compare, timeline.

Thin: each view parses the request, checks the user's right on the instrument, calls a service
(``documents.services``) or a selector, and renders. Editing is done in place with htmx: a
GET returns a form fragment, its POST saves and returns the rendered fragment. Structural
changes (add, move, delete) return the whole outline, since they renumber what follows.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from documents import permissions, selectors, services, table
from documents.errors import EditConflict, NotEditable
from documents.forms import (
    ALLOWED_PARENTS,
    CONTAINERS,
    InstrumentCreateForm,
    InstrumentDetailsForm,
    InstrumentFilterForm,
    ProvisionAddForm,
    ProvisionEditForm,
    ProvisionMoveForm,
    ScheduleRowEditForm,
    ScheduleRowForm,
    VersionForm,
    kinds_under,
)
from documents.models import Instrument, Provision, ScheduleRow

NAMESPACE = "documents"


def url(name: str, *args) -> str:
    return reverse(f"{NAMESPACE}:{name}", args=args)


# --- Helpers ----------------------------------------------------------------------------


def _instrument(request, pk: int) -> Instrument:
    """The instrument if this user may see it; 404 otherwise (its existence is not told)."""
    return get_object_or_404(
        permissions.instrument_policy.queryset(request.user, "view").select_related(
            "instrument_type", "owning_office", "lead_drafter"
        ),
        pk=pk,
    )


def _check_can_edit(user, instrument: Instrument) -> None:
    """Refuse before parsing anything, so that an outsider's POST never gets a form back."""
    if permissions.instrument_policy.user_may(user, "edit", instrument):
        return
    if permissions.instrument_policy.user_may(user, "draft", instrument):
        raise PermissionDenied(str(NotEditable.message))
    raise PermissionDenied(_("Only the drafters of this instrument can change it."))


def _or_404(found):
    if found is None:
        raise Http404
    return found


def _provision(instrument: Instrument, provision_pk) -> Provision:
    return _or_404(selectors.provision_of(instrument=instrument, pk=provision_pk))


def _node(instrument: Instrument, provision_pk: int):
    return _or_404(selectors.instrument_node(instrument=instrument, provision_pk=provision_pk))


def _editor_context(request, instrument: Instrument, *, keep_open=None, **extra) -> dict:
    """The outline with the text of one chapter (or run of articles) only: the one holding
    provision ``keep_open`` (the one being worked on), else the first. Every other chapter
    shows its heading, its sections' and its count of articles, and a link that loads it:
    the whole text of 300 articles was a megabyte."""
    outline = selectors.instrument_outline(instrument=instrument)
    opened = outline.fold_holding(keep_open) or (outline.folds[0] if outline.folds else None)
    return {
        "instrument": instrument,
        "blocks": outline.blocks(opened=opened),
        "can_edit": permissions.instrument_policy.user_may(request.user, "edit", instrument),
        "containers": CONTAINERS,
        **extra,
    }


def _outline_response(request, instrument: Instrument, **extra) -> HttpResponse:
    """The whole outline again (after a change that renumbers), the chapter of the provision
    changed (``highlight``, or ``keep_open``) still open."""
    extra.setdefault("keep_open", extra.get("highlight"))
    response = TemplateResponse(
        request, "documents/_outline.html", _editor_context(request, instrument, **extra)
    )
    return reswap(retarget(response, "#lekhit-outline"), "innerHTML")


def _back_to_editor(request, instrument: Instrument, **extra) -> HttpResponse:
    if request.htmx:
        return _outline_response(request, instrument, **extra)
    keep_open = extra.get("keep_open") or extra.get("highlight")
    address = url("instrument", instrument.pk)
    if keep_open:
        address += f"?open={keep_open}#provision-{keep_open}"
    return redirect(address)


# --- Instrument list and creation -------------------------------------------------------


INSTRUMENTS_PER_PAGE = 50


class InstrumentListView(View):
    """The instruments the person may read, newest first, a page at a time, filtered.

    The workflows app extends it with each instrument's current step, holder and deadline
    (``workflows.views_instruments``): what this app does not know."""

    http_method_names = ["get", "head", "options"]
    filter_form_class = InstrumentFilterForm
    template_name = "documents/instrument_list.html"
    per_page = INSTRUMENTS_PER_PAGE

    def filter_form(self, data) -> InstrumentFilterForm:
        return self.filter_form_class(data)

    def rows(self, instruments: QuerySet[Instrument]) -> QuerySet[Instrument]:
        """The rows of the list, filtered, with what each row shows."""
        return selectors.instrument_list(instruments=instruments)

    def page_rows(self, rows: list[Instrument]) -> list[Instrument]:
        """The page's rows, given what else they show (in a constant number of queries)."""
        return rows

    def columns(self) -> list[table.Column]:
        """What the table shows of each instrument, in order."""
        return [*table.TEXT, *table.PEOPLE]

    def context(self) -> dict:
        return {}

    def get(self, request):
        filters = self.filter_form(request.GET)
        instruments = filters.filter(permissions.instrument_policy.queryset(request.user, "view"))
        page_obj = Paginator(self.rows(instruments), self.per_page).get_page(
            request.GET.get("page")
        )
        page_obj.object_list = self.page_rows(list(page_obj.object_list))
        query = request.GET.copy()
        query.pop("page", None)
        columns = self.columns()
        return TemplateResponse(
            request,
            self.template_name,
            {
                "filters": filters,
                "instruments": page_obj.object_list,
                "columns": columns,
                "rows": table.rows(columns, page_obj.object_list),
                "page_obj": page_obj,
                "filtered": any(query.values()),
                "query": query.urlencode(),
                "can_create": permissions.instrument_policy.user_may(request.user, "create"),
                **self.context(),
            },
        )


instrument_list = InstrumentListView.as_view()


@require_http_methods(["GET", "POST"])
def instrument_create(request):
    if not permissions.instrument_policy.user_may(request.user, "create"):
        raise PermissionDenied(_("Only drafters can create instruments."))
    form = InstrumentCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            instrument = services.instrument_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The instrument has been created."))
            return redirect(url("instrument", instrument.pk))
    return TemplateResponse(request, "documents/instrument_create.html", {"form": form})


def instrument_details(request, pk: int):
    """Change the type, titles, owning office, sector and co-drafters of an instrument."""
    instrument = _instrument(request, pk)
    if not permissions.instrument_policy.user_may(request.user, "edit", instrument):
        raise PermissionDenied(_("Only the drafters of this instrument can change it."))
    initial = {
        "instrument_type": instrument.instrument_type_id,
        "title_km": instrument.title_km,
        "title_en": instrument.title_en,
        "owning_office": instrument.owning_office_id,
        "sector": instrument.sector,
        "recipients_km": instrument.recipients_km,
        "recipients_en": instrument.recipients_en,
        "co_drafters": selectors.co_drafter_ids(instrument=instrument),
        "lock_version": instrument.lock_version,
    }
    form = InstrumentDetailsForm(request.POST or None, initial=initial, user=request.user)
    current = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        expected = data.pop("lock_version")
        try:
            services.instrument_update(
                instrument=instrument, user=request.user, expected_lock_version=expected, **data
            )
        except EditConflict as conflict:
            # Keep what this person typed; the next save, made having seen the other
            # person's text, goes through.
            current = conflict.current
            data = request.POST.copy()
            data["lock_version"] = current.lock_version
            form = InstrumentDetailsForm(data, initial=initial, user=request.user)
            form.is_valid()
            form.add_error(None, str(conflict.message))
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The details are saved."))
            return redirect(url("instrument", instrument.pk))
    return TemplateResponse(
        request,
        "documents/instrument_details.html",
        {"instrument": instrument, "form": form, "current": current},
    )


# --- The editor -------------------------------------------------------------------------


@require_GET
def instrument_editor(request, pk: int):
    """The text, folded but for one chapter: ``?open=<provision pk>`` opens the one holding
    that provision (the folds' links without JavaScript)."""
    instrument = _instrument(request, pk)
    context = _editor_context(request, instrument, keep_open=request.GET.get("open"))
    return TemplateResponse(request, "documents/instrument_editor.html", context)


@require_GET
def outline_fold(request, pk: int, provision_pk: int):
    """The text of the folded chapter (or run of articles) that holds the provision, as the
    outline shows it open: what a fold's link loads in its place. The same query count for
    any chapter: the fold is cut from the one query of the outline."""
    instrument = _instrument(request, pk)
    outline = selectors.instrument_outline(instrument=instrument)
    fold = _or_404(outline.fold_holding(provision_pk))
    return TemplateResponse(
        request,
        "documents/_outline_fold.html",
        {
            "instrument": instrument,
            "fold": fold,
            "blocks": outline.fold_blocks(fold),
            "can_edit": permissions.instrument_policy.user_may(request.user, "edit", instrument),
            "containers": CONTAINERS,
        },
    )


def _provision_response(request, instrument, node, can_edit) -> TemplateResponse:
    return TemplateResponse(
        request,
        "documents/_provision.html",
        {
            "instrument": instrument,
            "node": node,
            "articles": selectors.heading_articles(node=node),
            "can_edit": can_edit,
            "containers": CONTAINERS,
        },
    )


@require_GET
def provision_detail(request, pk: int, provision_pk: int):
    """One provision as shown in the outline (what "Cancel" puts back)."""
    instrument = _instrument(request, pk)
    node = _node(instrument, provision_pk)
    can_edit = permissions.instrument_policy.user_may(request.user, "edit", instrument)
    return _provision_response(request, instrument, node, can_edit)


def _move_choices(instrument: Instrument, node) -> list[tuple[int, str]]:
    """Where a provision may be moved: containers of a fitting kind outside itself."""
    to_top, containers = selectors.move_targets(
        nodes=selectors.instrument_tree(instrument=instrument),
        node=node,
        allowed_parents=ALLOWED_PARENTS,
    )
    choices = [(0, _("The top level of the text"))] if to_top else []
    for other in containers:
        title = other.provision.heading_km or other.provision.text_km[:60]
        choices.append((other.provision.pk, f"{other.label()} {title}".strip()))
    return choices


def _provision_form_response(request, instrument, node, form, conflict=None, status=200):
    move_form = ProvisionMoveForm(
        choices=_move_choices(instrument, node),
        initial={"parent": node.provision.parent_id or 0},
    )
    return TemplateResponse(
        request,
        "documents/_provision_form.html",
        {
            "instrument": instrument,
            "node": node,
            "form": form,
            "move_form": move_form,
            "conflict": conflict,
            "conflict_message": EditConflict.message,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def provision_edit(request, pk: int, provision_pk: int):
    instrument = _instrument(request, pk)
    _check_can_edit(request.user, instrument)
    node = _node(instrument, provision_pk)
    provision = node.provision
    if request.method == "GET":
        form = ProvisionEditForm(
            provision=provision,
            initial={
                "heading_km": provision.heading_km,
                "heading_en": provision.heading_en,
                "text_km": provision.text_km,
                "text_en": provision.text_en,
                "lock_version": provision.lock_version,
            },
        )
        return _provision_form_response(request, instrument, node, form)

    form = ProvisionEditForm(request.POST, provision=provision)
    if not form.is_valid():
        return _provision_form_response(request, instrument, node, form)
    try:
        node.provision = services.provision_update(
            provision=provision,
            user=request.user,
            expected_lock_version=form.cleaned_data["lock_version"],
            **form.texts(),
        )
    except EditConflict as conflict:
        # Keep the user's text; the next save merges over the other person's version.
        data = request.POST.copy()
        data["lock_version"] = conflict.current.lock_version
        form = ProvisionEditForm(data, provision=provision)
        form.is_valid()
        return _provision_form_response(request, instrument, node, form, conflict.current)
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _provision_form_response(request, instrument, node, form)
    return _provision_response(request, instrument, node, can_edit=True)


@require_http_methods(["GET", "POST"])
def provision_add(request, pk: int):
    instrument = _instrument(request, pk)
    _check_can_edit(request.user, instrument)
    data = request.POST if request.method == "POST" else request.GET
    parent = _provision(instrument, data["parent"]) if data.get("parent") else None
    after = _provision(instrument, data["after"]) if data.get("after") else None
    if after is not None and after.parent_id != (parent.pk if parent else None):
        raise Http404
    if parent is not None and not kinds_under(parent.kind):
        raise Http404
    form = ProvisionAddForm(
        request.POST if request.method == "POST" else None,
        parent=parent,
        initial={"kind": _default_kind(parent, after)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            added = services.provision_add(
                instrument=instrument,
                user=request.user,
                kind=form.cleaned_data["kind"],
                parent=parent,
                after=after,
                **form.texts(),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return _back_to_editor(request, instrument, highlight=added.pk)
    return TemplateResponse(
        request,
        "documents/_provision_add_form.html",
        {
            "instrument": instrument,
            "form": form,
            "parent": parent,
            "after": after,
            "slot": f"lekhit-add-{after.pk if after else (parent.pk if parent else 'top')}",
        },
    )


def _default_kind(parent: Provision | None, after: Provision | None) -> str:
    if after is not None:
        return after.kind
    if parent is None:
        return Provision.Kind.CHAPTER
    return {
        Provision.Kind.PART: Provision.Kind.CHAPTER,
        Provision.Kind.CHAPTER: Provision.Kind.ARTICLE,
        Provision.Kind.SECTION: Provision.Kind.ARTICLE,
        Provision.Kind.ARTICLE: Provision.Kind.PARAGRAPH,
        Provision.Kind.ANNEX: Provision.Kind.ARTICLE,
    }.get(parent.kind, Provision.Kind.ARTICLE)


@require_POST
def provision_move(request, pk: int, provision_pk: int):
    """Up or down among its siblings (``direction``), or into another parent (``parent``)."""
    instrument = _instrument(request, pk)
    _check_can_edit(request.user, instrument)
    provision = _provision(instrument, provision_pk)
    direction = request.POST.get("direction")
    error = None
    try:
        if direction in ("up", "down"):
            services.provision_shift(provision=provision, user=request.user, direction=direction)
        else:
            node = _node(instrument, provision.pk)
            form = ProvisionMoveForm(request.POST, choices=_move_choices(instrument, node))
            if not form.is_valid():
                raise ValidationError(_("Choose where to move it."))
            parent_pk = form.cleaned_data["parent"]
            parent = _provision(instrument, parent_pk) if parent_pk else None
            services.provision_move(provision=provision, user=request.user, parent=parent)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return _back_to_editor(request, instrument, highlight=provision.pk, error=error)


@require_POST
def provision_delete(request, pk: int, provision_pk: int):
    instrument = _instrument(request, pk)
    _check_can_edit(request.user, instrument)
    provision = _provision(instrument, provision_pk)
    # Where the drafter was stays open: the chapter of a neighbour, or of the parent.
    keep_open = selectors.provision_beside(provision=provision) or provision.parent_id
    services.provision_delete(provision=provision, user=request.user)
    return _back_to_editor(request, instrument, keep_open=keep_open)


# --- Transfer schedule ------------------------------------------------------------------


def _schedule_row(instrument: Instrument, row_pk: int) -> ScheduleRow:
    return _or_404(selectors.schedule_row_of(instrument=instrument, pk=row_pk))


@require_GET
def schedule(request, pk: int):
    instrument = _instrument(request, pk)
    return TemplateResponse(
        request,
        "documents/schedule.html",
        {
            "instrument": instrument,
            "rows": selectors.schedule_rows(instrument=instrument),
            "can_edit": permissions.instrument_policy.user_may(request.user, "edit", instrument),
        },
    )


def _row_response(request, instrument, row, can_edit=True):
    return TemplateResponse(
        request,
        "documents/_schedule_row.html",
        {"instrument": instrument, "row": row, "can_edit": can_edit},
    )


def _row_form_response(request, instrument, form, row=None, conflict=None):
    return TemplateResponse(
        request,
        "documents/_schedule_row_form.html",
        {
            "instrument": instrument,
            "form": form,
            "row": row,
            "conflict": conflict,
            "conflict_message": EditConflict.message,
        },
    )


@require_GET
def schedule_row_detail(request, pk: int, row_pk: int):
    instrument = _instrument(request, pk)
    row = _schedule_row(instrument, row_pk)
    return _row_response(
        request,
        instrument,
        row,
        permissions.instrument_policy.user_may(request.user, "edit", instrument),
    )


@require_http_methods(["GET", "POST"])
def schedule_row_add(request, pk: int):
    instrument = _instrument(request, pk)
    _check_can_edit(request.user, instrument)
    form = ScheduleRowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_row_add(instrument=instrument, user=request.user, **form.values())
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            if request.htmx:
                response = TemplateResponse(
                    request,
                    "documents/_schedule_table.html",
                    {
                        "instrument": instrument,
                        "rows": selectors.schedule_rows(instrument=instrument),
                        "can_edit": True,
                    },
                )
                return reswap(retarget(response, "#lekhit-schedule"), "innerHTML")
            return redirect(url("schedule", instrument.pk))
    return _row_form_response(request, instrument, form)


@require_http_methods(["GET", "POST"])
def schedule_row_edit(request, pk: int, row_pk: int):
    instrument = _instrument(request, pk)
    _check_can_edit(request.user, instrument)
    row = _schedule_row(instrument, row_pk)
    if request.method == "GET":
        form = ScheduleRowEditForm(instance=row, initial={"lock_version": row.lock_version})
        return _row_form_response(request, instrument, form, row)
    form = ScheduleRowEditForm(request.POST)
    if not form.is_valid():
        return _row_form_response(request, instrument, form, row)
    try:
        row = services.schedule_row_update(
            row=row,
            user=request.user,
            expected_lock_version=form.cleaned_data["lock_version"],
            **form.values(),
        )
    except EditConflict as conflict:
        data = request.POST.copy()
        data["lock_version"] = conflict.current.lock_version
        form = ScheduleRowEditForm(data)
        form.is_valid()
        current = _schedule_row(instrument, row.pk)
        return _row_form_response(request, instrument, form, row, conflict=current)
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _row_form_response(request, instrument, form, row)
    return _row_response(request, instrument, _schedule_row(instrument, row.pk))


@require_POST
def schedule_row_delete(request, pk: int, row_pk: int):
    instrument = _instrument(request, pk)
    _check_can_edit(request.user, instrument)
    row = _schedule_row(instrument, row_pk)
    services.schedule_row_delete(row=row, user=request.user)
    if request.htmx:
        return HttpResponse("")
    return redirect(url("schedule", instrument.pk))


# --- Versions ---------------------------------------------------------------------------


@require_GET
def versions(request, pk: int):
    instrument = _instrument(request, pk)
    return _versions_page(request, instrument, VersionForm())


def _versions_page(request, instrument, form, status=200):
    return TemplateResponse(
        request,
        "documents/versions.html",
        {
            "instrument": instrument,
            "versions": selectors.versions_with_previous(instrument=instrument),
            "form": form,
            "is_drafter": permissions.instrument_policy.user_may(request.user, "draft", instrument),
            "can_edit": permissions.instrument_policy.user_may(request.user, "edit", instrument),
        },
        status=status,
    )


@require_POST
def version_save(request, pk: int):
    instrument = _instrument(request, pk)
    if not permissions.instrument_policy.user_may(request.user, "save_version", instrument):
        if permissions.instrument_policy.user_may(request.user, "draft", instrument):
            raise PermissionDenied(str(NotEditable.message))
        raise PermissionDenied(_("Only the drafters of this instrument can save a version."))
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _versions_page(request, instrument, form, status=422)
    try:
        version = services.version_create(
            instrument=instrument, user=request.user, label=form.cleaned_data["label"]
        )
    except NotEditable as error:  # the process moved on since this page was read
        raise PermissionDenied(str(error)) from None
    messages.success(request, _("Version %(number)s has been saved.") % {"number": version.number})
    return redirect(url("versions", instrument.pk))


@require_POST
def version_restore(request, pk: int, version_pk: int):
    instrument = _instrument(request, pk)
    _check_can_edit(request.user, instrument)
    version = _or_404(selectors.version_of(instrument=instrument, pk=version_pk))
    restored = services.version_restore(version=version, user=request.user)
    messages.success(
        request,
        _("Version %(old)s is the working draft again (saved as version %(new)s).")
        % {"old": version.number, "new": restored.number},
    )
    return redirect(url("versions", instrument.pk))


# --- Compare ---------------------------------------------------------------------------

SCHEDULE_COLUMNS = [
    ("function_km", gettext_lazy("Function transferred")),
    ("from_ministry", gettext_lazy("From ministry")),
    ("level", gettext_lazy("To level")),
    ("legal_basis", gettext_lazy("Legal basis")),
    ("staff_count", gettext_lazy("Staff")),
    ("budget_riel", gettext_lazy("Budget (riel)")),
    ("assets", gettext_lazy("Assets")),
    ("effective_date", gettext_lazy("Effective date")),
]


STRUCTURAL_KINDS = {Provision.Kind.PART, Provision.Kind.CHAPTER, Provision.Kind.SECTION}
"""Headings the comparison always shows, unchanged or not: they say where a change lies."""


def _collapsible(row) -> bool:
    """A provision whose text the comparison folds away: unchanged, not moved, and not a
    heading. A renumbered one folds too (its text is the same; an article added near the
    top renumbers every one after it, and the page held all 300 twice): the fold says how
    many it renumbered, and opening it shows their old and new numbers."""
    return row.status == "unchanged" and not row.moved and row.kind not in STRUCTURAL_KINDS


def _compare_blocks(rows) -> list[dict]:
    """The page's walk through the provisions: each shown row, and in place of each run of
    unchanged ones a fold that says how many it holds (and renumbers) and the uid of its
    first."""
    blocks: list[dict] = []
    for row in rows:
        if not _collapsible(row):
            blocks.append({"row": row})
            continue
        if not (blocks and "folded" in blocks[-1]):
            blocks.append({"folded": 0, "renumbered": 0, "first": row.uid})
        blocks[-1]["folded"] += 1
        blocks[-1]["renumbered"] += bool(row.renumbered)
    return blocks


def _unfolded(rows, first: str) -> list:
    """The run of unchanged provisions that starts at the uid ``first`` (what a fold held)."""
    uids = [row.uid for row in rows]
    if first not in uids:
        raise Http404
    run = []
    for row in rows[uids.index(first) :]:
        if not _collapsible(row):
            break
        run.append(row)
    return run


@require_GET
def compare(request, pk: int):
    """Two versions (or a version and the working draft) side by side; the markup of the
    changes is the template's (``documents/templatetags/documents.py``).

    Unchanged provisions are folded, run by run, into a "show N unchanged" link: the page
    holds what changed. The link loads its run with htmx (``?unfold=<uid>`` answers that run
    alone); without scripts it opens the whole comparison (``?all=1``)."""
    instrument = _instrument(request, pk)
    version_choices = selectors.version_list(instrument=instrument)
    default_a = str(version_choices[0].pk) if version_choices else "draft"
    a = request.GET.get("a") or default_a
    b = request.GET.get("b") or "draft"
    snapshots = _or_404(selectors.snapshots_to_compare(instrument=instrument, keys=[a, b]))
    (old, old_version), (new, new_version) = snapshots[a], snapshots[b]
    comparison = selectors.comparison_of(snapshots[a], snapshots[b])
    unfold = request.GET.get("unfold")
    if unfold:
        return TemplateResponse(
            request,
            "documents/_compare_rows.html",
            {"blocks": [{"row": row} for row in _unfolded(comparison.provisions, unfold)]},
        )
    show_all = request.GET.get("all") == "1"
    rows = comparison.provisions
    schedule = [row for row in comparison.schedule if show_all or row.status != "unchanged"]
    return TemplateResponse(
        request,
        "documents/compare.html",
        {
            "instrument": instrument,
            "versions": version_choices,
            "a": a,
            "b": b,
            "old_version": old_version,
            "new_version": new_version,
            "summary": comparison.summary,
            "rows": rows,
            "blocks": [{"row": row} for row in rows] if show_all else _compare_blocks(rows),
            "show_all": show_all,
            "schedule_rows": schedule,
            "schedule_folded": len(comparison.schedule) - len(schedule),
            "schedule_columns": SCHEDULE_COLUMNS,
            "header": comparison.instrument,
            "ministries": selectors.ministry_names(snapshots=[old, new]),
        },
    )


# --- Timeline ---------------------------------------------------------------------------


@require_GET
def timeline(request, pk: int):
    instrument = _instrument(request, pk)
    return TemplateResponse(
        request,
        "documents/timeline.html",
        {
            "instrument": instrument,
            "entries": selectors.timeline_with_previous(instrument=instrument),
        },
    )
