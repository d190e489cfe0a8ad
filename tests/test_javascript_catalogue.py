"""The JavaScript catalogue (/jsi18n/), which every page loads before viewflow's script."""

import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_sign_in_page_gets_the_catalogue_too(client):
    """Loaded by the sign-in page as well: it must not answer a visitor with the sign-in page."""
    response = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="km")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    # viewflow's counter, in Khmer (the catalogue is JSON: Khmer comes \u-escaped)
    assert json.dumps("បានជ្រើសរើស %(sel)s") in response.content.decode()


def test_a_browser_keeps_the_catalogue_and_only_asks_whether_it_changed(demo, client):
    chief = demo["chief"]
    client.force_login(chief)
    first = client.get(reverse("javascript-catalog"))
    assert first.status_code == 200 and "ETag" in first
    again = client.get(reverse("javascript-catalog"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    # The same address in the other language: the kept Khmer copy is not the answer.
    chief.language = "en"
    chief.save(update_fields=["language"])
    english = client.get(reverse("javascript-catalog"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert english.status_code == 200 and english["ETag"] != first["ETag"]
