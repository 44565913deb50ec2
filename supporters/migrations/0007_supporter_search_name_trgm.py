"""The search index: a GIN trigram index over each supporter's names, lower case and without
accents (supporters.models.supporter_search_name). Built CONCURRENTLY, outside a transaction,
so that adding it to a big table never locks out writes."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

import supporters.models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("supporters", "0006_earshot_unaccent")]

    operations = [
        AddIndexConcurrently(
            model_name="supporter",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    supporters.models.Unaccented(
                        django.db.models.functions.text.Lower(
                            django.db.models.functions.text.Concat(
                                models.F("given_name"),
                                models.Value(" "),
                                models.F("family_name"),
                                models.Value(" "),
                                models.F("preferred_name"),
                                output_field=models.TextField(),
                            )
                        )
                    ),
                    name="gin_trgm_ops",
                ),
                name="supporter_search_name_trgm",
            ),
        ),
    ]
