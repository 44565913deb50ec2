"""The whole visibility rule's first page (no teams=, as search and org-wide roles read it)
is read in the order of an index, not sorted: PostgreSQL walks supporter_name_order_idx
(family name, given name, id) and stops after a page (bench/: the whole-rule first page)."""

from __future__ import annotations

import pytest
from django.db import connection

from supporters.selectors import supporter_list
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def _plan(queryset) -> str:
    """The plan PostgreSQL would pick were the table big: with whole-table reads and sorts
    priced out, a small table's statistics cannot hide which index serves the order."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_sort = off")
        try:
            return queryset.explain()
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_sort")


@pytest.mark.parametrize("who", ["organizer", "data_staff"])
def test_the_first_page_in_name_order_walks_the_name_index(request, who, eastside, westside):
    for n in range(30):
        SupporterFactory(team=eastside if n % 2 else westside, family_name=f"Family{n}")
    viewer = request.getfixturevalue(who)
    page = supporter_list(viewer=viewer).select_related("team")[:50]
    plan = _plan(page)
    assert "supporter_name_order_idx" in plan, plan
    names = [s.family_name for s in page]
    assert names == sorted(names)
