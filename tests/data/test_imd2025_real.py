"""IoD2025 on Trafford's current wards, built from recipes/trafford-2025.toml and ../shared/data, checked
against ward scores recomputed here from the published LSOA rows with plain csv reading."""

from __future__ import annotations

import csv
import gzip
import io
from collections import defaultdict
from pathlib import Path

import pytest

from sector_map.build.builder import build_pack
from sector_map.pack import schema as s
from tests.conftest import ROOT, shared_data_or_skip

pytestmark = pytest.mark.data

TRAFFORD = "E08000009"
CURRENT_WARDS = {f"E050152{n}" for n in range(39, 60)}
IOD = "imd2025/imd2025_lsoa21_england_scores_ranks_deciles.csv.gz"
LOOKUP = "lookups/lsoa21_to_wd24_lad24_bestfit_england_wales.csv"
POP = "lookups/lsoa21_to_msoa21_wd25_pcon24_lad24_england_imd2025score_pop2024.csv"


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


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    shared_data_or_skip()
    out = tmp_path_factory.mktemp("trafford-2025") / "pack"
    return build_pack(ROOT / "recipes" / "trafford-2025.toml", out)


def _values(result, indicator: str) -> dict[str, float]:
    ind = result.pack.indicators
    rows = ind[ind[s.INDICATOR_ID] == indicator]
    return dict(zip(rows[s.WARD_CODE], rows[s.VALUE], strict=True))


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
    assert set(pack.pack.indicator_meta) == {f"{d}_score" for d in domains}
    assert any("IDACI or IDAOPI" in n.message() for n in pack.notes)
