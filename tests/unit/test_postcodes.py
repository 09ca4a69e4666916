"""Postcode normalisation, postcode directory reading (ONSPD/NSPL, Trafford, BNG) and lookup."""

from __future__ import annotations

import pandas as pd
import pytest

from sector_map.importers.postcodes import bng_to_wgs84, geocode, normalise_postcode, read_postcodes
from sector_map.importers.tables import InputError, Notes
from sector_map.pack import schema as s


def test_normalise_postcode_forms():
    got = normalise_postcode(
        pd.Series(["m329af", "M32  9AF", "M329AF", " wa14 5nx ", "sw1a1aa", "EC1A 1BB", "M1 1AA"])
    )
    assert got.tolist() == ["M32 9AF", "M32 9AF", "M32 9AF", "WA14 5NX", "SW1A 1AA", "EC1A 1BB", "M1 1AA"]


@pytest.mark.parametrize("bad", ["12345", "M32 9A", "", "hello world", "M32 9AFF", "9M3 29AF"])
def test_normalise_postcode_rejects_non_postcodes(bad):
    assert normalise_postcode(pd.Series([bad])).isna().all()


def test_normalise_keeps_missing_and_index():
    got = normalise_postcode(pd.Series([None, "m1 1aa"], index=[10, 20]))
    assert got.isna().tolist() == [True, False] and got.index.tolist() == [10, 20]


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_read_onspd_layout(tmp_path):
    p = _write(
        tmp_path,
        "ONSPD_MAY_2022_UK.csv",
        "pcd,pcd2,pcds,dointr,doterm,oslaua,osward,lsoa11,lat,long\n"
        "M32 9AF,M32  9AF,M32 9AF,198001,,E08000009,E05000834,E01006150,53.451,-2.312\n"
        "M1  1AA,M1   1AA,M1 1AA,198001,200012,E08000003,E05000000,E01000000,53.48,-2.24\n"
        "M99 9ZZ,M99  9ZZ,M99 9ZZ,198001,,E08000003,E05000001,E01000001,99.999999,0.000000\n"
        "WA145NX,WA14 5NX,WA14 5NX,198001,,E08000009,E05000820,E01006100,53.39,-2.36\n"
        "M32 9AF,M32  9AF,M32 9AF,198001,,E08000009,E05000834,E01006150,53.9,-2.9\n",
    )
    notes = Notes()
    t = read_postcodes(p, notes=notes)
    assert t[s.POSTCODE].tolist() == ["M32 9AF", "WA14 5NX"]
    assert t["lat"].tolist() == [53.451, 53.39] and t["lon"].tolist() == [-2.312, -2.36]
    assert t[s.WARD_CODE].tolist() == ["E05000834", "E05000820"]
    assert t["lsoa_code"].tolist() == ["E01006150", "E01006100"]
    assert t[s.LA_CODE].tolist() == ["E08000009", "E08000009"]
    msgs = {n.text.split(" ", 1)[1]: n.rows for n in notes}
    assert msgs["terminated postcodes left out"] == (3,)
    assert msgs["postcodes with no grid reference (latitude 99.999999) left out"] == (4,)
    assert msgs["repeated postcodes left out (the first row of each is kept)"] == (6,)


def test_read_trafford_layout(tmp_path):
    p = _write(
        tmp_path,
        "trafford_postcodes.csv",
        "postcode,ward_code,ward_name,lsoa_code,la_code,la_name,lon,lat\n"
        "M15 4AB,E05000825,Clifford,E01006185,E08000009,Trafford,-2.26046,53.465578\n",
    )
    t = read_postcodes(p)
    assert list(t.columns) == ["postcode", "lon", "lat", "ward_code", "lsoa_code", "la_code"]
    assert t.iloc[0]["lon"] == -2.26046 and t[s.WARD_CODE].dtype == "string"


@pytest.mark.parametrize(
    ("vintage", "expected"), [("2021", "E01999991"), ("2011", "E01006150"), (None, "E01006150")]
)
def test_onspd_gives_the_lsoa_of_the_vintage_asked_for(tmp_path, vintage, expected):
    """ONSPD has both lsoa11 and lsoa21: an IoD2025 pack needs the 2021 code, IoD2019 the 2011 one."""
    p = tmp_path / "onspd.csv"
    p.write_text(
        "pcds,lsoa11,lsoa21,lat,long\nM32 9AF,E01006150,E01999991,53.45,-2.31\nM1 1AA, ,,53.48,-2.24\n",
        encoding="utf-8",
    )
    t = read_postcodes(p, lsoa_vintage=vintage)
    assert t[s.LSOA_CODE].tolist() == [expected, pd.NA]
    assert t.attrs["lsoa_column"] == {"2021": "lsoa21"}.get(vintage, "lsoa11")


