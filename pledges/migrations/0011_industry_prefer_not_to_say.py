"""Where a signer works may be left as "Prefer not to say".

On SQLite, changing a check constraint remakes the table, and the triggers
that keep the admin's search index (0008) go with the old one: they are made
again, and the index rebuilt, at the end.
"""

from importlib import import_module

from django.db import migrations, models

search_index = import_module("pledges.migrations.0008_sqlite_search_index")


class Migration(migrations.Migration):

    dependencies = [
        ('campaign', '0004_letter_text_and_closed_at'),
        ('pledges', '0010_signers_own_choices'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='signature',
            name='signature_industry_known',
        ),
        migrations.AlterField(
            model_name='signature',
            name='industry',
            field=models.CharField(choices=[('entertainment', 'Film, TV, music and entertainment'), ('media', 'Media, journalism and publishing'), ('agriculture', 'Agriculture and farm work'), ('business', 'Business, finance and management'), ('technology', 'Technology'), ('health', 'Health and care'), ('education', 'Education and research'), ('hospitality', 'Hospitality, restaurants and food service'), ('retail', 'Retail and sales'), ('domestic', 'Domestic work and cleaning'), ('manufacturing', 'Manufacturing and construction'), ('transport', 'Transport and logistics'), ('law', 'Law and justice'), ('public', 'Government and public service'), ('nonprofit', 'Non-profit and advocacy'), ('sports', 'Sports'), ('other', 'Other'), ('undisclosed', 'Prefer not to say')], max_length=20, verbose_name='industry'),
        ),
        migrations.AlterField(
            model_name='submission',
            name='industry',
            field=models.CharField(choices=[('entertainment', 'Film, TV, music and entertainment'), ('media', 'Media, journalism and publishing'), ('agriculture', 'Agriculture and farm work'), ('business', 'Business, finance and management'), ('technology', 'Technology'), ('health', 'Health and care'), ('education', 'Education and research'), ('hospitality', 'Hospitality, restaurants and food service'), ('retail', 'Retail and sales'), ('domestic', 'Domestic work and cleaning'), ('manufacturing', 'Manufacturing and construction'), ('transport', 'Transport and logistics'), ('law', 'Law and justice'), ('public', 'Government and public service'), ('nonprofit', 'Non-profit and advocacy'), ('sports', 'Sports'), ('other', 'Other'), ('undisclosed', 'Prefer not to say')], max_length=20, verbose_name='industry'),
        ),
        migrations.AddConstraint(
            model_name='signature',
            constraint=models.CheckConstraint(condition=models.Q(('industry__in', ['entertainment', 'media', 'agriculture', 'business', 'technology', 'health', 'education', 'hospitality', 'retail', 'domestic', 'manufacturing', 'transport', 'law', 'public', 'nonprofit', 'sports', 'other', 'undisclosed'])), name='signature_industry_known'),
        ),
        migrations.RunPython(search_index.create_index, migrations.RunPython.noop, elidable=False),
    ]
