"""Settings for 法治清单, driven by the environment.

One file for every environment: the same code paths run in development, tests and
production; only values differ. Helpers fail loudly on a malformed value instead of
silently falling back, because a typo in DEBUG or ALLOWED_HOSTS on a county intranet
server should stop the process, not expose it.
"""

import importlib.util
import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import pgettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean (use 1/0, true/false)"
    )


def env_int(name, default, *, minimum=None):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} is below {minimum}")
    return number


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

# A development key is fine while DEBUG is on; production must bring its own.
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "django_tables2",
    "simple_history",
    # django-axes, named in the admin's language (tracker/apps.py).
    "tracker.apps.LoginThrottlingConfig",
    "csp",
    # The task queue: django.tasks' API (backported) and its database backend.
    "django_tasks",
    "django_tasks_db",
    # The organization tree's admin (its templates and static files).
    "treebeard",
    "tracker",
]
# The development commands (bench, bench_data, build_fixture) live outside the app
# and are installed only where wanted: by default while DEBUG is on, never on a
# production server unless asked for.
DEV_TOOLS = env_bool("DEV_TOOLS", DEBUG)
if DEV_TOOLS:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Instead of LocaleMiddleware: the language switch's choice, else Chinese,
    # whatever the browser's Accept-Language says.
    "tracker.middleware.ChosenLanguageMiddleware",
    # Before CSRF: a body too big or with too many fields is a 400 page, not a 500.
    "tracker.middleware.UnparseableRequestMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every URL needs a login unless its view opts out (login page, health check).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A temporary password set by an administrator is changed before anything else.
    "tracker.auth.PasswordChangeRequiredMiddleware",
    # Reads the Holiday table once per request for every working-day count.
    "tracker.workdays.CalendarMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "tracker.context_processors.navigation",
            ],
        },
    },
]

# SQLite is the embedded default; production sets DATABASE_URL=postgres://...
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while a writer commits; IMMEDIATE takes the write
    # lock at BEGIN so two concurrent writers queue instead of failing mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a file too, not the in-memory default, so they exercise the same
    # locking as production (the concurrency tests race two real connections).
    DATABASES["default"]["TEST"] = {
        # One file per test process, so parallel runs on one machine never collide.
        "NAME": str(Path(tempfile.gettempdir()) / f"fazhi-test-{os.getpid()}.sqlite3")
    }
elif env_bool("DB_PREPARED_STATEMENTS", True):
    # PostgreSQL plans a query again on every run unless it is prepared; the pages'
    # organization-scoped queries took longer to plan than to run. With server-side
    # binding psycopg prepares a query the second time a connection runs it (Django
    # turns this off by default), which cut 10-15 % of the database and app time of
    # the daily pages (issue 27). Off (0) behind a pooler in transaction mode that
    # does not carry prepared statements (PgBouncer before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=2
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles a plan when its estimated cost is high, which the
    # city's ranking over 100 counties' items is: 1.2 s of its 1.8 s went to
    # compiling, and a bad estimate once cost /my/ 3.6 s (issue 27). The pages'
    # queries are short; compiling never pays for itself here.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()


def env_caches(name):
    """Django's CACHES from a URL: empty or ``locmem://`` the process's own memory;
    ``db://TABLE`` the database cache table (``manage.py createcachetable``);
    ``redis://HOST:PORT/DB`` Redis (needs the ``redis`` package). Anything else
    stops the process. A shared cache (the table, Redis) is read through each
    process's memory (``tracker.cache.TieredCache``): every key the app caches
    under changes with every write, so a copy in memory is never stale."""
    value = env_str(name).strip()
    scheme, _sep, rest = value.partition("://")
    # Django's default of 300 entries held the cached parts of 50 obligation
    # pages for two kinds of reader: past it, every set culls a third of the
    # cache. An entry is a few to some tens of kilobytes.
    bounded = {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 5000, minimum=300)}
    memory = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": bounded,
    }
    if not value or value == "locmem://":
        return {"default": memory}
    if scheme == "db" and rest and rest.isidentifier():
        shared = {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": rest,
            "OPTIONS": bounded,
        }
    elif scheme in ("redis", "rediss") and rest:
        # Stop here rather than answer 500 on every cached page later.
        if importlib.util.find_spec("redis") is None:
            raise ImproperlyConfigured(
                f"{name}={value!r} needs the redis package: "
                "pip install -e '.[redis]' (docs/deploy.md)"
            )
        shared = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": value,
        }
    else:
        raise ImproperlyConfigured(
            f"{name}={value!r}: use locmem://, db://TABLE or redis://HOST:PORT/DB"
        )
    tiered = {"BACKEND": "tracker.cache.TieredCache", "LOCATION": "shared"}
    return {"default": tiered | {"OPTIONS": bounded}, "shared": shared}