def test_a_file_with_only_the_other_vintages_lsoa_gives_no_lsoa(tmp_path):
    p = tmp_path / "onspd.csv"
    p.write_text("pcds,lsoa11,lat,long\nM32 9AF,E01006150,53.45,-2.31\n", encoding="utf-8")
    t = read_postcodes(p, lsoa_vintage="2021")
    assert "lsoa_code" not in t.columns and "lsoa_column" not in t.attrs


def test_read_easting_northing_converts_to_wgs84(tmp_path):
    lon, lat = -2.31, 53.45
    from pyproj import Transformer

    e, n = Transformer.from_crs(4326, 27700, always_xy=True).transform(lon, lat)
    p = _write(tmp_path, "pc.csv", f"Postcode,Easting,Northing\nm329af,{e:.1f},{n:.1f}\n")
    t = read_postcodes(p)
    assert t.iloc[0][s.POSTCODE] == "M32 9AF"
    assert t.iloc[0]["lon"] == pytest.approx(lon, abs=1e-5) and t.iloc[0]["lat"] == pytest.approx(
        lat, abs=1e-5
    )


def test_bng_is_in_the_right_place():
    # Trafford Town Hall is at about SJ 798 954 (379800, 395400): 53.46N 2.30W.
    lon, lat = bng_to_wgs84([379_800], [395_400])
    assert lon[0] == pytest.approx(-2.306, abs=0.01) and lat[0] == pytest.approx(53.462, abs=0.01)


def test_missing_columns_raise(tmp_path):
    with pytest.raises(InputError, match="no postcode column"):
        read_postcodes(_write(tmp_path, "a.csv", "code,lat,lon\nx,1,2\n"))
    with pytest.raises(InputError, match="no coordinates"):
        read_postcodes(_write(tmp_path, "b.csv", "postcode,ward\nM1 1AA,x\n"))


def test_geocode_aligns_with_index():
    table = pd.DataFrame(
        {
            "postcode": ["M32 9AF", "WA14 5NX"],
            "lon": [-2.3, -2.4],
            "lat": [53.4, 53.3],
            "ward_code": ["A", "B"],
        }
    )
    got = geocode(pd.Series(["wa145nx", None, "ZZ9 9ZZ", "M32 9AF"], index=[7, 8, 9, 3]), table)
    assert got.index.tolist() == [7, 8, 9, 3]
    assert got["found"].tolist() == [True, False, False, True]
    assert got.loc[7, "lon"] == -2.4 and got.loc[3, "lat"] == 53.4 and got.loc[7, "ward_code"] == "B"
    assert got.loc[9, ["lon", "lat"]].isna().all()


