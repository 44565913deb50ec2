"""The demo's walk list: Eastside's households cut into packets, one out with Ana.

People's addresses become households in the enrichment worker; the demo runs that work here
(the same pipeline, as the worker would) so the walk list has doors the moment the demo is
up. Doors carry their ZIP's centre until a geocoder places them (GEOCODER, README).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from canvass.services import packet_checkout, packets_by_count, walk_list_cut
from organizing.models import Team, User
from supporters.enrichment.pipeline import enrich_supporters
from supporters.models import Supporter

DOORS_PER_PACKET = 12


def demo_canvass_load(*, organizer: User, volunteer: User, team: Team) -> dict[str, int]:
    ids = list(Supporter.objects.values_list("pk", flat=True).order_by("pk"))
    for start in range(0, len(ids), 200):
        enrich_supporters(ids[start : start + 200], find_duplicates=False)
    walk_list = walk_list_cut(actor=organizer, name="Eastside doors — this weekend", team=team)
    packets = packets_by_count(
        actor=organizer, walk_list=walk_list, doors_per_packet=DOORS_PER_PACKET
    )
    if packets:
        packet_checkout(
            actor=organizer,
            packet=packets[0],
            volunteer=volunteer,
            until=timezone.now() + timedelta(days=30),
        )
    return {"walk_list_doors": walk_list.door_count, "packets": len(packets)}
