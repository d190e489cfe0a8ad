"""A signed version's PDF is printed once, by a job right after the director-general's
signature, and kept: every later download gives those very bytes, the database refuses to
change or delete them, the verification page offers them; a signature never waits for the
printer, nor fails with it. A ministry's reviewer downloads the version sent to them as PDF."""

import hashlib
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.urls import reverse

from documents import export_pdf
from documents.errors import ImmutableVersionError
from documents.models import Instrument, VersionPdf
from documents.tests.test_export_pdf import flat, pdf_text
from workflows import services
from workflows.flows import ApprovalFlow

from .conftest import act, open_task
from .test_page_queries import in_consultation
from .test_verify import english, signed  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.poppler]


def kept(sign_off) -> VersionPdf:
    """The signed version's kept PDF, as the signature's job keeps it (the tests' transaction
    never commits, so the job the signature enqueued is not run by itself)."""
    from workflows.tasks import signed_pdf_keep

    signed_pdf_keep(sign_off.version_id)
    return VersionPdf.objects.get(version=sign_off.version)


def test_the_sign_off_keeps_the_signed_pdf(signed):  # noqa: F811
    pdf = kept(signed)
    content = bytes(pdf.content)
    assert content.startswith(b"%PDF-")
    assert pdf.sha256 == hashlib.sha256(content).hexdigest()
    text = flat(pdf_text(content))
    assert flat(signed.instrument.title_km) in text
    assert flat("អនុក្រឹត្យនេះមានគោលបំណងផ្ទេរមុខងារ។") in text  # an article
    assert signed.version.sha256 in text
    assert flat("សេចក្ដីព្រាង") not in text  # signed: no draft marker


def test_every_later_download_gives_the_kept_bytes_even_once_registered(
    signed,  # noqa: F811
    client,
    demo,
    tmp_path,
):
    content = bytes(kept(signed).content)
    instrument, version = signed.instrument, signed.version
    documents_url = reverse("documents:export_pdf", args=[instrument.pk, version.pk])
    process_url = reverse("workflows:version_pdf", args=[instrument.pk, version.pk])
    client.force_login(demo["drafter"])
    assert client.get(documents_url).content == content
    assert client.get(documents_url).content == content
    # The registry numbers and dates it: printed now, the text would say so; the file does not
    # change.
    act(
        open_task(signed.process, ApprovalFlow.register),
        demo["registry"],
        services.instrument_register,
        reference_number="លេខ ១ អនក.បក",
        registered_on=date(2026, 11, 25),
    )
    assert Instrument.objects.get(pk=instrument.pk).reference_number == "លេខ ១ អនក.បក"
    assert client.get(documents_url).content == content
    client.force_login(demo["director"])
    assert client.get(process_url).content == content
    client.logout()
    public = client.get(reverse("verify_pdf", args=[signed.sha256]))
    assert public.status_code == 200 and public["Content-Type"] == "application/pdf"
    assert public.content == content
    call_command(
        "instrument_export", str(instrument.pk), "--version", str(version.number),
        "--format", "pdf", "-o", tmp_path / "signed.pdf",
    )  # fmt: skip
    assert (tmp_path / "signed.pdf").read_bytes() == content


