"""Trafford today: its current wards with IoD2025 and its organisations, built from recipes/trafford.toml
and ../shared/data, checked against figures recomputed here from the published rows with plain csv
reading (ward scores from the LSOA rows, charities' wards from Code-Point Open)."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import defaultdict
from pathlib import Path

import pytest

from sector_map.pack import schema as s
from sector_map.pack.io import load_pack
from tests.conftest import shared_data_or_skip

pytestmark = pytest.mark.data

TRAFFORD = "E08000009"
CURRENT_WARDS = {f"E050152{n}" for n in range(39, 60)}
IOD = "imd2025/imd2025_lsoa21_england_scores_ranks_deciles.csv.gz"
LOOKUP = "lookups/lsoa21_to_wd24_lad24_bestfit_england_wales.csv"
POP = "lookups/lsoa21_to_msoa21_wd25_pcon24_lad24_england_imd2025score_pop2024.csv"
UK_WARDS = "boundaries/uk/uk_wards_may2024_bsc.geojson.gz"
CODEPOINT_GM = "postcodes/codepoint_open_2025-10_gm_postcode_areas_bl_m_ol_sk_wa_wn.csv.gz"
CHARITIES = "organisations/trafford_charities_ccew_extract_2023-04-04.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def _by_hand(shared: Path, column: str) -> tuple[dict[str, float], dict[str, float]]:
    """Each Trafford ward's 2024-population-weighted mean of ``column``, and its population."""
    ward = {r["LSOA21CD"]: r["WD24CD"] for r in _rows(shared / LOOKUP) if r["LAD24CD"] == TRAFFORD}
    pop = {r["LSOA21CD"]: float(r["2024POP"]) for r in _rows(shared / POP) if r["LSOA21CD"] in ward}
    num: dict[str, float] = defaultdict(float)
    den: dict[str, float] = defaultdict(float)
    for r in _rows(shared / IOD):
        code = r["lsoa21_code"]
        if code in ward:
            num[ward[code]] += float(r[column]) * pop[code]
            den[ward[code]] += pop[code]
    return {w: num[w] / den[w] for w in den}, dict(den)


class _Built:
    """The written pack and the build's notes (kept in its manifest)."""

    def __init__(self, folder: Path):
        self.pack = load_pack(folder)
        self.notes = list(self.pack.manifest["build_notes"])


@pytest.fixture(scope="module")
def pack(trafford_current_dir) -> _Built:
    return _Built(trafford_current_dir)


def _values(result: _Built, indicator: str) -> dict[str, float]:
    ind = result.pack.indicators
    rows = ind[ind[s.INDICATOR_ID] == indicator]
    return dict(zip(rows[s.WARD_CODE], rows[s.VALUE], strict=True))


def _compact(postcode: str) -> str:
    return "".join(postcode.split()).upper()


def test_trafford_today_has_its_21_current_wards_as_the_may_2024_file_names_them(pack):
    wards = pack.pack.wards
    assert set(wards[s.WARD_CODE]) == CURRENT_WARDS and len(wards) == 21
    assert set(wards[s.LA_CODE]) == {TRAFFORD}
    # The boundaries come from the GM December 2023 file; the UK May 2024 file agrees on every name.
    features = json.loads(gzip.decompress((shared_data_or_skip() / UK_WARDS).read_bytes()))["features"]
    may2024 = {
        f["properties"]["ward_code"]: f["properties"]["ward_name"]
        for f in features
        if f["properties"]["lad_code"] == TRAFFORD
    }
    assert wards.set_index(s.WARD_CODE)[s.WARD_NAME].to_dict() == may2024
    assert "2023" in pack.pack.manifest["ward_vintage"]


@pytest.mark.parametrize("indicator, column", [("imd_score", "IMD_score"), ("income_score", "Income_score")])
def test_ward_scores_equal_the_lsoa_rows_weighted_by_2024_population(pack, indicator, column):
    expected, _ = _by_hand(shared_data_or_skip(), column)
    assert set(expected) == CURRENT_WARDS
    assert _values(pack, indicator) == pytest.approx(expected, abs=1e-9)


