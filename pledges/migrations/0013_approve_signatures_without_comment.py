from django.db import migrations


def approve_signatures_without_comment(apps, schema_editor):
    """Review is for comments: confirmed signatures with none, still "awaiting
    review" from before that rule, are approved (both count; nothing shown changes)."""
    Signature = apps.get_model("pledges", "Signature")
    Signature.objects.filter(status="pending", confirmed_at__isnull=False, comment="").update(
        status="approved"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0012_update_spanish_whole"),
    ]

    operations = [
        migrations.RunPython(approve_signatures_without_comment, migrations.RunPython.noop),
    ]
