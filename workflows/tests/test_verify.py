"""The signed text anyone can check: its canonical bytes, downloadable, hash to the sign-off.

Through the real URLs: the public page of one hash (``/verify/<sha256>/``), the public
download of the text it fingerprints (``/verify/<sha256>/text/``), and the download from the
instrument's own pages, which follows who may see which version.
"""

import hashlib
import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.models import Instrument, Version
from documents.snapshots import canonical_bytes
from khmer.formats import format_datetime
from workflows import services
from workflows.flows import ApprovalFlow
from workflows.models import NextStep, Position, SignOff, SignOffDecision

from .conftest import act, internal_approvals, open_round, open_task
from .test_journey import legal_then_dg

JSON_UTF8 = "application/json; charset=utf-8"


@pytest.fixture
def signed(demo, instrument) -> SignOff:
    """The instrument taken through one round (MEF only, no objection) to the DG's signature."""
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    internal_approvals(demo, process)
    open_round(demo, process, ("mef",))
    act(
        open_task(process, ApprovalFlow.organisation_review),
        demo["reviewer-mef"],
        services.consultation_answer,
        position=Position.NO_OBJECTION,
        remarks="",
    )
    act(
        open_task(process, ApprovalFlow.consolidate),
        demo["drafter"],
        services.consolidation_finish,
        next_step=NextStep.LEGAL,
    )
    legal_then_dg(demo, process, SignOffDecision.APPROVE, "")
    return SignOff.objects.select_related("version", "instrument").get(process=process)


def page_url(sign_off) -> str:
    return reverse("verify_hash", args=[sign_off.sha256])


def text_url(sign_off) -> str:
    return reverse("verify_text", args=[sign_off.sha256])


def instrument_text_url(version) -> str:
    return reverse("workflows:version_text", args=[version.instrument_id, version.pk])


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def assert_is_the_signed_text(response, sign_off):
    assert response.status_code == 200
    assert response["Content-Type"] == JSON_UTF8
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and disposition.endswith('.json"')
    assert sign_off.sha256[:12] in disposition
    body = response.content
    assert hashlib.sha256(body).hexdigest() == sign_off.sha256 == sign_off.version.sha256
    assert body == canonical_bytes(sign_off.version.snapshot)
    # The file is the text itself, legible: the title and articles, in Khmer, as signed.
    assert json.loads(body)["instrument"]["title_km"] == sign_off.instrument.title_km


# --- Public: /verify/<sha256>/ and its text ------------------------------------------------


def test_anyone_downloads_the_signed_text_and_it_hashes_to_the_sign_off(signed, client):
    assert signed.version.reason == Version.Reason.SIGNED
    assert_is_the_signed_text(client.get(text_url(signed)), signed)  # anonymous
    # Upper-case, as some tools print it: the same text.
    assert_is_the_signed_text(
        client.get(reverse("verify_text", args=[signed.sha256.upper()])), signed
    )


