"""Bots and throwaway addresses are turned away; people are not troubled."""

import re
import time

import pytest
from django.core import signing
from django.test import RequestFactory
from django.urls import reverse

from pledges import clients
from pledges.forms import SignatureForm
from pledges.models import BlockedDomain, Signature
from tests.factories import signing_form

pytestmark = pytest.mark.django_db

SIGN = reverse("pledges:sign")
THANKS = reverse("pledges:thanks")
TEST_CLIENT = clients.ip_hash("127.0.0.1")  # the test client's REMOTE_ADDR


def test_the_form_carries_a_hidden_honeypot_and_a_signed_start_time(client, campaign):
    page = client.get(SIGN).content.decode()

    assert '<div class="honeypot" aria-hidden="true">' in page
    assert 'name="website"' in page
    assert 'name="started"' in page


def test_a_bot_that_fills_the_honeypot_is_thanked_and_nothing_is_stored(client, campaign):
    response = client.post(SIGN, signing_form(website="http://spam.example"))

    assert response.status_code == 302
    assert response.url == THANKS
    assert Signature.objects.count() == 0


def test_a_form_sent_faster_than_a_person_can_is_returned_with_a_message(
    client, campaign, settings
):
    settings.SIGNING_MIN_FILL_SECONDS = 3

    response = client.post(SIGN, signing_form(started=SignatureForm.started_token(time.time())))

    assert response.status_code == 200
    assert "quicker than we expected" in response.content.decode()
    assert Signature.objects.count() == 0


def test_a_form_sent_after_it_expired_comes_back_with_what_was_typed(client, campaign, settings):
    settings.SIGNING_FORM_MAX_MINUTES = 60
    served_long_ago = SignatureForm.started_token(time.time() - 61 * 60)

    response = client.post(SIGN, signing_form(started=served_long_ago, name="Ana Expired"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "open for a long time" in page
    assert 'value="Ana Expired"' in page
    assert Signature.objects.count() == 0
    fresh = re.search(r'name="started" value="([^"]+)"', page).group(1)
    settings.SIGNING_MIN_FILL_SECONDS = 0  # the person sends it again at once
    assert client.post(SIGN, signing_form(started=fresh)).status_code == 302


def test_the_form_is_the_same_for_every_visitor_in_its_time_window(client, campaign, settings):
    # So that any cache in front may keep it whole: the token names the
    # window, not the visitor (email confirmation and the per-client budget
    # are the guards against a token handed round).
    settings.PAGE_CACHE_SECONDS = 60
    window_start = time.time() // 60 * 60

    assert SignatureForm.started_token(window_start + 1) == SignatureForm.started_token(
        window_start + 59
    )
    assert SignatureForm.started_token(window_start + 61) != SignatureForm.started_token(
        window_start + 1
    )


def test_a_form_served_to_one_client_can_be_sent_from_another(client, campaign):
    served_to_someone = SignatureForm.started_token(time.time() - 60)

    response = client.post(SIGN, signing_form(started=served_to_someone), REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 302
    assert Signature.objects.count() == 1


def test_the_returned_form_carries_a_fresh_start_time_so_a_person_can_send_it_again(
    client, campaign, settings
):
    settings.SIGNING_MIN_FILL_SECONDS = 3
    too_fast = SignatureForm.started_token(time.time())
    response = client.post(SIGN, signing_form(started=too_fast))

    assert response.status_code == 200  # the form came back, not accepted
    page = response.content.decode()
    fresh = re.search(r'name="started" value="([^"]+)"', page).group(1)
    assert signing.loads(fresh, salt="pledges.sign-form-started") > time.time() - 5


@pytest.mark.parametrize("started", ["", "12345", "not-signed:at-all"])
def test_a_missing_or_forged_start_time_is_refused(client, campaign, started):
    response = client.post(SIGN, signing_form(started=started))

    assert response.status_code == 200
    assert "Please check your details and send it again" in response.content.decode()
    assert Signature.objects.count() == 0


def test_plus_tags_and_dots_do_not_make_a_second_signature(client, campaign):
    for email in ["ana.perez@gmail.com", "anaperez+1@gmail.com", "A.NA.PEREZ+2@googlemail.com"]:
        client.post(SIGN, signing_form(email=email))

    assert Signature.objects.count() == 1


@pytest.mark.parametrize("email", ["ana@spam.example", "ana@mail.spam.example"])
def test_signing_from_a_domain_staff_blocked_is_refused_with_a_message(client, campaign, email):
    BlockedDomain.objects.create(domain="Spam.Example")

    response = client.post(SIGN, signing_form(email=email))

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "We can't accept addresses at this domain. Please sign with another address."
    ]
    assert Signature.objects.count() == 0


def test_disposable_address_domains_are_refused(client, campaign):
    response = client.post(SIGN, signing_form(email="ana@mailinator.com"))

    assert "accept addresses at this domain" in response.content.decode()
    assert Signature.objects.count() == 0


def test_disposable_domains_can_be_allowed_by_setting(client, campaign, settings):
    settings.BLOCK_DISPOSABLE_EMAIL_DOMAINS = False

    client.post(SIGN, signing_form(email="ana@mailinator.com"))

    assert Signature.objects.count() == 1


def test_the_ip_address_is_stored_only_as_a_keyed_hash(client, campaign):
    client.post(SIGN, signing_form(), REMOTE_ADDR="203.0.113.7")

    signature = Signature.objects.get()
    assert signature.ip_hash == clients.ip_hash("203.0.113.7")
    assert len(signature.ip_hash) == 64
    assert "203.0.113.7" not in str(Signature.objects.values().get())


def test_each_signature_records_consent_wording_version_and_time(client, campaign):
    from pledges.consent import CONSENT_VERSION

    client.post(SIGN, signing_form())

    signature = Signature.objects.get()
    assert signature.consent_version == CONSENT_VERSION
    assert signature.consented_at is not None


def request_from(remote_addr, forwarded_for=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "client"),
    [
        (0, "198.51.100.9", "10.0.0.1"),  # no trusted proxy: the header is ignored
        (1, "198.51.100.9", "198.51.100.9"),
        (1, "6.6.6.6, 198.51.100.9", "198.51.100.9"),  # never the leftmost entry
        (2, "6.6.6.6, 198.51.100.9, 10.0.0.2", "198.51.100.9"),
        (2, "198.51.100.9", "10.0.0.1"),  # fewer entries than proxies: not trusted
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_the_client_ip_comes_from_trusted_proxies_only(settings, proxies, forwarded_for, client):
    settings.TRUSTED_PROXY_COUNT = proxies

    assert clients.client_ip(request_from("10.0.0.1", forwarded_for)) == client


def test_ipv6_clients_are_limited_by_their_network():
    assert clients.ip_hash("2001:db8:1:2::1") == clients.ip_hash("2001:db8:1:2:ffff::9")
    assert clients.ip_hash("2001:db8:1:2::1") != clients.ip_hash("2001:db8:1:3::1")
