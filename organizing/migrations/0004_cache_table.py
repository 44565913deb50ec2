"""The database cache's table (settings.CACHE_TABLE): where API throttles and login limits
count while Redis is unreachable (organizing/cache.py). The same table ``manage.py
createcachetable`` would make, created here so a fresh clone, CI and production all have it
after ``migrate``."""

from django.db import migrations

CREATE = """
CREATE TABLE IF NOT EXISTS "earshot_cache" (
    "cache_key" varchar(255) NOT NULL PRIMARY KEY,
    "value" text NOT NULL,
    "expires" timestamp with time zone NOT NULL
);
CREATE INDEX IF NOT EXISTS "earshot_cache_expires" ON "earshot_cache" ("expires");
"""


class Migration(migrations.Migration):
    dependencies = [("organizing", "0003_webhooks")]

    operations = [migrations.RunSQL(CREATE, reverse_sql='DROP TABLE IF EXISTS "earshot_cache";')]
