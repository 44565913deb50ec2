"""A GIN trigram index over each phone number's digits (supporters.models.phone_digits), for
search by phone whatever the punctuation. Built CONCURRENTLY, outside a transaction, so that
adding it to a big table never locks out writes."""

import django.contrib.postgres.indexes
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("supporters", "0007_supporter_search_name_trgm")]

    operations = [
        AddIndexConcurrently(
            model_name="supporterphone",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    models.Func(
                        models.F("number"),
                        models.Value("\\D"),
                        models.Value(""),
                        models.Value("g"),
                        function="regexp_replace",
                        output_field=models.TextField(),
                    ),
                    name="gin_trgm_ops",
                ),
                name="supporterphone_digits_trgm",
            ),
        ),
    ]
