"""Lekhit's one settings module: every deployment difference comes from the environment.

Variables are read once, here, and documented in the README's configuration table. A missing or
malformed variable stops start-up with one line that names it (see ``project.env``), so that an
operator never has to read a traceback to find a typo.
"""

from datetime import timedelta
from pathlib import Path

from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from project.env import Environment

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = Environment(dotenv=BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.secret_key("SECRET_KEY", keep_in=VAR_DIR / "secret_key", generate=DEBUG)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else None
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Applications -------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "viewflow",
    "viewflow.workflow",
    # Lekhit's own apps: language, people, paper, process, time.
    "khmer",
    "organisations",
    "documents",
    "workflows",
    "tasks",
    "notifications",
    # Search over all of them (it imports them; only the API imports it).
    "search",
    # Oversight of the whole: the portfolio dashboard, the transfer tracker.
    "oversight",
    # The REST API, on top of the others (it imports them; none imports it).
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages and API answers gzipped (a 300-article editor is ~1 MB of HTML), under `make run`
    # too. BREACH: Django's mitigations hold — the CSRF token is masked anew in each response,
    # and the middleware pads each gzip stream with random bytes (Django 4.2+). Above every
    # middleware that reads or writes the body, so that it compresses last.
    "django.middleware.gzip.GZipMiddleware",
    "project.security.NulInPathMiddleware",
    # Content-Security-Policy (with a fresh nonce per response) and Permissions-Policy.
    "csp.middleware.CSPMiddleware",
    "project.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A lost database connection: a translated 503 page that keeps the person's input.
    "project.db_errors.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in user unless its view says otherwise (login, /health/, …).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "organisations.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs out whoever has been idle too long (after the language, so that its message is in
    # the person's language; after the messages, which carry it to the sign-in page).
    "project.security.IdleSessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Viewflow would append these itself; listed here so that the order is visible.
    "viewflow.middleware.SiteMiddleware",
    # Viewflow's frame (side menu, top bar) on the pages beside the site too.
    "project.frame.SiteFrameMiddleware",
    "viewflow.middleware.HotwireTurboMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into Lekhit's lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"
ASGI_APPLICATION = "project.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                # django-csp's per-response nonce as ``csp_nonce``, the name django-htmx reads.
                "project.security.csp_nonce",
                # The inbox and queue in the side menu of the pages beside the viewflow site.
                "project.frame.site_frame",
            ],
        },
    },
]
# Forms as Django renders them, a <select>'s options written in Python (project/forms_renderer.py).
FORM_RENDERER = "project.forms_renderer.FormRenderer"

# --- Data ---------------------------------------------------------------------------------

