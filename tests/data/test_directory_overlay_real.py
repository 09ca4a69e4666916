"""The live directory over Trafford today (recipes/trafford.toml, ../shared/data): a Trafford charity's
approved listing delivered at a site in Partington changes Bucklow-St Martins' provision and gap class."""

from __future__ import annotations

from datetime import date

import pytest
import shapely

from sector_map.analysis import gaps
from sector_map.analysis.tables import gap_table_for
from sector_map.directory.overlay import Listing, overlay
from sector_map.pack import schema as s
from sector_map.pack.io import load_pack

pytestmark = pytest.mark.data

BUCKLOW = "E05015244"  # Bucklow-St Martins, which holds Partington
THEME = "children_young_people"
TODAY = date(2026, 11, 30)
NAME = "Partington youth club"


@pytest.fixture(scope="module")
def trafford(trafford_current_dir):
    return load_pack(trafford_current_dir)


def _postcodes_in(pack, ward_code: str, prefix: str = ""):
    ward = pack.wards.set_index(s.WARD_CODE).geometry.loc[ward_code]
    pcs = pack.postcodes[pack.postcodes[s.POSTCODE].str.startswith(prefix)]
    return pcs[shapely.contains_xy(ward, pcs[s.LON], pcs[s.LAT])][s.POSTCODE].tolist()


def test_a_charity_s_site_in_partington_changes_bucklow_st_martins(trafford):
    assert trafford.wards.set_index(s.WARD_CODE).loc[BUCKLOW, s.WARD_NAME] == "Bucklow-St Martins"
    partington = _postcodes_in(trafford, BUCKLOW, "M31 4")
    assert partington, "no M31 4.. postcode inside Bucklow-St Martins"
    # a second site at the other end of the borough: two located services let wards be compared
    pcs = trafford.postcodes
    east = str(pcs[s.POSTCODE].iloc[int(pcs[s.LON].astype(float).to_numpy().argmax())])
    orgs = trafford.organisations
    charity = orgs[orgs[s.CHARITY_NUMBER].notna()].iloc[0]
    published = trafford.services[trafford.services[s.ORG_ID] == charity[s.ORG_ID]][s.SERVICE_NAME].tolist()
    assert published

    before = gap_table_for(trafford, [THEME]).table.loc[BUCKLOW]
    assert before[s.GAP_CLASS] == gaps.PROVISION_UNKNOWN and before[s.PROVISION] == 0

    listing = Listing(
        service_id="svc-partington",
        name=NAME,
        org_id="org-1",
        org_name=str(charity[s.ORG_NAME]),
        themes=(THEME,),
        client_groups=("young people",),
        delivery={
            "mode": "sites",
            "sites": [{"postcode": partington[0], "reach_km": 1.0}, {"postcode": east, "reach_km": 1.0}],
        },
        charity_number=f" {charity[s.CHARITY_NUMBER]} ",
        assured=date(2026, 11, 2),
    )
    result = overlay(trafford, [listing], today=TODAY)
    assert (result.replacing, result.added, result.problems) == (1, 0, [])
    names = result.pack.services[result.pack.services[s.ORG_ID] == charity[s.ORG_ID]][s.SERVICE_NAME]
    assert set(names) == {NAME}  # the register's record of the charity is replaced by its own

    after = gap_table_for(result.pack, [THEME]).table.loc[BUCKLOW]
    assert after[s.PROVISION] > 0
    assert after[s.GAP_CLASS] in gaps.CLASS_ORDER and after[s.GAP_CLASS] != before[s.GAP_CLASS]
    assert after[s.GAP_CLASS].startswith("high need")
    assert f"{NAME} (described by the organisation, reviewed 2 Nov 2026)" in after[s.REASON]
    # the published pack is as it was
    assert gap_table_for(trafford, [THEME]).table.loc[BUCKLOW, s.GAP_CLASS] == gaps.PROVISION_UNKNOWN
