"""IoD2025 (LSOA 2021) in recipes: reading its files, the weights, the vintage guard, and wards files
without a local-authority column, on tiny hand-made files with results worked out by hand."""

from __future__ import annotations

import gzip
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from sector_map.build.builder import build_pack
from sector_map.build.recipe import load_recipe
from sector_map.importers.imd import check_vintages
from sector_map.importers.imd_read import read_imd_lsoa, read_lookup, read_lsoa_population
from sector_map.pack import schema as s
from sector_map.pack.errors import InputError
from sector_map.pack.io import load_pack

# File 7's published header wording (IoD2025), a sub-domain column that is not a domain, and the
# working-age denominator whose name also starts with a population word.
FILE7_HEADER = (
    "LSOA code (2021),LSOA name (2021),Local Authority District code (2024),"
    "Index of Multiple Deprivation (IMD) Score,"
    "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived),"
    "Income Score (rate),Living Environment Decile (where 1 is most deprived 10% of LSOAs),"
    "Income Deprivation Affecting Children Index (IDACI) Score (rate),"
    "Children and Young People Sub-domain Score,"
    "Total population: mid 2022 (excluding prisoners),"
    "Working age population 18-66 (for use with Employment Deprivation Domain): mid 2022 (excluding prisoners)"
)
WARDS = ["E05015239", "E05015240"]


def _write(path: Path, text: str, *, gz: bool = False) -> Path:
    data = ("\ufeff" + text).encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def _file7(folder: Path, gz: bool = True) -> Path:
    rows = [
        'E01000001,Sometown 001A,E08000099,10.5,"30,001",0.1,2,0.2,1.5,"1,000","600"',
        'E01000002,Sometown 001B,E08000099,40.0,"1,200",0.3,1,0.4,-0.5,"3,000","1,900"',
        'E01000003,Sometown 002A,E08000099,20.0,"12,000",0.2,9,0.1,0.0,"2,000","1,200"',
    ]
    name = "File_7_IoD2025.csv" + (".gz" if gz else "")
    return _write(folder / name, FILE7_HEADER + "\n" + "\n".join(rows) + "\n", gz=gz)


def _renamed(folder: Path) -> Path:
    """The same columns renamed as packages do (humaniverse/IMD), with no denominators."""
    return _write(
        folder / "imd2025_renamed.csv",
        "lsoa21_code,IMD_score,IMD_rank,Housing_and_Services_decile,Environment_score\n"
        "E01000001,10.5,30001,3,1.0\nE01000002,40.0,1200,1,2.0\nE01000003,20.0,12000,5,3.0\n",
    )


def _lookup21(folder: Path) -> Path:
    return _write(
        folder / "lsoa21_wd24.csv",
        "LSOA21CD,LSOA21NM,WD24CD,WD24NM,LAD24CD,LAD24NM\r\n"
        f"E01000001,Sometown 001A,{WARDS[0]},North,E08000099,Sometown\r\n"
        f"E01000002,Sometown 001B,{WARDS[0]},North,E08000099,Sometown\r\n"
        f"E01000003,Sometown 002A,{WARDS[1]},South,E08000099,Sometown\r\n",
    )


def _population(folder: Path) -> Path:
    # As the BCC lookup has it: byte-order mark, CRLF, a header starting with a digit.
    return _write(
        folder / "pop2024.csv",
        'LSOA21CD,IMDSCORE,2024POP,LA24CD\r\nE01000001,10.5,"1,500",E08000099\r\n'
        "E01000002,40.0,500,E08000099\r\nE01000003,20.0,2500,E08000099\r\n",
    )


# --- reading -------------------------------------------------------------------------------------
def test_file7_as_published_is_read_with_its_denominators_and_idaci(tmp_path):
    df = read_imd_lsoa(_file7(tmp_path), edition="2025").set_index("lsoa_code")
    assert df.loc["E01000002", "imd_rank"] == 1200  # thousands separator
    assert df.loc["E01000001", "population"] == 1000
    assert df.loc["E01000002", "idaci_score"] == 0.4
    assert df.loc["E01000003", "living_environment_decile"] == 9
    assert df.loc["E01000001", "la_code"] == "E08000099"
    assert not any(c.startswith("children") for c in df.columns)  # a sub-domain, not a domain


