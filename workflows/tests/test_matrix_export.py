"""The comment–response matrix downloaded as XLSX and DOCX: the rows the reader sees on the
page, no more; the headings in their language; Khmer fonts on every cell and run."""

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from openpyxl import load_workbook

from workflows import services
from workflows.exports import KHMER_FONT
from workflows.flows import ApprovalFlow
from workflows.models import Comment, Consultation, NextStep

from .conftest import act, open_round, open_task
from .test_journey import answer_every_comment
from .test_page_queries import REVIEWERS, in_consultation, to_consolidation

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HEADINGS_KM = [
    "ល.រ",
    "ជុំ",
    "បទប្បញ្ញត្តិ",
    "ស្ថាប័ន",
    "មតិយោបល់",
    "ចំណាត់ការ",
    "មូលហេតុ",
    "អត្ថបទក្រោយការកែសម្រួល",
]


def url(process, file_format, round_number=None):
    if round_number is None:
        return reverse("workflows:matrix_export_all", args=[process.pk, file_format])
    return reverse("workflows:matrix_export", args=[process.pk, round_number, file_format])


def sheet_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(BytesIO(response.content)).active
    return sheet, [list(row) for row in sheet.iter_rows(values_only=True)]


def docx_table(response):
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    document = Document(BytesIO(response.content))
    return document, [[cell.text for cell in row.cells] for row in document.tables[0].rows]


@pytest.fixture
def consolidating(demo):
    """Round 1 closed, mef's and moh's two comments each, half of them answered."""
    process, consultation_round = in_consultation(demo, articles=3, comments=2)
    to_consolidation(demo, process, consultation_round)
    return process, consultation_round


@pytest.fixture
def published(demo, consolidating):
    """Round 1's comments all answered and its matrix published; round 2 open, in which
    mef and moh each commented once."""
    process, first = consolidating
    answer_every_comment(demo, process)
    act(
        open_task(process, ApprovalFlow.consolidate),
        demo["drafter"],
        services.consolidation_finish,
        next_step=NextStep.ROUND,
    )
    services.matrix_publish(consultation_round=first, user=demo["director"])
    second = open_round(demo, process, tuple(REVIEWERS))
    for code, username in REVIEWERS.items():
        services.comment_add(
            consultation=Consultation.objects.get(round=second, organisation__code=code),
            user=demo[username],
            text=f"យោបល់ជុំទីពីរ ({code})",
        )
    return process, first, second


def test_the_drafter_s_xlsx_has_every_comment_with_its_answer(demo, consolidating, client):
    process, consultation_round = consolidating
    client.force_login(demo["drafter"])
    response = client.get(url(process, "xlsx", 1))
    assert response["Content-Disposition"] == (
        f'attachment; filename="matrix-{process.pk}-round-1.xlsx"'
    )
    sheet, rows = sheet_rows(response)
    assert rows[0] == HEADINGS_KM  # the drafter reads Khmer, as every user until they switch
    comments = Comment.objects.filter(consultation__round=consultation_round)
    assert sorted(row[4] for row in rows[1:]) == sorted(comments.values_list("text", flat=True))
    assert [row[0] for row in rows[1:]] == [1, 2, 3, 4]  # numbers, to sort
    assert {row[1] for row in rows[1:]} == {1}
    for answered in comments.exclude(disposition=""):
        row = next(row for row in rows if row[4] == answered.text)
        assert row[5] == answered.get_disposition_display() and row[6] == "បានកែ"
        assert row[7].startswith("មាត្រា ១ ")  # the article the answer changed, as it reads now
    for unanswered in comments.filter(disposition=""):
        assert next(row for row in rows if row[4] == unanswered.text)[5:] == [None, None, None]
    whole_text = next(row for row in rows if row[4] == "យោបល់ទី0 (mef)")
    assert whole_text[2] == "អត្ថបទទាំងមូល"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:H5"
    for cells in sheet.iter_rows():
        for cell in cells:
            assert cell.font.name == KHMER_FONT, cell.coordinate
            assert cell.alignment.wrap_text
    assert all(8 <= sheet.column_dimensions[c].width <= 60 for c in "CDEFGH")


