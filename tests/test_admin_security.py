"""Staff accounts stay safe: lockout after failed logins, two-factor login when required."""

import pytest
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
