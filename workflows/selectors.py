"""Reads about the approval process, each filtered by what the user may see."""

from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task

from documents.models import Instrument
from documents.numbering import provision_label
from documents.permissions import instrument_policy
from khmer.formats import khmer_digits
from khmer.forms import latin_digits
from organisations.models import User
from workflows.models import ApprovalProcess, AuditEntry, Comment, Consultation, ConsultationRound
from workflows.permissions import consultation_policy, task_policy


def matrix_rows(
    comments: QuerySet[Comment],
    *,
    language: str | None = None,
    results: dict[int, dict] | None = None,
) -> list[dict]:
    """The comment–response matrix: one row per comment, with the provision's label and,
    from ``results`` (each round's ``round_result``, by number), the resulting text of each
    provision the answer says it changed. One query, whatever the number of rows."""
    provisions = {
        number: {item["uid"]: item for item in snapshot["provisions"]}
        for number, snapshot in (results or {}).items()
        if snapshot is not None
    }
    rows = []
    comments = comments.select_related(
        "consultation__organisation", "consultation__round", "author", "responded_by"
    ).order_by("consultation__round__number", "consultation__organisation__code", "pk")
    for comment in comments:
        kind, _sep, number = comment.provision_label.partition(":")
        if comment.schedule_row_number:
            shown = schedule_row_label(comment.schedule_row_number, language)
        else:
            shown = provision_label(kind, number, language) if kind else ""
        round_number = comment.consultation.round.number
        resulting = provisions.get(round_number)  # None: no resulting text to show yet
        rows.append(
            {
                "comment": comment,
                "round": round_number,
                "organisation": comment.consultation.organisation,
                "provision": shown,
                "schedule_row": bool(comment.schedule_row_uid),
                "changes": [
                    _resulting_text(resulting.get(uid), language)
                    for uid in comment.changed_provisions
                ]
                if resulting is not None
                else [],
            }
        )
    return rows


def schedule_row_label(number: int, language: str | None = None) -> str:
    """ "Transfer schedule, row 3" ("តារាងផ្ទេរមុខងារ ជួរទី៣"), in the reader's digits."""
    english = (language or get_language() or "km").startswith("en")
    return _("Transfer schedule, row %(number)s") % {
        "number": number if english else khmer_digits(str(number))
    }


def _resulting_text(item: dict | None, language: str | None) -> dict:
    if item is None:  # changed, then deleted
        return {"label": "", "text": "", "deleted": True}
    return {
        "label": provision_label(item["kind"], item["number"], language),
        "text": item["text_km"] or item["heading_km"],
        "deleted": False,
    }


def round_result(
    *, consultation_round: ConsultationRound, working_draft: bool = True
) -> dict | None:
    """The text as it stands after the drafters answered the round's comments: the newest
    version frozen since the one sent (up to the one sent in the next round), or, while
    they are still answering, the working draft — unless ``working_draft`` is false (for
    anyone outside the department, who never sees the unsent draft): then None until a
    version is frozen. Two or three queries, whatever the rows."""
    from documents.models import Version
    from documents.selectors import instrument_snapshot

    sent = consultation_round.version.number
    versions = Version.objects.filter(instrument_id=consultation_round.instrument_id)
    following = (
        ConsultationRound.objects.filter(
            process_id=consultation_round.process_id, number=consultation_round.number + 1
        )
        .values("version__number")
        .first()
    )
    if following:
        versions = versions.filter(number__lte=following["version__number"])
    latest = versions.filter(number__gt=sent).order_by("-number").first()
    if latest is not None:
        return latest.snapshot
    if not working_draft:
        return None
    return instrument_snapshot(instrument=consultation_round.instrument)


def draft_provisions(*, instrument: Instrument, language: str | None = None) -> list[dict]:
    """The working draft's provisions that an answer can say it changed, in text order."""
    from documents.selectors import instrument_tree

    return [
        {
            "uid": str(node.provision.uid),
            "label": provision_label(node.provision.kind, node.number, language)
            or (node.provision.heading_km or node.provision.text_km)[:60],
        }
        for node in instrument_tree(instrument=instrument)
    ]


