"""Bodies the site will not read are refused from their headers, with a page
that says so: never a 500, never anything stored."""

import logging

import pytest
from django.urls import reverse

from pledges.models import Signature
from tests.conftest import HttpsClient
from tests.factories import signing_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict_client():
    """A client as strict as a strict_client's visit: CSRF enforced, the cookie set,
    same-origin headers sent."""
    client = HttpsClient(enforce_csrf_checks=True)
    client.raise_request_exception = False
    client.get(reverse("admin:login"))  # sets the CSRF cookie
    return client


SAME_ORIGIN = {"HTTP_ORIGIN": "https://testserver", "HTTP_REFERER": "https://testserver/en/sign/"}


@pytest.mark.parametrize("charset", ["utf-16", "utf-32", "latin-1"])
@pytest.mark.parametrize(
    "path",
    [
        reverse("pledges:sign"),
        "/es/sign/",
        "/admin/login/",
        "/admin/logout/",
        "/en/sign/confirm/abc/",
        "/en/sign/withdraw/abc/",
    ],
)
def test_a_form_in_another_charset_gets_a_clear_400(strict_client, campaign, caplog, path, charset):
    body = "&".join(f"{k}={v}" for k, v in signing_form().items())

    response = strict_client.post(
        path,
        body,  # the client encodes it in the declared charset
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
        **SAME_ORIGIN,
    )

    assert response.status_code == 400
    assert "We couldn't understand that request" in response.content.decode()
    assert not Signature.objects.exists()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_form_declared_as_utf8_is_read_as_ever(strict_client, campaign):
    response = strict_client.post(
        reverse("pledges:sign"),
        "&".join(f"{k}={v}" for k, v in signing_form().items()),
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
        **SAME_ORIGIN,
    )

    assert response.status_code == 302
    assert Signature.objects.count() == 1


def test_a_body_over_the_limit_is_refused_before_it_is_read(
    strict_client, campaign, settings, tmp_path
):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    big = b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    boundary = "BoUnDaRy"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="upload"; filename="a.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + big
        + f"\r\n--{boundary}--\r\n".encode()
    )

    response = strict_client.post(
        reverse("pledges:sign"),
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
        **SAME_ORIGIN,
    )

    assert response.status_code == 413
    assert "Nothing was saved" in response.content.decode()
    assert list(tmp_path.iterdir()) == []  # nothing spooled to disk
    assert not Signature.objects.exists()
