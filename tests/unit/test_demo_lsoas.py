"""The demo borough's fictional LSOAs: 4–8 a ward, their people adding up to the ward's, national
ranks and deciles that show each ward's need, the same for the same seed, and every postcode
inside a ward in an LSOA of that ward."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal
from scipy.stats import spearmanr

from sector_map.demo.lsoas import LSOAS_PER_WARD, N_NATIONAL, SCORE_IDS
from sector_map.demo.make import DEFAULT_SEED, build_demo_pack
from sector_map.pack import schema as s
from sector_map.pack.io import load_pack, save_pack


@pytest.fixture(scope="module", params=[DEFAULT_SEED, 7])
def pack(request):
    return build_demo_pack(seed=request.param)


def test_every_ward_has_4_to_8_lsoas_whose_people_add_up_to_the_wards(pack):
    per_ward = pack.lsoas.groupby(s.WARD_CODE)
    assert set(per_ward.groups) == set(pack.wards[s.WARD_CODE])
    assert per_ward.size().between(*LSOAS_PER_WARD).all()
    wards = pack.wards.set_index(s.WARD_CODE)[s.POPULATION].astype(float)
    assert_series_equal(per_ward[s.POPULATION].sum().reindex(wards.index), wards, check_names=False)
    assert (pack.lsoas[s.POPULATION] >= 300).all()  # near-equal shares: no LSOA of a handful of people


def test_codes_and_names_look_like_ons_lsoas_but_are_fictional(pack):
    assert pack.lsoas[s.LSOA_CODE].str.fullmatch(r"X01\d{6}").all()
    assert pack.lsoas[s.LSOA_CODE].is_unique
    assert pack.lsoas[s.LSOA_NAME].str.fullmatch(r"Marrowby \d{3}[A-H]").all()


def test_every_domain_has_national_ranks_and_the_deciles_they_fall_in(pack):
    for domain in SCORE_IDS:
        rank = pack.lsoas[s.lsoa_measure(domain, "rank")]
        decile = pack.lsoas[s.lsoa_measure(domain, "decile")]
        assert rank.between(1, N_NATIONAL).all() and rank.is_unique
        assert (decile == np.ceil(rank * 10 / N_NATIONAL)).all()
    assert pack.manifest[s.MANIFEST_LSOAS]["n_national"] == N_NATIONAL


@pytest.mark.parametrize(("domain", "score"), [(d, i) for d, i in SCORE_IDS.items()])
def test_more_deprived_wards_have_lsoas_ranked_more_deprived(pack, domain, score):
    wide = pack.indicator_wide()
    mean_rank = pack.lsoas.groupby(s.WARD_CODE)[s.lsoa_measure(domain, "rank")].mean()
    rho = spearmanr(wide[score], mean_rank.reindex(wide.index)).statistic
    assert rho < -0.6, f"{domain}: wards' scores and their LSOAs' ranks hardly agree (rho {rho:.2f})"


def test_the_most_deprived_wards_lsoas_sit_low_and_the_least_deprived_high(pack):
    wide = pack.indicator_wide()
    worst, best = wide["imd_score"].idxmax(), wide["imd_score"].idxmin()
    deciles = pack.lsoas.groupby(s.WARD_CODE)["imd_decile"].median()
    assert deciles[worst] <= 3 and deciles[best] >= 6


def test_postcodes_in_a_ward_are_in_an_lsoa_of_that_ward(pack):
    pcs = pack.postcodes
    points = gpd.GeoDataFrame(pcs, geometry=gpd.points_from_xy(pcs[s.LON], pcs[s.LAT]), crs=s.PACK_CRS)
    inside = gpd.sjoin(points, pack.wards[[s.WARD_CODE, "geometry"]], predicate="within")
    lsoa_ward = pack.lsoas.set_index(s.LSOA_CODE)[s.WARD_CODE]
    assert (inside[s.LSOA_CODE].map(lsoa_ward) == inside[s.WARD_CODE]).all()
    outside = ~pcs.index.isin(inside.index)
    assert outside.any() and pcs.loc[outside, s.LSOA_CODE].isna().all()
    # Seeds are the ward's own postcodes, so an LSOA goes without one only where its ward is short.
    have = pcs[s.LSOA_CODE].dropna().nunique()
    assert have >= 0.9 * len(pack.lsoas)


def test_the_same_seed_gives_the_same_lsoas_and_a_save_keeps_them(tmp_path):
    a, b = build_demo_pack(), build_demo_pack()
    assert_frame_equal(a.lsoas, b.lsoas)
    assert_frame_equal(a.postcodes, b.postcodes)
    save_pack(a, tmp_path / "demo")
    again = load_pack(tmp_path / "demo")
    assert_frame_equal(again.lsoas, a.lsoas)
    assert_frame_equal(again.postcodes, a.postcodes)
    assert not a.lsoas.equals(build_demo_pack(seed=7).lsoas)


def test_the_postcode_table_is_still_the_organisations_postcodes():
    """Giving postcodes an LSOA adds none: the table is the placed organisations' postcodes, once
    each, so the demo's demand points (provision puts residents at postcodes) are as they were."""
    pack = build_demo_pack()
    orgs = pack.organisations
    placed = orgs[~orgs.geometry.is_empty & orgs.geometry.notna() & orgs[s.POSTCODE].notna()]
    assert pack.postcodes[s.POSTCODE].tolist() == list(pd.unique(placed[s.POSTCODE]))
