"""A consulted ministry's returned DOCX: aligned to the version sent, each changed provision
a proposed comment with its word diff; nothing saved until the reviewer sends the ones kept;
only that consultation's reviewers reach the pages."""

from io import BytesIO

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from documents import export_docx, imports, official
from workflows import services
from workflows.flows import ApprovalFlow
from workflows.models import Comment, Consultation

from .conftest import internal_approvals, open_round, open_task
from .test_page_queries import execute_url

FIRST = "អនុក្រឹត្យនេះមានគោលបំណងផ្ទេរមុខងារ។"


@pytest.fixture
def consultation(demo, instrument):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    internal_approvals(demo, process)
    consultation_round = open_round(demo, process, ("mef", "moh"))
    return Consultation.objects.get(round=consultation_round, organisation__code="mef")


def returned(consultation, *, added=True):
    """The version sent as DOCX, its first article edited with tracked changes (a word
    struck, one inserted) and, if ``added``, an article added at the end."""
    version = consultation.round.version
    data = export_docx.instrument_docx(
        official.export_of(instrument=version.instrument, version=version)
    )
    document = docx.Document(BytesIO(data))
    paragraph = next(p for p in document.paragraphs if p.text == FIRST)
    for run in list(paragraph._p.xpath("./w:r")):
        paragraph._p.remove(run)
    paragraph._p.append(parse_xml(f"<w:r {nsdecls('w')}><w:t>អនុក្រឹត្យនេះមានគោលបំណង</w:t></w:r>"))
    paragraph._p.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="1" w:author="MEF"><w:r><w:delText>ផ្ទេរ</w:delText>'
            "</w:r></w:del>"
        )
    )
    paragraph._p.append(
        parse_xml(
            f'<w:ins {nsdecls("w")} w:id="2" w:author="MEF"><w:r><w:t>ប្រគល់</w:t></w:r></w:ins>'
        )
    )
    paragraph._p.append(parse_xml(f"<w:r {nsdecls('w')}><w:t>មុខងារ។</w:t></w:r>"))
    if added:
        last = next(p for p in document.paragraphs if p.text.startswith("មុខងារដែលផ្ទេរ"))
        new = last.insert_paragraph_before("មាត្រា ៣.-")
        last._p.addnext(new._p)
        article = document.add_paragraph("ថវិកាត្រូវមកពីថវិកាជាតិ។")
        new._p.addnext(article._p)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def articles(consultation):
    return [p for p in consultation.round.version.snapshot["provisions"] if p["kind"] == "article"]


def test_the_edits_align_to_the_provisions_sent_with_their_word_diff(consultation):
    changes = imports.returned_changes(
        snapshot=consultation.round.version.snapshot, data=returned(consultation)
    )
    first, second = articles(consultation)
    changed, added = changes
    assert (changed["change"], changed["uid"]) == ("changed", first["uid"])
    assert changed["new"] == "អនុក្រឹត្យនេះមានគោលបំណងប្រគល់មុខងារ។"
    assert ("delete", "ផ្ទេរ") in changed["diff"] and ("insert", "ប្រគល់") in changed["diff"]
    assert (added["change"], added["uid"]) == ("added", second["uid"])
    assert added["new"] == "ថវិកាត្រូវមកពីថវិកាជាតិ។"


def test_the_unchanged_document_proposes_nothing(consultation):
    version = consultation.round.version
    data = export_docx.instrument_docx(
        official.export_of(instrument=version.instrument, version=version)
    )
    assert imports.returned_changes(snapshot=version.snapshot, data=data) == []


def upload(client, consultation, data):
    return client.post(
        reverse("workflows:returned_docx", args=[consultation.pk]),
        {"file": SimpleUploadedFile("returned.docx", data)},
    )


def test_the_reviewer_reads_the_proposals_then_sends_the_ones_kept(client, demo, consultation):
    client.force_login(demo["reviewer-mef"])
    assert client.get(reverse("workflows:returned_docx", args=[consultation.pk])).status_code == 200
    response = upload(client, consultation, returned(consultation))
    assert response.status_code == 200
    changes = response.context["changes"]
    assert len(changes) == 2
    assert "ប្រគល់" in changes[0]["text"] and "ផ្ទេរ" in changes[0]["text"]
    assert not Comment.objects.exists()  # nothing saved by reading
    assert "ថ្មី បន្ទាប់ពីមាត្រា ២" in response.content.decode()  # the added article's place
    data = {"count": 2, "next": "/"}
    for n, change in enumerate(changes):
        data[f"uid-{n}"] = change["uid"]
        data[f"text-{n}"] = change["text"]
    data["send-0"] = "1"  # the second one unticked
    data["text-0"] = "សូមប្រើពាក្យ «ប្រគល់»។"
    response = client.post(reverse("workflows:returned_docx_send", args=[consultation.pk]), data)
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.consultation == consultation and comment.author == demo["reviewer-mef"]
    assert str(comment.provision_uid) == changes[0]["uid"]
    assert comment.text == "សូមប្រើពាក្យ «ប្រគល់»។"


def test_a_send_with_one_bad_comment_saves_none(client, demo, consultation):
    client.force_login(demo["reviewer-mef"])
    first, _second = articles(consultation)
    data = {
        "count": 2,
        "uid-0": first["uid"],
        "text-0": "យោបល់",
        "send-0": "1",
        "uid-1": "00000000-0000-0000-0000-000000000000",  # not in the version sent
        "text-1": "យោបល់",
        "send-1": "1",
    }
    client.post(reverse("workflows:returned_docx_send", args=[consultation.pk]), data)
    assert not Comment.objects.exists()


def test_a_bad_file_gets_its_message(client, demo, consultation):
    client.force_login(demo["reviewer-mef"])
    response = upload(client, consultation, b"not a docx")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


@pytest.mark.parametrize("username", ["reviewer-moh", "drafter", "chief"])
def test_no_one_but_the_consulted_reviewers_reaches_the_pages(client, demo, consultation, username):
    client.force_login(demo[username])
    first, _second = articles(consultation)
    page = reverse("workflows:returned_docx", args=[consultation.pk])
    send = reverse("workflows:returned_docx_send", args=[consultation.pk])
    assert client.get(page).status_code in (403, 404)
    assert upload(client, consultation, returned(consultation)).status_code in (403, 404)
    data = {"count": 1, "uid-0": first["uid"], "text-0": "x", "send-0": "1"}
    assert client.post(send, data).status_code in (403, 404)
    assert not Comment.objects.exists()


def test_the_review_page_links_to_it(client, demo, consultation):
    task = open_task(
        consultation.round.process,
        ApprovalFlow.organisation_review,
        consultation_id=consultation.pk,
    )
    client.force_login(demo["reviewer-mef"])
    body = client.get(execute_url(client, task)).content.decode()
    assert reverse("workflows:returned_docx", args=[consultation.pk]) in body