def rounds_with_consultations(*, instrument: Instrument, user: User) -> list[ConsultationRound]:
    """The instrument's rounds, each with the consultations ``user`` may see; outside the
    department only the rounds that consulted the user's organisation."""
    consultations = consultation_policy.queryset(user, "view").select_related(
        "organisation", "answered_by", "acting_for"
    )
    rounds = ConsultationRound.objects.filter(instrument=instrument)
    # outside the department, only the rounds that consulted the reviewer's organisation
    if not instrument_policy.user_may(user, "view", instrument):
        rounds = rounds.filter(consultations__in=consultations).distinct()
    return list(
        rounds.select_related("version")
        .prefetch_related(Prefetch("consultations", queryset=consultations))
        .order_by("number")
    )


def audit_trail(*, instrument: Instrument) -> QuerySet[AuditEntry]:
    return (
        AuditEntry.objects.filter(instrument=instrument)
        .select_related("actor", "acting_for", "task")
        .prefetch_related("actor__groups", "acting_for__groups")
        .order_by("-created_at", "-pk")
    )


RETURN_ACTIONS = [
    "chief_review.return",
    "director_review.return",
    "legal_review.return",
    "sign_off.return",
]


DECISION_STEPS = ("chief_review", "director_review", "legal_review", "sign_off")
"""The steps whose decision (approve, return, reject) with its reason later reviewers read."""
DECISION_VALUES = ("approve", "return", "reject")


def decisions_so_far(*, process: ApprovalProcess) -> list[AuditEntry]:
    """Every review decision taken in ``process``, oldest first: who, acting for whom, which
    step, what, why, when. One query, however many there were."""
    actions = [f"{step}.{decision}" for step in DECISION_STEPS for decision in DECISION_VALUES]
    return list(
        AuditEntry.objects.filter(process=process, action__in=actions)
        .select_related("actor", "acting_for")
        .order_by("created_at", "pk")
    )


def director_general_return(*, process: ApprovalProcess) -> AuditEntry | None:
    """The director-general's return the department is working on: the latest sign-off
    decision of the process, if it was a return (a later sign-off supersedes it). One query."""
    latest = (
        AuditEntry.objects.filter(process=process, action__startswith="sign_off.")
        .select_related("actor", "acting_for")
        .order_by("-created_at", "-pk")
        .first()
    )
    return latest if latest is not None and latest.action == "sign_off.return" else None


def return_that_led_to(task) -> AuditEntry | None:
    """The return that brought the draft back to ``task`` (who, acting for whom, when, why),
    if a return did: the reviewer's task, then the gateway that read its decision, then this
    one. One query."""
    return (
        AuditEntry.objects.filter(task__leading__leading=task, action__in=RETURN_ACTIONS)
        .select_related("actor", "acting_for")
        .order_by("-pk")
        .first()
    )


def sign_off_by_hash(sha256: str):
    from workflows.models import SignOff

    return (
        SignOff.objects.filter(sha256=sha256)
        .select_related("instrument__instrument_type", "signed_by", "acting_for", "version")
        .first()
    )


def open_tasks(*, process: ApprovalProcess):
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    return list(
        Task.objects.filter(
            process=process, status__in=[STATUS.NEW, STATUS.ASSIGNED], flow_task_type="HUMAN"
        )
        .select_related("owner", "deadline__organisation")
        .order_by("created")
    )


def sole_holder(*, task) -> User | None:
    """The one person ``task`` is meant for (``TaskPolicy.holders``), or None when it is
    meant for several (or nobody): one query, of at most two rows."""
    holders = list(task_policy.holders(task).order_by("pk")[:2])
    return holders[0] if len(holders) == 1 else None


def _what_was_decided(step: str, detail: dict) -> str:
    """A step's outcome in the reader's language, from its audit entry's detail."""
    from django.utils.translation import gettext as _

    from workflows.models import Decision, NextStep, Position, SignOffDecision

    choices = {
        "chief_review": ("decision", Decision),
        "director_review": ("decision", Decision),
        "legal_review": ("decision", Decision),
        "sign_off": ("decision", SignOffDecision),
        "organisation_review": ("position", Position),
        "consolidate": ("next_step", NextStep),
    }
    if step in choices:
        key, kind = choices[step]
        value = detail.get(key)
        return str(kind(value).label) if value in kind.values else ""
    if step == "revise":
        return _("Sent the revised draft for review")
    if step == "plan_round":
        return _("Sent to the organisations for consultation")
    if step == "register":
        return _("Registered")
    return ""


