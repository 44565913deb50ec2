"""A btree index in the supporters' default order (family name, given name, id), so the first
page of everyone a viewer may see is read in index order rather than sorted. Built
CONCURRENTLY, outside a transaction, so adding it to a big table never locks out writes."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("supporters", "0008_supporterphone_digits_trgm")]

    operations = [
        AddIndexConcurrently(
            model_name="supporter",
            index=models.Index(
                fields=["family_name", "given_name", "id"], name="supporter_name_order_idx"
            ),
        ),
    ]
