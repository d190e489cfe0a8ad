"""Task pages hold what the step needs: the decisions taken before it, with their reasons."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.status import STATUS

from workflows import services
from workflows.flows import ApprovalFlow

from .conftest import drive, open_round, open_task


def execute_url(task):
    return task.flow_task.reverse("execute", args=[task.process_id, task.pk])


def detail_url(task):
    return task.flow_task.reverse("detail", args=[task.process_id, task.pk])


def page(client, user, task, *, taken=True):
    """The task page of ``task`` as ``user``, after taking it as the inbox does."""
    client.force_login(user)
    if taken and task.status == STATUS.NEW:
        assert (
            client.post(
                task.flow_task.reverse("assign", args=[task.process_id, task.pk])
            ).status_code
            == 302
        )
    response = client.get(execute_url(task))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def returns_then_approval(demo, process, returns: int):
    """The chief returns the draft ``returns`` times (the drafter resubmits each time), then
    approves it."""
    for n in range(returns):
        drive(process, "chief_review", demo["chief"], decision="return", reason=f"សូមកែមាត្រា {n}")
        drive(process, "revise", demo["drafter"], note="បានកែ")
    drive(process, "chief_review", demo["chief"], decision="approve", reason="ល្អ")


def test_the_director_sees_the_chief_s_decision_and_reason(demo, instrument, client):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    returns_then_approval(demo, process, returns=1)
    body = page(client, demo["director"], open_task(process, ApprovalFlow.director_review))
    panel = body.split('class="lekhit-card lekhit-decisions"')[1].split("</section>")[0]
    assert "សូមកែមាត្រា 0" in panel and "ល្អ" in panel  # both decisions, their reasons as typed
    assert str(demo["chief"]) in panel and "ប្រធានការិយាល័យ" in panel  # who, in which role
    assert panel.index("សូមកែមាត្រា 0") < panel.index("ល្អ")  # oldest first
    assert "lekhit-decision--return" in panel and "lekhit-decision--approve" in panel


def test_a_finished_step_s_page_shows_the_decisions_before_it(demo, instrument, client):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    drive(process, "chief_review", demo["chief"], decision="approve", reason="ត្រឹមត្រូវ")
    drive(process, "director_review", demo["director"], decision="approve", reason="យល់ព្រម")
    # Viewflow's page of the director's finished task: the chief's decision; the director's
    # own is the task itself.
    director_task = process.task_set.get(flow_task=ApprovalFlow.director_review)
    client.force_login(demo["director"])
    response = client.get(detail_url(director_task))
    assert response.status_code == 200
    panel = response.content.decode().split('class="lekhit-card lekhit-decisions"')[1]
    panel = panel.split("</section>")[0]
    assert "ត្រឹមត្រូវ" in panel and "យល់ព្រម" not in panel


def test_a_consulted_ministry_never_sees_the_department_s_decisions(demo, instrument, client):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    drive(process, "chief_review", demo["chief"], decision="approve", reason="មូលហេតុផ្ទៃក្នុង")
    drive(process, "director_review", demo["director"], decision="approve", reason="")
    open_round(demo, process, ("mef",))
    task = open_task(process, ApprovalFlow.organisation_review)
    body = page(client, demo["reviewer-mef"], task)
    assert "lekhit-decisions" not in body and "មូលហេតុផ្ទៃក្នុង" not in body


def test_the_panel_costs_the_same_queries_for_one_decision_or_many(demo, client):
    from documents import services as documents
    from documents.models import InstrumentType
    from organisations.models import Organisation

    counts = []
    for returns in (0, 4):
        other = documents.instrument_create(
            user=demo["drafter"],
            instrument_type=InstrumentType.objects.get(code="sub-decree"),
            title_km=f"អនុក្រឹត្យ {returns}",
            owning_office=Organisation.objects.get(code="dfr-fr"),
        )
        documents.provision_add(instrument=other, user=demo["drafter"], kind="article", text_km="ក")
        process = services.process_start(instrument=other, user=demo["drafter"])
        returns_then_approval(demo, process, returns=returns)
        task = open_task(process, ApprovalFlow.director_review)
        page(client, demo["director"], task)  # taken, and warm
        with CaptureQueriesContext(connection) as captured:
            body = client.get(execute_url(task)).content.decode()
        assert body.count('class="lekhit-decision ') == returns + 1
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


def returned_by_the_dg(demo, instrument, reason="សូមកែមាត្រា ២ ឲ្យស្របច្បាប់។"):
    """Consulted (MEF, no objection), legal approval, then the director-general returns it."""
    from workflows.models import NextStep, Position, SignOffDecision

    process = services.process_start(instrument=instrument, user=demo["drafter"])
    drive(process, "chief_review", demo["chief"], decision="approve", reason="")
    drive(process, "director_review", demo["director"], decision="approve", reason="")
    open_round(demo, process, ("mef",))
    drive(
        process,
        "organisation_review",
        demo["reviewer-mef"],
        position=Position.NO_OBJECTION,
        remarks="",
    )
    drive(process, "consolidate", demo["drafter"], next_step=NextStep.LEGAL)
    drive(process, "legal_review", demo["legal"], decision="approve", reason="")
    drive(process, "sign_off", demo["dg"], decision=SignOffDecision.RETURN, reason=reason)
    return process


def test_a_draft_the_dg_returned_goes_to_the_director_before_legal_and_the_dg(
    demo, instrument, client
):
    from workflows.models import NextStep

    process = returned_by_the_dg(demo, instrument)
    # The drafter revises it, and the page says who returned it, why, and where it goes next.
    body = page(client, demo["drafter"], open_task(process, ApprovalFlow.consolidate))
    notice = body.split("lekhit-returned--dg")[1].split("</div>")[0]
    assert "សូមកែមាត្រា ២ ឲ្យស្របច្បាប់។" in notice and str(demo["dg"]) in notice
    assert "ប្រធាននាយកដ្ឋាន" in notice  # "…it goes to the department director…"
    drive(process, "consolidate", demo["drafter"], next_step=NextStep.LEGAL)

    # The director sees the revision first, with the DG's reason.
    task = open_task(process, ApprovalFlow.director_review)
    body = page(client, demo["director"], task)
    assert "សូមកែមាត្រា ២ ឲ្យស្របច្បាប់។" in body.split("lekhit-returned--dg")[1]
    assert not process.task_set.filter(
        flow_task=ApprovalFlow.legal_review, status__in=[STATUS.NEW, STATUS.ASSIGNED]
    ).exists()
    drive(process, "director_review", demo["director"], decision="approve", reason="បានកែ")

    # Then legal review (told the DG comes next), then the DG.
    body = page(client, demo["legal"], open_task(process, ApprovalFlow.legal_review))
    assert "lekhit-returned--dg" in body
    drive(process, "legal_review", demo["legal"], decision="approve", reason="")
    assert open_task(process, ApprovalFlow.sign_off)


def test_the_director_may_return_the_dg_s_revision_to_the_drafter(demo, instrument):
    from workflows.models import NextStep

    process = returned_by_the_dg(demo, instrument)
    drive(process, "consolidate", demo["drafter"], next_step=NextStep.LEGAL)
    drive(process, "director_review", demo["director"], decision="return", reason="មិនទាន់គ្រប់")
    drive(process, "revise", demo["drafter"], note="បានកែបន្ថែម")
    drive(process, "chief_review", demo["chief"], decision="approve", reason="")
    drive(process, "director_review", demo["director"], decision="approve", reason="")
    # Already consulted: on to legal review, not to a new round.
    assert open_task(process, ApprovalFlow.legal_review)
    assert not process.task_set.filter(
        flow_task=ApprovalFlow.plan_round, status__in=[STATUS.NEW, STATUS.ASSIGNED]
    ).exists()


def test_the_side_card_says_a_running_process_is_in_progress_not_new(demo, instrument, client):
    """Viewflow keeps a process NEW until it ends; its card said "new" (ថ្មី) on every step."""
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    body = page(client, demo["chief"], open_task(process, ApprovalFlow.chief_review))
    card = body.split('class="vf-list__table lekhit-card-table"')[1].split("</table>")[0]
    assert "កំពុងដំណើរការ" in card and "ថ្មី" not in card
