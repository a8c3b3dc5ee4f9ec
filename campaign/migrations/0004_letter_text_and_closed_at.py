from django.db import migrations, models
from django.db.models import F, Q


def give_every_closed_letter_its_closing_time(apps, schema_editor):
    """Before the constraint: a letter closed by a bulk update before
    Campaign.save owned closed_at may have none (its last change stands in),
    and an open one may keep an old one."""
    Campaign = apps.get_model("campaign", "Campaign")
    Campaign.objects.filter(signing_open=False, closed_at__isnull=True).update(
        closed_at=F("updated_at")
    )
    Campaign.objects.filter(signing_open=True).update(closed_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("campaign", "0003_drafts"),
    ]

    operations = [
        # "Letter" names the Campaign in the code; its text is letter_text.
        migrations.RenameField("campaign", "letter", "letter_text"),
        migrations.RenameField("campaign", "letter_es", "letter_text_es"),
        migrations.RunPython(give_every_closed_letter_its_closing_time, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="campaign",
            constraint=models.CheckConstraint(
                condition=Q(signing_open=True, closed_at__isnull=True)
                | Q(signing_open=False, closed_at__isnull=False),
                name="closed_campaign_has_closed_at",
            ),
        ),
    ]
