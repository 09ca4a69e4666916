"""build_pack on small hand-made files: a good build, then each kind of bad input the issue lists.

Every failure must name the file, say what to do, and leave an existing pack exactly as it was.
"""

from __future__ import annotations

import gzip

import geopandas as gpd
import pytest
from shapely.geometry import Polygon, box

from sector_map.build.builder import build_pack, summary_text
from sector_map.build.recipe import load_recipe
from sector_map.pack import schema as s
from sector_map.pack.errors import InputError
from sector_map.pack.io import load_pack

CODES = ["E05000001", "E05000002", "E05000003"]


def _write_inputs(folder):
    # Three 1 km squares in British National Grid metres, as ONS publishes them (EPSG:27700).
    wards = gpd.GeoDataFrame(
        {"WD19CD": CODES, "WD19NM": ["North", "Middle", "South"], "LAD19CD": ["E08000099"] * 3},
        geometry=[box(380_000, 390_000 + i * 1000, 381_000, 391_000 + i * 1000) for i in range(3)],
        crs="EPSG:27700",
    )
    # A bow-tie: an invalid polygon that must be repaired and reported.
    wards.loc[2, "geometry"] = Polygon(
        [(380_000, 392_000), (381_000, 393_000), (381_000, 392_000), (380_000, 393_000)]
    )
    wards.to_file(folder / "wards.geojson", driver="GeoJSON")
    # Wide indicators with a byte-order mark and thousands separators.
    (folder / "stats.csv").write_bytes(
        "\ufeffward_code,Claimant rate,Median property prices\n"
        'E05000001,3.5,"245,000"\nE05000002,7.25,"180,500"\nE05000003,..,"199,999"\n'.encode()
    )
    # Organisations saved by Excel in Windows-1252 (the £ and é), gzipped.
    text = "Name,Postcode,Activities\nCafé Réunion,ab1 2cd,Food bank and money advice £\nNo Place,ZZ9 9ZZ,Youth club\n"
    (folder / "orgs.csv.gz").write_bytes(gzip.compress(text.encode("cp1252")))
    inside = wards.to_crs(4326).geometry[0].centroid
    (folder / "postcodes.csv").write_text(
        f"postcode,lat,long\nAB1 2CD,{inside.y},{inside.x}\n", encoding="utf-8"
    )
    (folder / "recipe.toml").write_text(
        """name = "Smallshire"
area_codes = ["E08000099"]
[wards]
path = "wards.geojson"
[[indicators]]
path = "stats.csv"
[postcodes]
path = "postcodes.csv"
[[organisations]]
kind = "csv"
path = "orgs.csv.gz"
""",
        encoding="utf-8",
    )


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _write_inputs(folder)
    return folder


def test_a_good_build_reads_every_awkward_file_and_reports_what_it_did(inputs, tmp_path):
    messages: list[str] = []
    result = build_pack(inputs / "recipe.toml", tmp_path / "out", progress=messages.append)
    pack = load_pack(tmp_path / "out")
    assert list(pack.wards[s.WARD_CODE]) == CODES
    assert pack.wards.crs.to_epsg() == 4326 and pack.wards.geometry.is_valid.all()
    wide = pack.indicator_wide()
    assert wide.loc["E05000001", "median_property_prices"] == 245_000
    assert wide.loc["E05000002", "claimant_rate"] == 7.25
    assert wide["claimant_rate"].isna().sum() == 1  # ".." is suppressed, not zero
    orgs = pack.organisations.set_index(s.ORG_NAME)
    assert "Café Réunion" in orgs.index  # Windows-1252 decoded, not mangled
    assert orgs.loc["No Place", s.LOCATION_QUALITY] == s.LOCATION_AREA_ONLY  # kept, not dropped
    notes = " ".join(n.message() for n in result.notes)
    assert "repaired 1 invalid ward polygon" in notes and "Windows-1252" in notes
    assert messages[0].startswith("[1/5] Reading ward boundaries")
    summary = summary_text(result)
    assert "wards:          3" in summary and "organisations:  2 found" in summary
    assert "area only: 1" in summary and "contact address: 1" in summary


@pytest.mark.parametrize(
    "break_it, expect",
    [
        (lambda d: (d / "stats.csv").write_bytes(b""), ["stats.csv", "empty"]),
        (lambda d: (d / "stats.csv").write_text('{"a": 1}'), ["stats.csv", "JSON"]),
        (
            lambda d: (d / "stats.csv").write_text("ward_code,x\nE05999998,1\nE05999999,2\n"),
            ["stats.csv", "E05999998"],
        ),
        (lambda d: (d / "orgs.csv.gz").write_bytes(gzip.compress(b"")), ["orgs.csv.gz", "empty"]),
        (
            lambda d: (d / "wards.geojson").write_text(
                (d / "wards.geojson").read_text().replace("E05000002", "E05000001")
            ),
            ["wards.geojson", "E05000001"],
        ),
        (lambda d: (d / "wards.geojson").write_text("code,name\nE05000001,North\n"), ["wards.geojson"]),
        (lambda d: (d / "recipe.toml").write_text("name = 'x'\n[wards\n"), ["recipe.toml", "TOML"]),
        (
            lambda d: (d / "recipe.toml").write_text(
                (d / "recipe.toml").read_text().replace("[postcodes]", "[postcode]")
            ),
            ["recipe.toml", "postcode"],
        ),
    ],
    ids=[
        "empty-file",
        "wrong-kind",
        "codes-do-not-match",
        "empty-gzip",
        "duplicate-ward-codes",
        "table-given-as-boundaries",
        "broken-toml",
        "unknown-section",
    ],
)
def test_bad_input_is_named_and_the_existing_pack_is_untouched(inputs, tmp_path, break_it, expect):
    out = tmp_path / "out"
    build_pack(inputs / "recipe.toml", out)
    before = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in out.iterdir())
    break_it(inputs)
    with pytest.raises(InputError) as err:
        build_pack(inputs / "recipe.toml", out)
    for word in expect:
        assert word in str(err.value)
    assert sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in out.iterdir()) == before
    assert load_pack(out).summary()["wards"] == 3


def test_recipe_problems_are_all_reported_at_once(tmp_path):
    (tmp_path / "r.toml").write_text(
        'name = "x"\ncolour = "red"\n[imd2019]\nlsoa = ["nope.csv"]\n[[organisations]]\nkind = "facebook"\npath = "a.csv"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load_recipe(tmp_path / "r.toml")
    text = str(err.value)
    for part in ("colour", "no [wards] section", "needs `lookup`", "'facebook'", "nope.csv", "a.csv"):
        assert part in text
