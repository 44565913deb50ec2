"""The migrations create the PostgreSQL extensions Earshot needs (README.md, "PostgreSQL")."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_migrations_create_pg_trgm_and_unaccent():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname IN ('pg_trgm', 'unaccent')")
        assert sorted(name for (name,) in cursor.fetchall()) == ["pg_trgm", "unaccent"]


def test_unaccent_and_trigram_similarity_answer():
    with connection.cursor() as cursor:
        cursor.execute("SELECT unaccent('Chávez Núñez'), similarity('Chavez', 'Chavex') > 0.3")
        assert cursor.fetchone() == ("Chavez Nunez", True)
