"""Build packs from the recipes in recipes/ on the real files in ../shared/data, and check them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sector_map.build.builder import build_pack, summary_text
from sector_map.cli.main import main
from sector_map.pack import schema as s
from sector_map.pack.io import load_pack

pytestmark = pytest.mark.data

ROOT = Path(__file__).resolve().parents[2]
RECIPES = ROOT / "recipes"
WARD_STATS = "ward_stats/trafford_ward_indicators_oldwards_2004-2023_snapshot2022-07-21.csv"


@pytest.fixture(scope="module")
def trafford(trafford_pack_dir):
    return load_pack(trafford_pack_dir)


def test_trafford_wards_and_imd_match_published(trafford, shared_data):
    assert len(trafford.wards) == 21
    assert trafford.wards[s.WARD_CODE].str.match(r"^E050008(19|2\d|3\d)$").all()
    assert set(trafford.wards[s.LA_CODE]) == {"E08000009"}
    ws = pd.read_csv(shared_data / WARD_STATS, dtype={"area_code": "string", "period": "string"})
    published = ws[(ws["indicator"] == "Index of Multiple Deprivation") & (ws["period"] == "2019")]
    published = published.set_index("area_code")["value"]
    score = trafford.indicator_wide()["imd_score"]
    assert score.notna().all() and len(score) == 21
    assert (score - published.reindex(score.index)).abs().max() < 0.05
    names = trafford.wards.set_index(s.WARD_CODE)[s.WARD_NAME]
    assert names[score.idxmin()] == "Timperley" and names[score.idxmax()] == "Bucklow-St Martins"
    # Mid-2020 populations from the recipe's file: the "Persons" rows only (summing sexes would double).
    assert trafford.wards[s.POPULATION].between(8_000, 20_000).all()
    assert trafford.wards[s.POPULATION].sum() == 237_579


def test_trafford_keeps_every_charity_and_places_729_by_contact_address(trafford):
    orgs = trafford.organisations
    ccew = orgs[orgs[s.CHARITY_NUMBER].notna() & orgs[s.SOURCE].str.contains("Charity Commission")]
    assert ccew[s.CHARITY_NUMBER].nunique() == 736
    # Code-Point Open places 729: 276 inside Trafford (278 with the 2022 ONSPD file, which still
    # held two postcodes since retired), 453 beyond it, with their point kept.
    assert ccew[s.LOCATION_QUALITY].value_counts().to_dict() == {
        s.LOCATION_CONTACT_OUTSIDE: 453,
        s.LOCATION_CONTACT: 276,
        s.LOCATION_AREA_ONLY: 7,
    }
    placed = ccew[ccew[s.LOCATION_QUALITY] == s.LOCATION_CONTACT]
    outside = ccew[ccew[s.LOCATION_QUALITY] == s.LOCATION_CONTACT_OUTSIDE]
    assert not placed.geometry.is_empty.any() and not outside.geometry.is_empty.any()
    # Per-ward counts of charities with a contact address in the ward, as published (SOURCES.md)
    # but for Bowdon (20), whose one retired postcode Code-Point no longer lists.
    wards = trafford.wards[[s.WARD_CODE, s.WARD_NAME, s.GEOMETRY]]
    joined = placed.sjoin(wards, predicate="within")
    per_ward = joined[s.WARD_NAME].value_counts()
    assert per_ward["Altrincham"] == 28 and per_ward["Bowdon"] == 19
    assert per_ward["Hale Central"] == 19 and per_ward["Bucklow-St Martins"] == 5
    assert outside.sjoin(wards, predicate="within").empty
    # Their services carry the point too, so catchments see a service based over the border.
    services = trafford.services[trafford.services[s.ORG_ID].isin(outside[s.ORG_ID])]
    assert len(services) > 300 and services["lon"].notna().all()


def test_trafford_sources_and_attribution(trafford):
    publishers = " ".join(src["publisher"] for src in trafford.sources)
    assert "Charity Commission" in publishers and "Ministry of Housing" in publishers
    attributions = " ".join(src["attribution"] for src in trafford.sources)
    assert "Contains National Statistics and OS data © Crown copyright and database right" in attributions
    assert "Royal Mail" in attributions
    assert trafford.manifest["demo"] is False
    assert "Ordnance Survey" in publishers and "Royal Mail" in attributions
    # Only the live postcodes inside the wards are kept for uploads (Code-Point lists live ones only).
    pcs = trafford.postcodes
    assert pcs is not None and 6_000 < len(pcs) < 7_000 and pcs[s.POSTCODE].is_unique
    assert pcs["lon"].between(-2.48, -2.25).all() and pcs["lat"].between(53.35, 53.48).all()


def test_build_pack_command_prints_progress_and_summary_for_gm_2017(tmp_path, capsys, shared_data):
    out = tmp_path / "gm"
    assert main(["build-pack", str(RECIPES / "greater_manchester-2019.toml"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "[1/" in printed and "Reading ward boundaries" in printed
    assert "wards:          215" in printed
    pack = load_pack(out)
    assert len(pack.wards) == 215 and pack.wards[s.LA_CODE].nunique() == 10
    wide = pack.indicator_wide()
    assert wide["imd_score"].notna().sum() == 215
    # Domain scores come from the published WD17 ward aggregate, whose weights are not File 6's: its IMD
    # scores are not those [imd2019] gives, so its descriptions do not claim the mid-2015 population.
    assert wide["income_score"].notna().sum() == 215
    published = pd.read_csv(
        shared_data / "imd2019/imd2019_england_wd17_aggregated.csv.gz", dtype={"WD17CD": str}
    )
    published = published.set_index("WD17CD")["Score"].reindex(wide.index)
    assert (wide["imd_score"] - published).abs().max() > 0.5
    income = pack.indicator_meta["income_score"].description
    assert "does not name" in income and "mid-2015" not in income.split("(not")[0]


def test_greater_manchester_today_is_its_215_current_wards_with_iod2025(tmp_path, shared_data):
    pack = build_pack(RECIPES / "greater_manchester.toml", tmp_path / "gm").pack
    lookup = pd.read_csv(
        shared_data / "lookups/lsoa21_to_wd24_lad24_bestfit_england_wales.csv", dtype="string"
    )
    gm = lookup[lookup["LAD24CD"].isin(pack.manifest["area_codes"])]
    # The wards are the ones the LSOA21 -> May 2024 ward lookup fits GM's LSOAs to, borough by borough.
    assert len(pack.wards) == 215 and pack.wards[s.LA_CODE].nunique() == 10
    assert set(pack.wards[s.WARD_CODE]) == set(gm["WD24CD"])
    by_ward = gm.drop_duplicates("WD24CD").set_index("WD24CD")["LAD24CD"]
    assert (pack.wards.set_index(s.WARD_CODE)[s.LA_CODE] == by_ward.reindex(pack.wards[s.WARD_CODE])).all()
    wide = pack.indicator_wide()
    assert wide["imd_score"].notna().sum() == 215 and wide["income_score"].notna().sum() == 215
    assert {m.year for m in pack.indicator_meta.values()} == {"2025"}


def test_england_pack_has_every_current_english_ward_and_marks_missing_imd(tmp_path, shared_data):
    result = build_pack(RECIPES / "england.toml", tmp_path / "england")
    pack = result.pack
    assert len(pack.wards) == 6_817 and pack.wards[s.WARD_CODE].str.startswith("E05").all()
    score = pack.indicator_wide()["imd_score"]
    # 33 May-2024 wards have no best-fitted LSOA 2021: no data, not zero.
    assert score.notna().sum() == 6_784 and score.isna().sum() == 33
    assert "(33 no data)" in summary_text(result)
    assert pack.manifest["sources"] and any("2025" in str(src) for src in pack.manifest["sources"])
    assert load_pack(tmp_path / "england").summary()["wards"] == 6_817


def test_england_2019_pack_keeps_the_december_2019_wards(tmp_path, shared_data):
    result = build_pack(RECIPES / "england-2019.toml", tmp_path / "england-2019")
    pack = result.pack
    assert len(pack.wards) == 7_219 and pack.wards[s.WARD_CODE].str.startswith("E05").all()
    score = pack.indicator_wide()["imd_score"]
    assert score.notna().sum() == 7_180 and score.isna().sum() == 39
    assert "39 wards have no LSOA" in summary_text(result) or "(39 no data)" in summary_text(result)
    # The published WD19 aggregate (its domain scores are used) has the weights the recipe names:
    # File 6's, with which [imd2019] gives the same IMD scores from the LSOA files.
    published = pd.read_csv(
        shared_data / "imd2019/imd2019_england_wd19_aggregated.csv.gz", dtype={"ward_code": str}
    )
    published = published.set_index("ward_code")["Score"]
    assert (score.dropna() - published.reindex(score.dropna().index)).abs().max() < 1e-9
    entry = next(e for e in pack.manifest["sources"] if "by 2019 ward" in e["title"])
    assert "File 6" in entry["weights"] and "mid-2015" in pack.indicator_meta["income_score"].description


def test_a_failed_build_leaves_the_existing_pack_untouched(tmp_path, trafford_pack_dir, capsys):
    import shutil

    out = tmp_path / "trafford"
    shutil.copytree(trafford_pack_dir, out)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in out.iterdir())
    recipe = tmp_path / "broken.toml"
    recipe.write_text(
        (RECIPES / "trafford-2019.toml")
        .read_text()
        .replace("../../shared", str(ROOT.parent / "shared"))
        .replace("trafford_charities_ccew_extract_2023-04-04.csv", "trafford_food_banks.csv")
        .replace('kind = "ccew"', 'kind = "ccew"'),
        encoding="utf-8",
    )
    assert main(["build-pack", str(recipe), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "trafford_food_banks.csv" in err and "Nothing was written" in err
    assert sorted((p.name, p.stat().st_mtime_ns) for p in out.iterdir()) == before
