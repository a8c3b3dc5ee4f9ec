"""
Settings for the Time's Up site: one module, driven by the environment.

Every setting is read once, here, through django-environ, with a default that
is safe in production. `.env.example` and README.md list them all. The only
loosening is explicit: HTTPS=false for plain HTTP on 127.0.0.1 (`make run`).
"""

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# An optional .env file at the top level, for operators who prefer one; the
# process environment wins over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Everything the site writes at run time (SQLite database, generated secret
# key, collected static files) lives here, outside the code.
# A relative path is taken from the top of the project.
VAR_DIR = BASE_DIR / env.str("VAR_DIR", default="var")
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key_from_file(path: Path) -> str:
    """Read the key kept in `path`, creating it once if it does not exist yet.

    Several gunicorn workers may start at the same instant: the key is written
    to a temporary file and linked into place, so that every process reads the
    same, complete key and none overwrites another's.
    """
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=path.parent)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(50))
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _secret_key_from_file(VAR_DIR / "secret_key")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# The port gunicorn listens on, on 127.0.0.1 (timesup/gunicorn.conf.py reads it
# here), and the one SITE_URL names by default over plain HTTP.
PORT = env.int("PORT", default=8000)

INSTALLED_APPS = [
    "timesup.infrastructure.apps.TimesUpAdminConfig",  # django.contrib.admin, with our admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    # Before staticfiles, so that `runserver` (for those who use it) also
    # serves static files the way gunicorn does in production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "corsheaders",
    "anymail",
    "campaign",
    "pledges",
]

MIDDLEWARE = [
    # First: public pages the same for everyone are answered from memory,
    # with the headers of everything below kept in them (timesup/infrastructure/caching.py).
    "timesup.infrastructure.caching.PublicPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside whitenoise, so static files carry it too.
    "timesup.infrastructure.resource_policy.ResourcePolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Before anything reads a body: oversized ones and forms in charsets other
    # than UTF-8 are refused from their headers (timesup/infrastructure/request_bodies.py).
    "timesup.infrastructure.request_bodies.RequestBodyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that may answer: CORS headers go on every API response.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: from the URL's prefix (/en/, /es/), else the browser's.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "timesup.urls"
# The admin's path, e.g. "moderation-3f9a/": moved off /admin/, it draws fewer
# password-guessing bots.
ADMIN_URL = env.str("ADMIN_URL", default="admin/").strip("/") + "/"
WSGI_APPLICATION = "timesup.wsgi.application"

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
            ],
        },
    },
]

# Database ------------------------------------------------------------------

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Several gunicorn workers write at once. WAL lets readers go on
            # while one writes; IMMEDIATE takes the write lock when a
            # transaction starts, so a writer waits (up to the timeout, in
            # seconds) instead of failing with "database is locked" when it
            # tries to upgrade a read lock mid-transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Keep each thread's connection open between requests: opening one (and its
    # PRAGMAs) and closing it (a WAL checkpoint) cost 1.5 ms of each signing POST.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=600))
    # A file, not Django's in-memory default: the tests then run with WAL and
    # IMMEDIATE like production, and other processes (gunicorn) can see them.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    # Keep connections open between requests. A connection the database has
    # dropped (a restart) fails its request with a 503 and is then closed, so
    # the next one reconnects: the site recovers by itself. CONN_HEALTH_CHECKS
    # would spare that one request per connection at the cost of a round trip
    # on every request (a tenth of a signature's time); off by default.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=False)
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A database that is down answers 503 within seconds, never a gateway timeout.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=3)
        )
        # Through PgBouncer in transaction mode (docs/deploy.md, "More than one
        # machine"): each transaction may get another server connection, so
        # nothing may outlive one. Django's server-side cursors (the CSV
        # export's iterator) do; its default client-side binding prepares
        # no statement, so nothing else needs turning off.
        if env.bool("DB_POOLER", default=False):
            DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Staff log in only through the admin: after logging in they land on its
# index, also when the page they came from (`next=`) is refused as off-site.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out login never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Admin logins: after AXES_FAILURE_LIMIT failed attempts for one username from
# one address, that pair is locked out for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts are kept by a keyed hash of the address (written as an IPv6
# address, the shape axes stores), never the address; until AXES_COOLOFF_MINUTES
# pass. Successful logins are not kept (docs/security.md).
AXES_CLIENT_IP_CALLABLE = "pledges.clients.hashed_client_address"
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "admin_locked_out.html"
# Two-factor login (TOTP, an authenticator app) for everyone who logs into the
# admin. Off by default so that a first `createsuperuser` can log in and enrol
# a device; turn it on in production once staff have enrolled (docs/deploy.md).
ADMIN_REQUIRE_2FA = env.bool("ADMIN_REQUIRE_2FA", default=False)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Time's Up")