def task_decision(*, task) -> dict | None:
    """What was decided at a finished step, and by whom (acting for whom), when: its audit
    entry, read in one query. None while the step is open, or for a step nobody decided
    (cancelled)."""
    from viewflow.workflow.status import STATUS

    if task.status != STATUS.DONE:
        return None
    entry = (
        AuditEntry.objects.filter(task_id=task.pk)
        .select_related("actor", "acting_for")
        .order_by("-created_at", "-pk")
        .first()
    )
    if entry is None:
        return None
    detail = entry.detail or {}
    return {
        "who": entry.actor,
        "acting_for": entry.acting_for,
        "when": entry.created_at,
        "what": _what_was_decided(task.flow_task.name, detail),
        "reason": detail.get("reason") or detail.get("note") or "",
        "reference_number": detail.get("reference_number", ""),
    }


def task_for_step(task_pk: int):
    """The task with everything a step's service reads: its process (ours), instrument, lead
    drafter and owner, and for a consulted organisation's task its consultation, round and
    organisation. Read it once the process is locked (``services.task_activation``): a read
    that waited for the lock would see the task as it was before the wait. One query."""
    from viewflow.workflow.models import Task

    task = Task.objects.select_related(
        "process__approvalprocess__instrument__lead_drafter",
        "owner",
        "consultation__round",
        "consultation__organisation",
    ).get(pk=task_pk)
    process = task.process.approvalprocess
    task.process = process
    consultation = getattr(task, "consultation", None)
    if consultation is not None:
        process.current_round = consultation.round  # a review task is of the open round
    return task


def latest_process(*, instrument: Instrument) -> ApprovalProcess | None:
    """The instrument's current (newest) process, if it was ever submitted: one query."""
    return instrument.processes.order_by("-pk").first()


def consultation_of_task(task) -> Consultation:
    """The consultation a consulted organisation's review task answers: one query."""
    return Consultation.objects.select_related("round__version", "organisation").get(
        pk=task.data["consultation_id"]
    )


def consultation_provisions(
    *, consultation: Consultation, language: str | None = None
) -> tuple[list[dict], list[Comment]]:
    """The text sent to a consulted organisation, provision by provision (each with its
    label and the organisation's comments on it), and the comments on no provision in
    particular. One query for the comments, whatever the text's length."""
    by_provision: dict[str, list[Comment]] = {}
    comments = consultation.comments.filter(schedule_row_uid=None)
    for comment in comments.select_related("author").order_by("pk"):
        by_provision.setdefault(str(comment.provision_uid or ""), []).append(comment)
    provisions = [
        {
            **item,
            "label": provision_label(item["kind"], item["number"], language),
            "comments": by_provision.get(item["uid"], []),
        }
        for item in consultation.round.version.snapshot["provisions"]
    ]
    return provisions, by_provision.get("", [])


def consultation_schedule(*, consultation: Consultation) -> list[dict]:
    """The transfer schedule of the version sent to the organisation, row by row, each with
    its ministry's name and the organisation's comments on it. Two queries (the comments,
    the ministries' names), whatever the rows."""
    from documents.models import ScheduleRow
    from documents.selectors import ministry_names

    levels = dict(ScheduleRow.Level.choices)
    snapshot = consultation.round.version.snapshot
    schedule = snapshot.get("schedule", [])
    if not schedule:
        return []
    by_row: dict[str, list[Comment]] = {}
    comments = consultation.comments.exclude(schedule_row_uid=None).select_related("author")
    for comment in comments.order_by("pk"):
        by_row.setdefault(str(comment.schedule_row_uid), []).append(comment)
    names = ministry_names(snapshots=[snapshot])
    return [
        {
            **row,
            "number": n,
            "ministry": names.get(row["from_ministry"], row["from_ministry"]),
            "level_label": levels.get(row["level"], row["level"]),
            "effective_on": date.fromisoformat(row["effective_date"])
            if row.get("effective_date")
            else None,
            "comments": by_row.get(row["uid"], []),
        }
        for n, row in enumerate(schedule, start=1)
    ]