def test_headings_are_in_the_reader_s_language(demo, consolidating, client):
    process, _ = consolidating
    demo["drafter"].language = "en"
    demo["drafter"].save(update_fields=["language"])
    client.force_login(demo["drafter"])
    _sheet, rows = sheet_rows(client.get(url(process, "xlsx", 1)))
    assert rows[0] == [
        "No.",
        "Round",
        "Provision",
        "Organisation",
        "Comment",
        "Disposition",
        "Reason",
        "Resulting text",
    ]
    _document, table = docx_table(client.get(url(process, "docx", 1)))
    assert table[0] == rows[0] and table[1][0] == "1"  # Latin digits in English


def test_before_publication_a_reviewer_s_files_hold_their_own_comments_without_answers(
    demo, consolidating, client
):
    process, consultation_round = consolidating
    client.force_login(demo["reviewer-mef"])
    page = client.get(reverse("workflows:matrix", args=[process.pk, 1]))
    assert url(process, "xlsx", 1) in page.content.decode()
    _sheet, rows = sheet_rows(client.get(url(process, "xlsx", 1)))
    mine = Comment.objects.filter(
        consultation__round=consultation_round, consultation__organisation__code="mef"
    )
    assert sorted(row[4] for row in rows[1:]) == sorted(mine.values_list("text", flat=True))
    assert mine.exclude(disposition="").exists()  # answered, but not shown yet
    assert all(row[5] is None and row[6] is None and row[7] is None for row in rows[1:])
    _document, table = docx_table(client.get(url(process, "docx", 1)))
    assert sorted(row[4] for row in table[1:]) == sorted(mine.values_list("text", flat=True))
    assert all(row[5] == "—" and row[6] == "" for row in table[1:])


def test_once_published_the_reviewer_s_files_hold_every_comment_and_answer(demo, published, client):
    process, first, _second = published
    client.force_login(demo["reviewer-moh"])
    _sheet, rows = sheet_rows(client.get(url(process, "xlsx", 1)))
    every = Comment.objects.filter(consultation__round=first)
    assert sorted(row[4] for row in rows[1:]) == sorted(every.values_list("text", flat=True))
    assert all(row[5] for row in rows[1:])  # every answer, mef's too


def test_the_all_rounds_file_has_each_round_s_comments_as_the_reader_may_see_them(
    demo, published, client
):
    process, first, second = published
    client.force_login(demo["reviewer-mef"])
    response = client.get(url(process, "xlsx"))
    assert response["Content-Disposition"] == (
        f'attachment; filename="matrix-{process.pk}-all-rounds.xlsx"'
    )
    _sheet, rows = sheet_rows(response)
    by_round = {1: [], 2: []}
    for row in rows[1:]:
        by_round[row[1]].append(row)
    assert len(by_round[1]) == Comment.objects.filter(consultation__round=first).count()
    assert [row[4] for row in by_round[2]] == ["យោបល់ជុំទីពីរ (mef)"]  # moh's not yet
    assert all(row[5] for row in by_round[1]) and by_round[2][0][5] is None
    assert [row[0] for row in rows[1:]] == list(range(1, len(rows)))

    client.force_login(demo["drafter"])
    _document, table = docx_table(client.get(url(process, "docx")))
    assert [row[1] for row in table[1:]].count("២") == 2 and "១" in [r[1] for r in table[1:]]


def test_the_docx_is_a_landscape_a4_table_in_khmer_fonts(demo, consolidating, client):
    process, consultation_round = consolidating
    client.force_login(demo["drafter"])
    response = client.get(url(process, "docx", 1))
    assert response["Content-Disposition"] == (
        f'attachment; filename="matrix-{process.pk}-round-1.docx"'
    )
    document, table = docx_table(response)
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((297, 210), abs=0.1)
    assert table[0] == HEADINGS_KM
    count = Comment.objects.filter(consultation__round=consultation_round).count()
    assert [row[0] for row in table[1:]] == ["១", "២", "៣", "៤"][:count]
    title = "\n".join(p.text for p in document.paragraphs)
    assert process.instrument.title_km in title and "ជុំទី ១" in title
    heading_row = document.tables[0].rows[0]._tr
    assert heading_row.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
    runs = [run for p in document.paragraphs for run in p.runs]
    runs += [
        run
        for row in document.tables[0].rows
        for cell in row.cells
        for p in cell.paragraphs
        for run in p.runs
    ]
    assert runs
    for run in runs:
        properties = run._r.find(qn("w:rPr"))
        assert properties.find(qn("w:rFonts")).get(qn("w:cs")) == KHMER_FONT
        assert properties.find(qn("w:szCs")) is not None
        assert properties.find(qn("w:lang")).get(qn("w:bidi")) == "km-KH"
    for cell in document.tables[0].rows[0].cells:  # the headings bold, complex script too
        assert cell.paragraphs[0].runs[0]._r.find(qn("w:rPr")).find(qn("w:bCs")) is not None
    footer = section.footer._element.xml
    assert 'w:fldCharType="begin"' in footer and " PAGE " in footer


