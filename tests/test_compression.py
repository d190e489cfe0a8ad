"""Pages and API answers travel compressed, in development as in production."""

import gzip

import pytest
from django.urls import reverse

from tasks.tests.conftest import new_instrument

pytestmark = pytest.mark.django_db


def test_a_page_is_gzipped_for_a_browser_that_accepts_it(demo, client):
    client.force_login(demo["drafter"])
    instrument = new_instrument(demo)
    address = f"/documents/{instrument.pk}/"  # the editor
    plain = client.get(address)
    packed = client.get(address, HTTP_ACCEPT_ENCODING="gzip, br")
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content)
    # The same page: only its fresh CSRF token and CSP nonce differ between two answers.
    assert len(gzip.decompress(packed.content)) == pytest.approx(len(plain.content), abs=64)


def test_an_api_answer_is_gzipped_too(client):
    response = client.get(reverse("api:schema"), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