def process_matrix_rows(*, process: ApprovalProcess, language: str | None = None) -> list[dict]:
    """Every round's comments of the process as matrix rows (``matrix_rows``), each with
    the text that resulted from its round: what the drafters consolidate. A fixed number of
    queries per round, whatever the number of comments."""
    results = {
        consultation_round.number: round_result(consultation_round=consultation_round)
        for consultation_round in process.rounds.select_related(
            "version", "instrument__instrument_type"
        )
    }
    comments = Comment.objects.filter(consultation__round__process=process)
    return matrix_rows(comments, language=language, results=results)


def consolidation_groups(*, process: ApprovalProcess, rows: list[dict]) -> list[dict]:
    """The matrix ``rows`` of the process grouped under the consultation they came from, each
    consultation with its position and general remarks, those without comments included:
    what the drafter reads beside each ministry's comments. One query."""
    by_consultation: dict[int, list[dict]] = {}
    for row in rows:
        by_consultation.setdefault(row["comment"].consultation_id, []).append(row)
    consultations = (
        Consultation.objects.filter(round__process=process)
        .select_related("organisation", "round", "answered_by", "acting_for")
        .order_by("round__number", "organisation__code")
    )
    return [
        {"consultation": consultation, "rows": by_consultation.get(consultation.pk, [])}
        for consultation in consultations
    ]


def earlier_consultation(*, consultation: Consultation) -> Consultation | None:
    """The same organisation's consultation on the same instrument in the latest earlier
    round that consulted it, with the version it was sent then; None if none did. One
    query."""
    return (
        Consultation.objects.filter(
            organisation=consultation.organisation_id,
            round__instrument_id=consultation.round.instrument_id,
            round__number__lt=consultation.round.number,
        )
        .select_related("round__version")
        .order_by("-round__number")
        .first()
    )


def reassign_candidates(*, tasks, user: User) -> dict[int, list[User]]:
    """For each of ``tasks`` (by pk), whom ``user`` may give it to: the active people of the
    unit they reassign it in who could hold it themself (the task policy's reassign and hold).
    A constant number of queries for the page, whatever the number of tasks: the people of
    every unit concerned are read once, and their rights together."""
    from organisations.backends import remember_rights

    policy = task_policy
    reassignable = [task for task in tasks if policy.user_may(user, "reassign", task)]
    units = {task.pk: policy.reassign_unit(user, task) for task in reassignable}
    wanted = set().union(*(units[task.pk] for task in reassignable))
    people = list(
        User.objects.filter(organisation__in=wanted, is_active=True)
        .prefetch_related("groups")
        .order_by("pk")
        if wanted
        else []
    )
    remember_rights(people)
    return {
        task.pk: (
            [
                person
                for person in people
                if person.organisation_id in units[task.pk]
                and person.pk != task.owner_id
                and policy.user_may(person, "hold", task)
            ]
            if task.pk in units
            else []
        )
        for task in tasks
    }


# --- The lists of steps and processes -------------------------------------------------------


def visible_only(queryset: QuerySet, objects: QuerySet) -> QuerySet:
    """``queryset`` narrowed to ``objects`` (a policy's answer): unchanged when the policy
    lets the person see every row, so that a list of a million tasks is not joined to a
    subquery of the same million."""
    if not objects.query.has_filters():
        return queryset
    return queryset.filter(pk__in=objects.values("pk"))


def open_task_counts() -> Subquery:
    """Each process's open steps, counted beside its row: viewflow's ``Count("task")``
    joined every task of every process before the pager could count the processes."""
    open_tasks = (
        Task.objects.filter(process=OuterRef("pk"), finished__isnull=True)
        .order_by()
        .values("process")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(open_tasks, output_field=IntegerField()), 0)


def tasks_of_process_or_instrument(tasks: QuerySet, text: str) -> QuerySet:
    """The steps of the process numbered ``text`` (Khmer or Latin digits, with or without
    "#"), or of the instruments whose title or reference number holds it: the lists' search
    in place of viewflow's choice of every process in the list."""
    text = text.strip().lstrip("#").strip()
    if not text:
        return tasks
    number = latin_digits(text)
    found = Q(process__approvalprocess__instrument__title_km__icontains=text)
    found |= Q(process__approvalprocess__instrument__title_en__icontains=text)
    found |= Q(process__approvalprocess__instrument__reference_number__icontains=text)
    if number.isdigit():
        found |= Q(process_id=int(number))
    return tasks.filter(found)
