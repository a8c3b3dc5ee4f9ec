"""A signer's choices are her own (issue 20): each form sent is kept as a
Submission of its own until the mailbox's owner confirms, and signatures are
named in links and cursors by a random public id, not their sequential one.

Forms already owed an email when this runs become submissions, so nobody's
email is lost; the signature's own "owed an email" column then goes.
"""

import importlib
import uuid

import django.db.models.deletion
import django.utils.timezone
import django_countries.fields
from django.db import migrations, models

# SQLite changes these columns by remaking the signatures' table, which drops
# the triggers that keep its search index (0008): they are made again, last.
search_index = importlib.import_module("pledges.migrations.0008_sqlite_search_index")


def give_every_signature_a_public_id(apps, schema_editor):
    # In the database, one statement: a million rows in seconds.
    table = schema_editor.quote_name("pledges_signature")
    if schema_editor.connection.vendor == "postgresql":
        random_id = "gen_random_uuid()"
    else:
        random_id = "lower(hex(randomblob(16)))"  # how Django stores a UUID in SQLite
    schema_editor.execute(f"UPDATE {table} SET public_id = {random_id}")  # noqa: S608


def keep_owed_emails_as_submissions(apps, schema_editor):
    Signature = apps.get_model("pledges", "Signature")
    Submission = apps.get_model("pledges", "Submission")
    owed = Signature.objects.filter(email_requested_at__isnull=False)
    Submission.objects.bulk_create(
        (
            Submission(
                key=uuid.uuid4(),
                signature_id=signature.pk,
                name=signature.name,
                country=signature.country,
                industry=signature.industry,
                comment=signature.comment,
                show_name=signature.show_name,
                wants_updates=signature.wants_updates,
                language=signature.email_language,
                created_at=signature.email_requested_at,
                email_requested_at=signature.email_requested_at,
            )
            for signature in owed.iterator()
        ),
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0009_updates_to_signers"),
    ]

    operations = [
        migrations.AddField(
            model_name="signature",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_every_signature_a_public_id, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="signature",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.CreateModel(
            name="Submission",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("country", django_countries.fields.CountryField(max_length=2, verbose_name="country")),
                (
                    "industry",
                    models.CharField(
                        choices=[
                            ("entertainment", "Film, TV, music and entertainment"),
                            ("media", "Media, journalism and publishing"),
                            ("agriculture", "Agriculture and farm work"),
                            ("business", "Business, finance and management"),
                            ("technology", "Technology"),
                            ("health", "Health and care"),
                            ("education", "Education and research"),
                            ("hospitality", "Hospitality, restaurants and food service"),
                            ("retail", "Retail and sales"),
                            ("domestic", "Domestic work and cleaning"),
                            ("manufacturing", "Manufacturing and construction"),
                            ("transport", "Transport and logistics"),
                            ("law", "Law and justice"),
                            ("public", "Government and public service"),
                            ("nonprofit", "Non-profit and advocacy"),
                            ("sports", "Sports"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                        verbose_name="industry",
                    ),
                ),
                ("comment", models.TextField(blank=True, max_length=500, verbose_name="comment")),
                ("show_name", models.BooleanField(default=False, verbose_name="show name publicly")),
                ("wants_updates", models.BooleanField(default=False, verbose_name="wants updates")),
                ("language", models.CharField(blank=True, max_length=10)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("email_requested_at", models.DateTimeField(blank=True, null=True)),
                (
                    "signature",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="submissions",
                        to="pledges.signature",
                    ),
                ),
            ],
            options={
                "verbose_name": "form sent",
                "verbose_name_plural": "forms sent",
                "indexes": [
                    models.Index(models.F("email_requested_at"), name="submission_email_requested"),
                    models.Index(models.F("created_at"), name="submission_created"),
                ],
            },
        ),
        migrations.RunPython(keep_owed_emails_as_submissions, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name="signature",
            name="signature_email_requested",
        ),
        migrations.RemoveField(
            model_name="signature",
            name="email_requested_at",
        ),
        migrations.RunPython(search_index.create_index, migrations.RunPython.noop, elidable=False),
    ]