# Language and time ---------------------------------------------------------

# Every public page is served under its language's prefix (/en/, /es/); a
# path without one redirects to the browser's language (Accept-Language).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
# Our translations (locale/<language>/LC_MESSAGES/django.po), compiled to .mo
# by `make run` and `make test`.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# Static files --------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where `collectstatic` puts them: beside the data by default; a container
# image collects them at build time, into the image, not its data volume.
STATIC_ROOT = BASE_DIR / env.str("STATIC_ROOT", default=str(VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names and compressed copies, so whitenoise can let browsers
    # cache them for a year.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security ------------------------------------------------------------------

# Production is HTTPS. Set HTTPS=false only to serve over plain HTTP on your
# own machine; `make run` does that for you.
HTTPS = env.bool("HTTPS", default=True)

SECURE_SSL_REDIRECT = HTTPS
# Load balancers probe /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=63072000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Under HTTPS the cookies carry the __Host- prefix: browsers then accept them
# only if Secure, for this exact host, with Path=/ (no subdomain can set them).
SESSION_COOKIE_NAME = "__Host-sessionid" if HTTPS else "sessionid"
SESSION_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_NAME = "__Host-csrftoken" if HTTPS else "csrftoken"
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "timesup.infrastructure.errors.csrf_failure"

# Nothing but our own files: no inline script or style anywhere, no third
# party. (django-csp; Django 5.2 has no CSP of its own.)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        **({"upgrade-insecure-requests": True} if HTTPS else {}),
    },
}
# Browser features this site never uses, switched off for it and anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    ]
}

# Partner sites: any site may read the JSON API from a browser (it is public,
# read-only, and sends no cookies); nothing else answers other origins.
CORS_URLS_REGEX = r"^/(api|log)/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
# whitenoise would send `Access-Control-Allow-Origin: *` with every static file:
# the widget's stylesheet is loaded by our own page in the iframe, and nothing
# else of ours is meant for other sites.
WHITENOISE_ALLOW_ALL_ORIGINS = False

# Requests are small: a signature, an admin form; no page takes a file. A body
# bigger than this is refused (413) from its Content-Length, before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# Email, tasks and cache ---------------------------------------------------

# EMAIL_URL in django-environ syntax, e.g. smtp+tls://user:password@smtp.example.org:587.
# Unset: every email is written as a file under var/mail/, to open by hand.
if "EMAIL_URL" in os.environ:
    # EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_USE_TLS… as django-environ reads them.
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# Or through an email service's API, with django-anymail: EMAIL_SERVICE names
# it (postmark, mailgun, brevo, sendgrid, sparkpost, mailjet, resend, …: the
# module names of anymail.backends), and every ANYMAIL_* variable is its
# setting without the prefix (ANYMAIL_POSTMARK_SERVER_TOKEN=… is
# ANYMAIL["POSTMARK_SERVER_TOKEN"]), as anymail's documentation names them.
# ANYMAIL_WEBHOOK_SECRET ("user:password") turns on the service's tracking
# webhook at /email-events/<service>/tracking/: bounces and complaints
# (pledges/delivery.py). Unset, that address does not exist, so nobody can
# post a bounce the service never sent.
EMAIL_SERVICE = env.str("EMAIL_SERVICE", default="")
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_")
}
if EMAIL_SERVICE:
    if "EMAIL_URL" in os.environ:
        raise ImproperlyConfigured("Set EMAIL_URL (SMTP) or EMAIL_SERVICE (an API), not both.")
    if not EMAIL_SERVICE.isidentifier():
        raise ImproperlyConfigured(f"EMAIL_SERVICE={EMAIL_SERVICE!r} names no anymail backend.")
    EMAIL_BACKEND = f"anymail.backends.{EMAIL_SERVICE}.EmailBackend"
