import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from pledges.addresses import canonical_email, domain_and_parents
from pledges.models import Signature
from tests.factories import make_signature, signing_form


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
        # One domain, typed in Unicode or as DNS knows it (IDNA).
        ("idn2@bücher-two.example", "idn2@xn--bcher-two-q9a.example"),
        ("idn2@xn--bcher-two-q9a.example", "idn2@xn--bcher-two-q9a.example"),
        ("idn2@BÜCHER-two.example", "idn2@xn--bcher-two-q9a.example"),
        # One mailbox, however its local part is quoted: mail servers deliver
        # each of these to gina@ (issue 20, item 2).
        ('"gina"@example.org', "gina@example.org"),
        ('"\\gina"@example.org', "gina@example.org"),
        ('"g\\ina"@example.org', "gina@example.org"),
        ('"\\g\\i\\n\\a"@example.org', "gina@example.org"),
        ('"gi\\na"@example.org', "gina@example.org"),
        ('"Gina+x"@gmail.com', "gina@gmail.com"),
    ],
)
def test_canonical_email_is_the_mailbox_an_address_reaches(address, canonical):
    assert canonical_email(address) == canonical


def test_a_domain_covers_its_subdomains():
    assert domain_and_parents("mail.example.org") == ["mail.example.org", "example.org"]
    assert domain_and_parents("example.org") == ["example.org"]


@pytest.mark.django_db
def test_one_mailbox_signs_once_whichever_way_its_domain_is_typed(client, campaign):
    client.post(reverse("pledges:sign"), signing_form(email="idn2@bücher-two.example"))
    client.post(reverse("pledges:sign"), signing_form(email="idn2@xn--bcher-two-q9a.example"))

    assert Signature.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["x@[127.0.0.1]", "x@[IPv6:::1]", "x@localhost", "x@intranet"])
def test_addresses_without_a_full_domain_are_refused(client, campaign, address):
    response = client.post(reverse("pledges:sign"), signing_form(email=address))

    assert response.status_code == 200
    errors = str(response.context["form"].errors["email"])
    assert "full domain name" in errors or "as name@example.org" in errors
    assert not Signature.objects.exists()


@pytest.mark.django_db
def test_the_migration_gives_stored_rows_the_idna_form_and_keeps_one_per_mailbox(campaign):
    migration = importlib.import_module("pledges.migrations.0005_idna_canonical_emails")
    confirmed = make_signature(campaign, email="idn2@xn--bcher-two-q9a.example")
    unconfirmed_twin = make_signature(campaign, email="other@example.org", confirmed_at=None)
    alone = make_signature(campaign, email="solo@bücher-two.example", confirmed_at=None)
    # As stored before: the Unicode domain in the canonical form.
    Signature.objects.filter(pk=unconfirmed_twin.pk).update(
        email="idn2@bücher-two.example", email_canonical="idn2@bücher-two.example"
    )
    Signature.objects.filter(pk=alone.pk).update(email_canonical="solo@bücher-two.example")

    migration.idna_canonical_emails(apps, None)

    assert set(Signature.objects.values_list("pk", "email_canonical")) == {
        (confirmed.pk, "idn2@xn--bcher-two-q9a.example"),
        (alone.pk, "solo@xn--bcher-two-q9a.example"),
    }


@pytest.mark.django_db
def test_mailboxes_signed_under_several_spellings_are_reported_for_staff(campaign):
    # As rows stored before quoted addresses were refused kept them.
    gina = make_signature(campaign, email="gina@example.org")
    quoted = make_signature(campaign, email="other1@example.org", confirmed_at=None)
    escaped = make_signature(campaign, email="other2@example.org")
    for row, address in ((quoted, '"gina"@example.org'), (escaped, '"g\\ina"@example.org')):
        Signature.objects.filter(pk=row.pk).update(email=address, email_canonical=address)
    make_signature(campaign, email="someone.else@example.org")
    output = io.StringIO()

    call_command("report_shared_mailboxes", stdout=output)

    report = output.getvalue()
    assert "3 signatures from one mailbox (2 confirmed)" in report
    for row in (gina, quoted, escaped):
        assert f"#{row.pk} " in report
    assert "1 mailbox with more than one signature" in report
    assert "gina" not in report  # numbers, never addresses
    assert Signature.objects.count() == 4  # it changes nothing


@pytest.mark.django_db
def test_with_no_shared_mailbox_the_report_says_so(campaign):
    make_signature(campaign, email="gina@example.org")
    output = io.StringIO()

    call_command("report_shared_mailboxes", stdout=output)

    assert output.getvalue() == "No mailbox has more than one signature of a letter.\n"
