"""Settings shared by every environment.

Every value that changes between machines is read from the environment here, through one
`environ.Env`; `.env.example` lists them. The defaults give a working local site on an embedded
SQLite database with no configuration at all.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-only-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "simple_history",
    "import_export",
    "axes",
    "csp",
    "actions",
    # The companies behind the contracts (SIRENE, inclusion lists): below the register.
    "suppliers",
    "contracts",
    # Every buyer's figures from the national DECP, beside the plan's buyers.
    "national",
    "indicators",
    "reporting",
    "public",
    # Evidence behind the figures and the discussions of a fiche-year (above the follow-up).
    "evidence",
    "discussions",
    # Moving from one plan to the next (decisions, comparison): above every app it reads.
    "planning",
    # Sign-in (passwords, OpenID Connect), invitations, deactivation: above every domain app.
    "accounts",
    # The project package itself, for the commands that span every app (backup, restore).
    "spaser",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves the collected static files, compressed and cached, without a separate web server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "spaser.middleware.LoginRequiredMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "spaser.urls"
WSGI_APPLICATION = "spaser.wsgi.application"

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
                "spaser.context_processors.user_rights",
                "spaser.context_processors.demo_notice",
                "spaser.context_processors.plan_navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections (checked before reuse): no connection set-up on every request.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a concurrent writer instead of failing at once ("database is locked").
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Take the write lock when a transaction starts: a save that reads then writes (version check)
    # then waits for a concurrent one instead of failing at once with "database is locked".
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The live bilan page is cached by data stamp (reporting/caching.py). Per process by default;
# CACHE_URL (e.g. redis://127.0.0.1:6379/1) shares it between gunicorn workers.
CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://"),
    # Shared by every worker process (a folder by default): the data version pages are cached by, and
    # rendered documents (the live bilan's PDF). See core/caching.py.
    "shared": env.cache_url(
        "SHARED_CACHE_URL", default=f"filecache://{BASE_DIR / 'var' / 'cache' / 'shared'}"
    ),
}

# django-axes checks every login attempt first (lockout), then Django authenticates: by password
# (refused when LOCAL_LOGIN_ENABLED is off, but for superusers) or by OpenID Connect (accounts/oidc.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.PasswordBackend",
    "accounts.oidc.OIDCBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
# Off on purpose: years are integers and would read "2 021" everywhere (pages, admin, PDF). Indicator
# values, amounts and counts are formatted with French grouping explicitly (core/values.py).
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="spaser@localhost")

# Every admin change is attributed: simple-history takes the user from the request.
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# django-import-export: the admin import is all-or-nothing (see indicators/admin.py).
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# Sessions read from the default cache first, written to both (Django's cached_db): a page costs one
# query less, and the database stays the record (a cache emptied or a worker restarted loses none).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# The public site (public app): its address as search engines, canonical links and the open data
# catalogue give it ("https://spaser.example.org"); empty: the address each request came to.
SITE_URL = env.str("SITE_URL", default="").rstrip("/")
# How long browsers and proxies may keep a public page before asking again (they then get a 304 if
# it has not changed): short, so that a plan or fiche taken off the site disappears quickly.
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=300)

# Days before a campaign's deadline when pilots with unsubmitted fiches are notified (send_reminders).
SPASER_REMINDER_DAYS = env.list("SPASER_REMINDER_DAYS", cast=int, default=[14, 3])
# The largest DECP file the admin takes (a buyer's file is a few megabytes; the national file, near a
# gigabyte, is imported by the command).
DECP_UPLOAD_MAX_MB = env.int("DECP_UPLOAD_MAX_MB", default=100)
# Evidence files ("preuves") of a fiche-year: the largest file, and the most all the year's files of
# one fiche may weigh together (bytes; a link is always possible for more).
EVIDENCE_MAX_FILE_SIZE = env.int("EVIDENCE_MAX_FILE_SIZE", default=20 * 1024 * 1024)
EVIDENCE_MAX_TOTAL_SIZE = env.int("EVIDENCE_MAX_TOTAL_SIZE", default=200 * 1024 * 1024)

# --- Security (values that differ in production are read from the environment in prod.py) ---

# Content Security Policy (django-csp 4): the pages use only their own CSS, images and scripts (the
# admin's are files too). No inline script may run, no external host is named; inline SVG needs no
# source. Inline `style` attributes are allowed (no script can run from them), `<style>` elements not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed attempts, this username is locked
# *from this address* for AXES_COOLOFF_TIME hours; the same user from elsewhere, and other users
# behind the same reverse proxy, can still log in. A successful login resets the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address comes from X-Forwarded-For only when the request comes from one of these
# reverse proxies (their addresses, comma separated); otherwise from the connection itself.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "spaser.security.client_ip"

# dumpdata/loaddata (and so backups) keep times to the microsecond: see spaser/serializers.py.
SERIALIZATION_MODULES = {"json": "spaser.serializers"}

# --- Task queue (Celery, spaser/celery.py) ---
# The broker (production: redis://127.0.0.1:6379/0). Empty: tasks run in the process that queues them,
# after its transaction commits (tests; a local run with no extra service).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    # Never connected to when tasks run in-process; named so that kombu does not fall back to an
    # AMQP broker on localhost (and warn "No hostname was supplied").
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
# Job state and results live in the database (jobs app), not in a Celery result backend.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged once done: a worker that dies mid-task leaves it to another one.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE

# --- Notifications by e-mail (notifications app; pages in www/notifications) ---
INSTALLED_APPS += ["notifications"]  # noqa: F405 (kept in this block for an easy merge)
# The site's address in the e-mails' links (they are read outside any request): SITE_URL, else the
# local address of `make run` (`check --deploy` says so when it is left so).
NOTIFICATIONS_SITE_URL = env.str(
    "NOTIFICATIONS_SITE_URL", default=SITE_URL or "http://127.0.0.1:8000"
).rstrip("/")
# How long the one-click link of an e-mail (change how one gets this kind of e-mail) stays valid.
NOTIFICATIONS_LINK_MAX_AGE_DAYS = env.int("NOTIFICATIONS_LINK_MAX_AGE_DAYS", default=365)
# With a worker and `celery -A spaser beat`: each morning, yesterday's digests, then the immediate
# notifications whose task was lost (broker down at the time). Without beat, cron runs
# `manage.py send_digests` each morning (the same task) and `manage.py send_reminders`.
CELERY_BEAT_SCHEDULE = {
    "notifications-digests": {
        "task": "notifications.send_digests",
        "schedule": crontab(hour=env.int("NOTIFICATIONS_DIGEST_HOUR", default=7), minute=0),
    },
    # Finished jobs, their result files and a failed import's uploads, kept JOBS_KEEP_DAYS days.
    # Without beat: `manage.py purge_jobs` from cron.
    "jobs-purge": {"task": "jobs.purge", "schedule": crontab(hour=3, minute=30)},
}
# --- Accounts: sign-in, single sign-on (OpenID Connect), invitations (accounts app) ---
# README, "Connexion unique (OpenID Connect)". mozilla-django-oidc reads the OIDC_* names below.
# Single sign-on on/off, and local passwords on/off (off: the login page shows the SSO button only and
# a password is refused, but a superuser's through /admin/login/: the way in when the provider is down).
OIDC_ENABLED = env.bool("OIDC_ENABLED", default=False)
LOCAL_LOGIN_ENABLED = env.bool("LOCAL_LOGIN_ENABLED", default=True)
OIDC_LOGIN_LABEL = env.str("OIDC_LOGIN_LABEL", default="Se connecter avec ProConnect")
# The provider: its issuer (the endpoints are then read from its discovery document), or each endpoint.
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="").rstrip("/")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = env.str("OIDC_OP_LOGOUT_ENDPOINT", default="")
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
# ProConnect asks for an authentication level: OIDC_ACR_VALUES=eidas1.
OIDC_ACR_VALUES = env.str("OIDC_ACR_VALUES", default="")
OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": OIDC_ACR_VALUES} if OIDC_ACR_VALUES else {}
OIDC_USE_PKCE = env.bool("OIDC_USE_PKCE", default=True)
# Only for a provider that verifies every e-mail it sends but sends no `email_verified` claim.
OIDC_EMAILS_VERIFIED = env.bool("OIDC_EMAILS_VERIFIED", default=False)
OIDC_CLOCK_SKEW_SECONDS = env.int("OIDC_CLOCK_SKEW_SECONDS", default=60)
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT_SECONDS", default=10)
OIDC_STORE_ID_TOKEN = True  # the id_token_hint of the logout at the provider
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
# The SSO button and the logout are sent on to the provider: its address joins the pages' CSP form-action
# (a browser checks every redirect of a form's navigation against it).
OIDC_FORM_ACTION = sorted(
    {
        "{0.scheme}://{0.netloc}".format(urlsplit(url))
        for url in (OIDC_OP_ISSUER, OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_LOGOUT_ENDPOINT)
        if url
    }
)
if OIDC_ENABLED:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += OIDC_FORM_ACTION
# Days an invitation's link stays valid; hours for a password reset's link.
ACCOUNTS_INVITATION_DAYS = env.int("ACCOUNTS_INVITATION_DAYS", default=7)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_HOURS", default=24) * 3600
# --- Background jobs and files (jobs app) ---
INSTALLED_APPS.append("jobs")
# The kombu filesystem transport (`make run`: a worker with no broker service) keeps its messages in
# a folder of the project; the producer writes where the worker reads.
if CELERY_BROKER_URL.startswith("filesystem://"):
    _QUEUE_DIR = BASE_DIR / "var" / "queue"
    (_QUEUE_DIR / "control").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_QUEUE_DIR),
        "data_folder_out": str(_QUEUE_DIR),
        "control_folder": str(_QUEUE_DIR / "control"),
        "store_processed": False,
    }
# How much lower a worker's CPU priority is than the web's (`nice`, 0-19): renders yield to pages.
JOBS_WORKER_NICE = env.int("JOBS_WORKER_NICE", default=19)
# And (Linux) the SCHED_IDLE policy: the worker runs only on CPU time no other process wants.
JOBS_WORKER_IDLE = env.bool("JOBS_WORKER_IDLE", default=True)
# How long a finished job (its result file, a failed import's uploads) is kept before the daily purge.
JOBS_KEEP_DAYS = env.int("JOBS_KEEP_DAYS", default=30)
# Uploads and generated files (job results, DECP files waiting for their import) go through Django's
# storage API, so a worker on another machine reads and writes the same files: a folder by default
# (never served as is: results are downloaded through a view that asks the rights), S3-compatible
# object storage (django-storages) when AWS_STORAGE_BUCKET_NAME is set.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
