"""The PostgreSQL extensions Earshot needs, in every deployment (README.md, "PostgreSQL"):
pg_trgm for typo-tolerant name search (trigram similarity and its GIN index) and unaccent, so
that "Chavez" finds "Chávez". Both are trusted extensions (PostgreSQL 13 and later), so the
database's owner may create them without being a superuser."""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("organizing", "0004_cache_table")]

    operations = [TrigramExtension(), UnaccentExtension()]
