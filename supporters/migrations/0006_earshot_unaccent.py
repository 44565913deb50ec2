"""``earshot_unaccent(text)``: ``unaccent`` as an IMMUTABLE function, so that an index may be
built over it (supporters.models.Unaccented; the search index in 0007).

``unaccent(text)`` is only STABLE because it reads its dictionary through the search path; the
wrapper names the dictionary and the function by schema, which makes the answer fixed for a
given text (as PostgreSQL's own documentation suggests for indexing unaccented text)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION public.earshot_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
"""

DROP = "DROP FUNCTION IF EXISTS public.earshot_unaccent(text)"


class Migration(migrations.Migration):
    dependencies = [
        ("organizing", "0005_postgres_extensions"),
        ("supporters", "0005_access_model"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