def test_a_comment_that_looks_like_a_formula_stays_text(demo, consolidating, client):
    process, consultation_round = consolidating
    Comment.objects.filter(consultation__round=consultation_round).update(
        text='=HYPERLINK("http://example.com","x")\x0b'
    )
    client.force_login(demo["drafter"])
    sheet, rows = sheet_rows(client.get(url(process, "xlsx", 1)))
    assert rows[1][4] == '=HYPERLINK("http://example.com","x")'
    assert sheet["E2"].data_type == "s"
    _document, table = docx_table(client.get(url(process, "docx", 1)))
    assert table[1][4] == '=HYPERLINK("http://example.com","x")'


@pytest.mark.parametrize("file_format", ["xlsx", "docx"])
def test_who_may_not_see_the_matrix_gets_no_file(demo, consolidating, client, file_format):
    process, _ = consolidating
    client.force_login(demo["reviewer-ncdd"])  # not consulted
    assert client.get(url(process, file_format, 1)).status_code == 404
    assert client.get(url(process, file_format)).status_code == 404
    client.force_login(demo["drafter"])
    assert client.get(url(process, file_format, 2)).status_code == 404  # no such round
    other, _ = in_consultation(demo, articles=1, comments=1)
    assert client.get(url(other, file_format, 2)).status_code == 404
    assert client.get(url(process, "pdf", 1)).status_code == 404
    client.logout()
    assert client.get(url(process, file_format, 1)).status_code == 302  # to sign in


@pytest.mark.parametrize("file_format", ["xlsx", "docx"])
@pytest.mark.parametrize("username", ["drafter", "reviewer-mef"])
def test_the_queries_do_not_grow_with_the_comments(
    demo, client, django_assert_num_queries, file_format, username
):
    small, _ = in_consultation(demo, articles=3, comments=5)  # 10 comments
    large, _ = in_consultation(demo, articles=3, comments=50)  # 100 comments
    client.force_login(demo[username])
    client.get(url(small, file_format, 1))  # the first request after signing in writes more

    for round_number in (1, None):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(small, file_format, round_number)).status_code == 200
        with django_assert_num_queries(len(queries)):
            response = client.get(url(large, file_format, round_number))
        assert response.status_code == 200


def test_a_text_longer_than_a_spreadsheet_cell_holds_is_cut_and_line_ends_are_kept():
    """Excel refuses a cell of more than 32,767 characters; Windows line ends, typed in a
    browser's text box, become plain line breaks in both files."""
    from datetime import date

    from workflows.exports import MatrixFile, MatrixLine, matrix_docx, matrix_xlsx

    line = MatrixLine(
        number=1,
        round=1,
        provision="មាត្រា ១",
        organisation="ក្រសួងសុខាភិបាល",
        comment="ក" * 40_000,
        disposition="",
        reason="ទីមួយ\r\nទីពីរ",
        resulting=(),
    )
    matrix = MatrixFile(title="អនុក្រឹត្យ", scope="ជុំទី ១", made_on=date(2026, 12, 2), lines=[line])
    sheet = load_workbook(BytesIO(matrix_xlsx(matrix))).active
    assert len(sheet["E2"].value) == 32_767 and sheet["E2"].value.endswith("…")
    assert sheet["G2"].value == "ទីមួយ\nទីពីរ"
    cell = Document(BytesIO(matrix_docx(matrix))).tables[0].rows[1].cells[6]
    assert cell.text == "ទីមួយ\nទីពីរ"
    assert len(cell._tc.xpath(".//w:br")) == 1
