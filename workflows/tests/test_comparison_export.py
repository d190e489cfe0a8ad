"""The comparison table (តារាងប្រៀបធៀប) downloaded as DOCX: the provisions the two texts
differ in (or all of them), the changed words marked, and the drafters' answers that gave
the reason — for those who may open the comparison page, with only the answers they may
see."""

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from documents import services as documents
from documents.models import Provision
from khmer.formats import format_date, khmer_digits
from workflows import services
from workflows.exports import KHMER_FONT
from workflows.models import Comment
from workflows.views_exports import comparison_answers

from .test_journey import answer_every_comment
from .test_page_queries import in_consultation, to_consolidation

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OLD_WORD, NEW_WORD = "មុខងារ", "ភារកិច្ច"


def url(instrument, **query):
    address = reverse("workflows:comparison_export", args=[instrument.pk])
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def docx_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    document = Document(BytesIO(response.content))
    return document, document.tables[0]


def texts(table):
    return [[cell.text for cell in row.cells] for row in table.rows]


def answered_after_a_round(demo, *, articles: int):
    """Round 1 sent version 1 and closed; half its comments answered as having changed
    the first article, which the drafter then changed in the working draft."""
    process, consultation_round = in_consultation(demo, articles=articles, comments=2)
    to_consolidation(demo, process, consultation_round)
    first = next(
        p for p in consultation_round.version.snapshot["provisions"] if p["kind"] == "article"
    )
    article = Provision.objects.get(instrument=process.instrument, uid=first["uid"])
    documents.provision_update(
        provision=article,
        user=demo["drafter"],
        expected_lock_version=article.lock_version,
        text_km=article.text_km.replace(OLD_WORD, NEW_WORD),
    )
    return process, consultation_round, first


@pytest.fixture
def answered(demo):
    return answered_after_a_round(demo, articles=3)


def test_the_table_holds_the_changed_provision_with_its_words_marked_and_its_reason(
    demo, answered, client
):
    process, consultation_round, first = answered
    client.force_login(demo["drafter"])
    sent = consultation_round.version
    response = client.get(url(process.instrument, a=sent.pk, b="draft"))
    assert response["Content-Disposition"] == (
        f'attachment; filename="comparison-{process.instrument.pk}-{sent.pk}-draft.docx"'
    )
    document, table = docx_of(response)
    title = [p.text for p in document.paragraphs[:3]]
    assert title[0] == "តារាងប្រៀបធៀប" and title[1] == process.instrument.title_km
    assert title[2].startswith(f"កំណែទី {khmer_digits(sent.number)}៖ {sent.display_label} (ថ្ងៃទី")
    assert title[2].endswith(f"→ សេចក្តីព្រាងបច្ចុប្បន្ន ({format_date(timezone.localdate())})")
    rows = texts(table)
    assert rows[0] == ["បទប្បញ្ញត្តិ", "អត្ថបទមុន", "អត្ថបទក្រោយ", "មូលហេតុ"]
    assert len(rows) == 2  # the heading, and the one article the drafter changed
    label, before, after, reason = rows[1]
    assert label.startswith("មាត្រា ១")
    assert before == first["text_km"]
    assert after == first["text_km"].replace(OLD_WORD, NEW_WORD)

    before_cell, after_cell = table.rows[1].cells[1:3]
    struck = "".join(r.text for p in before_cell.paragraphs for r in p.runs if r.font.strike)
    added = "".join(r.text for p in after_cell.paragraphs for r in p.runs if r.font.underline)
    assert OLD_WORD in struck and NEW_WORD not in struck
    assert NEW_WORD in added and OLD_WORD not in added
    plain = [r for p in after_cell.paragraphs for r in p.runs if not r.font.underline]
    assert plain and not any(r.font.strike or r.bold for r in plain)

    answers = Comment.objects.filter(consultation__round=consultation_round).exclude(disposition="")
    assert answers.count() == 2
    assert reason.count("បានកែ") == 2  # each answer that says it changed this article
    assert str(answers[0].consultation.organisation) in reason


def test_all_gives_every_provision_and_a_comment_s_own_provision_counts(demo, answered, client):
    process, consultation_round, first = answered
    client.force_login(demo["drafter"])
    provisions = consultation_round.version.snapshot["provisions"]
    _document, table = docx_of(
        client.get(url(process.instrument, a=consultation_round.version.pk, all=1))
    )  # b: the working draft, as on the page
    rows = texts(table)[1:]
    assert len(rows) == len(provisions) == 4  # the chapter and its three articles
    assert [row[1] for row in rows] == [p["heading_km"] or p["text_km"] for p in provisions]
    assert [row[1] for row in rows[2:]] == [row[2] for row in rows[2:]]  # unchanged
    # The comments on the second article: their answers on its row, one paragraph each,
    # though the answers say the first article is what changed.
    answer_every_comment(demo, process)
    _document, table = docx_of(
        client.get(url(process.instrument, a=consultation_round.version.pk, all=1))
    )
    rows = texts(table)[1:]
    on_second = Comment.objects.filter(
        consultation__round=consultation_round, provision_uid=provisions[2]["uid"]
    ).order_by("consultation__organisation__code")
    assert len(on_second) == 2
    assert all(c.changed_provisions in ([], [first["uid"]]) for c in on_second)
    assert rows[2][3].split("\n") == [
        f"{c.consultation.organisation} · {c.get_disposition_display()}: {c.response}"
        for c in on_second
    ]
    assert rows[3][3] == ""  # no comment on the third


