"""Khmer renders: every piece of Khmer text on the main pages is drawn in a Khmer font we serve.

A page that names only Roboto (viewflow's lists did) falls back to whatever the reader's
machine has, and where it has no Khmer font the text is a row of empty boxes. This machine's
Chromium has none of its own, so it shows exactly what such a reader would see.
"""

import pytest
from django.urls import reverse

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


def assert_our_fonts(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    fonts = page.evaluate(FIRST_FONTS_OF_KHMER_TEXT)
    assert fonts, f"no Khmer text on {url}"
    strangers = {family: where for family, where in fonts.items() if family not in OUR_KHMER_FONTS}
    assert strangers == {}, f"{url}: Khmer drawn in {strangers}"
    # The font is ours, served by Lekhit, and the browser has it (not a local one by name).
    loaded = page.evaluate(
        "() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
    )
    assert {"Noto Sans Khmer"} <= {family.strip('"') for family in loaded}, url


def test_khmer_on_every_kind_of_page_is_in_our_fonts(demo, live_server, page):
    """A representative page of every kind: viewflow's lists, its process and task pages
    (detail, assign), the instrument's pages, the pages beside the site (process page, Away,
    notifications), the public verification page, and our 403 and 404."""
    instrument = new_instrument(demo)
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    task = process.task_set.get(flow_task=ApprovalFlow.chief_review)  # the chief's at once
    start = process.task_set.get(flow_task=ApprovalFlow.start)
    sign_in(page, live_server, "chief")
    pages = [
        reverse("workflow:inbox"),
        reverse("workflow:queue"),
        reverse("workflow:archive"),
        reverse("workflow:flows:approval:process_list"),
        reverse("workflow:flows:approval:process_detail", args=[process.pk]),
        task.flow_task.reverse("detail", args=[task.process_id, task.pk]),
        task.flow_task.reverse("assign", args=[task.process_id, task.pk]),
        reverse("documents:index"),
        reverse("documents:instrument", args=[instrument.pk]),
        reverse("documents:versions", args=[instrument.pk]),
        reverse("workflows:instrument_process", args=[instrument.pk]),
        reverse("notifications:list"),
        reverse("away"),
        reverse("verify"),
        start.flow_task.reverse("undo", args=[process.pk, start.pk]),  # 403: not the chief's
        "/no-such-page/",  # 404
    ]
    for path in pages:
        assert_our_fonts(page, f"{live_server.url}{path}")


def test_the_sign_in_page_and_the_admin_are_in_our_fonts(demo, live_server, page):
    assert_our_fonts(page, f"{live_server.url}{reverse('login')}")
    sign_in(page, live_server, "admin")
    for path in ["/admin/", "/admin/organisations/user/", "/admin/organisations/rolechange/"]:
        assert_our_fonts(page, f"{live_server.url}{path}")
