"""Configuration from the environment: defaults, one-line errors, a deploy-ready production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "-production-secret-key-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "lekhit.example.gov.kh",
    "DATABASE_URL": "postgres://lekhit@db.internal:5432/lekhit",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@mail.internal:587",
}


def manage(*args, env):
    """Run manage.py with only the given variables (and PATH/HOME/LANG) in its environment."""
    base = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_configuration_passes_the_deploy_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG: expected true or false, got 'maybe'"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL: unsupported scheme 'mysql'"),
        ("REDIS_URL", "http://cache", "REDIS_URL: expected a redis or rediss URL"),
        ("TIME_ZONE", "Mars/Olympus", "TIME_ZONE: unknown time zone 'Mars/Olympus'"),
        ("LANGUAGE_CODE", "fr", "LANGUAGE_CODE: expected one of km, en, got 'fr'"),
        ("SECRET_KEY", "short", "SECRET_KEY: must be at least 50 characters long"),
    ],
)
def test_a_malformed_variable_stops_start_up_with_one_line_naming_it(variable, value, message):
    result = manage("check", env={**PRODUCTION, variable: value})
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"Lekhit configuration error: {message}")


def test_production_without_a_secret_key_refuses_to_start():
    env = {key: value for key, value in PRODUCTION.items() if key != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Lekhit configuration error: SECRET_KEY: is required when DEBUG is false"
    )


def test_production_without_allowed_hosts_refuses_to_start():
    env = {key: value for key, value in PRODUCTION.items() if key != "ALLOWED_HOSTS"}
    result = manage("check", env=env)
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == "Lekhit configuration error: ALLOWED_HOSTS: is required but not set"
    )


def test_development_defaults(settings):
    assert settings.TIME_ZONE == "Asia/Phnom_Penh"
    assert settings.LANGUAGE_CODE == "km"
    assert [code for code, _ in settings.LANGUAGES] == ["km", "en"]
    assert settings.AUTH_USER_MODEL == "organisations.User"


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_connections_never_jit_compile_a_page_query():
    """The server's default compiles any query estimated costly: at ten years of data the
    search over a reviewer's consultations spent ~900 ms compiling (issue 14)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