# The dashboard's figures are cached per report revision (see views.dashboard):
# the key changes with every write, so the process's own memory is correct with
# any number of workers and servers; a shared cache (the database table or Redis)
# only spares each process computing the same figures once per change.
CACHES = env_caches("CACHE_URL")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# `loaddata wuxi_2022` finds the generated report fixture (see build_fixture).
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# The government directory's groups that give each role (LDAP_GROUP_STAFF, ...):
# the keys of permissions.ROLE_GROUPS, strongest first (someone in two groups gets
# the first). The administrator comes only from LDAP_GROUP_ADMIN, when it is set.
LDAP_ROLE_VARIABLES = {
    "admin": "LDAP_GROUP_ADMIN",
    "supervisor": "LDAP_GROUP_SUPERVISOR",
    "leader": "LDAP_GROUP_LEADER",
    "head": "LDAP_GROUP_HEAD",
    "staff": "LDAP_GROUP_STAFF",
}
LDAP_GROUP_TYPES = {
    "groupOfNames": "GroupOfNamesType",
    "groupOfUniqueNames": "GroupOfUniqueNamesType",
    "posixGroup": "PosixGroupType",
    "activeDirectory": "NestedActiveDirectoryGroupType",
}


def env_ldap():
    """Login through the government directory (django-auth-ldap, README "Accounts
    from the directory"): the ``AUTH_LDAP_*`` settings of
    ``tracker.directory.DirectoryBackend`` and the ``LDAP_*`` ones it maps people
    with, from the LDAP_* variables; empty while LDAP_SERVER_URI is unset (then
    only local accounts sign in). A missing search base or no role group stops
    the process: every login through the directory would be refused."""
    uri = env_str("LDAP_SERVER_URI").strip()
    if not uri:
        return {}
    try:
        import ldap
        from django_auth_ldap import config as ldap_config
    except ImportError:
        raise ImproperlyConfigured(
            "LDAP_SERVER_URI is set but django-auth-ldap is not installed: "
            "pip install -e '.[ldap]' (README, Accounts from the directory)."
        ) from None

    required = {}
    for name in ("LDAP_USER_SEARCH_BASE", "LDAP_GROUP_SEARCH_BASE"):
        required[name] = env_str(name).strip()
        if not required[name]:
            raise ImproperlyConfigured(f"LDAP_SERVER_URI is set: {name} must be too")
    role_groups = {
        role: env_str(variable).strip()
        for role, variable in LDAP_ROLE_VARIABLES.items()
        if env_str(variable).strip()
    }
    if not set(role_groups) - {"admin"}:
        raise ImproperlyConfigured(
            "LDAP_SERVER_URI is set: name the directory groups of the roles "
            "(LDAP_GROUP_STAFF, LDAP_GROUP_HEAD, LDAP_GROUP_SUPERVISOR, "
            "LDAP_GROUP_LEADER)"
        )
    group_type = env_str("LDAP_GROUP_TYPE", "groupOfNames")
    if group_type not in LDAP_GROUP_TYPES:
        raise ImproperlyConfigured(
            f"LDAP_GROUP_TYPE={group_type!r}: use one of {', '.join(LDAP_GROUP_TYPES)}"
        )
    timeout = env_int("LDAP_TIMEOUT_SECONDS", 5, minimum=1)
    # A directory may hold the organization's code (巫溪县's 行政区划代码 500238)
    # rather than its name: "500238=巫溪县,500237=巫山县" says which is which.
    codes = {}
    for item in env_list("LDAP_ORGANIZATION_CODES", []):
        code, _sep, name = (part.strip() for part in item.partition("="))
        if not (code and name):
            raise ImproperlyConfigured(
                f"LDAP_ORGANIZATION_CODES: {item!r} is not CODE=NAME"
            )
        codes[code] = name
    return {
        "AUTH_LDAP_SERVER_URI": uri,
        "AUTH_LDAP_START_TLS": env_bool("LDAP_START_TLS", False),
        # Empty: an anonymous bind to search for the person.
        "AUTH_LDAP_BIND_DN": env_str("LDAP_BIND_DN"),
        "AUTH_LDAP_BIND_PASSWORD": env_str("LDAP_BIND_PASSWORD"),
        # A directory that does not answer must not hold the login page (and a
        # gunicorn worker) for minutes: local accounts still sign in meanwhile.
        "AUTH_LDAP_CONNECTION_OPTIONS": {
            ldap.OPT_NETWORK_TIMEOUT: timeout,
            ldap.OPT_TIMEOUT: timeout,
        },
        "AUTH_LDAP_USER_SEARCH": ldap_config.LDAPSearch(
            required["LDAP_USER_SEARCH_BASE"],
            ldap.SCOPE_SUBTREE,
            env_str("LDAP_USER_SEARCH_FILTER", "(uid=%(user)s)"),
        ),
        "AUTH_LDAP_GROUP_SEARCH": ldap_config.LDAPSearch(
            required["LDAP_GROUP_SEARCH_BASE"],
            ldap.SCOPE_SUBTREE,
            env_str("LDAP_GROUP_SEARCH_FILTER", "(objectClass=*)"),
        ),
        "AUTH_LDAP_GROUP_TYPE": getattr(ldap_config, LDAP_GROUP_TYPES[group_type])(),
        # Which of the person's attributes hold what (the attribute map).
        "LDAP_ATTRIBUTES": {
            "name": env_str("LDAP_ATTR_NAME", "cn"),
            "email": env_str("LDAP_ATTR_EMAIL", "mail"),
            "mobile": env_str("LDAP_ATTR_MOBILE", "mobile"),
            "organization": env_str("LDAP_ATTR_ORGANIZATION", "o"),
            "department": env_str("LDAP_ATTR_DEPARTMENT", "ou"),
        },
        "LDAP_ROLE_GROUPS": role_groups,
        "LDAP_ORGANIZATION_CODES": codes,
    }


