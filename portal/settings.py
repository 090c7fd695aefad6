"""Settings for the LDN Care Portal: one module, driven by environment variables.

Development defaults (SQLite, file-system Celery broker under ``var/``, console email) let
``make run`` work on a bare machine. With ``DJANGO_DEBUG=0`` the module refuses to start
without ``DJANGO_SECRET_KEY`` and ``DJANGO_ALLOWED_HOSTS`` and turns on every transport
security setting that ``check --deploy`` asks for.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production-0123456789")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
else:
    # A production process must never fall back to a known key or accept any Host header.
    try:
        SECRET_KEY = env("DJANGO_SECRET_KEY")
        ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(
            "Production settings (DJANGO_DEBUG=0) need DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS."
        ) from exc
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters long.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must name at least one host.")

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Serves /bench/ok (HttpResponse("ok") through every middleware) for the load benchmark only.
BENCH_BASELINE_VIEW = env.bool("BENCH_BASELINE_VIEW", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "simple_history",
    "portal",
    "education",
    "patients",
    "prescriptions",
]

MIDDLEWARE = [
    # Outermost because it can run async: under ASGI the rest of the stack (all sync) then runs in
    # one thread without hopping back to the event loop halfway. It only remembers the request;
    # the user is read from it when a history row is saved, after authentication.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.PrivateResponseMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",
    "portal.middleware.RequireMFAMiddleware",
    "portal.audit.AccessAuditMiddleware",
]

ROOT_URLCONF = "portal.urls"

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
                "portal.context_processors.navigation",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not memory) so that a worker process started by a test sees the same database.
    DATABASES["default"]["TEST"] = {"NAME": env("SQLITE_TEST_NAME", default=str(VAR_DIR / "test.sqlite3"))}
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
else:
    # Under ASGI each request runs in a thread of its own, so connections kept per thread
    # (CONN_MAX_AGE) would leave one open connection behind per request. Each process keeps a
    # pool instead (Django's psycopg pool); a request borrows a connection and hands it back.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN", default=2),
            "max_size": env.int("DATABASE_POOL_MAX", default=10),
            # A request waits this long for a free connection, then fails (503-worthy, not a hang).
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
        }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
        "DATABASE_PREPARED_STATEMENTS", default=True
    ):
        # Bind parameters on the server and let psycopg prepare a statement once it has run a few
        # times on a connection: PostgreSQL then skips parsing and planning it, which halves its
        # CPU per page in `make bench`. Turn off behind a pooler in transaction mode that cannot
        # keep prepared statements (PgBouncer before 1.21, or without max_prepared_statements).
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits, one-time TOTP codes and lockouts live in the cache, so production needs one cache
# shared by every web process: a per-process cache would accept one code twice across two workers.
if not DEBUG and not env("CACHE_URL", default=""):
    raise ImproperlyConfigured(
        "Production settings (DJANGO_DEBUG=0) need CACHE_URL, a cache shared by all web processes "
        "(e.g. rediscache://127.0.0.1:6379/1)."
    )
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://portal")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"].setdefault("OPTIONS", {})["pool_class"] = "portal.cache_pools.SharedConnectionPool"
if not DEBUG and CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache")):
    raise ImproperlyConfigured("CACHE_URL must name a shared cache (Redis, Memcached or the database) in production.")

REDIS_URL = env("REDIS_URL", default="")

# --- Accounts, sessions, MFA ---------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "portal.passwords.VarietyValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "landing"

# Sessions end after 30 minutes idle (the cookie is renewed on every request) and 12 hours in all
# (SessionLifetimeMiddleware); docs/domain.md "Roles and access".
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "LDN Care Portal"
# TOTP secrets and recovery-code seeds are encrypted at rest (portal/mfa.py). MFA_ENCRYPTION_KEYS is
# a comma-separated list of Fernet keys: the first encrypts, all decrypt (for rotation). Make one
# with `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
MFA_ADAPTER = "portal.mfa.EncryptingMFAAdapter"
# The code fields numeric, offered from the authenticator app and focused (portal/account_forms.py).
MFA_FORMS = {
    "authenticate": "portal.account_forms.CodeAuthenticateForm",
    "reauthenticate": "portal.account_forms.CodeReauthenticateForm",
    "activate_totp": "portal.account_forms.CodeActivateTOTPForm",
}
if DEBUG:
    MFA_ENCRYPTION_KEYS = env.list("MFA_ENCRYPTION_KEYS", default=["ZGV2LW9ubHktbWZhLWtleS1ub3QtZm9yLXByb2R1Y3Q="])
else:
    MFA_ENCRYPTION_KEYS = env.list("MFA_ENCRYPTION_KEYS", default=[])
    if not MFA_ENCRYPTION_KEYS:
        raise ImproperlyConfigured(
            "Production settings (DJANGO_DEBUG=0) need MFA_ENCRYPTION_KEYS: the Fernet key that encrypts "
            "authenticator secrets."
        )
# Roles that must enrol TOTP before they reach any page with health data (docs/domain.md "Roles and access").
MFA_REQUIRED_ROLES = ("physician", "pharmacy", "coordinator", "staff")

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=8)
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "portal.adapters.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_VERBOSE = False

# --- Email -----------------------------------------------------------------------------------
# EMAIL_URL (smtp+tls://user:pass@host:587) is honoured in development too. Production must name
# it: the console backend would print live password-reset links into the server log.
if not DEBUG and not env("EMAIL_URL", default=""):
    raise ImproperlyConfigured(
        "Production settings (DJANGO_DEBUG=0) need EMAIL_URL, the mail server that sends portal emails "
        "(e.g. smtp+tls://user:password@mail.example.org:587)."
    )
if env("EMAIL_URL", default=""):
    vars().update(env.email("EMAIL_URL"))
else:
    EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# The sender name is neutral: a name that names the treatment would itself be health information.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Care Team <care@ldncare.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Patient portal] "
PRACTICE_ADMIN_EMAILS = env.list("PRACTICE_ADMIN_EMAILS", default=["admin@ldncare.example"])

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Chicago"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
if DEBUG:
    # Development keeps its database, broker folders and collected files under var/.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploads hold health data: kept outside the web root and served only through scoped views.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Video visits ------------------------------------------------------------------------------
# The call runs in the portal: WebRTC between the two browsers, signaled over a WebSocket served by
# Django Channels (docs/architecture.md "Video visits"). Signaling messages pass between ASGI
# processes on the channel layer: Redis when REDIS_URL is set, else one process's memory (the
# embedded default, one server process only).
ASGI_APPLICATION = "portal.asgi.application"
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [env("CHANNEL_LAYER_REDIS_URL", default=REDIS_URL)], "prefix": "ldn-signal:"},
        }
    }
else:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Production settings (DJANGO_DEBUG=0) need REDIS_URL: video signaling must reach every web process."
        )
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# TURN relays media when the two networks cannot reach each other directly. With coturn's
# use-auth-secret, the portal mints each participant a username that expires and its HMAC; the
# shared secret itself never leaves the server. No TURN_URLS: direct (same-network) calls only.
TURN_URLS = env.list("TURN_URLS", default=[])
TURN_SECRET = env("TURN_SECRET", default="")
TURN_CREDENTIAL_SECONDS = env.int("TURN_CREDENTIAL_SECONDS", default=2 * 60 * 60)
if TURN_URLS and not TURN_SECRET:
    raise ImproperlyConfigured("TURN_URLS needs TURN_SECRET, the static-auth-secret of the TURN servers.")
# "relay" sends all media through TURN, so neither side learns the other's network address.
VIDEO_ICE_TRANSPORT_POLICY = env("VIDEO_ICE_TRANSPORT_POLICY", default="all")
if VIDEO_ICE_TRANSPORT_POLICY not in ("all", "relay"):
    raise ImproperlyConfigured('VIDEO_ICE_TRANSPORT_POLICY is "all" or "relay".')
if VIDEO_ICE_TRANSPORT_POLICY == "relay" and not TURN_URLS:
    raise ImproperlyConfigured('VIDEO_ICE_TRANSPORT_POLICY="relay" needs TURN_URLS.')
# A patient's "where are you now" answer admits them to the room for this long.
VIDEO_ATTESTATION_MINUTES = env.int("VIDEO_ATTESTATION_MINUTES", default=30)


# Patients may cancel or reschedule a visit up to this many hours before it starts.
APPOINTMENT_CHANGE_CUTOFF_HOURS = env.int("APPOINTMENT_CHANGE_CUTOFF_HOURS", default=24)

# --- Celery ------------------------------------------------------------------------------------
# Without REDIS_URL a real worker and beat still run, on kombu's file-system transport.
CELERY_FS_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # How long Redis keeps an unacknowledged message before handing it to another worker.
        # Reminder rows are requeued by the dispatcher much sooner, so this is a backstop.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
    CELERY_RESULT_BACKEND = REDIS_URL
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FS_DIR / "queue"),
        "data_folder_out": str(CELERY_FS_DIR / "queue"),
        "processed_folder": str(CELERY_FS_DIR / "processed"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
REMINDER_DISPATCH_SECONDS = env.float("REMINDER_DISPATCH_SECONDS", default=60.0)
REMINDER_DISPATCH_BATCH = env.int("REMINDER_DISPATCH_BATCH", default=1000)
REMINDER_SEND_CHUNK = env.int("REMINDER_SEND_CHUNK", default=100)
# A live sender holds its rows locked, so the requeue waits for it and then skips them; only
# rows whose sender died (or whose message was lost) go back. docs/architecture.md "Reminders and the outbox".
REMINDER_REQUEUE_AFTER_SECONDS = env.int("REMINDER_REQUEUE_AFTER_SECONDS", default=90)
# Text messages (README "Text messages"). The default only logs user id and kind; set
# SMS_BACKEND=portal.sms.telnyx.TelnyxSMSBackend with TELNYX_API_KEY (shared with fax), a sending
# number and/or messaging profile, and TELNYX_PUBLIC_KEY (the Ed25519 key that signs the STOP/START
# replies posted to /sms/inbound/). Texts go only to patients who turned them on with a verified number.
SMS_BACKEND = env("SMS_BACKEND", default="portal.sms.LogSMSBackend")
TELNYX_SMS_FROM = env("TELNYX_SMS_FROM", default="")
TELNYX_MESSAGING_PROFILE_ID = env("TELNYX_MESSAGING_PROFILE_ID", default="")
TELNYX_PUBLIC_KEY = env("TELNYX_PUBLIC_KEY", default="")
TELNYX_SMS_TIMEOUT_SECONDS = env.float("TELNYX_SMS_TIMEOUT_SECONDS", default=10.0)
# Reminder kinds that also go by text to a patient who turned texts on (the same PHI-free words).
SMS_REMINDER_KINDS = env.list(
    "SMS_REMINDER_KINDS",
    default=["appointment-tomorrow", "followup-due-soon", "followup-due-today", "followup-overdue", "refill-due"],
)
# Faxed prescriptions for pharmacies outside the portal (docs/architecture.md "Faxing prescriptions").
# The default keeps each fax in private storage (fax-spool/) and logs it; set
# FAX_BACKEND=prescriptions.fax.telnyx.TelnyxFaxBackend and the TELNYX_* values to send for real.
FAX_BACKEND = env("FAX_BACKEND", default="prescriptions.fax.backends.StoredFaxBackend")
FAX_MAX_ATTEMPTS = env.int("FAX_MAX_ATTEMPTS", default=4)
FAX_RETRY_BACKOFF_SECONDS = env.int("FAX_RETRY_BACKOFF_SECONDS", default=60)
FAX_STATUS_POLL_SECONDS = env.int("FAX_STATUS_POLL_SECONDS", default=60)
FAX_STATUS_POLL_LIMIT = env.int("FAX_STATUS_POLL_LIMIT", default=60)
TELNYX_API_KEY = env("TELNYX_API_KEY", default="")
TELNYX_BASE_URL = env("TELNYX_BASE_URL", default="https://api.telnyx.com/v2")
TELNYX_FAX_CONNECTION_ID = env("TELNYX_FAX_CONNECTION_ID", default="")
TELNYX_FAX_FROM = env("TELNYX_FAX_FROM", default="")
TELNYX_TIMEOUT_SECONDS = env.float("TELNYX_TIMEOUT_SECONDS", default=30.0)
# Cash pay (docs/architecture.md "Payments"). Payments are on only when both Stripe keys are set;
# otherwise the portal shows prices and Good Faith Estimates and says that it takes no payment
# online. STRIPE_API_BASE points the official client at another host (the tests' stand-in server).
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=20.0)
# Where Checkout pages live: the pages with a "Pay" form may submit (and be redirected) there.
STRIPE_CHECKOUT_ORIGIN = env("STRIPE_CHECKOUT_ORIGIN", default="https://checkout.stripe.com")
# Business days for Good Faith Estimate deadlines are counted in the practice's business office zone.
BILLING_TIME_ZONE = env("BILLING_TIME_ZONE", default="America/Chicago")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "portal.tasks.heartbeat", "schedule": 60.0},
    "dispatch-reminders": {"task": "portal.tasks.dispatch_reminders", "schedule": REMINDER_DISPATCH_SECONDS},
    "schedule-license-reminders": {"task": "portal.tasks.schedule_license_reminders", "schedule": 6 * 3600.0},
    # Patients whose plan has reached its maintenance step become "stable" (prescriptions app).
    "refresh-treatment-phases": {"task": "prescriptions.tasks.refresh_treatment_phases", "schedule": timedelta(days=1)},
    # Visits whose physician's license lapses before them, and patients with no licensed physician.
    "check-coverage": {"task": "patients.tasks.check_coverage", "schedule": 6 * 3600.0},
    # Faxes whose worker never ran (broker down at signing) or died mid-send (prescriptions app).
    "resume-faxes": {"task": "prescriptions.fax.resume", "schedule": 300.0},
    # Billing documents whose PDF was never rendered, refunds never sent (patients app, cash pay).
    "resume-billing-documents": {"task": "patients.billing.resume", "schedule": 300.0},
    "resume-refunds": {"task": "patients.payments.resume", "schedule": 300.0},
}

# --- Response headers ---------------------------------------------------------------------------
# A strict Content-Security-Policy: scripts, styles and fonts only from our own static files, no
# inline script, no framing, forms post only to us. Images may also be data: URIs (the TOTP QR code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Browser features no page uses are off everywhere; camera and microphone are allowed (to this
# origin only) on the two video-room pages, which opt in with portal.middleware.video_room_page.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
PERMISSIONS_POLICY_VIDEO = "camera=(self), microphone=(self), geolocation=(), payment=(), usb=()"
# How many proxies in front of the portal add themselves to X-Forwarded-For (django-ipware's
# count). 0, the default, trusts no header: the client address is the connection's own.
# allauth's rate limits and axes' lockouts read the client address the same way.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
AXES_CLIENT_IP_CALLABLE = "portal.audit.client_ip"

# --- Production transport security -------------------------------------------------------------
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REFERRER_POLICY = "same-origin"
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"drop_query_string": {"()": "portal.logfilters.DropQueryString"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "requests": {"class": "logging.StreamHandler", "filters": ["drop_query_string"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint narrates each rendering step at INFO; only its problems are worth a line.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # runserver's request lines, without their query strings (docs/architecture.md "Security").
        "django.server": {"handlers": ["requests"], "level": "INFO", "propagate": False},
        # Successful sign-ins are routine; failures and lockouts (WARNING) are still logged.
        "axes": {"level": "WARNING"},
    },
}
SIMPLE_HISTORY_REVERT_DISABLED = True