# How long an address whose mail bounced, or whose owner marked an email as
# spam, gets no email (kept as a keyed hash meanwhile; the privacy notice says so).
EMAIL_SUPPRESSION_DAYS = env.int("EMAIL_SUPPRESSION_DAYS", default=365)
# DKIM for mail sent through an SMTP server of one's own (docs/deploy.md,
# "Email that arrives"): the signing domain (DEFAULT_FROM_EMAIL's, for DMARC),
# the selector its public key is published under in DNS, and the PEM file of
# the private key (never in the repository). All three set: mail is signed
# (timesup/infrastructure/signed_mail.py).
DKIM_DOMAIN = env.str("DKIM_DOMAIN", default="")
DKIM_SELECTOR = env.str("DKIM_SELECTOR", default="")
DKIM_PRIVATE_KEY_PATH = env.str("DKIM_PRIVATE_KEY_PATH", default="")
DKIM_SIGNS = bool(DKIM_DOMAIN and DKIM_SELECTOR and DKIM_PRIVATE_KEY_PATH)
if DKIM_SIGNS and EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
    EMAIL_BACKEND = "timesup.infrastructure.signed_mail.DKIMSigningBackend"
# The SMTP provider DKIM-signs the site's mail for its domain: `check --deploy`
# then does not ask for DKIM here.
EMAIL_PROVIDER_SIGNS_DKIM = env.bool("EMAIL_PROVIDER_SIGNS_DKIM", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Time's Up <letter@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 10

# Emails are sent by a task worker (`manage.py db_worker`), never inside a
# request (`make run` starts one beside gunicorn). TASKS_IMMEDIATE=true runs
# them at once, inside the request, instead: for `make dev` and development
# only, where no worker runs.
TASKS_IMMEDIATE = env.bool("TASKS_IMMEDIATE", default=False)
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TASKS_IMMEDIATE
        else "django_tasks_db.DatabaseBackend",
    }
}

# CACHE_URL in django-environ syntax, e.g. redis://127.0.0.1:6379/0: shared by
# every gunicorn worker and host, and then used for rate limits. Unset: a
# per-process memory cache, and rate limits counted in the database.
CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://"),
    # Always this process's memory: small look-ups every request makes (the
    # blocked domains). Faster than any shared cache, and nothing in it needs
    # to be the same on every host to the second.
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "local",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis that does not answer must not hang a request.
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": 2, "socket_timeout": 2}
    )

# Logging -------------------------------------------------------------------

# One line per event on stdout, where gunicorn's own log goes too. Nothing
# here logs request bodies, so no signer's email address reaches the log; the
# one handler cuts link tokens and client addresses out of every line
# (timesup/infrastructure/logs.py), and Django's own handlers are replaced by it.
# LOG_FORMAT=json: one JSON object per line, for log shippers.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "filters": {"redact_secrets": {"()": "timesup.infrastructure.logs.RedactSecrets"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["stdout"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's defaults (console when DEBUG, mail to ADMINS, runserver's
        # request lines) log paths unfiltered: everything goes through ours.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}

# The site's own address, the source of every absolute URL it writes (links in
# emails, sent by a worker with no request to take the host from; share links
# and cards, on pages any cache may keep): scheme and host, no trailing slash. Its
# host must be in ALLOWED_HOSTS (a system check says so). Default: the first
# of ALLOWED_HOSTS, over HTTPS, or over HTTP on PORT for `make run`.
SITE_URL = env.str(
    "SITE_URL",
    default=f"https://{ALLOWED_HOSTS[0]}" if HTTPS else f"http://{ALLOWED_HOSTS[0]}:{PORT}",
).rstrip("/")

# Who runs the site, as the privacy notice names them (the data controller):
# a name (and postal address, where the law asks for one), and how to reach
# them about one's data (an email address or a page). Unset: the notice says
# so, and gives the address the emails come from; `check --deploy` warns.
SITE_OPERATOR = env.str("SITE_OPERATOR", default="")
SITE_OPERATOR_CONTACT = env.str("SITE_OPERATOR_CONTACT", default="")

# The campaign ----------------------------------------------------------------

# Seconds the public pages (the campaign page, the signing form, the wall,
# statistics, widget, API) may be kept whole: by each process's memory, and
# by nginx or a CDN in front (Cache-Control: public, s-maxage). On the
# busiest day each is rendered once every few seconds instead of for every
# visitor; the count shown may be this many seconds old. Also the length of
# the signing form's time window (its fill-time token). 0 turns it off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=5)
# Seconds past that a cache may still serve a page while it fetches a fresh
# one (Cache-Control: stale-while-revalidate, for nginx or a CDN in front;
# the in-process cache does the same): a surge never waits for a render.
PAGE_STALE_SECONDS = env.int("PAGE_STALE_SECONDS", default=30)

