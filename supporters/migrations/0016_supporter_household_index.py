"""The index behind "who lives at this door", built without locking the supporters table."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("supporters", "0015_households")]

    operations = [
        AddIndexConcurrently(
            model_name="supporter",
            index=models.Index(fields=["household"], name="supporter_household_idx"),
        ),
    ]
