"""Who is speaking (token, session with CSRF), how often they may (per-user throttling), and
how the API says no: JSON, in the caller's language, Khmer as UTF-8."""

import json

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from documents.models import Instrument


def khmer(message: str) -> str:
    with translation.override("km"):
        translated = gettext(message)
    assert translated != message, f"no Khmer for {message!r}"
    return translated


def test_no_credentials_401_in_json_and_khmer(demo, api):
    response = api(None).get("/api/v1/instruments/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body == {
        "detail": khmer("Sign in, or send your API token (Authorization: Token …)."),
        "code": "not_authenticated",
    }
    assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_token_is_refused(demo):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = client.get("/api/v1/instruments/")
    assert response.status_code == 401
    assert response.json()["detail"] == khmer("This token or sign-in is not valid.")


def test_a_token_signs_a_system_in_and_speaks_its_users_language(demo, instrument, api):
    drafter = demo["drafter"]
    client = api("drafter")
    body = client.get("/api/v1/instruments/").json()
    assert [i["id"] for i in body["results"]] == [instrument.pk]
    assert body["results"][0]["lead_drafter"] == str(drafter)
    assert client.get("/api/v1/instruments/999999/").json()["detail"] == khmer(
        "There is nothing here, or nothing you may see."
    )
    drafter.language = "en"
    drafter.save(update_fields=["language"])
    response = client.get("/api/v1/instruments/999999/")
    assert response.json()["detail"] == "There is nothing here, or nothing you may see."
    assert response["Content-Language"] == "en"


def test_drf_create_token_gives_a_user_their_token(demo):
    call_command("drf_create_token", "reviewer-mef", stdout=open("/dev/null", "w"))  # noqa: SIM115
    token = Token.objects.get(user=demo["reviewer-mef"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/consultations/").status_code == 200


def test_the_session_works_for_the_pages_with_csrf_enforced(demo, consulting):
    _process, consultation_round = consulting
    consultation = consultation_round.consultations.get(organisation__code="mef")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(demo["reviewer-mef"])
    assert client.get("/api/v1/consultations/").status_code == 200
    url = f"/api/v1/consultations/{consultation.pk}/comments/"
    refused = client.post(url, {"text": "សូមពិនិត្យ"}, format="json")
    assert refused.status_code == 403  # no CSRF token
    assert refused.json()["code"] == "permission_denied"
    assert not consultation.comments.exists()
    page = client.get(f"/process/instruments/{consultation_round.instrument_id}/")
    assert page.status_code == 200  # a page with a form: it sets the CSRF cookie
    accepted = client.post(
        url, {"text": "សូមពិនិត្យ"}, format="json", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value
    )
    assert accepted.status_code == 201, accepted.content


def test_each_user_is_throttled_on_their_own(demo, api, settings):
    settings.API_USER_RATE = "3/minute"
    drafter, chief = api("drafter"), api("chief")
    for _attempt in range(3):
        assert drafter.get("/api/v1/instruments/").status_code == 200
    response = drafter.get("/api/v1/instruments/")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    seconds = int(response["Retry-After"])
    assert 1 <= seconds <= 60
    assert response.json()["detail"] == khmer(
        "Too many requests: try again in %(seconds)s seconds."
    ) % {"seconds": seconds}
    assert chief.get("/api/v1/instruments/").status_code == 200  # someone else's allowance


def test_anonymous_verification_is_throttled_per_address(demo, settings):
    settings.API_ANON_RATE = "2/minute"
    client = APIClient()
    for _attempt in range(2):
        assert client.get("/api/v1/verify/" + "a" * 64 + "/").status_code == 404
    assert client.get("/api/v1/verify/" + "a" * 64 + "/").status_code == 429


def test_khmer_is_sent_as_utf8_not_escaped(demo, instrument, api):
    response = api("drafter").get(f"/api/v1/instruments/{instrument.pk}/")
    raw = response.content
    assert instrument.title_km.encode("utf-8") in raw
    assert b"\\u17" not in raw  # no \u-escapes of the Khmer block
    assert response["Content-Type"] == "application/json"
    assert json.loads(raw.decode("utf-8"))["title_km"] == instrument.title_km


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        ("[1, 2]", "application/json", 400, "Send a JSON object."),
        ('{"text": 5}', "application/json", 400, "Send this as text."),
        ("{not json", "application/json", 400, "The request's body is not valid JSON."),
        (
            "text=x",
            "application/x-www-form-urlencoded",
            415,
            "Send the request's body as JSON (Content-Type: application/json).",
        ),
    ],
)
def test_bad_input_is_a_json_error_in_khmer(
    demo, consulting, api, body, content_type, status, message
):
    _process, consultation_round = consulting
    consultation = consultation_round.consultations.get(organisation__code="mef")
    response = api("reviewer-mef").post(
        f"/api/v1/consultations/{consultation.pk}/comments/", body, content_type=content_type
    )
    assert response.status_code == status
    assert response.json()["detail"] == khmer(message)
    assert not consultation.comments.exists()


def test_a_service_refusal_keeps_the_services_translated_message(demo, consulting, api):
    _process, consultation_round = consulting
    consultation = consultation_round.consultations.get(organisation__code="mef")
    response = api("reviewer-mef").post(
        f"/api/v1/consultations/{consultation.pk}/comments/", {"text": "  "}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"text": [khmer("Write the comment.")]}


def test_filters_and_invalid_filters(demo, instrument, api):
    client = api("drafter")
    assert client.get("/api/v1/instruments/?status=draft").json()["count"] == 1
    assert client.get("/api/v1/instruments/?status=signed").json()["count"] == 0
    assert client.get("/api/v1/instruments/?type=sub-decree&q=សាលា").json()["count"] == 1
    assert client.get("/api/v1/instruments/?q=primary&mine=true").json()["count"] == 1
    assert api("chief").get("/api/v1/instruments/?mine=true").json()["count"] == 0
    refused = client.get("/api/v1/instruments/?status=nope")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"status": [khmer("No instrument has this status.")]}
    assert Instrument.objects.count() == 1