# Seconds the statistics (/stats/) and the JSON API's answers are kept in the
# cache, and the API's Cache-Control max-age. They are read from kept tallies,
# so this only spares a small query; the numbers may be this many seconds old.
# 0 turns it off.
STATS_CACHE_SECONDS = env.int("STATS_CACHE_SECONDS", default=10)

# Signatures per page of the public wall.
WALL_PAGE_SIZE = env.int("WALL_PAGE_SIZE", default=50)

# Days a confirmation link stays valid; unconfirmed signatures older than this
# are deleted by `manage.py hourly_upkeep`.
CONFIRMATION_DAYS = env.int("CONFIRMATION_DAYS", default=7)
# Hours after signing closes during which signatures made before the close
# can still be confirmed and count; later confirmations are refused.
CONFIRMATION_GRACE_HOURS = env.int("CONFIRMATION_GRACE_HOURS", default=24)
# Seconds a signature waits at most for the worker's next batch of emails:
# each gunicorn process queues at most one sending task this often, not one
# per signature (pledges/services.py).
EMAIL_BATCH_SECONDS = env.int("EMAIL_BATCH_SECONDS", default=2)

# Each letter's public log of its count (pledges/transparency/, docs/security.md):
# a new signed checkpoint at most this often while signatures change it, and
# the Ed25519 key that signs them, in a file of its own (never in the
# repository; made there on first use if missing: `manage.py make_log_key`).
LOG_CHECKPOINT_SECONDS = env.int("LOG_CHECKPOINT_SECONDS", default=10)
LOG_SIGNING_KEY_PATH = str(
    BASE_DIR / env.str("LOG_SIGNING_KEY_PATH", default=str(VAR_DIR / "log-signing.key"))
)
# Connections to the mail server the worker sends a batch of emails over at
# once (pledges/tasks.py:send_batch): each email waits on four round trips.
EMAIL_CONNECTIONS = env.int("EMAIL_CONNECTIONS", default=4)
# Updates to signers the worker sends a minute: a batch this size, then the
# next a minute later, within what the mail server allows (pledges/tasks.py).
UPDATE_EMAILS_PER_MINUTE = env.int("UPDATE_EMAILS_PER_MINUTE", default=300)
# Confirmation emails one address can be sent again in a day.
CONFIRMATION_RESENDS_PER_DAY = env.int("CONFIRMATION_RESENDS_PER_DAY", default=3)
# Days after a campaign closes before its signatures are anonymised
# (names, emails, comments and IP hashes removed; the count is kept).
RETENTION_DAYS_AFTER_CLOSE = env.int("RETENTION_DAYS_AFTER_CLOSE", default=90)
# Seconds a person needs at least to fill in the form: faster is a bot.
SIGNING_MIN_FILL_SECONDS = env.int("SIGNING_MIN_FILL_SECONDS", default=3)
# Minutes a served signing form can be sent: later, it comes back with what
# was typed, to be sent again (a token replayed for days is a script's).
SIGNING_FORM_MAX_MINUTES = env.int("SIGNING_FORM_MAX_MINUTES", default=60)
# Signing forms one client address may send in an hour, less each one it
# confirms (pledges/throttle.py): a shared address (an office, a campus, a
# mobile carrier) brings in any number of people who confirm, while a client
# sending addresses nobody confirms is stopped after this many.
SIGNING_RATE_LIMIT = env.int("SIGNING_RATE_LIMIT", default=30)
# How many proxies in front of gunicorn append to X-Forwarded-For. 0 (the
# default): the client is REMOTE_ADDR and the header is ignored, since anyone
# can send it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Refuse signatures from the maintained list of disposable-address domains,
# besides the domains staff block in the admin.
BLOCK_DISPOSABLE_EMAIL_DOMAINS = env.bool("BLOCK_DISPOSABLE_EMAIL_DOMAINS", default=True)
# Seconds each process keeps the list of domains staff blocked (every signing
# asks): a domain blocked in the admin is refused everywhere within this long.
BLOCKED_DOMAINS_CACHE_SECONDS = env.int("BLOCKED_DOMAINS_CACHE_SECONDS", default=10)
