"""A person's own API token, from a page: made (and shown once), replaced, revoked."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from api import services


def calls_with(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/consultations/").status_code


def test_a_reviewer_makes_replaces_and_revokes_their_token(demo, client):
    client.force_login(demo["reviewer-mef"])
    page = client.get("/api/token/")
    assert page.status_code == 200
    assert page.context["current"] is None and page.context["new_key"] is None
    assert "លោកអ្នកមិនទាន់មានសញ្ញាសម្ងាត់ទេ។" in page.content.decode()  # in Khmer first

    made = client.post("/api/token/", {"action": "create"})
    key = made.context["new_key"]
    assert key and key in made.content.decode()
    assert Token.objects.get(user=demo["reviewer-mef"]).key == key
    assert calls_with(key) == 200
    later = client.get("/api/token/")
    assert later.context["current"].key == key
    assert key not in later.content.decode()  # shown once, when made

    replaced = client.post("/api/token/", {"action": "create"}).context["new_key"]
    assert replaced != key
    assert calls_with(key) == 401
    assert calls_with(replaced) == 200

    client.post("/api/token/", {"action": "revoke"})
    assert not Token.objects.filter(user=demo["reviewer-mef"]).exists()
    assert calls_with(replaced) == 401


def test_the_page_needs_a_sign_in_and_a_csrf_token(demo, client):
    response = client.get("/api/token/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(demo["drafter"])
    assert strict.post("/api/token/", {"action": "create"}).status_code == 403
    assert not Token.objects.filter(user=demo["drafter"]).exists()


def test_the_token_services_refuse_who_may_not_have_one(demo):
    retired = demo["chief"]
    retired.is_active = False
    retired.save(update_fields=["is_active"])
    for user in [None, AnonymousUser(), retired]:
        with pytest.raises(PermissionDenied):
            services.token_replace(user=user)
        with pytest.raises(PermissionDenied):
            services.token_revoke(user=user)
    assert not Token.objects.exists()
