"""Sign-in throttling through the real pages: twenty failures lock the name, or the address,
for the cool-off (project/settings.py AXES_*), on the sign-in page, the admin's sign-in and the
password reset, with a translated page that says to try later and nothing about the name."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
RESET = "/accounts/password_reset/"
LIMIT = 20


@pytest.fixture(autouse=True)
def _limits(settings):
    # The documented defaults, whatever the environment running the tests says.
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)


def client_from(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def sign_in(client, username, password, url=LOGIN):
    return client.post(url, {"username": username, "password": password})


def fail(client, username, times=1, url=LOGIN):
    for _ in range(times):
        response = sign_in(client, username, "wrong", url=url)
        assert response.status_code == 200, "refused before the limit"


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def lockout_text(response) -> str:
    assert response.status_code == 429
    [paragraph] = re.findall(
        r'<div class="lekhit-lockout"[^>]*>.*?<p[^>]*>(.*?)</p>', response.text, re.S
    )
    return paragraph.strip()


def test_twenty_wrong_passwords_lock_the_account_even_with_the_right_password(demo):
    client = client_from("10.0.0.1")
    fail(client, "drafter", LIMIT - 1)
    response = sign_in(client, "drafter", "wrong")
    assert "ព្យាយាមម្តងទៀតក្នុងរយៈពេល ១៥ នាទី" in lockout_text(response)

    response = sign_in(client, "drafter", "demo")
    assert response.status_code == 429
    assert not signed_in(client)


def test_the_account_is_locked_for_every_address_once_sprayed_from_many(demo):
    for number in range(LIMIT - 1):
        fail(client_from(f"10.0.1.{number}"), "drafter")
    # The twentieth failure, from yet another address, is the one that locks.
    assert sign_in(client_from("10.0.1.99"), "drafter", "wrong").status_code == 429
    fresh = client_from("10.0.2.1")
    assert sign_in(fresh, "drafter", "demo").status_code == 429
    assert not signed_in(fresh)
    # Another person is not concerned.
    assert sign_in(fresh, "chief", "demo").status_code == 302


def test_one_address_is_locked_for_every_account_after_failures_across_many(demo):
    attacker = client_from("10.0.3.1")
    for number in range(LIMIT - 1):
        fail(attacker, f"guess-{number}" if number % 2 else "chief")
    assert sign_in(attacker, "guess-last", "wrong").status_code == 429
    assert sign_in(attacker, "drafter", "demo").status_code == 429
    assert not signed_in(attacker)
    # The drafter from their own desk is not.
    colleague = client_from("10.0.3.2")
    assert sign_in(colleague, "drafter", "demo").status_code == 302


def test_behind_the_proxy_the_address_is_the_one_the_proxy_appended(demo, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    # Every request reaches Lekhit from the proxy on loopback; the attacker varies the
    # X-Forwarded-For they send, the proxy appends the address it really saw.
    for number in range(LIMIT - 1):
        proxy = Client(
            REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 203.0.113.7"
        )
        fail(proxy, f"guess-{number}")
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.200, 203.0.113.7")
    assert sign_in(attacker, "guess-last", "wrong").status_code == 429
    assert sign_in(attacker, "drafter", "demo").status_code == 429
    # Everyone else behind the same proxy signs in.
    colleague = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert sign_in(colleague, "drafter", "demo").status_code == 302


def test_the_admin_sign_in_is_throttled_too(demo):
    client = client_from("10.0.4.1")
    fail(client, "admin", LIMIT - 1, url=ADMIN_LOGIN)
    assert sign_in(client, "admin", "wrong", url=ADMIN_LOGIN).status_code == 429
    response = sign_in(client, "admin", "demo", url=ADMIN_LOGIN)
    assert "ព្យាយាមម្តងទៀត" in lockout_text(response)
    assert not signed_in(client)


def test_password_reset_submissions_are_throttled_and_count_for_the_address(demo):
    client = client_from("10.0.5.1")
    for _ in range(LIMIT - 1):
        response = client.post(RESET, {"email": "drafter@lekhit.example"})
        assert response.status_code == 302
    sent = len(mail.outbox)
    assert sent == LIMIT - 1
    assert client.post(RESET, {"email": "drafter@lekhit.example"}).status_code == 429
    response = client.post(RESET, {"email": "drafter@lekhit.example"})
    assert "ព្យាយាមម្តងទៀត" in lockout_text(response)
    assert len(mail.outbox) == LIMIT, "no mail once locked"
    # The same address cannot turn to guessing passwords instead.
    assert sign_in(client, "drafter", "demo").status_code == 429


def test_wrong_old_passwords_on_the_password_change_form_count_for_the_account(demo):
    # A session left open: whoever sits at it cannot guess the password through this form.
    desk = client_from("10.0.5.2")
    assert sign_in(desk, "drafter", "demo").status_code == 302
    change = {"old_password": "guess", "new_password1": "Kx7!vq2#Lm", "new_password2": "Kx7!vq2#Lm"}
    for _ in range(LIMIT - 1):
        assert desk.post("/accounts/password_change/", change).status_code == 200
    assert desk.post("/accounts/password_change/", change).status_code == 429
    right = {**change, "old_password": "demo"}
    assert desk.post("/accounts/password_change/", right).status_code == 429
    assert sign_in(client_from("10.0.5.3"), "drafter", "demo").status_code == 429


def test_the_page_is_translated_and_the_same_whether_the_name_exists_or_not(demo):
    real = client_from("10.0.6.1")
    fail(real, "drafter", LIMIT - 1)
    assert sign_in(real, "drafter", "wrong").status_code == 429
    ghost = client_from("10.0.6.2")
    fail(ghost, "nobody-by-this-name", LIMIT - 1)
    assert sign_in(ghost, "nobody-by-this-name", "wrong").status_code == 429
    khmer = lockout_text(sign_in(real, "drafter", "demo"))
    assert khmer == lockout_text(sign_in(ghost, "nobody-by-this-name", "demo"))
    assert khmer.startswith("ការព្យាយាមមិនបានសម្រេចច្រើនដងពេក")

    real.cookies["django_language"] = "en"
    response = sign_in(real, "drafter", "demo")
    assert lockout_text(response) == (
        "Too many unsuccessful attempts. For your protection, signing in is paused: "
        "try again in 15 minutes."
    )
    assert 'href="/accounts/login/"' in response.text  # the way back, in the app's look
    assert "vf-page-lockscreen" in response.text


def test_a_success_before_the_limit_signs_in_and_wipes_no_address_counter(demo):
    # A person who mistyped nineteen times still gets in.
    person = client_from("10.0.7.1")
    fail(person, "drafter", LIMIT - 1)
    assert sign_in(person, "drafter", "demo").status_code == 302

    # An attacker signing in to their own account between guesses keeps their failures.
    attacker = client_from("10.0.7.2")
    for number in range(LIMIT - 1):
        fail(attacker, f"guess-{number}")
    assert sign_in(attacker, "chief", "demo").status_code == 302
    attacker.post("/accounts/logout/")
    assert sign_in(attacker, "guess-last", "wrong").status_code == 429


def test_the_lock_lifts_after_the_cool_off(demo, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    client = client_from("10.0.8.1")
    fail(client, "drafter", LIMIT - 1)
    assert sign_in(client, "drafter", "wrong").status_code == 429

    time_machine.move_to(dt.datetime(2026, 12, 2, 9, 14, tzinfo=dt.UTC), tick=False)
    assert sign_in(client, "drafter", "demo").status_code == 429
    # Refused attempts while locked do not restart the clock: 15 minutes after the last failure.
    time_machine.move_to(dt.datetime(2026, 12, 2, 9, 16, tzinfo=dt.UTC), tick=False)
    assert sign_in(client, "drafter", "demo").status_code == 302
    assert signed_in(client)