def test_the_downloaded_file_uploaded_back_verifies(signed, client):
    english(client)
    downloaded = client.get(text_url(signed)).content
    response = client.post(
        reverse("verify"), {"file": SimpleUploadedFile("signed.json", downloaded)}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "This text was signed." in body and signed.sha256 in body
    # One byte changed (a space a text editor would add at the end): not the signed text.
    response = client.post(
        reverse("verify"), {"file": SimpleUploadedFile("signed.json", downloaded + b"\n")}
    )
    assert "No signed text has this SHA-256." in response.content.decode()


def test_the_page_of_a_hash_says_what_was_signed_by_whom_and_when(signed, client, demo):
    response = english(client).get(page_url(signed))
    assert response.status_code == 200
    body = response.content.decode()
    assert "This text was signed." in body
    assert signed.instrument.title_en in body
    assert f"<dt>Signed by</dt>\n        <dd><strong>{demo['dg']}</strong>" in body
    assert f"<code>{signed.sha256}</code>" in body  # whole, not cut to a column's width
    assert f'href="{text_url(signed)}"' in body
    assert "Download the signed text" in body


def test_the_page_of_a_hash_in_khmer(signed, client, demo):
    response = client.get(page_url(signed))  # no choice made: Khmer
    body = response.content.decode()
    assert response.status_code == 200
    assert "អត្ថបទនេះត្រូវបានចុះហត្ថលេខា។" in body
    assert "ទាញយកអត្ថបទដែលបានចុះហត្ថលេខា" in body
    assert signed.instrument.title_km in body
    assert format_datetime(signed.signed_at, "km") in body  # Khmer digits and month
    assert f"<code>{signed.sha256}</code>" in body
    assert "Download" not in body and "This text was signed" not in body


def test_an_unknown_hash_is_told_in_both_languages_with_404(db, client):
    for digest in ["0" * 64, "not-a-hash", "f" * 65]:
        for name in ["verify_hash", "verify_text"]:
            client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
            response = client.get(reverse(name, args=[digest]))
            assert response.status_code == 404
            assert "គ្មានអត្ថបទដែលបានចុះហត្ថលេខាណាមួយមាន SHA-256 នេះទេ។" in response.content.decode()
            response = english(client).get(reverse(name, args=[digest]))
            assert response.status_code == 404
            assert "No signed text has this SHA-256." in response.content.decode()


# --- From the instrument's pages: to those who may see that version ------------------------


def test_internal_staff_download_the_signed_text_from_the_instrument(signed, client, demo):
    client.force_login(demo["registry"])
    process_page = client.get(
        reverse("workflows:instrument_process", args=[signed.instrument_id])
    ).content.decode()
    assert f'href="{instrument_text_url(signed.version)}"' in process_page
    assert f'href="{page_url(signed)}"' in process_page
    versions_page = client.get(
        reverse("documents:versions", args=[signed.instrument_id])
    ).content.decode()
    assert f'href="{instrument_text_url(signed.version)}"' in versions_page
    assert_is_the_signed_text(client.get(instrument_text_url(signed.version)), signed)


def test_reviewers_download_only_the_version_sent_to_their_organisation(signed, client, demo):
    sent = signed.instrument.rounds.get(number=1).version
    # MEF was consulted: the version sent to it, yes; the text signed after, not from here.
    client.force_login(demo["reviewer-mef"])
    response = client.get(instrument_text_url(sent))
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == sent.sha256
    assert client.get(instrument_text_url(signed.version)).status_code == 404
    process_page = client.get(reverse("workflows:instrument_process", args=[signed.instrument_id]))
    assert instrument_text_url(signed.version) not in process_page.content.decode()
    # MoH was not consulted: nothing of this instrument, whatever the version.
    client.force_login(demo["reviewer-moh"])
    for version in (sent, signed.version):
        assert client.get(instrument_text_url(version)).status_code == 404
    assert (
        client.get(reverse("workflows:instrument_process", args=[signed.instrument_id])).status_code
        == 404
    )


def test_the_instrument_download_needs_a_signed_in_user(signed, client):
    response = client.get(instrument_text_url(signed.version))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_signature_still_freezes_its_version(signed):
    instrument = Instrument.objects.get(pk=signed.instrument_id)
    assert instrument.status == Instrument.Status.SIGNED
    assert instrument.versions.order_by("-number").first() == signed.version


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_whole_fingerprint_is_readable_on_a_phone(signed, live_server, page):
    """A 64-character hash has no break opportunity: it used to run out of the page's
    narrow column, cut off. It wraps now, every character inside the column."""
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(live_server.url + page_url(signed))
    code = page.locator(".lekhit-verify-result code")
    assert code.inner_text() == signed.sha256
    column = page.locator(".vf-page-lockscreen__sidebar-content").bounding_box()
    box = code.bounding_box()
    assert box["x"] >= column["x"] and box["x"] + box["width"] <= column["x"] + column["width"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["%00" + "z" * 70, "f" * 63, "x"])
def test_a_query_that_is_no_sha256_finds_nothing_and_is_no_server_error(client, value):
    """``/verify/?sha256=`` with a NUL answered 500 (PostgreSQL refuses it in a comparison)."""
    client.raise_request_exception = False
    response = client.get(f"/verify/?sha256={value}")
    assert response.status_code == 200
    assert response.context["result"]["sign_off"] is None


def test_the_page_of_a_signed_text_shows_the_text_who_signed_and_the_whole_hash(signed, client):
    body = client.get(page_url(signed)).content.decode()
    text = body.split('class="lekhit-signed-text"')[1].split("</article>")[0]
    for provision in signed.version.snapshot["provisions"]:
        for field in ("heading_km", "text_km"):
            if provision[field]:
                assert provision[field] in text.replace("\u200b", "")  # the signed words
    assert str(signed.signed_by) in text
    # The fingerprint in a block of its own, whole.
    assert f'class="lekhit-hash lekhit-hash-block"><code>{signed.sha256}</code>' in body
