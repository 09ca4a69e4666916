"""Beneficiaries' postcodes against the real national postcode file (OS Code-Point Open, all of GB):
its layout (quoted postcodes, its own column names, gzip) is read, and it tells a real postcode
outside the area from one that does not exist."""

from __future__ import annotations

from sector_map.reach.beneficiaries import read_beneficiaries
from tests.reach_packs import hand_pack

CODEPOINT = "postcodes/codepoint_open_2025-10_gb_all.csv.gz"


def test_code_point_open_tells_outside_the_area_from_not_found(shared_data):
    # SW1A 1AA and M32 0TE exist (London, Trafford); ZZ1 9ZZ and M32 0ZZ do not; ZZ1 1AA is in the
    # hand pack. Without the file, M32 0ZZ can only be judged by its district (not the area's).
    data = b"Postcode\nSW1A 1AA\nm320te\nZZ1 9ZZ\nM32 0ZZ\nZZ1 1AA\n"
    pack = hand_pack()
    without = read_beneficiaries(data, "p.csv", pack)
    assert without.accounting.unmatched["outside the area"] == 3  # their districts are not the area's
    assert without.accounting.unmatched["not found"] == 1
    b = read_beneficiaries(data, "p.csv", pack, postcodes_file=shared_data / CODEPOINT)
    assert b.accounting.matched == 1
    assert b.accounting.unmatched["outside the area"] == 2
    assert b.accounting.unmatched["not found"] == 2


def test_code_point_open_knows_which_sectors_exist(shared_data):
    # Sector ZZ1 1 is not in Code-Point: the pack's own postcodes are the whole of it. SW1A 1 exists
    # (outside the area); M32 7 does not (Code-Point has M32 0, 2, 8 and 9 only).
    data = b"Sector,n\nZZ1 1,4\nSW1A 1,3\nM32 7,2\n"
    b = read_beneficiaries(data, "s.csv", hand_pack(), postcodes_file=shared_data / CODEPOINT)
    assert b.accounting.matched + b.accounting.unmatched["no LSOA"] == 4
    assert b.accounting.unmatched["outside the area"] == 3
    assert b.accounting.unmatched["not found"] == 2
