"""A consulted ministry's reviewer downloads the version sent to them as Word, from the
process page; nobody gets a version they may not see, nor one under another instrument."""

from io import BytesIO

from django.urls import reverse
from docx import Document

from .test_page_queries import in_consultation


def docx_text(response) -> str:
    return "\n".join(p.text for p in Document(BytesIO(response.content)).paragraphs)


def test_the_reviewer_downloads_the_version_sent_from_the_process_page(demo, client):
    process, consultation_round = in_consultation(demo, articles=3, comments=0)
    instrument, version = process.instrument, consultation_round.version
    address = reverse("workflows:version_docx", args=[instrument.pk, version.pk])
    client.force_login(demo["reviewer-mef"])
    page = client.get(reverse("workflows:instrument_process", args=[instrument.pk]))
    assert address in page.content.decode()
    response = client.get(address)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    text = docx_text(response)
    assert "មាត្រាទី1 ស្តីពីការផ្ទេរមុខងារ។" in text and "ព្រះរាជាណាចក្រកម្ពុជា" in text


def test_no_version_for_who_may_not_see_it_nor_under_another_instrument(demo, client):
    process, consultation_round = in_consultation(demo, articles=2, comments=0)
    other, _round = in_consultation(demo, articles=2, comments=0)
    version = consultation_round.version
    client.force_login(demo["reviewer-ncdd"])  # not consulted
    refused = client.get(
        reverse("workflows:version_docx", args=[process.instrument.pk, version.pk])
    )
    assert refused.status_code == 404
    client.force_login(demo["reviewer-mef"])
    mismatched = client.get(
        reverse("workflows:version_docx", args=[other.instrument.pk, version.pk])
    )
    assert mismatched.status_code == 404
