"""The Our listing page's rules (sector_map/directory/listing_form.py): form input into service fields,
sites checked against the area, deliveries in words, comparisons, and the pack's organisations."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from sector_map.directory import listing_form
from sector_map.directory.models import SERVICE_FIELDS
from sector_map.directory.store import check_service
from sector_map.pack import schema as s

POSTCODES = pd.DataFrame({s.POSTCODE: ["DM2 2HS", "DM9 1UP"], s.LON: [1.72, 1.69], s.LAT: [54.55, 54.48]})
WARDS = gpd.GeoDataFrame(
    {s.WARD_CODE: ["X1", "X2"], s.WARD_NAME: ["Ashby", "Brook"]},
    geometry=[box(1.6, 54.4, 1.7, 54.6), box(1.7, 54.4, 1.8, 54.6)],
    crs="EPSG:4326",
)


def _form(**given: object) -> dict[str, object]:
    return {"name": "Food pantry", "status": "active", "themes": ["poverty_food"], **given}


def test_a_site_form_becomes_the_stores_sites_delivery() -> None:
    draft = listing_form.service_from_form(
        _form(
            mode="sites", sites=[{"place": "dm2 2hs", "reach_km": 2}, {"place": "54.5, 1.75", "reach_km": 1}]
        ),
        postcodes=POSTCODES,
        wards=WARDS,
    )
    assert draft.problems == [] and draft.notes == []
    assert draft.fields["delivery"] == {
        "mode": "sites",
        "sites": [
            {"postcode": "DM2 2HS", "latitude": None, "longitude": None, "reach_km": 2.0},
            {"postcode": None, "latitude": 54.5, "longitude": 1.75, "reach_km": 1.0},
        ],
    }
    assert [(p.latitude, p.longitude) for p in draft.places] == [(54.55, 1.72), (54.5, 1.75)]
    assert list(draft.fields) == list(SERVICE_FIELDS)
    assert check_service(draft.fields) == draft.fields  # the store takes what the form makes


def test_a_postcode_outside_the_area_and_a_point_outside_the_wards_are_said_plainly() -> None:
    draft = listing_form.service_from_form(
        _form(
            mode="sites", sites=[{"place": "M31 4FL", "reach_km": 1}, {"place": "53.4, -2.4", "reach_km": 1}]
        ),
        postcodes=POSTCODES,
        wards=WARDS,
    )
    assert len(draft.problems) == 1
    assert draft.problems[0].startswith("site 1: M31 4FL is not one of the postcodes of this area")
    assert draft.notes == ["site 2: the map point 53.4, -2.4 is outside the area's wards"]
    nonsense = listing_form.check_place("not a place", postcodes=POSTCODES)
    assert "neither a UK postcode nor a map point" in nonsense.problem
    assert (
        "not a latitude, longitude in the UK" in listing_form.check_place("10, 100", postcodes=None).problem
    )
    unchecked = listing_form.check_place("M31 4FL", postcodes=None)
    assert (unchecked.postcode, unchecked.problem) == ("M31 4FL", "")
    assert "no postcode list" in unchecked.note


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ({"name": "  "}, "give the service a name"),
        ({"url": "example.org"}, "must start with http"),
        ({"email": "nobody"}, "not an e-mail address"),
        ({"themes": ["poverty_food", "bingo"]}, "unknown themes: bingo"),
        ({"status": "closed"}, "status must be one of"),
        ({"mode": "sites", "sites": []}, "at least one site"),
        ({"mode": "sites", "sites": [{"place": "DM2 2HS", "reach_km": 0}]}, "reach must be more than 0"),
        ({"mode": "wards", "wards": []}, "at least one ward"),
        ({"mode": "wards", "wards": ["X1", "E05000001"]}, "not wards of this area: E05000001"),
        ({"mode": "radius", "radius_postcode": "DM2 2HS", "radius_km": "far"}, "radius must be a number"),
        (
            {"mode": "radius", "radius_postcode": "54.5, 1.75", "radius_km": 3},
            "centre of a radius is a postcode",
        ),
    ],
)
def test_what_stops_a_submission_is_named(given: dict[str, object], problem: str) -> None:
    draft = listing_form.service_from_form(_form(**given), postcodes=POSTCODES, wards=WARDS)
    assert any(problem in p for p in draft.problems), draft.problems


def test_wards_radius_and_whole_area_deliveries() -> None:
    wards = listing_form.service_from_form(_form(mode="wards", wards=["X2", "X1", "X2"]), wards=WARDS)
    assert (wards.problems, wards.fields["delivery"]) == ([], {"mode": "wards", "wards": ["X2", "X1"]})
    radius = listing_form.service_from_form(
        _form(mode="radius", radius_postcode="dm9 1up", radius_km=4), postcodes=POSTCODES
    )
    assert radius.fields["delivery"] == {"mode": "radius", "postcode": "DM9 1UP", "radius_km": 4.0}
    assert listing_form.service_from_form(_form(mode="whole_area")).fields["delivery"] == {
        "mode": "whole_area"
    }


def test_a_listed_service_loads_into_the_form_and_back_unchanged() -> None:
    fields = listing_form.service_from_form(
        _form(
            description="Weekly food parcels",
            client_groups=["families"],
            url="https://pantry.example/food",
            mode="sites",
            sites=[{"place": "DM2 2HS", "reach_km": 1.5}, {"place": "54.5, 1.75", "reach_km": 3}],
        ),
        postcodes=POSTCODES,
        wards=WARDS,
    ).fields
    again = listing_form.service_from_form(
        listing_form.form_from_service(fields), postcodes=POSTCODES, wards=WARDS
    )
    assert again.problems == [] and again.fields == fields


def test_only_changed_fields_are_proposed() -> None:
    listed = {
        "name": "Pantry",
        "capacity": "20",
        "themes": ["poverty_food", "not_a_theme"],
        "delivery": {"mode": "sites", "sites": [{"postcode": "DM2 2HS", "reach_km": 2}]},
    }
    form = listing_form.form_from_service(listed)
    untouched = listing_form.service_from_form(form, postcodes=POSTCODES, wards=WARDS).fields
    assert listing_form.changed_fields(listed, untouched, postcodes=POSTCODES, wards=WARDS) == {}
    form["capacity"] = "40"
    form["sites"][0]["reach_km"] = 3
    edited = listing_form.service_from_form(form, postcodes=POSTCODES, wards=WARDS).fields
    assert listing_form.changed_fields(listed, edited, postcodes=POSTCODES, wards=WARDS) == {
        "capacity": "40",
        "delivery": {
            "mode": "sites",
            "sites": [{"postcode": "DM2 2HS", "latitude": None, "longitude": None, "reach_km": 3.0}],
        },
    }


def test_deliveries_in_words_name_wards_and_sites() -> None:
    names = dict(zip(WARDS[s.WARD_CODE], WARDS[s.WARD_NAME], strict=True))
    assert (
        listing_form.describe_delivery({"mode": "wards", "wards": ["X1", "X2"]}, names)
        == "In 2 wards: Ashby and Brook"
    )
    two_sites = {
        "mode": "sites",
        "sites": [
            {"postcode": "DM2 2HS", "reach_km": 2},
            {"latitude": 54.5, "longitude": 1.75, "reach_km": 1},
        ],
    }
    assert (
        listing_form.describe_delivery(two_sites)
        == "At 2 sites: DM2 2HS (reaching 2 km) and 54.50000, 1.75000 (reaching 1 km)"
    )
    assert listing_form.describe_delivery(None) == "Across the whole area"


def test_compare_shows_only_the_fields_that_differ() -> None:
    approved = {
        "name": "Pantry",
        "capacity": "20",
        "themes": ["poverty_food"],
        "delivery": {"mode": "whole_area"},
    }
    yours = {**approved, "capacity": "40", "themes": ["poverty_food", "older_people"]}
    table = listing_form.compare(approved, yours)
    assert table.to_dict("records") == [
        {
            "Field": "Themes",
            "Approved now": "Poverty, food and money advice",
            "Yours": "Poverty, food and money advice, Older people",
        },
        {"Field": "Capacity", "Approved now": "20", "Yours": "40"},
    ]
    assert listing_form.compare({"phone": ""}, {"phone": "0161 000 0000"}).to_dict("records") == [
        {"Field": "Phone", "Approved now": "(empty)", "Yours": "0161 000 0000"}
    ]
    since = listing_form.compare({**approved, "capacity": "30"}, {"capacity": "40"}, opened=approved)
    assert since.to_dict("records") == [
        {"Field": "Capacity", "When you opened it": "20", "Approved now": "30", "Yours": "40"}
    ]
    waiting = listing_form.compare(approved, approved, waiting={"name": "Pantry (Tuesdays)"})
    assert waiting.to_dict("records") == [
        {
            "Field": "Name",
            "Approved now": "Pantry",
            "Waiting for review": "Pantry (Tuesdays)",
            "Yours": "Pantry",
        }
    ]


def test_pack_organisations_are_found_by_name_number_or_postcode() -> None:
    orgs = pd.DataFrame(
        {
            s.ORG_ID: ["O1", "O2", "O3"],
            s.ORG_NAME: ["Thistleby Pantry", "Ashby Choir", "pantry plus"],
            s.CHARITY_NUMBER: ["1234567", None, "7654321"],
            s.POSTCODE: ["DM2 2HS", "DM9 1UP", None],
            s.WEBSITE: [None, "https://choir.example", None],
        }
    )
    assert list(listing_form.search_organisations(orgs, "PANTRY")[s.ORG_ID]) == ["O3", "O1"]
    assert list(listing_form.search_organisations(orgs, "7654321")[s.ORG_ID]) == ["O3"]
    assert list(listing_form.search_organisations(orgs, "dm91up")[s.ORG_ID]) == ["O2"]
    assert listing_form.search_organisations(orgs, " ").empty
    assert listing_form.pack_organisation_fields(orgs.iloc[1].to_dict()) == {
        "pack_org_id": "O2",
        "name": "Ashby Choir",
        "charity_number": None,
        "url": "https://choir.example",
    }


def test_published_services_say_their_source() -> None:
    services = pd.DataFrame(
        {
            s.SERVICE_ID: ["S1", "S2"],
            s.ORG_ID: ["O1", "O2"],
            s.SERVICE_NAME: ["Food bank", "Choir"],
            s.THEMES: [["poverty_food"], []],
            s.AREA_TYPE: [s.AREA_RADIUS, s.AREA_WHOLE],
            s.AREA_WARDS: [[], []],
            s.RADIUS_KM: [2.0, None],
            s.SOURCE: ["Charity Commission register", "demo"],
        }
    )
    assert listing_form.published_services(services, "O1").to_dict("records") == [
        {
            "Service": "Food bank",
            "Themes": "Poverty, food and money advice",
            "How it is delivered": "Within 2 km of the organisation",
            "Published by": "published: Charity Commission register",
        }
    ]
    assert listing_form.published_services(services, None).empty
