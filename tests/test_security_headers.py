"""What every response tells the browser (Content-Security-Policy, Permissions-Policy), and the
idle session timeout (project/security.py), through the real pages."""

import datetime as dt
import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from documents import services as documents
from documents.models import InstrumentType, Provision
from organisations.models import Organisation
from tests.test_settings import PRODUCTION, manage

LOGIN = "/accounts/login/"
INBOX = "/workflow/inbox/"
NOTIFICATIONS = "/notifications/"


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def header_nonce(response) -> str:
    [nonce] = re.findall(r"'nonce-([^']+)'", " ".join(directives(response)["script-src"]))
    return nonce


def test_every_page_carries_a_strict_policy_with_a_fresh_nonce(db):
    first, second = Client().get(LOGIN), Client().get(LOGIN)
    policy = directives(first)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'", f"'nonce-{header_nonce(first)}'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src-elem"]
    assert "Content-Security-Policy-Report-Only" not in first.headers
    assert header_nonce(first) != header_nonce(second)
    # The nonce the page hands to Turbo (for its progress bar) is the header's.
    assert f'<meta name="csp-nonce" content="{header_nonce(first)}">' in first.text


def test_every_page_refuses_the_powerful_browser_features(db):
    policy = Client().get(LOGIN).headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def test_the_editor_gives_htmx_and_its_own_script_the_pages_nonce(demo):
    drafter = demo["drafter"]
    instrument = documents.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km="អនុក្រឹត្យ",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    documents.provision_add(
        instrument=instrument, user=drafter, kind=Provision.Kind.ARTICLE, text_km="មាត្រា។"
    )
    client = Client()
    client.force_login(drafter)
    response = client.get(f"/documents/{instrument.pk}/")
    nonce = header_nonce(response)
    scripts = re.findall(r"<script\b[^>]*>", response.text)
    htmx = [tag for tag in scripts if "htmx" in tag]
    assert htmx and all(f'nonce="{nonce}"' in tag for tag in htmx)
    # htmx's own indicator <style> gets the nonce through its configuration.
    assert f'"inlineStyleNonce": "{nonce}"' in response.text
    # No inline script of ours goes without the nonce.
    for tag in scripts:
        assert "src=" in tag or f'nonce="{nonce}"' in tag, tag


# --- Idle session timeout -----------------------------------------------------------------

T0 = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def signed_in(demo, settings, time_machine):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 60
    time_machine.move_to(T0, tick=False)
    client = Client()
    response = client.post(LOGIN, {"username": "drafter", "password": "demo"})
    assert response.status_code == 302
    return client


def at(time_machine, minutes):
    time_machine.move_to(T0 + dt.timedelta(minutes=minutes), tick=False)


def session_row(client) -> str:
    return Session.objects.get(pk=client.session.session_key).session_data


def test_an_idle_person_is_signed_out_with_a_translated_message(signed_in, time_machine):
    at(time_machine, 30)
    assert signed_in.get(INBOX).status_code == 200
    at(time_machine, 89)  # 59 minutes after the last request
    assert signed_in.get(INBOX).status_code == 200
    at(time_machine, 150)  # 61 minutes
    response = signed_in.get(INBOX)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={INBOX}"
    assert "_auth_user_id" not in signed_in.session
    page = signed_in.get(response["Location"])
    assert "អ្នកត្រូវបានចាកចេញដោយស្វ័យប្រវត្តិ ក្រោយ ៦០ នាទីដោយគ្មានសកម្មភាព" in page.text


def test_the_message_is_in_the_persons_language(signed_in, time_machine, demo):
    demo["drafter"].language = "en"
    demo["drafter"].save()
    at(time_machine, 61)
    response = signed_in.get(INBOX, follow=True)
    assert "You were signed out after 60 minutes without activity." in response.text


def test_an_htmx_request_after_the_timeout_loads_the_sign_in_page(signed_in, time_machine):
    at(time_machine, 61)
    response = signed_in.get(
        "/documents/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/documents/"
    )
    assert response["HX-Redirect"] == f"{LOGIN}?next=/documents/"


def test_a_get_writes_the_session_at_most_every_tenth_of_the_timeout(signed_in, time_machine):
    # (Not the inbox: viewflow keeps the list last opened in the session on every visit.)
    written = session_row(signed_in)
    for minutes in (1, 3, 5):
        at(time_machine, minutes)
        assert signed_in.get(NOTIFICATIONS).status_code == 200
        assert session_row(signed_in) == written, f"session written at {minutes} minutes"
    at(time_machine, 7)  # more than six minutes (a tenth of the hour) after the sign-in
    signed_in.get(NOTIFICATIONS)
    assert session_row(signed_in) != written


def test_the_timeout_must_be_a_positive_number_of_minutes():
    result = manage("check", env={**PRODUCTION, "SESSION_IDLE_TIMEOUT_MINUTES": "0"})
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Lekhit configuration error: SESSION_IDLE_TIMEOUT_MINUTES: expected at least 1, got 0"
    )