def test_renamed_columns_are_the_same_measures(tmp_path):
    df = read_imd_lsoa(_renamed(tmp_path), edition="2025").set_index("lsoa_code")
    assert set(df.columns) == {"imd_score", "imd_rank", "housing_decile", "living_environment_score"}
    assert df.loc["E01000003", "housing_decile"] == 5


def test_each_release_refuses_the_other_ones_lsoa_files_by_name(tmp_path):
    with pytest.raises(ValueError, match=r"2021 LSOAs.*IoD2025.*\[imd2025\]"):
        read_imd_lsoa(_file7(tmp_path, gz=False), edition="2019")
    old = _write(tmp_path / "File_1_IoD2019.csv", "LSOA code (2011),IMD_score\nE01000001,3.0\n")
    with pytest.raises(ValueError, match=r"2011 LSOAs.*IoD2019.*\[imd2019\]"):
        read_imd_lsoa(old, edition="2025")
    with pytest.raises(ValueError, match="IoD2025 needs a lookup from 2021 LSOAs"):
        read_lookup(_write(tmp_path / "lk11.csv", "LSOA11CD,WD19CD\nE01000001,E05000001\n"), edition="2025")


def test_the_lsoa21_lookup_gives_ward_la_and_vintage(tmp_path):
    lk = read_lookup(_lookup21(tmp_path), edition="2025")
    assert lk.attrs["ward_vintage"] == "WD24"
    assert lk.set_index("lsoa_code").loc["E01000003", ["ward_code", "la_code"]].tolist() == [
        WARDS[1],
        "E08000099",
    ]


def test_lsoa_population_reads_a_header_that_starts_with_a_digit(tmp_path):
    pop = read_lsoa_population(_population(tmp_path), edition="2025")
    assert pop.attrs["column"] == "2024POP"
    assert pop.to_dict() == {"E01000001": 1500.0, "E01000002": 500.0, "E01000003": 2500.0}


# --- the vintage guard ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("edition", "vintage", "names"),
    [
        ("2019", "WD24", ["IoD2019", "2011 LSOAs", "WD24", "[imd2025]"]),
        ("2019", "WD23", ["IoD2019", "WD23", "[imd2025]"]),
        ("2025", "WD22", ["IoD2025", "2021 LSOAs", "WD22", "[imd2019]"]),
        ("2025", "WD19", ["IoD2025", "WD19", "WD24"]),
    ],
)
def test_the_guard_refuses_the_other_eras_wards_naming_both_and_the_fix(edition, vintage, names):
    with pytest.raises(InputError) as e:
        check_vintages(edition, f"[imd{edition}]", lookup=vintage)
    for name in names:
        assert name in str(e.value)


@pytest.mark.parametrize(
    ("edition", "vintage"), [("2019", "WD19"), ("2019", "WD22"), ("2025", "WD23"), ("2025", "WD25")]
)
def test_the_guard_lets_matching_eras_through(edition, vintage):
    check_vintages(edition, f"[imd{edition}]", lookup=vintage, wards=None)


# --- builds --------------------------------------------------------------------------------------
def _wards(folder: Path, *, la_column: bool = True) -> Path:
    cols: dict[str, list[str]] = {"area_code": WARDS, "area_name": ["North", "South"]}
    if la_column:
        cols["la_code"] = ["E08000099"] * 2
    gdf = gpd.GeoDataFrame(
        cols,
        geometry=[box(380_000, 390_000 + i * 1000, 381_000, 391_000 + i * 1000) for i in range(2)],
        crs="EPSG:27700",
    )
    gdf.to_file(folder / "wards.geojson", driver="GeoJSON")
    return folder / "wards.geojson"


def _recipe(
    folder: Path, lsoa: str, extra: str = "", section: str = "imd2025", lookup: str = "lsoa21_wd24.csv"
) -> Path:
    path = folder / "recipe.toml"
    path.write_text(
        f'name = "Sometown"\narea_codes = ["E08000099"]\n[wards]\npath = "wards.geojson"\n'
        f'[{section}]\nlsoa = ["{lsoa}"]\nlookup = "{lookup}"\n{extra}',
        encoding="utf-8",
    )
    return path


def _imd(pack, ind: str = "imd_score") -> dict[str, float]:
    ind_rows = pack.indicators[pack.indicators[s.INDICATOR_ID] == ind]
    return dict(zip(ind_rows[s.WARD_CODE], ind_rows[s.VALUE], strict=True))


