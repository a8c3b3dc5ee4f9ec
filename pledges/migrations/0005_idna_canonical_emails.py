"""Canonical addresses with the domain in IDNA form (pledges/addresses.py).

Rows whose domain was typed in Unicode (`bücher.example`) get the canonical
form that the same domain typed as `xn--bcher-kva.example` has. Where that makes
two rows of one mailbox on one letter, the one that counts is kept (confirmed
first, then the older) and the other deleted; counts are then recounted from
the rows, as the hourly safety net (`hourly_upkeep`) would.
"""

from django.db import migrations

from pledges.addresses import canonical_email


def idna_canonical_emails(apps, schema_editor):
    Signature = apps.get_model("pledges", "Signature")
    deleted_any = False
    unicode_domains = Signature.objects.filter(email__regex=r"@.*[^ -~]")
    for signature in unicode_domains.only("id", "email", "email_canonical", "campaign_id"):
        canonical = canonical_email(signature.email)
        if canonical == signature.email_canonical:
            continue
        same_mailbox = Signature.objects.filter(
            campaign_id=signature.campaign_id, email_canonical=canonical
        ).first()
        if same_mailbox is not None:
            keep, drop = sorted(
                [same_mailbox, Signature.objects.get(pk=signature.pk)],
                key=lambda s: (s.confirmed_at is None, s.created_at),
            )
            Signature.objects.filter(pk=drop.pk).delete()
            deleted_any = True
            if keep.pk != signature.pk:
                continue
        Signature.objects.filter(pk=signature.pk).update(email_canonical=canonical)
    if deleted_any:
        from pledges import counting

        counting.recount_all()


class Migration(migrations.Migration):
    dependencies = [("pledges", "0004_email_owed")]

    operations = [migrations.RunPython(idna_canonical_emails, migrations.RunPython.noop)]