def test_the_database_refuses_to_change_or_delete_the_kept_pdf(signed):  # noqa: F811
    pdf = kept(signed)
    with pytest.raises(ImmutableVersionError):
        pdf.save()
    with pytest.raises(ImmutableVersionError):
        pdf.delete()
    for change in (
        lambda rows: rows.update(content=b"%PDF-forged"),
        lambda rows: rows.update(sha256="0" * 64),
        lambda rows: rows._raw_delete(rows.db),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change(VersionPdf.objects.filter(pk=pdf.pk))
    assert bytes(kept(signed).content) == bytes(pdf.content)


def test_the_verification_page_offers_the_pdf_and_knows_it_uploaded_back(
    signed,  # noqa: F811
    client,
):
    english(client)
    page = client.get(reverse("verify_hash", args=[signed.sha256])).content.decode()
    assert reverse("verify_pdf", args=[signed.sha256]) in page
    content = bytes(kept(signed).content)
    response = client.post(reverse("verify"), {"file": SimpleUploadedFile("s.pdf", content)})
    assert "This text was signed." in response.content.decode()
    response = client.post(
        reverse("verify"), {"file": SimpleUploadedFile("s.pdf", content + b"\n")}
    )
    assert "No signed text has this SHA-256." in response.content.decode()
    assert client.get(reverse("verify_pdf", args=["0" * 64])).status_code == 404


@pytest.fixture
def no_printer(monkeypatch):
    """No Chromium on the server: every print fails, and says so."""
    printed = []

    def broken(html):
        printed.append(html)
        raise export_pdf.RenderError("no Chromium")

    monkeypatch.setattr(export_pdf, "html_to_pdf", broken)
    return printed


def test_the_signature_enqueues_the_printing_and_never_waits_for_it(
    no_printer,
    jobs,
    signed,  # noqa: F811 - signed with the printer gone, the jobs recorded
    client,
    demo,
    monkeypatch,
):
    instrument = Instrument.objects.get(pk=signed.instrument_id)
    assert instrument.status == Instrument.Status.SIGNED  # signed, though nothing could print
    assert no_printer == [] and "workflows.signed_pdf_keep" in jobs.names()
    jobs.queue = [job for job in jobs.queue if job[0] == "workflows.signed_pdf_keep"]
    with pytest.raises(ValidationError):  # the job fails, and Celery retries it
        jobs.run()
    assert not VersionPdf.objects.exists()
    # A download meanwhile says so in the reader's language, keeps nothing, offers the DOCX.
    client.force_login(demo["drafter"])
    address = reverse("documents:export_pdf", args=[instrument.pk, signed.version_id])
    response = client.get(address)
    assert response.status_code == 503
    assert "មិនអាចបោះពុម្ព PDF" in response.content.decode()
    assert reverse("documents:export_docx", args=[instrument.pk, signed.version_id]) in (
        response.content.decode()
    )
    assert not VersionPdf.objects.exists()
    # The printer back: the first download prints it and keeps it; the job then finds it.
    monkeypatch.setattr(export_pdf, "html_to_pdf", lambda html: b"%PDF-1.4 kept")
    assert client.get(address).content == b"%PDF-1.4 kept"
    jobs.enqueue("workflows.signed_pdf_keep", [(signed.version_id,)])
    monkeypatch.setattr(export_pdf, "html_to_pdf", lambda html: b"%PDF-1.4 printed again")
    jobs.run()
    assert [bytes(pdf.content) for pdf in VersionPdf.objects.all()] == [b"%PDF-1.4 kept"]
    assert client.get(address).content == b"%PDF-1.4 kept"


# --- The reviewer's version sent (the printing replaced: these are about rights) ---------


@pytest.fixture
def fake_print(monkeypatch):
    monkeypatch.setattr(export_pdf, "html_to_pdf", lambda html: b"%PDF-1.4 fake")


def test_the_reviewer_downloads_the_version_sent_as_pdf_from_the_process_page(
    demo, client, fake_print
):
    process, consultation_round = in_consultation(demo, articles=2, comments=0)
    instrument, version = process.instrument, consultation_round.version
    address = reverse("workflows:version_pdf", args=[instrument.pk, version.pk])
    client.force_login(demo["reviewer-mef"])
    page = client.get(reverse("workflows:instrument_process", args=[instrument.pk]))
    assert address in page.content.decode()
    response = client.get(address)
    assert response.status_code == 200 and response.content == b"%PDF-1.4 fake"
    # Not the working draft, nor the instrument's pages.
    draft = reverse("documents:export_pdf", args=[instrument.pk, "draft"])
    assert client.get(draft).status_code == 403


def test_no_version_pdf_for_who_may_not_see_it_nor_under_another_instrument(
    demo, client, fake_print
):
    process, consultation_round = in_consultation(demo, articles=2, comments=0)
    other, _round = in_consultation(demo, articles=2, comments=0)
    version = consultation_round.version
    client.force_login(demo["reviewer-ncdd"])  # not consulted
    address = reverse("workflows:version_pdf", args=[process.instrument.pk, version.pk])
    assert client.get(address).status_code == 404
    client.force_login(demo["reviewer-mef"])
    mismatched = reverse("workflows:version_pdf", args=[other.instrument.pk, version.pk])
    assert client.get(mismatched).status_code == 404


# --- The comparison table as PDF ----------------------------------------------------------


def test_the_comparison_table_as_pdf_marks_the_changed_words_and_gives_the_reason(demo, client):
    from .test_comparison_export import NEW_WORD, OLD_WORD, answered_after_a_round

    process, consultation_round, first = answered_after_a_round(demo, articles=2)
    address = reverse("workflows:comparison_pdf", args=[process.instrument.pk])
    query = f"?a={consultation_round.version.pk}&b=draft"
    client.force_login(demo["drafter"])
    page = client.get(reverse("documents:compare", args=[process.instrument.pk]) + query)
    assert f"{address}{query.replace('&', '&amp;')}" in page.content.decode()
    response = client.get(address + query)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = flat(pdf_text(response.content))
    assert flat("តារាងប្រៀបធៀប") in text
    before, after = first["text_km"], first["text_km"].replace(OLD_WORD, NEW_WORD)
    assert text.index(flat(before)) < text.index(flat(after))  # before, then after
    assert text.count(flat("បានទទួលយក: បានកែ")) == 2  # the drafters' answers: the reason
    client.force_login(demo["reviewer-mef"])
    assert client.get(address + query).status_code in (403, 404)