def test_a_population_file_weights_the_wards_when_the_files_have_no_denominators(tmp_path):
    _wards(tmp_path)
    _renamed(tmp_path)
    _lookup21(tmp_path)
    _population(tmp_path)
    recipe = _recipe(tmp_path, "imd2025_renamed.csv", 'population = "pop2024.csv"\n')
    result = build_pack(recipe, tmp_path / "out")
    pack = load_pack(tmp_path / "out")
    # North: (10.5 × 1500 + 40 × 500) / 2000; South: its one LSOA.
    assert _imd(pack) == pytest.approx({WARDS[0]: (10.5 * 1500 + 40 * 500) / 2000, WARDS[1]: 20.0})
    # Housing is published here only as deciles: North's residents in decile 1 are 500 of 2,000.
    assert _imd(pack, "housing_pct_most_deprived_10")[WARDS[0]] == pytest.approx(25.0)
    entry = next(e for e in pack.manifest["sources"] if "2025" in e["title"])
    assert "pop2024.csv" in entry["weights"] and "2024POP" in entry["vintage"]
    assert "pop2024.csv" in pack.manifest["population_source"]
    assert pack.wards.set_index(s.WARD_CODE)[s.POPULATION].to_dict() == {WARDS[0]: 2000.0, WARDS[1]: 2500.0}
    meta = pack.indicator_meta["imd_score"]
    assert meta.year == "2025" and "2021" in meta.description and "pop2024.csv" in meta.description
    said = " ".join(n.message() for n in result.notes)
    assert "IDACI or IDAOPI" in said and "not by the IoD2025 population denominators" in said


def test_file7_denominators_are_the_weight_and_the_population_file_is_left_unused(tmp_path):
    _wards(tmp_path)
    _file7(tmp_path)
    _lookup21(tmp_path)
    _population(tmp_path)
    recipe = _recipe(tmp_path, "File_7_IoD2025.csv.gz", 'population = "pop2024.csv"\n')
    result = build_pack(recipe)
    pack = result.pack
    assert _imd(pack) == pytest.approx({WARDS[0]: (10.5 * 1000 + 40 * 3000) / 4000, WARDS[1]: 20.0})
    assert _imd(pack, "idaci_score")[WARDS[0]] == pytest.approx((0.2 * 1000 + 0.4 * 3000) / 4000)
    entry = next(e for e in pack.manifest["sources"] if "2025" in e["title"])
    assert "mid-2022" in entry["weights"]
    assert any("pop2024.csv was not used" in n.message() for n in result.notes)


def test_no_denominators_and_no_population_file_is_refused_with_the_fix(tmp_path):
    _wards(tmp_path)
    _renamed(tmp_path)
    _lookup21(tmp_path)
    with pytest.raises(InputError, match=r"\[imd2025\].*no population denominators.*population ="):
        build_pack(_recipe(tmp_path, "imd2025_renamed.csv"))


def test_iod2019_on_a_2024_ward_lookup_is_refused_in_a_build(tmp_path):
    _wards(tmp_path)
    _write(tmp_path / "f1.csv", "LSOA code (2011),IMD_score\nE01000001,3.0\n")
    _write(tmp_path / "lk.csv", f"LSOA11CD,WD24CD\nE01000001,{WARDS[0]}\n")
    with pytest.raises(InputError, match=r"\[imd2019\].*IoD2019.*WD24.*\[imd2025\]"):
        build_pack(_recipe(tmp_path, "f1.csv", section="imd2019", lookup="lk.csv"))


def test_iod2025_on_a_2022_ward_lookup_is_refused_in_a_build(tmp_path):
    _wards(tmp_path)
    _renamed(tmp_path)
    _population(tmp_path)
    _write(tmp_path / "lk22.csv", f"LSOA21CD,WD22CD\nE01000001,{WARDS[0]}\n")
    with pytest.raises(InputError, match=r"\[imd2025\].*IoD2025.*WD22.*\[imd2019\]"):
        build_pack(
            _recipe(tmp_path, "imd2025_renamed.csv", 'population = "pop2024.csv"\n', lookup="lk22.csv")
        )