def test_trafford_runs_from_brooklands_to_bucklow_st_martins(pack):
    score = _values(pack, "imd_score")
    names = pack.pack.wards.set_index(s.WARD_CODE)[s.WARD_NAME]
    assert names[min(score, key=score.__getitem__)] == "Brooklands"
    assert names[max(score, key=score.__getitem__)] == "Bucklow-St Martins"
    assert min(score.values()) == pytest.approx(4.6, abs=0.1) and max(score.values()) == pytest.approx(
        41, abs=0.5
    )


def test_ward_population_and_the_weight_are_the_2024_lsoa_populations(pack):
    _, population = _by_hand(shared_data_or_skip(), "IMD_score")
    assert pack.pack.wards.set_index(s.WARD_CODE)[s.POPULATION].to_dict() == population
    entry = next(e for e in pack.pack.manifest["sources"] if "2025" in e["title"])
    assert "2024POP" in entry["weights"] and "2024POP" in pack.pack.manifest["population_source"]


def test_every_domain_is_there_and_idaci_is_left_out_with_a_note(pack):
    domains = {"imd", "income", "employment", "education", "health", "crime", "housing", "living_environment"}
    # Only IoD2025: the old-ward ward statistics of the 2019 recipe are not joined to the new wards.
    assert set(pack.pack.indicator_meta) == {f"{d}_score" for d in domains}
    assert {m.year for m in pack.pack.indicator_meta.values()} == {"2025"}
    assert any("IDACI or IDAOPI" in n for n in pack.notes)


def test_charities_in_trafford_are_in_the_current_ward_code_point_gives_their_postcode(pack):
    shared = shared_data_or_skip()
    code_point = {
        _compact(r["Postcode"]): (r["Admin_district_code"], r["Admin_ward_code"])
        for r in _rows(shared / CODEPOINT_GM)
    }
    expected = {}
    for r in _rows(shared / CHARITIES):
        district, ward = code_point.get(_compact(r["charity_contact_postcode"] or ""), ("", ""))
        if district == TRAFFORD:
            expected[r["registered_charity_number"].strip()] = ward
    assert len(expected) > 250 and set(expected.values()) == CURRENT_WARDS
    orgs = pack.pack.organisations
    inside = orgs[orgs[s.CHARITY_NUMBER].notna() & (orgs[s.LOCATION_QUALITY] == s.LOCATION_CONTACT)]
    placed = inside.sjoin(pack.pack.wards[[s.WARD_CODE, s.GEOMETRY]], predicate="within")
    assert dict(zip(placed[s.CHARITY_NUMBER].astype(str), placed[s.WARD_CODE], strict=True)) == expected
    # Every other charity is still there: beyond the borough with its point, or area only.
    assert orgs[s.CHARITY_NUMBER].nunique() == len(
        {r["registered_charity_number"] for r in _rows(shared / CHARITIES)}
    )


def test_food_banks_hubs_and_buildings_come_over_from_the_2019_recipe(pack):
    sources = {src["title"] for src in pack.pack.sources}
    assert {"Food banks in Trafford", "Community hubs in Trafford", "Register of charities"} <= sources
    assets = pack.pack.assets[s.ASSET_KIND].value_counts()
    assert {"library", "children's centre", "place of worship"} <= set(assets.index)
    # Every food bank and hub is placed at its site, inside one of the current wards.
    shared = shared_data_or_skip()
    listed = sum(
        len(_rows(shared / f"organisations/trafford_{f}.csv")) for f in ("food_banks", "community_hubs")
    )
    orgs = pack.pack.organisations
    sites = orgs[orgs[s.LOCATION_QUALITY] == s.LOCATION_SITE]
    placed = sites.sjoin(pack.pack.wards[[s.WARD_CODE, s.GEOMETRY]], predicate="within")
    assert len(sites) == listed and placed[s.ORG_ID].nunique() == listed
