"""The national-scale fixture's generator on the tiny pack and a hand-made postcode file."""

from __future__ import annotations

import pandas as pd
import pytest

from sector_map.demo.scale import read_postcode_points, scale_pack
from sector_map.pack import schema as s
from sector_map.pack.io import validate_pack

HEADER = "Postcode,Positional_quality_indicator,Eastings,Northings,Country_code,NHS_regional_HA_code,"
HEADER += "NHS_HA_code,Admin_county_code,Admin_district_code,Admin_ward_code\n"


def test_read_postcode_points_keeps_english_rows_with_a_grid_reference(tmp_path):
    path = tmp_path / "cpo.csv"
    path.write_text(
        HEADER
        + '"M1 1AA",10,384000,398000,"E92000001","","","","E08000003",""\n'
        + '"EH1 1AA",10,325000,673000,"S92000003","","","","S12000036",""\n'
        + '"M99 9ZZ",90,0,0,"E92000001","","","","",""\n'
        + '"CF10 1AA",10,318000,176000,"W92000004","","","","W06000015",""\n',
        encoding="utf-8",
    )
    table = read_postcode_points(path)
    assert table.to_dict("records") == [{"postcode": "M1 1AA", "x": 384000.0, "y": 398000.0}]


def _postcodes(pack) -> pd.DataFrame:
    """One postcode in the first ward, three in the last, and one in the sea (no ward)."""
    inner = pack.wards.to_crs(s.METRE_CRS).representative_point()
    first, last = inner.iloc[0], inner.iloc[-1]
    return pd.DataFrame(
        {
            s.POSTCODE: ["A1 1AA", "B1 1AA", "B1 1AB", "B1 1AD", "Z9 9ZZ"],
            "x": [first.x, last.x, last.x + 1, last.x - 1, 0.0],
            "y": [first.y, last.y, last.y, last.y, 0.0],
        }
    )


def test_scale_pack_is_valid_and_the_same_for_the_same_seed(tiny_pack):
    one = scale_pack(tiny_pack, _postcodes(tiny_pack), organisations=400, seed=5)
    two = scale_pack(tiny_pack, _postcodes(tiny_pack), organisations=400, seed=5)
    validate_pack(one)  # raises PackError on any error
    pd.testing.assert_frame_equal(one.organisations, two.organisations)
    pd.testing.assert_frame_equal(one.services, two.services)
    assert one.is_demo and len(one.organisations) == 400
    assert one.wards is tiny_pack.wards


def test_organisations_sit_where_postcodes_are_dense(tiny_pack):
    pack = scale_pack(tiny_pack, _postcodes(tiny_pack), organisations=400, seed=5)
    area = pack.organisations[s.POSTCODE].str[:2].value_counts()
    assert "Z9" not in area.index  # the postcode in no ward is never used
    assert 2 < area["B1"] / area["A1"] < 4.5  # three postcodes against one


def test_scale_pack_refuses_postcodes_outside_every_ward(tiny_pack):
    sea = pd.DataFrame({s.POSTCODE: ["Z9 9ZZ"], "x": [0.0], "y": [0.0]})
    with pytest.raises(ValueError, match="inside the base pack's wards"):
        scale_pack(tiny_pack, sea, organisations=3, seed=1)
