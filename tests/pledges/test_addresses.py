import pytest

from pledges.addresses import canonical_email, domain_and_parents


@pytest.mark.parametrize(
    ("address", "canonical"),
    [
        ("Ana@Example.org", "ana@example.org"),
        ("a.n.a@gmail.com", "ana@gmail.com"),
        ("ana+times@gmail.com", "ana@gmail.com"),
        ("A.N.A+1@GoogleMail.com", "ana@gmail.com"),
        ("ana+1@outlook.com", "ana@outlook.com"),
        ("a.na+x@outlook.com", "a.na@outlook.com"),  # Outlook keeps dots
        ("ana+1@example.org", "ana+1@example.org"),  # unknown providers keep +tags
        ("a.na@example.org", "a.na@example.org"),
        ("ÉLODIE@exemple.fr", "élodie@exemple.fr"),
    ],
)
def test_canonical_email_is_the_mailbox_an_address_reaches(address, canonical):
    assert canonical_email(address) == canonical


def test_a_domain_covers_its_subdomains():
    assert domain_and_parents("mail.example.org") == ["mail.example.org", "example.org"]
    assert domain_and_parents("example.org") == ["example.org"]
