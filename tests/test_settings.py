"""Settings as an operator meets them: defaults, secrets, and the docs that list them."""

import json
import re
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import run_django

ROOT = Path(__file__).resolve().parent.parent

PRINT_SETTINGS = """
import json
from django.conf import settings
names = ["DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
         "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "X_FRAME_OPTIONS",
         "SECURE_CONTENT_TYPE_NOSNIFF", "SESSION_COOKIE_HTTPONLY", "ALLOWED_HOSTS"]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


def settings_with(tmp_path, **environ):
    """The settings a fresh process reads from this environment, and nothing else."""
    result = run_django(["-c", PRINT_SETTINGS], tmp_path, **environ)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.slow
def test_defaults_are_secure_with_debug_off_and_https_on(tmp_path):
    settings = settings_with(tmp_path)

    assert settings["DEBUG"] is False
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert settings["SECURE_HSTS_SECONDS"] >= 31536000
    assert settings["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]


@pytest.mark.slow
def test_https_false_loosens_only_what_needs_https(tmp_path):
    settings = settings_with(tmp_path, HTTPS="false")

    assert settings["SECURE_SSL_REDIRECT"] is False
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["SECURE_HSTS_SECONDS"] == 0
    assert settings["X_FRAME_OPTIONS"] == "DENY"
    assert settings["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True


@pytest.mark.slow
def test_without_a_secret_key_one_is_generated_once_and_reused(tmp_path):
    first = settings_with(tmp_path)["SECRET_KEY"]
    second = settings_with(tmp_path)["SECRET_KEY"]

    assert len(first) >= 50
    assert first == second == (tmp_path / "secret_key").read_text()


@pytest.mark.slow
def test_a_secret_key_from_the_environment_wins(tmp_path):
    settings = settings_with(tmp_path, SECRET_KEY="from-the-environment")

    assert settings["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own tuning")
def test_sqlite_is_tuned_for_several_writing_workers():
    with connection.cursor() as cursor:
        journal_mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        busy_timeout = cursor.execute("PRAGMA busy_timeout").fetchone()[0]

    assert journal_mode == "wal"
    assert busy_timeout >= 5000
    assert connection.transaction_mode == "IMMEDIATE"


@pytest.mark.slow
def test_the_admin_path_comes_from_the_environment(tmp_path):
    script = (
        "import django; django.setup(); "
        "from django.urls import reverse; print(reverse('admin:index'))"
    )

    result = run_django(["-c", script], tmp_path, ADMIN_URL="moderation-3f9a")

    assert result.stdout.strip() == "/moderation-3f9a/"


def environment_variables_read_by(path):
    source = (ROOT / path).read_text()
    return set(re.findall(r"""env\.\w+\(\s*"([A-Z_]+)"|environ\.get\("([A-Z_]+)\"""", source))


def test_every_setting_is_documented_in_the_readme_and_env_example():
    names = {
        name
        for path in ["timesup/settings.py", "timesup/gunicorn.conf.py"]
        for pair in environment_variables_read_by(path)
        for name in pair
        if name
    }
    readme = (ROOT / "README.md").read_text()
    env_example = (ROOT / ".env.example").read_text()

    assert {"SECRET_KEY", "DATABASE_URL", "HTTPS", "WEB_CONCURRENCY"} <= names
    assert [name for name in sorted(names) if f"`{name}`" not in readme] == []
    assert [name for name in sorted(names) if f"{name}=" not in env_example] == []


@pytest.mark.slow
def test_behind_pgbouncer_the_site_keeps_no_cursor_past_a_transaction(tmp_path):
    code = (
        "from django.conf import settings; "
        "print(settings.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS', False))"
    )
    url = "postgres://timesup@127.0.0.1:6432/timesup"

    pooled = run_django(["-c", code], tmp_path, DATABASE_URL=url, DB_POOLER="true")
    direct = run_django(["-c", code], tmp_path, DATABASE_URL=url)

    assert (pooled.stdout.strip(), direct.stdout.strip()) == ("True", "False")


@pytest.mark.slow
def test_an_email_service_is_configured_from_the_environment(tmp_path):
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.urls import reverse; "
        "print(settings.EMAIL_BACKEND, settings.ANYMAIL['POSTMARK_SERVER_TOKEN'], "
        "reverse('anymail:postmark_tracking_webhook'))"
    )

    result = run_django(
        ["-c", script],
        tmp_path,
        EMAIL_SERVICE="postmark",
        ANYMAIL_POSTMARK_SERVER_TOKEN="server-token",
        ANYMAIL_WEBHOOK_SECRET="hook:secret",
    )

    assert result.stdout.split() == [
        "anymail.backends.postmark.EmailBackend",
        "server-token",
        "/email-events/postmark/tracking/",
    ]


@pytest.mark.slow
def test_smtp_and_an_email_service_at_once_is_refused_with_a_clear_message(tmp_path):
    result = run_django(
        ["-c", "import django; django.setup()"],
        tmp_path,
        EMAIL_SERVICE="postmark",
        EMAIL_URL="smtp://127.0.0.1:25",
    )

    assert result.returncode != 0
    assert "Set EMAIL_URL (SMTP) or EMAIL_SERVICE (an API), not both." in result.stderr
