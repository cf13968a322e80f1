"""Production settings: secure by default with only DEBUG=0, SECRET_KEY, ALLOWED_HOSTS.

Settings are read once per process, so each environment is tried in a fresh
subprocess with a clean environment (only PATH and the variables under test), the
way an operator's service manager would start the app.
"""

import json
import os
import re
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

ROOT = Path(__file__).resolve().parent.parent


def production_env(**extra):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "tracker.example.gov.cn",
    }
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    env.update(extra)
    return {key: value for key, value in env.items() if value is not None}


def run_python(code, env):
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_under(env):
    """The effective security settings of a process started with `env`."""
    result = run_python(
        """
        import json
        import django
        from django.conf import settings
        django.setup()
        names = [
            "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
            "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_AGE",
            "SESSION_EXPIRE_AT_BROWSER_CLOSE", "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
            "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS",
        ]
        values = {name: getattr(settings, name) for name in names}
        values["SECURE_PROXY_SSL_HEADER"] = getattr(
            settings, "SECURE_PROXY_SSL_HEADER", None
        )
        values["STATICFILES_STORAGE"] = settings.STORAGES["staticfiles"]["BACKEND"]
        print(json.dumps(values))
        """,
        env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_reports_no_issues_with_only_the_three_required_variables():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_defaults_turn_on_secure_cookies_hsts_and_ssl_redirect():
    values = settings_under(production_env())
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"


def test_ssl_redirect_can_be_left_to_a_tls_terminating_proxy():
    values = settings_under(
        production_env(SECURE_SSL_REDIRECT="0", SECURE_PROXY_SSL_HEADER="1")
    )
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    # Turning the redirect off does not weaken the cookies.
    assert values["SESSION_COOKIE_SECURE"] is True


def test_sessions_expire_after_a_working_day_and_at_browser_close():
    values = settings_under(production_env())
    assert 0 < values["SESSION_COOKIE_AGE"] <= 12 * 60 * 60
    assert values["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True


def test_production_serves_static_files_under_hashed_names():
    values = settings_under(production_env())
    assert values["STATICFILES_STORAGE"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


def test_debug_off_without_secret_key_refuses_to_start():
    result = run_python(
        "import django; django.setup()", production_env(SECRET_KEY=None)
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG=0" in result.stderr


def test_malformed_debug_value_refuses_to_start():
    result = run_python("import django; django.setup()", production_env(DEBUG="maybe"))
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_collected_stylesheet_is_served_by_whitenoise_under_its_hashed_name(tmp_path):
    # collectstatic and the request run in one process with DEBUG=0, because
    # WhiteNoise indexes STATIC_ROOT once when the WSGI app starts.
    env = production_env(ALLOWED_HOSTS="testserver", STATIC_ROOT=str(tmp_path))
    result = run_python(
        """
        import json
        import django
        from django.core.management import call_command
        django.setup()
        # The admin's files are left out: hashing and compressing them took 14 s
        # and proves nothing the app's stylesheet does not.
        call_command(
            "collectstatic", interactive=False, verbosity=0, ignore_patterns=["admin"]
        )
        from django.templatetags.static import static
        from django.test import Client
        url = static("tracker/app.css")
        response = Client().get(url, secure=True)
        print(json.dumps({
            "url": url,
            "status": response.status_code,
            "content_type": response["Content-Type"],
            "cache_control": response.get("Cache-Control", ""),
            "body_start": b"".join(response.streaming_content)[:200].decode(),
        }))
        """,
        env,
    )
    assert result.returncode == 0, result.stderr
    served = json.loads(result.stdout)
    assert re.fullmatch(r"/static/tracker/app\.[0-9a-f]{12}\.css", served["url"])
    assert served["status"] == 200
    assert served["content_type"].startswith("text/css")
    # Hashed names never change content, so browsers may cache them for good.
    assert "immutable" in served["cache_control"]
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    assert manifest["paths"]["tracker/app.css"] == served["url"].removeprefix(
        "/static/"
    )


def test_every_response_forbids_content_from_other_hosts(client, db):
    response = client.get("/healthz/")
    policy = response["Content-Security-Policy"]
    directives = dict(
        (parts[0], parts[1:])
        for parts in (d.split() for d in policy.split(";") if d.strip())
    )
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    sources = {source for values in directives.values() for source in values}
    assert sources <= {"'self'", "'none'", "data:"}


@pytest.mark.parametrize(
    "password",
    ["short1!", "12345678901234", "password1234", "staff_a_2024"],
    ids=["too-short", "numeric", "common", "like-user-name"],
)
def test_weak_passwords_are_refused(password, staff_a):
    with pytest.raises(ValidationError):
        validate_password(password, user=staff_a)


def test_a_long_uncommon_password_is_accepted(staff_a):
    validate_password("春风-Harbour-ledger-47", user=staff_a)


def test_a_redis_cache_without_the_redis_package_refuses_to_start():
    """Without it every cached page answered 500 (the load test found it)."""
    result = run_python(
        """
        import importlib.util
        found = importlib.util.find_spec
        # As on a server where the redis package was never installed.
        importlib.util.find_spec = lambda name, *a: (
            None if name == "redis" else found(name, *a)
        )
        import django
        django.setup()
        """,
        production_env(CACHE_URL="redis://127.0.0.1:6379/1"),
    )
    assert result.returncode != 0
    assert "needs the redis package: pip install -e '.[redis]'" in result.stderr


def test_a_malformed_cache_url_refuses_to_start():
    result = run_python(
        "import django; django.setup()", production_env(CACHE_URL="memcache://x")
    )
    assert result.returncode != 0
    assert "CACHE_URL='memcache://x': use locmem://, db://TABLE" in result.stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", ["default", "django.core.cache.backends.locmem.LocMemCache", "-"]),
        (
            "db://tracker_cache",
            [
                *("default", "tracker.cache.TieredCache", "shared"),
                *("shared", "django.core.cache.backends.db.DatabaseCache"),
                "tracker_cache",
            ],
        ),
        (
            "redis://redis.internal:6379/1",
            [
                *("default", "tracker.cache.TieredCache", "shared"),
                *("shared", "django.core.cache.backends.redis.RedisCache"),
                "redis://redis.internal:6379/1",
            ],
        ),
    ],
)
def test_cache_url_chooses_the_cache(url, expected):
    """The process's memory alone, or a shared cache read through it."""
    result = run_python(
        """
        import django
        from django.conf import settings
        django.setup()
        for alias, cache in settings.CACHES.items():
            print(alias, cache["BACKEND"], cache.get("LOCATION", "-"))
        """,
        production_env(CACHE_URL=url),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected


@pytest.mark.parametrize("url", ["", "db://tracker_cache"])
def test_the_process_and_database_caches_hold_thousands_of_entries(url):
    """Django's default (300) held the obligation pages of 50 items for two
    kinds of reader; CACHE_MAX_ENTRIES sets the bound, and a bound below
    Django's default stops the process."""

    def max_entries(**env):
        result = run_python(
            """
            import django
            from django.conf import settings
            django.setup()
            print(settings.CACHES["default"]["OPTIONS"]["MAX_ENTRIES"])
            """,
            production_env(CACHE_URL=url, **env),
        )
        assert result.returncode == 0, result.stderr
        return int(result.stdout)

    assert max_entries() == 5000
    assert max_entries(CACHE_MAX_ENTRIES="20000") == 20000
    refused = run_python(
        "import django; django.setup()",
        production_env(CACHE_URL=url, CACHE_MAX_ENTRIES="10"),
    )
    assert refused.returncode != 0
    assert "CACHE_MAX_ENTRIES='10' is below 300" in refused.stderr


def database_options_under(env):
    result = run_python(
        """
        import json
        from django.conf import settings
        print(json.dumps(settings.DATABASES["default"].get("OPTIONS", {})))
        """,
        env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_postgresql_queries_are_prepared_unless_turned_off():
    """Prepared statements (planned once per connection) on PostgreSQL by default;
    DB_PREPARED_STATEMENTS=0 for a pooler that cannot carry them."""
    url = "postgres://tracker@db.internal:5432/tracker"
    on = database_options_under(production_env(DATABASE_URL=url))
    off = database_options_under(
        production_env(DATABASE_URL=url, DB_PREPARED_STATEMENTS="0")
    )

    assert on["server_side_binding"] is True and on["prepare_threshold"] == 2
    assert "server_side_binding" not in off and "prepare_threshold" not in off


def test_the_suite_runs_on_prepared_statements_on_postgresql(db):
    """What production runs is what the suite runs on: the same options."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute("SELECT %s::int + 1", [1])
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] >= 1
