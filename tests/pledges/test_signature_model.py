import pytest
from django.db import IntegrityError

from pledges.models import Signature
from tests.factories import make_campaign, make_signature

pytestmark = pytest.mark.django_db


def test_email_is_stored_trimmed_and_lower_case():
    signature = make_signature(make_campaign(), email="  Ana.Perez@Example.ORG ")

    signature.refresh_from_db()
    assert signature.email == "ana.perez@example.org"


def test_database_refuses_a_second_signature_with_the_same_email_in_other_case():
    campaign = make_campaign()
    make_signature(campaign, email="ana@example.org")

    with pytest.raises(IntegrityError):
        make_signature(campaign, email=" ANA@Example.org")


def test_database_refuses_the_same_non_ascii_address_in_other_case():
    # SQLite's LOWER() leaves non-ASCII letters alone: the address must be
    # normalised before it reaches the constraint.
    campaign = make_campaign()
    make_signature(campaign, email="élodie@exemple.fr")

    with pytest.raises(IntegrityError):
        make_signature(campaign, email="ÉLODIE@EXEMPLE.FR")


def test_the_same_email_can_sign_two_different_campaigns():
    make_signature(make_campaign(), email="ana@example.org")
    make_signature(make_campaign(), email="ana@example.org")

    assert Signature.objects.filter(email="ana@example.org").count() == 2


def test_database_refuses_an_email_stored_without_normalising():
    campaign = make_campaign()

    with pytest.raises(IntegrityError):
        Signature.objects.bulk_create(
            [
                Signature(
                    campaign=campaign,
                    name="A",
                    email="Ana@Example.org",
                    country="US",
                    industry="law",
                )
            ]
        )


@pytest.mark.parametrize("field", [{"industry": "astrology"}, {"status": "deleted"}])
def test_database_refuses_an_unknown_industry_or_status(field):
    with pytest.raises(IntegrityError):
        make_signature(make_campaign(), **field)


def test_show_name_is_off_unless_the_signer_opts_in():
    signature = Signature(name="Ana")

    assert signature.show_name is False
    assert signature.public_name is None


def test_sign_returns_none_and_stores_nothing_for_an_email_that_has_signed():
    campaign = make_campaign()
    first = Signature.objects.sign(
        campaign, name="Ana", email="ana@example.org", country="MX", industry="law"
    )

    again = Signature.objects.sign(
        campaign, name="Other", email="ANA@example.org ", country="US", industry="other"
    )

    assert first is not None
    assert again is None
    assert Signature.objects.get().name == "Ana"


def test_sign_does_not_hide_other_integrity_errors():
    campaign = make_campaign()

    with pytest.raises(IntegrityError):
        Signature.objects.sign(
            campaign, name="Ana", email="a@example.org", country="MX", industry="astrology"
        )
