"""Walking order on tricky addresses, and the map's point-in-polygon test."""

from __future__ import annotations

from canvass.ordering import DoorPlace, natural_key, point_in_polygon, walking_order
from supporters.households import address_parts


def _door(key, line1, unit="", lat=None, lon=None, zip5="60622"):
    parts = address_parts(line1, unit)
    return DoorPlace(
        key=key,
        street=parts.street,
        house_number=parts.house_number,
        house_suffix=parts.house_suffix,
        unit=parts.unit,
        zip5=zip5,
        latitude=lat,
        longitude=lon,
    )


def _addresses(doors):
    return [(d.house_number, d.house_suffix, d.unit) for d in walking_order(doors)]


def test_address_parts_reads_halves_letters_and_dashes():
    assert address_parts("12 1/2 MAIN ST") == address_parts("12½ MAIN ST")
    half = address_parts("12 1/2 MAIN ST")
    assert (half.street, half.house_number, half.house_suffix) == ("MAIN ST", 12, "½")
    lettered = address_parts("12A MAIN ST")
    assert (lettered.street, lettered.house_number, lettered.house_suffix) == ("MAIN ST", 12, "A")
    assert address_parts("12-B MAIN ST").house_suffix == "B"
    # A street named with a letter is not a suffix: "12 N ASHLAND AVE".
    north = address_parts("12 N ASHLAND AVE")
    assert (north.street, north.house_number, north.house_suffix) == ("N ASHLAND AVE", 12, "")
    assert address_parts("PO BOX 12").house_number is None


def test_one_block_walks_the_odd_side_up_then_the_even_side_down():
    doors = [
        _door(1, "10 MAIN ST"),
        _door(2, "11 MAIN ST"),
        _door(3, "12 MAIN ST"),
        _door(4, "13 MAIN ST"),
        _door(5, "15 MAIN ST"),
        _door(6, "14 MAIN ST"),
    ]
    assert [d.key for d in walking_order(doors)] == [2, 4, 5, 6, 3, 1]


def test_halves_and_letters_sit_beside_their_number_and_units_go_in_order():
    doors = [
        _door(1, "13 MAIN ST"),
        _door(2, "13A MAIN ST"),
        _door(3, "13 1/2 MAIN ST"),
        _door(4, "11 MAIN ST", unit="APT 10"),
        _door(5, "11 MAIN ST", unit="APT 2"),
        _door(6, "11 MAIN ST", unit="APT 2B"),
        _door(7, "12 MAIN ST"),
        _door(8, "12A MAIN ST"),
    ]
    assert _addresses(doors) == [
        (11, "", "APT 2"),
        (11, "", "APT 2B"),
        (11, "", "APT 10"),
        (13, "", ""),
        (13, "½", ""),
        (13, "A", ""),
        # The even side walks back down: 12A before 12, each building's units in order.
        (12, "A", ""),
        (12, "", ""),
    ]


def test_natural_key_orders_unit_numbers_as_numbers():
    assert sorted(["APT 10", "APT 2", "APT 2B", "APT 1"], key=natural_key) == [
        "APT 1",
        "APT 2",
        "APT 2B",
        "APT 10",
    ]


def test_blocks_chain_by_nearest_neighbour_not_alphabetically():
    # Three blocks west to east: Zinnia (west), Apple (middle), Maple (east). Alphabetical
    # order would start with Apple; walking goes Zinnia, Apple, Maple.
    doors = [
        _door(1, "101 APPLE ST", lat=41.9000, lon=-87.6600),
        _door(2, "101 MAPLE ST", lat=41.9000, lon=-87.6500),
        _door(3, "101 ZINNIA ST", lat=41.9000, lon=-87.6700),
        _door(4, "103 ZINNIA ST", lat=41.9000, lon=-87.6701),
    ]
    assert [d.key for d in walking_order(doors)] == [3, 4, 1, 2]


def test_a_street_on_both_sides_of_a_hundred_is_two_blocks_chained_by_distance():
    doors = [
        _door(1, "199 MAIN ST", lat=41.90, lon=-87.651),
        _door(2, "198 MAIN ST", lat=41.90, lon=-87.651),
        _door(3, "201 MAIN ST", lat=41.90, lon=-87.649),
        _door(4, "202 MAIN ST", lat=41.90, lon=-87.649),
        _door(5, "1 FAR AVE", lat=42.50, lon=-87.000),
    ]
    assert [d.key for d in walking_order(doors)] == [1, 2, 3, 4, 5]


def test_doors_at_one_zip_centre_stay_together_by_street_then_doors_without_points_last():
    doors = [
        _door(1, "5 B ST", lat=41.9, lon=-87.6),
        _door(2, "5 A ST", lat=41.9, lon=-87.6),
        _door(3, "7 NOWHERE RD"),
    ]
    assert [d.key for d in walking_order(doors)] == [2, 1, 3]


def test_nearest_neighbour_chains_many_doors_and_keeps_each_once():
    doors = [
        _door(
            i,
            f"{(i % 50) * 2 + 1} STREET {i // 50} AVE",
            lat=41.8 + (i // 50) * 0.001,
            lon=-87.7 + (i % 50) * 0.0001,
        )
        for i in range(2000)
    ]
    ordered = walking_order(doors)
    assert sorted(d.key for d in ordered) == list(range(2000))


def test_point_in_polygon():
    square = [[0, 0], [0, 1], [1, 1], [1, 0]]
    assert point_in_polygon(0.5, 0.5, square)
    assert not point_in_polygon(1.5, 0.5, square)
    assert not point_in_polygon(0.5, -0.1, square)
    # A concave "L": the notch is outside.
    ell = [[0, 0], [0, 2], [1, 2], [1, 1], [2, 1], [2, 0]]
    assert point_in_polygon(0.5, 1.5, ell)
    assert not point_in_polygon(1.5, 1.5, ell)
    assert not point_in_polygon(0.5, 0.5, [[0, 0], [1, 1]])