DATABASES = {"default": env.database("DATABASE_URL", sqlite_path=VAR_DIR / "lekhit.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    env.check_url("REDIS_URL", REDIS_URL, schemes=("redis", "rediss"))
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- People -------------------------------------------------------------------------------

AUTH_USER_MODEL = "organisations.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses every sign-in (even with the right password) while locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Reviewers' rights on their organisation's tasks, and a delegate's on the absent's.
    "organisations.backends.OrganisationBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Django's, with its number in Khmer digits in Khmer.
    {"NAME": "khmer.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time --------------------------------------------------------------------

LANGUAGE_CODE = env.choice("LANGUAGE_CODE", default="km", choices=("km", "en"))
LANGUAGES = [("km", _("Khmer")), ("en", _("English"))]
# Our catalogue first; then Khmer for the strings of viewflow and Django that ship without it.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
TIME_ZONE = env.timezone("TIME_ZONE", default="Asia/Phnom_Penh")
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Django's two finders; the apps' one leaves out the npm build directories viewflow's wheel
# ships (see project/storage.py: one of them broke collectstatic).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "project.storage.AppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# WhiteNoise writes a gzip and a brotli copy of each static file at collectstatic and serves
# the smallest the browser accepts. Not of source maps (MBs each, opened only by developer
# tools): compressing them was most of collectstatic's time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    *("jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br"),
    *("swf", "flv", "woff", "woff2", "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4"),
    *("mpeg", "mpg", "webm", "wmv", "map"),
]

# --- Mail ---------------------------------------------------------------------------------

vars().update(env.email("EMAIL_URL", default="consolemail://"))
# Where links in e-mails point (the address people use to reach Lekhit).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Lekhit <lekhit@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Telegram, an optional channel (README, Configuration): off while no bot token is set.
TELEGRAM_BOT_TOKEN = env.str("TELEGRAM_BOT_TOKEN", default="")
TELEGRAM_API_BASE = env.str("TELEGRAM_API_BASE", default="https://api.telegram.org")
TELEGRAM_BOT_USERNAME = env.str("TELEGRAM_BOT_USERNAME", default="").lstrip("@")
# How long a one-time link code shown on the preferences page may be sent to the bot.
TELEGRAM_LINK_CODE_MINUTES = env.int("TELEGRAM_LINK_CODE_MINUTES", default=15)

# --- Celery -------------------------------------------------------------------------------
# Without REDIS_URL, development runs a real worker on kombu's SQLAlchemy transport over an
# SQLite file: it needs no server, and unlike the filesystem transport it lost no task under
# load here. Production is Redis, which redelivers a killed worker's tasks.

CELERY_BROKER_URL = REDIS_URL or f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
CELERY_RESULT_BACKEND = REDIS_URL or f"db+sqlite:///{VAR_DIR / 'celery-results.sqlite3'}"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Every job is short (a delivery is a few milliseconds, the sweep about a second): each worker
# process may hold a few, acknowledged only when done (a dead worker's go back to the queue).
CELERY_WORKER_PREFETCH_MULTIPLIER = 8
# Celery's Django fixup closes the database connection before and after every job unless
# told how many jobs may reuse it: a new PostgreSQL connection per reminder cost several
# times the reminder itself (and lost its prepared statements). Reopened every 500 jobs.
CELERY_DB_REUSE_MAX = 500
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
from celery.schedules import crontab  # noqa: E402 - only the beat schedule needs it

# Viewflow's timer nodes are not used by the approval process, so no beat entry fires them:
# deadlines are kept in tasks.TaskDeadline and handled by the sweep.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "tasks.heartbeat", "schedule": 30.0},
    # Reminders, escalations, rounds past their deadline and retries of failed sends.
    "deadlines-sweep": {"task": "tasks.sweep", "schedule": 60.0, "options": {"expires": 55}},
    # Each person's digest of what is due and overdue, at 07:00 in CELERY_TIMEZONE (local).
    # and of what each person chose to hear about in it (it skips days off).
    "deadlines-digest": {"task": "tasks.digest", "schedule": crontab(hour=7, minute=0)},
    # The codes people send the Telegram bot to link their account (nothing without a token).
    "telegram-updates": {
        "task": "tasks.telegram_updates",
        "schedule": 20.0,
        "options": {"expires": 18},
    },
}
# How old a heartbeat may be before /health/ reports the worker or beat as down.
HEARTBEAT_MAX_AGE_SECONDS = env.int("HEARTBEAT_MAX_AGE_SECONDS", default=120)

# --- Security -----------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
# Database sessions that a GET does not write again with what they already hold.
SESSION_ENGINE = "project.sessions"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# Sign-in throttling (django-axes): LOGIN_FAILURE_LIMIT failed attempts for one name, or from
# one address, lock that name, or that address, out for LOGIN_LOCKOUT_MINUTES (either limit
# locks: one account sprayed from many addresses, or many accounts from one). While locked,
# even the right password is refused, and the page says to try later without telling whether
# the name exists. A success resets no counter: an attacker signing in to their own account
# between guesses must not wipe their address's failures. The password reset form counts too.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=20, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
# The lock lifts LOGIN_LOCKOUT_MINUTES after the last counted failure, as the page promises;
# attempts while locked are refused without restarting the clock.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "project.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "project.security.client_ip"
# Behind the reverse proxy (production), the client's address is the last X-Forwarded-For
# entry, the one the proxy appended; without a proxy (development) the header is ignored.
TRUST_X_FORWARDED_FOR = not DEBUG

# Content-Security-Policy (django-csp): scripts only from Lekhit itself, inline ones only with
# the response's nonce (``{{ csp_nonce }}``). Style attributes stay allowed: viewflow's and
# Lekhit's templates set a few (indentation depth, widths), and the Material components set
# theirs from script; <style> elements need the nonce like scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-elem": [SELF, NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        # viewflow's stylesheets draw a few icons as data: SVG images.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Sessions: a signed-in person idle for SESSION_IDLE_TIMEOUT_MINUTES is signed out
# (project.security.IdleSessionTimeoutMiddleware, which records activity at most every tenth
# of that time: a GET does not write the session on every request).
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=60, minimum=1)

# --- REST API (api/) ----------------------------------------------------------------------
# Systems sign in with a token (``Authorization: Token …``: the admin's *Tokens*, or
# ``manage.py drf_create_token <username>``); Lekhit's own pages with their session, CSRF
# enforced. Each signed-in user may make API_USER_RATE requests, anonymous callers of the
# public verification API_ANON_RATE (per address).
API_USER_RATE = env.str("API_USER_RATE", default="1200/minute")
API_ANON_RATE = env.str("API_ANON_RATE", default="60/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.UserThrottle", "api.throttling.AnonThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.handler",
    # Khmer as UTF-8 in the JSON, never \u-escaped (DRF's default, kept on purpose).
    "UNICODE_JSON": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lekhit API",
    "DESCRIPTION": "Instruments, their text and versions, the approval process and its "
    "consultations. Token or session authentication; every list is paginated.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # The documentation page's scripts and styles are served by Lekhit (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "InstrumentStatusEnum": "documents.models.Instrument.Status",
        "ChangeStatusEnum": ["unchanged", "added", "deleted", "changed"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