LDAP_SETTINGS = env_ldap()
globals().update(LDAP_SETTINGS)
if LDAP_SETTINGS:
    # After the local accounts' backend: a local account signs in with its own
    # password whatever the directory says, and the directory never takes it over
    # (tracker.directory).
    AUTHENTICATION_BACKENDS.append("tracker.directory.DirectoryBackend")

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"  # noqa: E501
    },
    {
        "NAME": "tracker.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # A forced change to the temporary password itself achieved nothing.
    {"NAME": "tracker.passwords.NotTheCurrentPasswordValidator"},
]

# The organization named on the login page; empty: the latest report's.
ORGANIZATION_NAME = env_str("ORGANIZATION_NAME")
# Printed on every 督办单 (supervision notice), as GB/T 9704 asks of a document: the
# office that issues them (empty: "<organization>法治督查室"), whom to call about
# one and the number, and the offices it is copied to (抄送). Empty contact, phone
# or 抄送: a line left blank to be filled in by hand.
NOTICE_ISSUING_OFFICE = env_str("NOTICE_ISSUING_OFFICE")
NOTICE_CONTACT = env_str("NOTICE_CONTACT")
NOTICE_PHONE = env_str("NOTICE_PHONE")
NOTICE_CC = env_str("NOTICE_CC")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tracker:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock the user name + IP pair after repeated
# failures. User names are matched case-insensitively so "Admin " cannot bypass it.
# An address is locked too after AXES_ADDRESS_FAILURE_LIMIT failures over all user
# names (tracker.auth.AxesHandler), higher than the per-user limit because a whole
# office may share one address; 0 turns it off, for a proxy that hides the clients'
# addresses (docs/deploy.md). AXES_FAILURE_LIMIT=0 would lock everyone out: refused.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 20, minimum=0)
if 0 < AXES_ADDRESS_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        f"AXES_ADDRESS_FAILURE_LIMIT={AXES_ADDRESS_FAILURE_LIMIT} is below "
        f"AXES_FAILURE_LIMIT={AXES_FAILURE_LIMIT}: it counts every user name of an "
        "address, so it must be at least the per-user limit"
    )
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "tracker.auth.AxesHandler"
AXES_USERNAME_CALLABLE = "tracker.auth.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Internationalization: Chinese first, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The switch's choice outlives the browser session and logging out (a year).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# The filters' empty choice reads 全部 ("All"), not Django's "---------".
FILTERS_EMPTY_CHOICE_LABEL = pgettext_lazy("empty filter choice", "All")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    # Evidence lives under MEDIA_ROOT and is only ever served through the
    # permission-checked download view; there is no MEDIA_URL route.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = None

