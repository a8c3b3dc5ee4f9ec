import pytest
from django.db import IntegrityError

from pledges.models import Signature
from tests.factories import make_campaign, make_signature

pytestmark = pytest.mark.django_db


def test_email_is_stored_trimmed_with_its_mailbox_as_typed_and_its_domain_lower_case():
    signature = make_signature(make_campaign(), email="  Ana.Perez@Example.ORG ")

    signature.refresh_from_db()
    assert signature.email == "Ana.Perez@example.org"
    assert signature.email_canonical == "ana.perez@example.org"


def test_canonical_email_is_stored_beside_the_address():
    signature = make_signature(make_campaign(), email="Ana.Perez+Times@GoogleMail.com")

    assert signature.email == "Ana.Perez+Times@googlemail.com"
    assert signature.email_canonical == "anaperez@gmail.com"


def test_database_refuses_the_same_gmail_mailbox_under_another_spelling():
    campaign = make_campaign()
    make_signature(campaign, email="anaperez@gmail.com")

    with pytest.raises(IntegrityError):
        make_signature(campaign, email="Ana.Perez+2@gmail.com")


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
    signature = make_signature(make_campaign())

    with pytest.raises(IntegrityError):  # an UPDATE skips the model's normalising
        Signature.objects.filter(pk=signature.pk).update(email_canonical="Ana@Example.org")


@pytest.mark.parametrize("field", [{"industry": "astrology"}, {"status": "deleted"}])
def test_database_refuses_an_unknown_industry_or_status(field):
    with pytest.raises(IntegrityError):
        make_signature(make_campaign(), **field)


def test_str_names_the_signer_for_staff_and_a_number_once_the_name_is_gone():
    signature = make_signature(make_campaign(), name="Ana Pérez")

    assert str(signature) == f"Ana Pérez (#{signature.pk})"
    signature.name = ""
    assert str(signature) == f"Signature #{signature.pk}"


def test_show_name_is_off_unless_the_signer_opts_in():
    signature = Signature(name="Ana")

    assert signature.show_name is False
    assert signature.public_name is None
