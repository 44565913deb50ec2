"""Walking order and map geometry: pure functions, no database.

Doors are ordered as canvassers walk: each street block's odd side ascending, then its even
side descending (down one side, back up the other), the units of one building in order; the
blocks and streets are chained by nearest neighbour from the westmost block, not
alphabetically. Blocks at the same point (doors placed only by their ZIP's centre) stay
together, by street and block number.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_TOKEN = re.compile(r"\d+|[^\d\s]+")


def natural_key(text: str) -> tuple:
    """ "2F" < "10A" < "10B"; "APT 3" < "APT 12". Numbers compare as numbers."""
    return tuple(
        (0, int(token), "") if token.isdigit() else (1, 0, token)
        for token in _TOKEN.findall((text or "").upper())
    )


def suffix_key(suffix: str) -> tuple:
    """After a house number: nothing, then ½, then letters and others ("12" < "12½" < "12A")."""
    if not suffix:
        return (0,)
    if suffix == "½":
        return (1,)
    return (2, natural_key(suffix))


@dataclass(frozen=True)
class DoorPlace:
    """What walking order reads of a door."""

    key: int  # the household's id, handed back in order
    street: str
    house_number: int | None
    house_suffix: str = ""
    unit: str = ""
    zip5: str = ""
    latitude: float | None = None
    longitude: float | None = None
    precise: bool = True  # False: only the ZIP's centre is known


def _block_doors(doors: list[DoorPlace]) -> list[DoorPlace]:
    """One block: odd side ascending, then even side descending; units ascending."""
    odd = [d for d in doors if d.house_number is not None and d.house_number % 2 == 1]
    even = [d for d in doors if d.house_number is not None and d.house_number % 2 == 0]
    unnumbered = [d for d in doors if d.house_number is None]

    def house(door: DoorPlace) -> tuple:
        return (door.house_number, suffix_key(door.house_suffix))

    def side(side_doors: list[DoorPlace], descending: bool) -> list[DoorPlace]:
        buildings: dict[tuple, list[DoorPlace]] = defaultdict(list)
        for door in side_doors:
            buildings[house(door)].append(door)
        ordered = []
        for building in sorted(buildings, reverse=descending):
            ordered += sorted(buildings[building], key=lambda d: (natural_key(d.unit), d.key))
        return ordered

    return (
        side(odd, descending=False)
        + side(even, descending=True)
        + sorted(unnumbered, key=lambda d: (natural_key(d.unit), d.key))
    )


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Equirectangular distance in degrees of latitude: plenty for choosing the next block."""
    scale = math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(a[0] - b[0], (a[1] - b[1]) * scale)


_CELL = 0.002  # degrees (about 200 m): the grid the nearest-neighbour search walks


def _chain(points: list[tuple[float, float]]) -> list[int]:
    """Indexes of ``points`` in nearest-neighbour order from the westmost (then southmost).

    A grid of cells keeps each step local, so 50,000 doors chain in about a second, not in
    the hours that comparing every pair would take.
    """
    if not points:
        return []
    grid: dict[tuple[int, int], set[int]] = defaultdict(set)
    for index, (lat, lon) in enumerate(points):
        grid[(math.floor(lat / _CELL), math.floor(lon / _CELL))].add(index)
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    span = max(max(lats) - min(lats), max(lons) - min(lons)) / _CELL + 2
    cos_lat = max(0.1, math.cos(math.radians(max(abs(min(lats)), abs(max(lats))))))
    current = min(range(len(points)), key=lambda i: (points[i][1], points[i][0], i))
    order = [current]
    grid[(math.floor(points[current][0] / _CELL), math.floor(points[current][1] / _CELL))].discard(
        current
    )
    remaining = len(points) - 1
    while remaining:
        here = points[current]
        row, col = math.floor(here[0] / _CELL), math.floor(here[1] / _CELL)
        best, best_distance = None, math.inf
        ring = 0
        while ring <= span:
            for r in range(row - ring, row + ring + 1):
                for c in range(col - ring, col + ring + 1):
                    if max(abs(r - row), abs(c - col)) != ring:
                        continue
                    for index in grid.get((r, c), ()):
                        distance = _distance(here, points[index])
                        if distance < best_distance or (distance == best_distance and index < best):
                            best, best_distance = index, distance
            # Anything outside the rings searched is at least this far away.
            if best is not None and best_distance <= ring * _CELL * cos_lat:
                break
            ring += 1
        grid[(math.floor(points[best][0] / _CELL), math.floor(points[best][1] / _CELL))].discard(
            best
        )
        order.append(best)
        current = best
        remaining -= 1
    return order


def walking_order(doors: Iterable[DoorPlace]) -> list[DoorPlace]:
    """The doors in the order canvassers walk them (see the module's docstring)."""
    blocks: dict[tuple, list[DoorPlace]] = defaultdict(list)
    for door in doors:
        block = door.house_number // 100 if door.house_number is not None else -1
        blocks[(door.zip5, door.street, block)].append(door)
    # Blocks at one point walk together, by street and number; points chain by distance.
    at_point: dict[tuple[float, float] | None, list[tuple]] = defaultdict(list)
    for block_key, block_doors in blocks.items():
        placed = [(d.latitude, d.longitude) for d in block_doors if d.latitude is not None]
        # A block's place is where its geocoded doors are; a ZIP centre only when none is.
        precise = [
            (d.latitude, d.longitude) for d in block_doors if d.latitude is not None and d.precise
        ]
        placed = precise or placed
        point = None
        if placed:
            point = (
                round(sum(p[0] for p in placed) / len(placed), 7),
                round(sum(p[1] for p in placed) / len(placed), 7),
            )
        at_point[point].append(block_key)
    points = [p for p in at_point if p is not None]
    ordered_blocks: list[tuple] = []
    for index in _chain(points):
        ordered_blocks += sorted(at_point[points[index]], key=lambda k: (k[1], k[0], k[2]))
    # Doors without coordinates come last, by street and block.
    ordered_blocks += sorted(at_point.get(None, []), key=lambda k: (k[1], k[0], k[2]))
    result: list[DoorPlace] = []
    for block_key in ordered_blocks:
        result += _block_doors(blocks[block_key])
    return result


def point_in_polygon(lat: float, lon: float, polygon: Sequence[Sequence[float]]) -> bool:
    """Whether (lat, lon) lies inside ``polygon`` ([[lat, lon], …], closed or not): the
    even-odd ray-casting test, as the map's drawn shapes are simple polygons."""
    inside = False
    count = len(polygon)
    if count < 3:
        return False
    j = count - 1
    for i in range(count):
        lat_i, lon_i = float(polygon[i][0]), float(polygon[i][1])
        lat_j, lon_j = float(polygon[j][0]), float(polygon[j][1])
        if (lat_i > lat) != (lat_j > lat):
            crossing = (lon_j - lon_i) * (lat - lat_i) / (lat_j - lat_i) + lon_i
            if lon < crossing:
                inside = not inside
        j = i
    return inside