# Evidence uploads (佐证材料).
# The ranking names a department best or lowest only on at least this many
# measurable items (finished, or overdue now): one item rated 一般 pinned "最差" on
# a unit. Fewer, and its score is shown but it is not ranked.
RANKING_MIN_SAMPLE = env_int("RANKING_MIN_SAMPLE", 3, minimum=1)
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
# The largest request body apart from uploaded files, which Django does not count
# here (their size is checked against EVIDENCE_MAX_BYTES and the report import's
# limit): form fields and notes only.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o640

DJANGO_TABLES2_TEMPLATE = "tracker/table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table"}

# Security. Secure defaults whenever DEBUG is off; SECURE_SSL_REDIRECT can be turned
# off when a TLS-terminating proxy already redirects plain HTTP.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS preload is a one-way commitment for a public domain name; a county intranet
# host cannot be on the browsers' preload list, so the reminder is silenced unless
# the operator opts in with SECURE_HSTS_PRELOAD=1.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Content-Security-Policy: nothing from outside this server, ever.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Notifications (issue 11). Email goes through Django's email framework. With no
# EMAIL_HOST (and no EMAIL_BACKEND) there is no email at all: the inbox is the only
# channel and nobody is offered a choice that cannot work. `make run` sets the
# console backend, which prints each mail to the terminal.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_ENABLED = bool(EMAIL_HOST or env_str("EMAIL_BACKEND"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "webmaster@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds. Every email and group-chat post is sent by the worker
# (`manage.py worker`), never by a web process; each send has this much time in
# all (connecting and every read: a robot that trickles its answer is cut off at
# the deadline), then it is retried after OutboundMessage.RETRY_DELAYS.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10, minimum=1)
# 企业微信 and 钉钉 group robots accept 20 posts a minute (钉钉 then blocks the robot
# for 10 minutes): the workers together post at most this many to one robot
# address in any 60 seconds; the rest wait in the queue.
WEBHOOK_RATE_PER_MINUTE = env_int("WEBHOOK_RATE_PER_MINUTE", 20, minimum=1)

# The task queue (django-tasks with its database backend): tasks are rows in the
# database, run by `manage.py worker` (docs/deploy.md). No broker to install.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The dashboard tells administrators when no worker has been seen for this long.
WORKER_SILENCE_WARNING = timedelta(minutes=5)
# Long work (a year-end archive, reading an uploaded .html/.pdf/.docx report, a
# big export) is a job the worker runs while its page shows the progress
# (tracker/services/jobs.py). Past JOB_TIME_LIMIT seconds a job is refused with a
# message; reading a file runs in a child with JOB_MEMORY_LIMIT_MB of memory more
# than the worker's, so a page that needs more fails there, not in the worker.
JOB_TIME_LIMIT = env_int("JOB_TIME_LIMIT", 30 * 60, minimum=1)
JOB_READ_SECONDS = env_int("JOB_READ_SECONDS", 120, minimum=1)
JOB_MEMORY_LIMIT_MB = env_int("JOB_MEMORY_LIMIT_MB", 1024, minimum=64)
# A job's file (an archive, an export) is kept this many days; `manage.py
# purge_jobs` (daily, docs/deploy.md) removes it then.
JOB_KEEP_DAYS = env_int("JOB_KEEP_DAYS", 7, minimum=1)
# An obligation-list export of more rows than this is made by the worker (a job);
# smaller ones are answered at once.
EXPORT_SYNC_LIMIT = env_int("EXPORT_SYNC_LIMIT", 2000, minimum=0)
# Group robots are public https addresses (tracker/notifications/addresses.py):
# plain http only when this is set; loopback, link-local and private hosts only
# when listed here (as written in the address: an intranet robot relay).
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", False)
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS", [])

# The address people use to reach this site: links in emails and group chats.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r} must start with http(s)://")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
