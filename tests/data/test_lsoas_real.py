"""Trafford's LSOAs as build-pack keeps them (recipes/trafford.toml, IoD2025, and trafford-2019.toml,
IoD2019), checked against the published rows read here with plain csv, and its postcodes' LSOAs
against the ONS Postcode Directory's (May 2022, 2011 LSOAs) for the LSOAs whose code did not change."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import numpy as np
import pytest

from sector_map.pack import schema as s
from sector_map.pack.io import load_pack

pytestmark = pytest.mark.data

TRAFFORD = "E08000009"
IOD = "imd2025/imd2025_lsoa21_england_scores_ranks_deciles.csv.gz"
LOOKUP = "lookups/lsoa21_to_wd24_lad24_bestfit_england_wales.csv"
POP = "lookups/lsoa21_to_msoa21_wd25_pcon24_lad24_england_imd2025score_pop2024.csv"
ONSPD = "postcodes/trafford_postcodes_onspd_may2022_oldwards_lsoa11.csv"
# IoD2025 columns as renamed in ../shared/data → the pack's domain ids.
RENAMED = {
    "IMD": s.DOMAIN_IMD,
    "Income": s.DOMAIN_INCOME,
    "Employment": s.DOMAIN_EMPLOYMENT,
    "Education": s.DOMAIN_EDUCATION,
    "Health": s.DOMAIN_HEALTH,
    "Crime": s.DOMAIN_CRIME,
    "Housing_and_Services": s.DOMAIN_HOUSING,
    "Environment": s.DOMAIN_LIVING_ENV,
}


def _rows(path: Path) -> list[dict[str, str]]:
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.fixture(scope="module")
def current(trafford_current_dir):
    return load_pack(trafford_current_dir)


def test_trafford_has_its_139_lsoas_each_in_the_ward_the_lookup_fits_it_to(current, shared_data):
    fitted = {r["LSOA21CD"]: r["WD24CD"] for r in _rows(shared_data / LOOKUP) if r["LAD24CD"] == TRAFFORD}
    assert len(fitted) == 139
    lsoas = current.lsoas.set_index(s.LSOA_CODE)
    assert lsoas[s.WARD_CODE].to_dict() == fitted
    assert lsoas[s.LSOA_NAME].str.startswith("Trafford ").all()


def test_lsoa_populations_are_the_weights_and_add_up_to_the_ward_populations(current, shared_data):
    pop = {r["LSOA21CD"]: float(r["2024POP"].replace(",", "")) for r in _rows(shared_data / POP)}
    lsoas = current.lsoas.set_index(s.LSOA_CODE)
    assert lsoas[s.POPULATION].to_dict() == {code: pop[code] for code in lsoas.index}
    by_ward = lsoas.groupby(s.WARD_CODE)[s.POPULATION].sum()
    wards = current.wards.set_index(s.WARD_CODE)[s.POPULATION]
    assert np.allclose(by_ward.reindex(wards.index).to_numpy(), wards.to_numpy())
    assert "2024POP" in current.manifest[s.MANIFEST_LSOAS]["population"]


def test_ranks_deciles_and_scores_are_the_published_ones(current, shared_data):
    lsoas = current.lsoas.set_index(s.LSOA_CODE)
    published = {r["lsoa21_code"]: r for r in _rows(shared_data / IOD) if r["lsoa21_code"] in lsoas.index}
    for name, domain in RENAMED.items():
        for measure in ("rank", "decile", "score"):
            got = lsoas[s.lsoa_measure(domain, measure)].to_dict()
            want = {code: float(published[code][f"{name}_{measure}"]) for code in lsoas.index}
            assert got == want, f"{domain}_{measure}"
    deciles = lsoas[[s.lsoa_measure(d, "decile") for d in RENAMED.values()]]
    assert deciles.isin(range(1, 11)).all().all()
    assert set(lsoas["imd_decile"]) == set(range(1, 11))  # Trafford spans every national decile
    entry = current.manifest[s.MANIFEST_LSOAS]
    assert (entry["edition"], entry["lsoa_vintage"], entry["n_national"]) == ("2025", "2021", 33_755)


def test_at_least_99_percent_of_traffords_postcodes_are_in_an_lsoa(current):
    pcs = current.postcodes
    placed = pcs[s.LSOA_CODE].notna()
    assert placed.mean() >= 0.99, f"{int(placed.sum())} of {len(pcs)} postcodes placed"
    assert set(pcs.loc[placed, s.LSOA_CODE]) <= set(current.lsoas[s.LSOA_CODE])
    assert current.manifest[s.MANIFEST_LSOAS]["postcode_lsoa"].startswith(
        f"{int(placed.sum()):,} of {len(pcs):,} postcodes placed in an LSOA"
    )


def test_point_in_polygon_agrees_with_the_onspd_where_the_lsoa_did_not_change(current, shared_data):
    """ONSPD gives 2011 LSOAs; an LSOA whose code is the same in 2021 kept its boundary, so there
    the ONS's own assignment and the pack's (20 m generalised lines) should agree."""
    onspd = {r["postcode"]: r["lsoa_code"] for r in _rows(shared_data / ONSPD)}
    codes = set(current.lsoas[s.LSOA_CODE])
    pairs = [
        (got, onspd[pc])
        for pc, got in zip(current.postcodes[s.POSTCODE], current.postcodes[s.LSOA_CODE], strict=True)
        if pc in onspd and onspd[pc] in codes
    ]
    assert len(pairs) > 6_000
    agree = sum(got == want for got, want in pairs) / len(pairs)
    assert agree >= 0.98, f"{agree:.1%} agree"


def test_the_2019_build_places_postcodes_in_2011_lsoas_as_the_onspd_does(trafford_pack_dir, shared_data):
    pack = load_pack(trafford_pack_dir)
    assert len(pack.lsoas) == 138
    assert pack.manifest[s.MANIFEST_LSOAS]["lsoa_vintage"] == "2011"
    onspd = {r["postcode"]: r["lsoa_code"] for r in _rows(shared_data / ONSPD)}
    pairs = [
        (got, onspd[pc])
        for pc, got in zip(pack.postcodes[s.POSTCODE], pack.postcodes[s.LSOA_CODE], strict=True)
        if pc in onspd
    ]
    agree = sum(got == want for got, want in pairs) / len(pairs)
    assert agree >= 0.98, f"{agree:.1%} agree"
