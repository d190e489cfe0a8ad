"""Reads about the approval process, each filtered by what the user may see."""

from django.db.models import Prefetch, QuerySet

from documents.models import Instrument
from documents.numbering import provision_label
from documents.permissions import instrument_policy
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
        round_number = comment.consultation.round.number
        resulting = provisions.get(round_number)  # None: no resulting text to show yet
        rows.append(
            {
                "comment": comment,
                "round": round_number,
                "organisation": comment.consultation.organisation,
                "provision": provision_label(kind, number, language) if kind else "",
                "changes": [
                    _resulting_text(resulting.get(uid), language)
                    for uid in comment.changed_provisions
                ]
                if resulting is not None
                else [],
            }
        )
    return rows


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
        .order_by("-created_at", "-pk")
    )


RETURN_ACTIONS = [
    "chief_review.return",
    "director_review.return",
    "legal_review.return",
    "sign_off.return",
]


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
    for comment in consultation.comments.select_related("author").order_by("pk"):
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
