"""The audit trail's "about this supporter" filter reads ``details @> …``: a GIN index built
concurrently (the audit table grows with every read), outside a transaction."""

import django.contrib.postgres.indexes
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("organizing", "0006_user_language")]

    operations = [
        AddIndexConcurrently(
            model_name="auditevent",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["details"], name="audit_details_gin", opclasses=["jsonb_path_ops"]
            ),
        ),
    ]
