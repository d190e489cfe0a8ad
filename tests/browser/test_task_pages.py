"""Task pages in headless Chromium: consolidation answers saved in place, the provision picker
filtered by typing, nothing cut off at 1366 px."""

import pytest
from playwright.sync_api import expect

from documents import services as documents
from documents.models import InstrumentType, Provision
from organisations.models import Organisation
from workflows.flows import ApprovalFlow
from workflows.models import Comment
from workflows.tests.test_consolidation_page import in_consolidation

from .test_editor import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def instrument_of(demo, articles: int):
    drafter = demo["drafter"]
    instrument = documents.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km="អនុក្រឹត្យស្តីពីការផ្ទេរមុខងារ",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    chapter = documents.provision_add(
        instrument=instrument, user=drafter, kind=Provision.Kind.CHAPTER, heading_km="ទូទៅ"
    )
    for n in range(articles):
        documents.provision_add(
            instrument=instrument,
            user=drafter,
            kind=Provision.Kind.ARTICLE,
            parent=chapter,
            text_km=f"មាត្រាទី {n} ស្តីពីការផ្ទេរ។",
        )
    instrument.refresh_from_db()
    return instrument


def test_the_drafter_answers_without_the_page_reloading(demo, live_server, page):
    process, _first = in_consolidation(demo, instrument_of(demo, 14))
    task = process.task_set.get(flow_task=ApprovalFlow.consolidate)
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server, "drafter")
    page.goto(live_server.url + task.flow_task.reverse("assign", args=[process.pk, task.pk]))
    page.goto(live_server.url + task.flow_task.reverse("execute", args=[process.pk, task.pk]))
    page.evaluate("window.lekhitNotReloaded = true")

    form = page.locator("form.lekhit-answer-form").first
    form.locator("select[name=disposition]").select_option("accepted")
    form.locator("textarea[name=response]").fill("បានកែតាមការស្នើ។")
    # Type in the picker's box: only the matching provisions stay (Latin digits find Khmer).
    search = form.locator("input.lekhit-pick-filter")
    expect(search).to_be_visible()
    search.fill("12")
    visible = form.locator(".lekhit-pick-item:visible")
    expect(visible).to_have_count(1)
    expect(visible).to_have_text("មាត្រា ១២")
    visible.locator("input").check()
    search.fill("")
    expect(form.locator(".lekhit-pick-item:visible")).to_have_count(15)  # the chapter + 14
    form.locator("button[type=submit]").click()

    saved = page.locator("form.lekhit-answer-form--saved")
    expect(saved).to_have_count(1)
    assert page.evaluate("window.lekhitNotReloaded") is True  # the same page, not a new one
    comment = Comment.objects.get(consultation__round__process=process)
    assert comment.disposition == "accepted" and len(comment.changed_provisions) == 1
    # The form swapped in is live: its picker filters again.
    saved.locator("input.lekhit-pick-filter").fill("១")
    expect(saved.locator(".lekhit-pick-item:visible").first).to_be_visible()

    # Nothing runs off the right edge at 1366 px.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366, width
    right = page.evaluate(
        "Math.max(...[...document.querySelectorAll('.lekhit-answer-row > *')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert right <= 1366, right