def _codepoint_file(tmp_path, n_far: int = 12_000):
    """A Code-Point Open-like gzip: many far-away postcodes (more than two chunks' worth), a few
    near Trafford, one far one an organisation uses, and a 'no grid reference' row (0, 0)."""
    import gzip

    lines = ["Postcode,Positional_quality_indicator,Eastings,Northings,Country_code,Admin_ward_code"]
    for i in range(n_far):  # Aberdeen: AB10 0AA ... ; about 57.15 N
        lines.append(
            f'"AB{10 + i // 4000} {i % 10}{"ABDEFGHJ"[i // 10 % 8]}{"ABDEFGHJLN"[i // 80 % 10]}",10,394235,806529,"S92000003",""'
        )
    special = [
        (7_001, '"AB12 9ZZ",10,394000,806000,"S92000003",""'),  # far, but an organisation's postcode
        (9_000, '"M32 0TH",10,381009,395844,"E92000001","E05015247"'),  # Trafford Town Hall
        (11_000, '"WA14 2EN",10,376300,388200,"E92000001",""'),  # Altrincham
        (11_500, '"M32 9ZZ",90,0,0,"E92000001",""'),  # no coordinates
    ]
    for at, line in special:
        lines.insert(min(at, len(lines)), line)
    p = tmp_path / "codepoint.csv.gz"
    with gzip.open(p, "wt", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return p


NEAR_TRAFFORD = (-2.48, 53.35, -2.25, 53.48)


def test_national_file_keeps_only_the_wanted_postcodes_and_those_near(tmp_path):
    p = _codepoint_file(tmp_path)
    notes = Notes()
    got = read_postcodes(p, keep=["ab129zz", "M32 9ZZ"], near=NEAR_TRAFFORD, notes=notes)
    assert got[s.POSTCODE].tolist() == ["AB12 9ZZ", "M32 0TH", "WA14 2EN"]
    # BNG reprojected: M32 0TH agrees with ONSPD's -2.287483, 53.458999 to about 10 m.
    town_hall = got.set_index(s.POSTCODE).loc["M32 0TH"]
    assert (town_hall["lon"], town_hall["lat"]) == pytest.approx((-2.287483, 53.458999), abs=2e-4)
    assert got.set_index(s.POSTCODE).loc["AB12 9ZZ", "lat"] == pytest.approx(57.14, abs=0.02)
    # Code-Point's Admin_ward_code is the ward code (empty where the file leaves it empty).
    assert got.set_index(s.POSTCODE)[s.WARD_CODE].fillna("").to_dict() == {
        "AB12 9ZZ": "",
        "M32 0TH": "E05015247",
        "WA14 2EN": "",
    }
    # The wanted postcode with no grid reference is noted with its row in the file, not placed.
    (note,) = [n for n in notes if "no grid reference" in n.text]
    assert note.text.startswith("1 postcodes") and list(note.rows) == [11_501]  # header = line 1


def test_filtering_keeps_the_same_rows_as_reading_everything(tmp_path):
    p = _codepoint_file(tmp_path, n_far=300)
    whole = read_postcodes(p)
    near = read_postcodes(p, near=NEAR_TRAFFORD)
    assert len(whole) > 200 and near[s.POSTCODE].tolist() == ["M32 0TH", "WA14 2EN"]
    assert whole[s.POSTCODE].is_unique
    expected = whole[whole[s.POSTCODE].isin(near[s.POSTCODE])].reset_index(drop=True)
    pd.testing.assert_frame_equal(near, expected)


def test_lat_lon_file_is_filtered_by_the_box_too(tmp_path):
    p = _write(
        tmp_path,
        "nspl.csv",
        "pcds,lat,long\nM32 9AF,53.45,-2.31\nAB10 1AB,57.15,-2.10\nM1 1AA,53.48,-2.24\nNOT1 OK,53.4,-2.3\n",
    )
    got = read_postcodes(p, near=NEAR_TRAFFORD)
    assert got[s.POSTCODE].tolist() == ["M32 9AF"]
    assert read_postcodes(p, keep={"M1 1AA"})[s.POSTCODE].tolist() == ["M1 1AA"]


def test_a_filter_that_keeps_nothing_gives_an_empty_table_not_an_error(tmp_path):
    p = _codepoint_file(tmp_path, n_far=50)
    got = read_postcodes(p, keep=["ZZ9 9ZZ"], near=(0.0, 51.0, 0.1, 51.1))
    assert got.empty and list(got.columns) == [s.POSTCODE, "lon", "lat", s.WARD_CODE]
    empty = _write(tmp_path, "empty.csv", "pcds,lat,long\n")
    with pytest.raises(InputError, match="no data rows"):
        read_postcodes(empty, near=NEAR_TRAFFORD)


def test_build_reads_the_box_5_km_beyond_the_wards_and_every_organisation_postcode():
    import geopandas as gpd
    from shapely.geometry import box

    from sector_map.build.postcodes import near_box, used_postcodes

    wards = gpd.GeoDataFrame(geometry=[box(-2.40, 53.40, -2.30, 53.45)], crs=s.PACK_CRS)
    x0, y0, x1, y1 = near_box(wards)
    edges = gpd.GeoSeries.from_xy([x0, -2.35, x1, -2.35], [53.425, y0, 53.425, y1], crs=s.PACK_CRS)
    km = edges.to_crs(s.METRE_CRS).distance(wards.to_crs(s.METRE_CRS).geometry.iloc[0]) / 1000
    assert km.round(1).tolist() == [5.0, 5.0, 5.0, 5.0]
    orgs = pd.DataFrame({s.POSTCODE: ["M32 9AF", None, "ab10 1ab"]})
    services = pd.DataFrame({s.POSTCODE: ["WA14 2EN"]})
    assert used_postcodes([(orgs, services), (orgs.iloc[:0], pd.DataFrame())]) == {
        "M32 9AF",
        "ab10 1ab",
        "WA14 2EN",
    }
