"""Strict reading of the environment for ``project.settings``.

django-environ parses URLs well but accepts a misspelt boolean as ``False`` and reports a
missing variable with a traceback. Lekhit wants the opposite: anything it cannot read exactly
stops start-up with a single line naming the variable, e.g.::

    Lekhit configuration error: DATABASE_URL: unsupported scheme 'mysql' (use sqlite or postgres)
"""

from __future__ import annotations

import os
import secrets
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

import environ

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
_REQUIRED = object()


class Environment:
    def __init__(self, *, dotenv: Path | None = None):
        self._env = environ.Env()
        if dotenv is not None and dotenv.exists():
            # Values already in the environment win over the file.
            environ.Env.read_env(str(dotenv), overwrite=False)

    @staticmethod
    def fail(name: str, problem: str):
        raise SystemExit(f"Lekhit configuration error: {name}: {problem}")

    def _raw(self, name, default):
        value = os.environ.get(name)
        if value is None:
            if default is _REQUIRED or default is None:
                self.fail(name, "is required but not set")
            return None
        return value.strip()

    def str(self, name: str, *, default=_REQUIRED) -> str:
        value = self._raw(name, default)
        return default if value is None else value

    def bool(self, name: str, *, default: bool) -> bool:
        value = self._raw(name, default)
        if value is None:
            return default
        if value.lower() in TRUE_WORDS:
            return True
        if value.lower() in FALSE_WORDS:
            return False
        self.fail(name, f"expected true or false, got {value!r}")

    def int(self, name: str, *, default: int, minimum: int | None = None) -> int:
        value = self._raw(name, default)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            self.fail(name, f"expected a whole number, got {value!r}")
        if minimum is not None and number < minimum:
            self.fail(name, f"expected at least {minimum}, got {number}")
        return number

    def list(self, name: str, *, default=_REQUIRED) -> list[str]:
        value = self._raw(name, default)
        if value is None:
            return list(default)
        items = [item.strip() for item in value.split(",") if item.strip()]
        if not items:
            self.fail(name, "expected a comma-separated list, got nothing")
        return items

    def choice(self, name: str, *, default: str, choices: tuple[str, ...]) -> str:
        value = self.str(name, default=default)
        if value not in choices:
            self.fail(name, f"expected one of {', '.join(choices)}, got {value!r}")
        return value

    def timezone(self, name: str, *, default: str) -> str:
        value = self.str(name, default=default)
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.fail(name, f"unknown time zone {value!r}")
        return value

    def check_url(self, name: str, value: str, *, schemes: tuple[str, ...]) -> None:
        parts = urlsplit(value)
        if parts.scheme not in schemes:
            self.fail(name, f"expected a {' or '.join(schemes)} URL, got {value!r}")

    def secret_key(self, name: str, *, keep_in: Path, generate: bool) -> str:
        value = self._raw(name, default="")
        if value:
            if len(value) < 50:
                self.fail(name, "must be at least 50 characters long")
            return value
        if not generate:
            self.fail(name, "is required when DEBUG is false")
        if keep_in.exists():
            return keep_in.read_text().strip()
        key = secrets.token_urlsafe(64)
        keep_in.write_text(key)
        keep_in.chmod(0o600)
        return key

    def database(self, name: str, *, sqlite_path: Path) -> dict:
        url = self._raw(name, default="") or f"sqlite:///{sqlite_path}"
        scheme = urlsplit(url).scheme
        if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
            self.fail(name, f"unsupported scheme {scheme!r} (use sqlite or postgres)")
        try:
            config = environ.Env.db_url_config(url)
        except Exception as error:  # noqa: BLE001 - any parse error is a configuration error
            self.fail(name, f"cannot parse {url!r}: {error}")
        if config["ENGINE"] == "django.db.backends.sqlite3":
            # IMMEDIATE takes the write lock when a transaction starts, so that two workflow
            # steps finishing together queue up instead of failing with "database is locked".
            config["OPTIONS"] = {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            }
        else:
            config["CONN_MAX_AGE"] = self.int("DATABASE_CONN_MAX_AGE", default=60)
            config["CONN_HEALTH_CHECKS"] = True
            # No JIT compilation: PostgreSQL compiles a query whose estimated cost passes
            # jit_above_cost, and the pages' queries (search over a reviewer's consultations,
            # the dashboard's percentiles) passed it at ten years of data, spending 300-900 ms
            # compiling to save a few. The pages' queries are short; JIT serves analytics.
            config.setdefault("OPTIONS", {})["options"] = "-c jit=off"
            # Prepared statements: the fifth time a connection runs a statement, psycopg
            # prepares it, and PostgreSQL stops planning it again. The worker's delivery job
            # (a handful of statements, thousands of times) goes ~40% faster. It needs
            # server-side parameters; turn it off behind a pooler in transaction mode that
            # cannot keep prepared statements (PgBouncer before 1.21).
            if self.bool("DATABASE_PREPARED_STATEMENTS", default=True):
                config.setdefault("OPTIONS", {}).update(
                    server_side_binding=True, prepare_threshold=5
                )
        return config

    def email(self, name: str, *, default: str) -> dict:
        url = self.str(name, default=default)
        try:
            config = environ.Env.email_url_config(url)
        except Exception as error:  # noqa: BLE001
            self.fail(name, f"cannot parse {url!r}: {error}")
        if not config.get("EMAIL_BACKEND"):
            self.fail(name, f"unsupported scheme in {url!r}")
        return {key: value for key, value in config.items() if value is not None}
