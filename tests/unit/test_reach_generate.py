"""Fictional beneficiary files (sector_map.reach.generate): seeded, messy as described, and biased
as asked, checked by reading them back with sector_map.reach.beneficiaries.

The hand pack (:func:`tests.reach_packs.hand_pack`) has 38,000 residents; its most deprived local
fifth is LSOAs 2 and 1 (national ranks 1 and 2; 2,000 + 6,000 residents, population midpoints at
1,000 and 5,000 of 38,000, both under a fifth), so with bias b the fifth's expected ratio is
``(8000 b / (8000 b + 30000)) / (8000 / 38000)``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import numpy as np
import pytest

from sector_map.pack.io import load_pack
from sector_map.reach import generate as g
from sector_map.reach.beneficiaries import read_beneficiaries
from tests.reach_packs import hand_pack, with_lsoas

END = dt.date(2025, 6, 30)


@pytest.fixture
def pack():
    return hand_pack()


@pytest.fixture(scope="module")
def demo(demo_pack_dir):
    return with_lsoas(load_pack(demo_pack_dir))


def rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_the_most_deprived_fifth_is_found_by_population_midpoints(pack):
    fifth = g.deprived_fifth(pack.lsoas)
    assert pack.lsoas.loc[fifth, "lsoa_code"].tolist() == ["X01000001", "X01000002"]


def test_expected_ratio_is_worked_out_by_hand(pack):
    for b in (0.5, 1.0, 2.0):
        by_hand = (8000 * b / (8000 * b + 30000)) / (8000 / 38000)
        assert g.expected_ratio(pack, b) == pytest.approx(by_hand)
    assert g.expected_ratio(pack, 1.0) == pytest.approx(1.0)


def test_the_same_seed_gives_the_same_file_and_another_seed_another(pack):
    a = g.example_file(pack, n=300, seed=4, end=END)
    assert a == g.example_file(pack, n=300, seed=4, end=END)
    assert a != g.example_file(pack, n=300, seed=5, end=END)


def test_a_people_file_has_n_people_and_the_messy_rows(demo):
    data = g.example_file(demo, n=2000, seed=1, end=END)
    got = rows(data)
    assert list(got[0]) == ["Postcode", "Date", "Service"]
    assert len(got) == 2003
    postcodes = [r["Postcode"] for r in got]
    assert postcodes.count("") == 1 and postcodes.count(g.NOT_A_POSTCODE) == 1
    assert postcodes.count("SW1A 1AA") == 1
    assert any(p.islower() for p in postcodes)
    assert any(" " not in p and len(p) > 4 for p in postcodes if p != g.NOT_A_POSTCODE)
    dates = {dt.date.fromisoformat(r["Date"]) for r in got}
    assert min(dates) > END - dt.timedelta(days=366) and max(dates) <= END
    assert {r["Service"] for r in got} == set(g.SERVICES)


def test_a_people_file_reads_back_with_every_person_accounted_for(demo):
    b = read_beneficiaries(g.example_file(demo, n=2000, seed=2, end=END), "example.csv", demo)
    a = b.accounting
    assert b.kind == "people"
    assert (a.rows_read, a.people, a.matched) == (2003, 2003, 2000)
    assert (a.unmatched["blank"], a.unmatched["not a postcode"], a.unmatched["outside the area"]) == (1, 1, 1)
    assert a.matched + a.unmatched_total == a.people
    assert b.services == sorted(g.SERVICES)


def test_counts_by_postcode_add_up_and_use_thousands_separators(pack):
    data = g.example_file(pack, n=20000, seed=3, kind="counts_by_postcode")
    got = rows(data)
    assert list(got[0]) == ["Postcode", "People"]
    assert sum(int(r["People"].replace(",", "")) for r in got) == 20003
    assert any("," in r["People"] for r in got)
    b = read_beneficiaries(data, "counts.csv", pack)
    assert b.kind == "counts_by_postcode"
    assert b.accounting.matched == 20000 and b.accounting.people == 20003


def test_the_bias_is_recovered_within_sampling_error(demo):
    n, bias = 20000, 0.5
    b = read_beneficiaries(g.example_file(demo, n=n, bias=bias, seed=6, end=END), "e.csv", demo)
    w = g.lsoa_weights(demo, bias)
    fifth = set(w.loc[w["deprived"], "lsoa_code"])
    share = b.by_lsoa[b.by_lsoa.index.isin(fifth)].sum() / b.by_lsoa.sum()
    residents = w.loc[w["deprived"], "population"].sum() / w["population"].sum()
    expected = g.expected_ratio(demo, bias)
    p = expected * residents
    assert abs(share / residents - expected) < 4 * np.sqrt(p * (1 - p) / n) / residents
    # and the bias is visible: 0.5 is far from no bias
    assert share / residents < 0.8


def test_a_pack_without_lsoas_is_refused(pack):
    pack.lsoas = None
    with pytest.raises(ValueError, match="no LSOAs"):
        g.example_file(pack)
