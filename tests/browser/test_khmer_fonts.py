"""Khmer renders: every piece of Khmer text on the main pages is drawn in a Khmer font we serve.

A page that names only Roboto (viewflow's lists did) falls back to whatever the reader's
machine has, and where it has no Khmer font the text is a row of empty boxes. This machine's
Chromium has none of its own, so it shows exactly what such a reader would see.
"""

import pytest
from django.urls import reverse
from viewflow.workflow.status import STATUS

from tasks.tests.conftest import new_instrument
from workflows import services
from workflows.flows import ApprovalFlow

from .test_sign_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUR_KHMER_FONTS = ["Noto Sans Khmer", "Noto Serif Khmer", "Khmer OS Muol Light"]

# Each visible element with Khmer text of its own, and the first family its style names.
FIRST_FONTS_OF_KHMER_TEXT = """() => {
  const khmer = /[\\u1780-\\u17FF]/;
  const found = {};
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const element = walker.currentNode.parentElement;
    if (!khmer.test(walker.currentNode.textContent) || !element.getClientRects().length) {
      continue;
    }
    const first = getComputedStyle(element).fontFamily.split(",")[0].trim().replace(/"/g, "");
    const where = element.tagName.toLowerCase() + "." + [...element.classList].join(".");
    (found[first] = found[first] || new Set()).add(where);
  }
  return Object.fromEntries(Object.entries(found).map(([k, v]) => [k, [...v].slice(0, 5)]));
}"""


def test_khmer_on_the_lists_the_task_page_and_the_text_is_in_our_fonts(demo, live_server, page):
    instrument = new_instrument(demo)
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    task = process.task_set.get(flow_task=ApprovalFlow.chief_review, status=STATUS.NEW)
    sign_in(page, live_server, "chief")
    pages = [
        reverse("workflow:queue"),
        task.flow_task.reverse("detail", args=[task.process_id, task.pk]),
        reverse("documents:instrument", args=[instrument.pk]),
        reverse("workflows:instrument_process", args=[instrument.pk]),
        reverse("notifications:list"),
    ]
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        fonts = page.evaluate(FIRST_FONTS_OF_KHMER_TEXT)
        assert fonts, f"no Khmer text on {path}"
        strangers = {
            family: where for family, where in fonts.items() if family not in OUR_KHMER_FONTS
        }
        assert strangers == {}, f"{path}: Khmer drawn in {strangers}"


def test_the_sign_in_page_and_the_admin_are_in_our_fonts(demo, live_server, page):
    def assert_our_fonts(path):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        fonts = page.evaluate(FIRST_FONTS_OF_KHMER_TEXT)
        assert fonts, f"no Khmer text on {path}"
        strangers = {f: where for f, where in fonts.items() if f not in OUR_KHMER_FONTS}
        assert strangers == {}, f"{path}: Khmer drawn in {strangers}"

    assert_our_fonts(reverse("login"))
    sign_in(page, live_server, "admin")
    for path in ["/admin/", "/admin/organisations/user/", "/admin/organisations/rolechange/"]:
        assert_our_fonts(path)