def test_the_docx_is_a_landscape_a4_table_in_khmer_fonts(demo, answered, client):
    process, consultation_round, _first = answered
    client.force_login(demo["drafter"])
    document, table = docx_of(
        client.get(url(process.instrument, a=consultation_round.version.pk, b="draft"))
    )
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((297, 210), abs=0.1)
    assert table.rows[0]._tr.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
    runs = [r for row in table.rows for cell in row.cells for p in cell.paragraphs for r in p.runs]
    runs += [r for p in document.paragraphs for r in p.runs]
    for run in runs:
        properties = run._r.rPr
        assert properties.find(qn("w:rFonts")).get(qn("w:cs")) == KHMER_FONT
        assert properties.find(qn("w:szCs")) is not None
        assert properties.find(qn("w:lang")).get(qn("w:bidi")) == "km-KH"
        if run.bold:
            assert properties.find(qn("w:bCs")) is not None
    footer = section.footer.paragraphs[0]._p.xml
    assert " PAGE " in footer


def test_a_ministry_reviewer_gets_no_comparison_and_no_unpublished_answer(demo, answered, client):
    """The comparison page is the department's (a reviewer reads what was sent to them, never
    the working draft); and the reasons are only answers the reader may see."""
    process, consultation_round, first = answered
    instrument, sent = process.instrument, consultation_round.version
    client.force_login(demo["reviewer-mef"])
    page = reverse("documents:compare", args=[instrument.pk]) + f"?a={sent.pk}&b=draft"
    assert client.get(page).status_code == 403  # the department's pages
    assert client.get(url(instrument, a=sent.pk, b="draft")).status_code == 404

    def reasons(user):
        found = comparison_answers(
            user, instrument=instrument, old_version=sent, new_version=None, uids={first["uid"]}
        )
        return [answer.response for answer in found.get(first["uid"], [])]

    assert reasons(demo["drafter"]) == ["បានកែ", "បានកែ"]
    assert reasons(demo["reviewer-mef"]) == []  # answered, but the matrix is not published
    answer_every_comment(demo, process)  # publishing needs every answer
    services.matrix_publish(consultation_round=consultation_round, user=demo["director"])
    assert reasons(demo["reviewer-mef"]) == ["បានកែ", "បានកែ"]


def test_no_reason_from_a_round_outside_the_two_versions(demo, answered, client):
    process, consultation_round, _first = answered
    instrument = process.instrument
    client.force_login(demo["drafter"])
    draft_again = documents.version_create(instrument=instrument, user=demo["drafter"], label="ខ")
    _document, table = docx_of(client.get(url(instrument, a=draft_again.pk, b="draft", all=1)))
    assert all(row[3] == "" for row in texts(table)[1:])  # round 1 sent an older version


def test_mismatched_ids_are_not_found(demo, answered, client):
    process, consultation_round, _first = answered
    other, other_round = in_consultation(demo, articles=1, comments=0)
    client.force_login(demo["drafter"])
    instrument, theirs = process.instrument, other_round.version
    assert client.get(url(instrument, a=theirs.pk, b="draft")).status_code == 404
    assert client.get(url(instrument, a="x1", b="draft")).status_code == 404
    assert client.get(url(instrument, a=consultation_round.version.pk, b="0")).status_code == 404
    missing = reverse("workflows:comparison_export", args=[other.instrument.pk + 1000])
    assert client.get(missing).status_code == 404


def test_the_compare_page_links_to_both_tables(demo, answered, client):
    process, consultation_round, _first = answered
    client.force_login(demo["drafter"])
    sent = consultation_round.version.pk
    page = client.get(
        reverse("documents:compare", args=[process.instrument.pk]) + f"?a={sent}&b=draft"
    )
    body = page.content.decode()
    address = url(process.instrument)
    assert f"{address}?a={sent}&amp;b=draft" in body
    assert f"{address}?a={sent}&amp;b=draft&amp;all=1" in body


def test_queries_do_not_grow_with_the_text(demo, client, django_assert_num_queries):
    small, small_round, _ = answered_after_a_round(demo, articles=10)
    large, large_round, _ = answered_after_a_round(demo, articles=100)
    client.force_login(demo["drafter"])
    # The first request after signing in writes more; of the draft alone, it leaves no
    # version's text in the process's memo.
    client.get(url(small.instrument, a="draft"))

    for every in ("0", "1"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(small.instrument, a=small_round.version.pk, all=every))
        assert response.status_code == 200
        with django_assert_num_queries(len(queries)):
            response = client.get(url(large.instrument, a=large_round.version.pk, all=every))
        assert len(docx_of(response)[1].rows) > (100 if every == "1" else 1)
