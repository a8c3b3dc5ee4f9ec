"""What operators and header scanners check: deploy checks, headers, cookies, failure pages."""

import json
import secrets
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.conftest import HttpsClient, run_django
from tests.factories import make_featured_campaign

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    result = run_django(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="timesup.example.org",
        SITE_OPERATOR="Example Campaign Ltd",
        LOG_LEVEL="INFO",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_warns_when_nobody_is_named_as_running_the_site(tmp_path):
    result = run_django(
        ["manage.py", "check", "--deploy"],
        tmp_path,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="timesup.example.org",
        LOG_LEVEL="INFO",
    )

    assert "timesup.W001" in result.stdout + result.stderr
    assert "SITE_OPERATOR is not set" in result.stdout + result.stderr


@pytest.fixture
def home(client):
    make_featured_campaign()
    return client.get("/en/")


def test_hsts_asks_for_two_years_subdomains_and_preload(home):
    assert home["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains; preload"


def test_content_security_policy_allows_only_our_own_files(home):
    directives = [d.strip().partition(" ") for d in home["Content-Security-Policy"].split(";")]
    policy = {name: value for name, _, value in directives}

    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["base-uri"] == "'none'"
    assert "upgrade-insecure-requests" in policy
    assert "unsafe-inline" not in home["Content-Security-Policy"]


def test_pages_carry_no_inline_script_or_style(client, home):
    for response in [
        home,
        client.get(reverse("pledges:sign")),
        client.get(reverse("pledges:wall")),
    ]:
        page = response.content.decode()
        assert "<style" not in page
        assert " style=" not in page
        assert "<script>" not in page  # every script has a src


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
    ],
)
def test_security_headers_are_on_every_response(home, header, value):
    assert home[header] == value


def test_permissions_policy_switches_off_features_we_never_use(home):
    policy = home["Permissions-Policy"]

    for feature in ["camera=()", "microphone=()", "geolocation=()", "payment=()"]:
        assert feature in policy


def test_plain_http_is_redirected_to_https():
    make_featured_campaign()

    response = Client().get("/en/sign/")

    assert response.status_code == 301
    assert response.url == "https://testserver/en/sign/"


def test_csrf_cookie_is_secure_host_prefixed_httponly_and_samesite(client):
    make_featured_campaign()

    cookie = client.get(reverse("admin:login")).cookies["__Host-csrftoken"]

    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert not cookie["domain"]


def test_session_cookie_is_secure_host_prefixed_httponly_and_samesite(client, admin_user):
    response = client.post(
        reverse("admin:login"), {"username": admin_user.username, "password": "password"}
    )

    cookie = response.cookies["__Host-sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@pytest.mark.parametrize(
    "path",
    [
        reverse("pledges:confirm", args=["any-token"]),
        reverse("pledges:withdraw", args=["any-token"]),
        reverse("admin:login"),
    ],
)
def test_every_form_refuses_a_post_without_its_csrf_token(path):
    make_featured_campaign()
    client = HttpsClient(enforce_csrf_checks=True)

    response = client.post(path, {"name": "x"}, headers={"Referer": "https://testserver/"})

    assert response.status_code == 403
    assert "Please reload the form" in response.content.decode()


def test_a_missing_page_answers_the_sites_own_404(client):
    make_featured_campaign()

    response = client.get("/nothing-here/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_database_outage_answers_503_with_retry_after_never_a_traceback(database_down):
    client = HttpsClient(raise_request_exception=False)

    for path in ["/en/", reverse("pledges:sign"), reverse("pledges:wall")]:
        response = client.get(path)
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        page = response.content.decode()
        assert "back in a moment" in page
        assert "Traceback" not in page
        assert "OperationalError" not in page


def test_the_site_recovers_by_itself_when_the_database_is_back(transactional_db):
    make_featured_campaign()
    client = HttpsClient(raise_request_exception=False)
    settings_dict = connection.settings_dict
    saved = dict(settings_dict)
    connection.close()
    settings_dict.update(
        {"NAME": "/nonexistent/db.sqlite3"} if connection.vendor == "sqlite" else {"PORT": "1"}
    )
    try:
        assert client.get("/en/").status_code == 503
    finally:
        settings_dict.update(saved)

    assert client.get("/en/").status_code == 200


@pytest.mark.slow
def test_with_log_format_json_each_log_line_is_one_json_object(tmp_path):
    script = (
        "import django, logging; django.setup(); logging.getLogger('pledges').warning('Hi %s', 'x')"
    )
    result = run_django(["-c", script], tmp_path, LOG_FORMAT="json")

    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert (line["level"], line["logger"], line["message"]) == ("WARNING", "pledges", "Hi x")
    assert "time" in line


def test_pages_with_a_signers_business_are_never_stored_by_browsers_or_proxies(client):
    from pledges import tokens
    from tests.factories import make_signature

    campaign = make_featured_campaign()
    signature = make_signature(campaign, confirmed_at=None)
    pages = [
        reverse("pledges:confirm", args=[tokens.confirmation_token(signature)]),
        reverse("pledges:withdraw", args=[tokens.withdrawal_token(signature)]),
    ]

    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert "no-store" in response["Cache-Control"], page
