"""Approved directory listings laid over a pack (sector_map.directory.overlay), on the tiny pack."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from sector_map.analysis.provision import provision_table
from sector_map.analysis.service_reach import service_locations
from sector_map.analysis.tables import gap_table_for
from sector_map.demo.tiny import tiny_pack
from sector_map.directory import db
from sector_map.directory.overlay import STALE_WEIGHT, Listing, overlay, preview, stamp
from sector_map.directory.store import Store, months_before
from sector_map.pack import schema as s
from sector_map.pack.validate import validate_pack

TODAY = date(2026, 11, 30)
REVIEWED = date(2026, 11, 2)
# Points in the tiny pack's wards (four squares 0.01° wide from lon -2.30, lat 53.40 to 53.41).
ALPHA, GAMMA, DELTA = (-2.295, 53.405), (-2.275, 53.405), (-2.265, 53.405)


@pytest.fixture
def pack():
    pack = tiny_pack()
    pack.postcodes = pd.DataFrame(
        {s.POSTCODE: ["DM1 3GG", "DM1 4DD"], s.LON: [GAMMA[0], DELTA[0]], s.LAT: [GAMMA[1], DELTA[1]]}
    )
    return pack


def listing(**given) -> Listing:
    values = {
        "service_id": "svc-1",
        "name": "Pantry",
        "org_id": "org-1",
        "org_name": "Alpha Food Share",
        "themes": ("poverty_food",),
        "client_groups": ("families",),
        "delivery": {"mode": "sites", "sites": [{"postcode": "dm1 4dd", "reach_km": 0.3}]},
        "assured": REVIEWED,
        "charity_number": " 1000 001 ",
    }
    return Listing(**(values | given))


def rows_of(result, listing_id="svc-1"):
    services = result.pack.services
    return services[services[s.LISTING_ID] == listing_id]


def test_no_listings_leave_the_published_pack_itself(pack):
    assert overlay(pack, [], today=TODAY).pack is pack


def test_a_linked_organisation_s_listing_replaces_its_published_services(pack):
    result = overlay(pack, [listing()], today=TODAY)
    services = result.pack.services
    assert "Food bank" not in services[s.SERVICE_NAME].tolist()  # o1's published service
    assert rows_of(result)[s.ORG_ID].tolist() == ["o1"]  # linked by the charity number, spaces ignored
    assert "Carers drop-in" in services[s.SERVICE_NAME].tolist()  # another organisation's stays
    assert len(result.pack.organisations) == len(pack.organisations)
    assert (result.replacing, result.added, result.organisations_replaced) == (1, 0, 1)
    assert pack.services[s.SERVICE_NAME].tolist() == ["Food bank", "Carers drop-in"]  # not mutated
    assert s.PROVENANCE not in pack.services


def test_pack_org_id_links_before_the_charity_number(pack):
    result = overlay(pack, [listing(pack_org_id="o2", charity_number=None)], today=TODAY)
    assert rows_of(result)[s.ORG_ID].tolist() == ["o2"]
    assert "Carers drop-in" not in result.pack.services[s.SERVICE_NAME].tolist()


def test_an_unlinked_organisation_is_added_at_its_first_site_s_postcode(pack):
    result = overlay(pack, [listing(org_name="Delta Pantry", charity_number=None)], today=TODAY)
    orgs = result.pack.organisations.set_index(s.ORG_ID)
    new = orgs.loc["directory-org-1"]
    assert new[s.ORG_NAME] == "Delta Pantry"
    assert new[s.LOCATION_QUALITY] == s.LOCATION_CONTACT
    assert (new.geometry.x, new.geometry.y) == pytest.approx(DELTA)
    assert new[s.POSTCODE] == "DM1 4DD"
    assert "Food bank" in result.pack.services[s.SERVICE_NAME].tolist()  # nothing replaced
    assert (result.added, result.replacing) == (1, 0)
    # its site is at its organisation's point, and is still a site (not "contact address only")
    reach = service_locations(result.pack).set_index(s.LISTING_ID).loc["svc-1", s.REACH]
    assert reach == "site"
    validate_pack(result.pack)  # the overlaid pack still meets the contract


def test_sites_become_one_row_each_at_their_own_point_sharing_the_capacity(pack):
    sites = [{"latitude": ALPHA[1], "longitude": ALPHA[0], "reach_km": 0.5}, {"postcode": "DM1 4DD"}]
    result = overlay(pack, [listing(delivery={"mode": "sites", "sites": sites}, capacity="30")], today=TODAY)
    rows = rows_of(result)
    assert rows[s.AREA_TYPE].tolist() == [s.AREA_RADIUS, s.AREA_RADIUS]
    assert rows[[s.LON, s.LAT]].to_numpy().tolist() == [list(ALPHA), list(DELTA)]
    assert rows[s.RADIUS_KM].tolist()[0] == 0.5 and np.isnan(rows[s.RADIUS_KM].tolist()[1])
    assert rows[s.CAPACITY].tolist() == [15.0, 15.0]
    located = service_locations(result.pack).set_index(s.SERVICE_ID)
    assert set(located.loc[rows[s.SERVICE_ID], s.REACH]) == {"site"}


def test_listed_wards_radius_and_whole_area_delivery(pack):
    wards = listing(service_id="w", delivery={"mode": "wards", "wards": ["X05000004", "E05999999"]})
    radius = listing(service_id="r", delivery={"mode": "radius", "postcode": "DM1 3GG", "radius_km": 2.5})
    whole = listing(service_id="a", delivery={"mode": "whole_area"})
    result = overlay(pack, [wards, radius, whole], today=TODAY)
    by_id = result.pack.services.set_index(s.LISTING_ID)
    assert by_id.loc["w", s.AREA_TYPE] == s.AREA_WARDS_LIST
    assert by_id.loc["w", s.AREA_WARDS] == ["X05000004"]
    assert any("E05999999" in p for p in result.problems)
    assert (by_id.loc["r", s.AREA_TYPE], by_id.loc["r", s.RADIUS_KM]) == (s.AREA_RADIUS, 2.5)
    assert (by_id.loc["r", s.LON], by_id.loc["r", s.LAT]) == GAMMA
    assert by_id.loc["a", s.AREA_TYPE] == s.AREA_WHOLE


def test_an_unplaceable_site_is_reported_not_silently_dropped(pack):
    sites = [{"postcode": "ZZ9 9ZZ"}, {"postcode": "DM1 3GG"}]
    result = overlay(pack, [listing(delivery={"mode": "sites", "sites": sites})], today=TODAY)
    assert len(rows_of(result)) == 1
    assert [p for p in result.problems if "site 1" in p and "ZZ9 9ZZ" in p and "Pantry" in p]


def test_unknown_themes_and_client_groups_are_reported(pack):
    result = overlay(
        pack, [listing(themes=("poverty_food", "astrology"), client_groups=("pets",))], today=TODAY
    )
    assert rows_of(result)[s.THEMES].tolist() == [["poverty_food"]]
    assert any("astrology" in p for p in result.problems) and any("pets" in p for p in result.problems)


def test_provenance_of_listings_and_of_published_services(pack):
    result = overlay(pack, [listing()], today=TODAY)
    services = result.pack.services.set_index(s.SERVICE_NAME)
    assert services.loc["Pantry", s.PROVENANCE] == "described by the organisation, reviewed 2 Nov 2026"
    assert services.loc["Carers drop-in", s.PROVENANCE] == "test, 2026"  # source + the manifest's vintage


def test_a_stale_listing_counts_at_the_stale_weight(pack):
    current = overlay(pack, [listing(capacity="40")], today=TODAY)
    stale = overlay(pack, [listing(capacity="40", assured=months_before(TODAY, 13))], today=TODAY)
    assert stale.stale == 1 and current.stale == 0
    assert rows_of(stale)[s.SUPPLY_WEIGHT].tolist() == [STALE_WEIGHT]
    assert "stale" in rows_of(stale)[s.PROVENANCE].iloc[0]
    supply = service_locations(stale.pack).set_index(s.LISTING_ID).loc["svc-1", s.SUPPLY]
    assert supply == 40 * STALE_WEIGHT
    full = provision_table(current.pack, "poverty_food").table[s.ACCESS]
    half = provision_table(stale.pack, "poverty_food").table[s.ACCESS]
    assert full.loc["X05000004"] > 0
    assert half.to_numpy() == pytest.approx(full.to_numpy() * STALE_WEIGHT)


@pytest.mark.parametrize(
    "given", [{"assured": months_before(TODAY, 19)}, {"assured": None}, {"status": "temporarily closed"}]
)
def test_a_listing_out_of_provision_is_left_out_and_replaces_nothing(pack, given):
    result = overlay(pack, [listing(**given)], today=TODAY)
    assert result.out_of_provision == 1
    assert rows_of(result).empty
    assert "Food bank" in result.pack.services[s.SERVICE_NAME].tolist()


def test_published_services_keep_their_provision_under_the_overlay(pack):
    # an out-of-provision listing adds the columns but nothing else: provision is as published
    result = overlay(pack, [listing(assured=None)], today=TODAY)
    assert s.SUPPLY_WEIGHT in result.pack.services
    before = provision_table(pack, "poverty_food").table
    after = provision_table(result.pack, "poverty_food").table
    pd.testing.assert_frame_equal(before, after)


def test_the_reason_names_a_listing_with_its_provenance(pack):
    gamma = {"mode": "sites", "sites": [{"postcode": "DM1 3GG", "reach_km": 0.3}]}
    result = overlay(
        pack, [listing(charity_number=None, org_name="Gamma Pantry", delivery=gamma)], today=TODAY
    )
    table = gap_table_for(result.pack, ["poverty_food"]).table
    reason = table.loc["X05000003", s.REASON]
    assert "Pantry (described by the organisation, reviewed 2 Nov 2026)" in reason
    assert "Food bank (" not in table.loc["X05000001", s.REASON]  # published names stay bare


def test_preview_lists_the_wards_a_draft_changes(pack):
    approved = [
        listing(service_id="w", charity_number=None, delivery={"mode": "wards", "wards": ["X05000002"]})
    ]
    draft = [listing(service_id="new", charity_number=None, org_name="Delta Pantry")]
    changes = preview(pack, approved, draft, ["poverty_food"], today=TODAY)
    assert "X05000004" in changes.index
    row = changes.loc["X05000004"]
    assert row["provision_after"] > row["provision_before"] == 0
    assert "Delta Pantry" not in "".join(changes[s.REASON]) and "Pantry (" in row[s.REASON]
    assert not (
        (changes["class_before"] == changes["class_after"])
        & np.isclose(changes["provision_before"], changes["provision_after"])
    ).any()  # only wards that change


def test_preview_of_a_draft_replacing_its_approved_version(pack):
    approved = [
        listing(service_id="x", charity_number=None, delivery={"mode": "wards", "wards": ["X05000004"]})
    ]
    same = [listing(service_id="x", charity_number=None, delivery={"mode": "wards", "wards": ["X05000004"]})]
    assert preview(pack, approved, same, ["poverty_food"], today=TODAY).empty


def test_the_stamp_changes_with_each_approval_and_is_empty_without_listings(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'directory.sqlite'}")
    db.init(store.engine)
    assert stamp(store, TODAY) == ""
    store.create_user("officer@example.org", "officer")
    org = {"name": "Delta Pantry"}
    first = store.submit({"name": "Pantry"}, by="officer@example.org", organisation=org)
    store.approve(first.id, by="officer@example.org")
    one = stamp(store, TODAY)
    assert one.startswith("1@")
    second = store.submit({"name": "Club"}, by="officer@example.org", organisation=org)
    store.approve(second.id, by="officer@example.org")
    assert stamp(store, TODAY) not in ("", one)
    assert stamp(store, date(2026, 12, 1)) != stamp(store, TODAY)  # staleness moves with the date


def test_the_stamp_changes_when_a_stale_listing_is_confirmed(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'directory.sqlite'}")
    db.init(store.engine)
    store.create_user("officer@example.org", "officer")
    org = {"name": "Delta Pantry"}
    for name in ("Pantry", "Club"):
        revision = store.submit({"name": name}, by="officer@example.org", organisation=org)
        store.approve(revision.id, by="officer@example.org", today=months_before(TODAY, 13))
    stale = store.services()[0][0]
    before = stamp(store, TODAY)
    store.confirm(stale.id, by="officer@example.org", today=TODAY)  # only the date it was confirmed changes
    assert stamp(store, TODAY) != before


def test_the_ward_profile_and_partners_say_where_each_description_comes_from(pack):
    from sector_map.analysis.matching import offer_from_org
    from sector_map.analysis.partners import partners_and_overlap
    from sector_map.analysis.ward_profile import organisations

    beta = listing(
        pack_org_id="o2",
        charity_number=None,
        themes=("disability_carers",),
        delivery={"mode": "wards", "wards": ["X05000002", "X05000003"]},
    )
    result = overlay(pack, [beta], today=TODAY)
    table = organisations(result.pack, "X05000002").set_index(s.ORG_ID)
    assert table.loc["o2", s.HEADER_WHY].endswith("; described by the organisation, reviewed 2 Nov 2026")
    assert table.loc["o1", s.HEADER_WHY].endswith("; test, 2026")
    plain = organisations(pack, "X05000002").set_index(s.ORG_ID)  # the published pack: as before
    assert not plain[s.HEADER_WHY].str.contains("2026").any()
    partners, _ = partners_and_overlap(result.pack, offer_from_org(result.pack, "o1"))
    why = partners.set_index(s.ORG_ID).loc["o2", s.WHY]
    assert why.endswith("; described by the organisation, reviewed 2 Nov 2026")


def test_a_new_organisation_with_only_map_points_is_placed_at_its_first_site(pack):
    sites = [{"postcode": "ZZ9 9ZZ"}, {"latitude": GAMMA[1], "longitude": GAMMA[0]}]
    result = overlay(
        pack, [listing(charity_number=None, delivery={"mode": "sites", "sites": sites})], today=TODAY
    )
    new = result.pack.organisations.set_index(s.ORG_ID).loc["directory-org-1"]
    assert (new.geometry.x, new.geometry.y) == pytest.approx(GAMMA)
    assert new[s.POSTCODE] is None


def test_a_new_organisation_with_no_place_is_area_only(pack):
    result = overlay(pack, [listing(charity_number=None, delivery={"mode": "whole_area"})], today=TODAY)
    new = result.pack.organisations.set_index(s.ORG_ID).loc["directory-org-1"]
    assert new[s.LOCATION_QUALITY] == s.LOCATION_AREA_ONLY and new.geometry.is_empty
    validate_pack(result.pack)
