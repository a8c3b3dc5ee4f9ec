"""Staff accounts stay safe: lockout after failed logins, two-factor login when required."""

import re

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth.models import User
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")
PASSWORD = "a-long-password-1"


@pytest.fixture
def staff():
    return User.objects.create_superuser("moderator", "moderator@example.org", PASSWORD)


def log_in(client, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": "moderator", "password": password, **extra})


def test_staff_log_in_with_their_password(client, staff):
    response = log_in(client)

    assert response.status_code == 302
    assert client.get(INDEX).status_code == 200


def test_repeated_failed_logins_lock_the_account_out(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        assert log_in(client, password="wrong").status_code == 200  # the form, with its error

    locked = log_in(client, password="wrong")
    even_the_right_password = log_in(client)

    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert even_the_right_password.status_code == 429
    assert client.get(INDEX).status_code == 302  # still not logged in


def test_a_lockout_is_for_that_account_from_that_address_only(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        log_in(client, password="wrong", REMOTE_ADDR="203.0.113.1")

    response = client.post(
        LOGIN, {"username": "moderator", "password": PASSWORD}, REMOTE_ADDR="203.0.113.2"
    )

    assert response.status_code == 302


@pytest.fixture
def two_factor_required(settings):
    settings.ADMIN_REQUIRE_2FA = True


def code_from(device):
    return str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)).zfill(
        device.digits
    )


def test_with_2fa_required_a_password_alone_does_not_open_the_admin(
    client, staff, two_factor_required
):
    TOTPDevice.objects.create(user=staff, name="phone")

    response = log_in(client)

    assert response.status_code == 200
    assert client.get(INDEX).status_code == 302


def test_with_2fa_required_the_password_and_a_code_open_the_admin(
    client, staff, two_factor_required
):
    device = TOTPDevice.objects.create(user=staff, name="phone")

    response = log_in(client, otp_device=device.persistent_id, otp_token=code_from(device))

    assert response.status_code == 302
    assert client.get(INDEX).status_code == 200


def test_with_2fa_required_a_wrong_code_is_refused(client, staff, two_factor_required):
    device = TOTPDevice.objects.create(user=staff, name="phone")

    log_in(client, otp_device=device.persistent_id, otp_token="000000")

    assert client.get(INDEX).status_code == 302


def test_turning_2fa_on_shuts_out_sessions_that_never_gave_a_code(admin_client, settings):
    assert admin_client.get(INDEX).status_code == 200

    settings.ADMIN_REQUIRE_2FA = True

    assert admin_client.get(INDEX).status_code == 302


def test_the_login_form_asks_for_a_code_only_when_2fa_is_required(client, settings):
    assert 'name="otp_token"' not in client.get(LOGIN).content.decode()

    settings.ADMIN_REQUIRE_2FA = True

    assert 'name="otp_token"' in client.get(LOGIN).content.decode()


def test_with_2fa_a_wrong_code_gets_the_same_page_as_a_wrong_password(
    client, staff, two_factor_required
):
    TOTPDevice.objects.create(user=staff, name="phone")

    def page(response):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())

    wrong_password = log_in(client, password="wrong", otp_token="000000")
    right_password_wrong_code = log_in(client, otp_token="000000")
    right_password_no_code = log_in(client)

    assert wrong_password.status_code == 200
    assert "password and code" in page(wrong_password)
    assert page(right_password_wrong_code) == page(wrong_password)
    assert page(right_password_no_code) == page(wrong_password)
    assert "OTP" not in page(wrong_password)


def test_with_2fa_wrong_codes_count_toward_the_lockout(
    client, staff, two_factor_required, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    device = TOTPDevice.objects.create(user=staff, name="phone")
    for _ in range(3):
        log_in(client, otp_token="000000")

    locked = log_in(client, otp_token=code_from(device))

    assert locked.status_code == 429
    assert client.get(INDEX).status_code == 302


def test_a_refused_next_lands_on_the_admin_index(client, staff):
    response = client.post(
        f"{LOGIN}?next=https://evil.example/",
        {"username": "moderator", "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert response.status_code == 302
    assert response["Location"] == INDEX


def test_login_attempts_keep_no_raw_address_and_successes_are_not_kept(client, staff):
    log_in(client, password="wrong", REMOTE_ADDR="203.0.113.7")
    log_in(client, REMOTE_ADDR="203.0.113.7")
    log_in(client, password="wrong", REMOTE_ADDR="203.0.113.7")

    attempt = AccessAttempt.objects.get()
    assert attempt.ip_address.startswith("100::")  # a keyed hash in the discard prefix
    assert "203.0.113" not in attempt.ip_address
    assert not AccessLog.objects.exists()
