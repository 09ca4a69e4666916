"""Postcode normalisation, postcode directory reading (ONSPD/NSPL, Trafford, BNG) and lookup."""

from __future__ import annotations

import pandas as pd
import pytest

from sector_map import schema as s
from sector_map.importers.postcodes import bng_to_wgs84, geocode, normalise_postcode, read_postcodes
from sector_map.importers.tables import InputError, Notes


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