def test_a_wards_file_without_an_la_column_takes_it_from_the_recipes_lookup(tmp_path):
    _wards(tmp_path, la_column=False)
    _renamed(tmp_path)
    _lookup21(tmp_path)
    _population(tmp_path)
    result = build_pack(_recipe(tmp_path, "imd2025_renamed.csv", 'population = "pop2024.csv"\n'))
    assert result.pack.wards[s.LA_CODE].tolist() == ["E08000099"] * 2
    assert result.pack.manifest["ward_vintage"] == "WD24"
    said = [n.message() for n in result.notes if n.file == "wards.geojson"]
    assert any("no local authority column" in m and "lsoa21_wd24.csv" in m for m in said)


def _codepoint(folder: Path) -> Path:
    """Code-Point Open's layout: North holds two Sometown postcodes and one of its neighbour's, South
    two of the neighbour's; the far one lies in no ward. The ward codes are of another vintage."""
    rows = [
        ("SM1 1AA", 380_200, 390_200, "E08000099"),
        ("SM1 1AB", 380_400, 390_500, "E08000099"),
        ("SM1 1AD", 380_800, 390_800, "E08000098"),
        ("SM2 1AA", 380_300, 391_300, "E08000098"),
        ("SM2 1AB", 380_600, 391_700, "E08000098"),
        ("SM9 9ZZ", 390_000, 400_000, "E08000001"),
    ]
    lines = [
        "Postcode,Positional_quality_indicator,Eastings,Northings,Country_code,Admin_district_code,Admin_ward_code"
    ]
    lines += [f'"{pc}",10,{e},{n},"E92000001","{la}","E05099999"' for pc, e, n, la in rows]
    return _write(folder / "codepoint.csv.gz", "\n".join(lines) + "\n", gz=True)


def test_a_wards_file_without_an_la_column_takes_it_from_the_recipes_postcode_file(tmp_path):
    _wards(tmp_path, la_column=False)
    _codepoint(tmp_path)
    path = tmp_path / "recipe.toml"
    path.write_text(
        'name = "x"\narea_codes = ["E08000099"]\n[wards]\npath = "wards.geojson"\n'
        '[postcodes]\npath = "codepoint.csv.gz"\n'
    )
    result = build_pack(path)
    # By where the postcodes are, not by their (other-vintage) ward codes: North is mostly
    # Sometown's, South wholly its neighbour's, so only North is in the area.
    assert result.pack.wards[s.WARD_CODE].tolist() == [WARDS[0]]
    assert result.pack.wards[s.LA_CODE].tolist() == ["E08000099"]
    said = [n.message() for n in result.notes if n.file == "wards.geojson"]
    assert any("no local authority column" in m and "postcode file codepoint.csv.gz" in m for m in said)


def test_the_lookup_is_preferred_to_the_postcode_file_when_it_holds_every_ward(tmp_path):
    _wards(tmp_path, la_column=False)
    _renamed(tmp_path)
    _lookup21(tmp_path)
    _population(tmp_path)
    _codepoint(tmp_path)
    extra = 'population = "pop2024.csv"\n[postcodes]\npath = "codepoint.csv.gz"\n'
    result = build_pack(_recipe(tmp_path, "imd2025_renamed.csv", extra))
    assert result.pack.wards[s.WARD_CODE].tolist() == WARDS
    said = [n.message() for n in result.notes if n.file == "wards.geojson"]
    assert any("lsoa21_wd24.csv" in m for m in said) and not any("codepoint" in m for m in said)


def test_without_a_lookup_a_wards_file_with_no_la_column_still_says_what_is_missing(tmp_path):
    _wards(tmp_path, la_column=False)
    path = tmp_path / "recipe.toml"
    path.write_text('name = "x"\narea_codes = ["E08000099"]\n[wards]\npath = "wards.geojson"\n')
    with pytest.raises(InputError, match="does not say which local authority"):
        build_pack(path)


def test_a_recipe_with_both_releases_is_refused(tmp_path):
    _wards(tmp_path)
    _renamed(tmp_path)
    _lookup21(tmp_path)
    path = _recipe(
        tmp_path,
        "imd2025_renamed.csv",
        '[imd2019]\nlsoa = ["imd2025_renamed.csv"]\nlookup = "lsoa21_wd24.csv"\n',
    )
    with pytest.raises(InputError, match=r"both \[imd2019\] and \[imd2025\]"):
        load_recipe(path)
