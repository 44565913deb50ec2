"""Sensitive text sealed at rest (organizing.sealed). No change at the database (the columns
stay text); rows already stored are sealed by the worker backfill that
``make manage ARGS=field_keys_rotate`` starts, in batches, never in this migration."""

from django.db import migrations, models

import organizing.sealed


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0008_language"),
    ]

    operations = [
        migrations.AlterField(
            model_name="conversation",
            name="heard",
            field=organizing.sealed.SealedTextField(
                blank=True,
                sealed_if="heard_is_sensitive",
                sealed_when=models.Q(("heard_is_sensitive", True)),
                verbose_name="what we heard",
            ),
        ),
        migrations.AlterField(
            model_name="note",
            name="body",
            field=organizing.sealed.SealedTextField(
                sealed_if="is_sensitive", sealed_when=models.Q(("kind", "sensitive"))
            ),
        ),
        migrations.AlterField(
            model_name="noterevision",
            name="body",
            field=organizing.sealed.SealedTextField(
                sealed_if="is_sensitive", sealed_when=models.Q(("kind", "sensitive"))
            ),
        ),
    ]
