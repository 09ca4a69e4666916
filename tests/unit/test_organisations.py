"""Merging organisations across sources, placing them, and the counts reported."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from sector_map.importers import records as r
from sector_map.importers.organisations import combine, normalise_company_number, normalise_name
from sector_map.importers.tables import Notes
from sector_map.pack import schema as s

W1 = (-2.295, 53.405)  # centre of ward W1
W2 = (-2.285, 53.405)  # centre of ward W2


@pytest.fixture
def wards():
    return gpd.GeoDataFrame(
        {s.WARD_CODE: ["W1", "W2"], s.WARD_NAME: ["One", "Two"]},
        geometry=[box(-2.30, 53.40, -2.29, 53.41), box(-2.29, 53.40, -2.28, 53.41)],
        crs=s.PACK_CRS,
    )


@pytest.fixture
def postcodes():
    return pd.DataFrame(
        {
            s.POSTCODE: ["AA1 1AA", "AA1 1AB", "AA9 9ZZ", "AA1 1AC"],
            "lon": [W1[0], W2[0], -3.0, -2.3001],
            "lat": [W1[1], W2[1], 54.0, 53.405],
            s.WARD_CODE: ["W1", "W2", pd.NA, "W1"],  # AA1 1AC: just over the generalised edge
        }
    )


def _raws():
    ccew = r.raw_org_frame(
        [
            dict(
                org_id="ccew-123",
                name="Alpha Food Share",
                charity_number="123",
                postcode="aa11aa",
                income=50_000.0,
                themes=["poverty_food"],
                themes_reason="activities mention 'food bank'",
                grants_total=100.0,
            ),
            dict(org_id="ccew-456", name="Beta Trust", charity_number="456", postcode="AA9 9ZZ"),
            dict(org_id="ccew-789", name="Gamma Group", charity_number="789", postcode="ZZ1 1ZZ"),
            dict(org_id="ccew-111", name="Delta", charity_number="111"),
            dict(org_id="ccew-222", name="Same Name", charity_number="222", postcode="AA1 1AB"),
            dict(org_id="ccew-333", name="Same Name", charity_number="333", postcode="AA1 1AB"),
            dict(org_id="ccew-444", name="Border", charity_number="444", postcode="AA1 1AC"),
            dict(org_id="ccew-555", name="Zeta Ltd", charity_number="555", company_number="00738693"),
        ]
    )
    ccew[r.LOCATION_HINT] = s.LOCATION_CONTACT
    ccew[s.SOURCE] = "CCEW"
    ccew_sv = r.raw_service_frame(
        [
            dict(
                service_id="ccew-123-activities",
                org_id="ccew-123",
                name="Alpha",
                themes=["poverty_food"],
                area_type=s.AREA_WHOLE,
            )
        ]
    )
    food = r.raw_org_frame(
        [
            dict(
                org_id="fb-2",
                name="Alpha Food Share Ltd",
                charity_number="0123-1",
                website="alpha.org",
                themes=["older_people", "poverty_food"],
                grants_total=50.0,
                lon=W2[0],
                lat=W2[1],
                themes_reason="every row gets it; every row gets it too",
            ),
            dict(org_id="fb-3", name="The Epsilon Club", postcode="AA1 1AB", themes=["community_cohesion"]),
        ]
    )
    food[r.LOCATION_HINT] = s.LOCATION_SITE
    food[s.SOURCE] = "food_banks.csv"
    food_sv = r.raw_service_frame(
        [
            dict(
                service_id="fb-2-service",
                org_id="fb-2",
                name="Alpha",
                themes=["poverty_food"],
                area_type=s.AREA_RADIUS,
                radius_km=1.5,
                lon=-2.281,
                lat=53.401,
            ),
            dict(
                service_id="fb-3-service",
                org_id="fb-3",
                name="Epsilon",
                themes=["community_cohesion"],
                area_type=s.AREA_RADIUS,
                radius_km=1.5,
            ),
            dict(service_id="x", org_id="nobody", name="Lost", themes=[], area_type=s.AREA_WHOLE),
        ]
    )
    grants = r.raw_org_frame(
        [
            dict(org_id="g-1", name="EPSILON CLUB", postcode="aa1 1ab", grants_total=10.0),
            dict(org_id="g-2", name="Zeta", company_number="738693", grants_total=20.0),
        ]
    )
    grants[s.SOURCE] = "grants"
    return [(ccew, ccew_sv), (food, food_sv), (grants, r.raw_service_frame())]


def test_normalisers():
    assert normalise_name(pd.Series(["The Epsilon Club", "EPSILON CLUB LTD", "A & B Trust"])).tolist() == [
        "epsilon club",
        "epsilon club",
        "a and b trust",
    ]
    assert normalise_company_number(pd.Series(["738693", "oc 301234"])).tolist() == ["00738693", "OC301234"]


def test_combine_merges_places_and_counts(postcodes, wards):
    notes = Notes()
    orgs, services, stats = combine(_raws(), postcodes=postcodes, wards=wards, notes=notes)
    assert stats == {
        "organisations": 9,
        "from_sources": {"CCEW": 8, "food_banks.csv": 2, "grants": 2},
        "merged": 3,
        "located": {
            s.LOCATION_SITE: 2,
            s.LOCATION_CONTACT: 3,
            s.LOCATION_SITE_OUTSIDE: 0,
            s.LOCATION_CONTACT_OUTSIDE: 1,
            s.LOCATION_AREA_ONLY: 3,
        },
        "postcode_not_found": 1,
        "outside_area": 1,
        "services": 3,
    }
    assert isinstance(orgs, gpd.GeoDataFrame) and orgs.crs == s.PACK_CRS
    assert list(orgs.columns[: len(s.ORGANISATION_COLUMNS)]) == s.ORGANISATION_COLUMNS
    assert not {r.LON, r.LAT, r.LOCATION_HINT, r.FUNDERS} & set(orgs.columns)
    assert {r.COMPANY_NUMBER, r.THEMES_REASON, r.GRANTS_TOTAL} <= set(orgs.columns)
    assert orgs[s.ORG_ID].is_unique
    o = orgs.set_index(s.ORG_ID)

    alpha = o.loc["ccew-123"]  # CCEW row + food bank row, by charity number
    assert alpha[s.ORG_NAME] == "Alpha Food Share" and alpha[s.WEBSITE] == "alpha.org"
    assert alpha[s.THEMES] == ["older_people", "poverty_food"]
    assert alpha[r.THEMES_REASON] == "every row gets it; activities mention 'food bank'"
    assert alpha[s.SOURCE] == "CCEW; food_banks.csv" and alpha[r.GRANTS_TOTAL] == 150.0
    assert alpha[s.LOCATION_QUALITY] == s.LOCATION_SITE  # the file's point wins over the postcode
    assert (alpha.geometry.x, alpha.geometry.y) == pytest.approx(W2)
    assert alpha[s.SIZE_BAND] == "small" and alpha[s.POSTCODE] == "AA1 1AA"

    eps = o.loc["fb-3"]  # by name and postcode
    assert eps[s.SOURCE] == "food_banks.csv; grants" and eps[r.GRANTS_TOTAL] == 10.0
    assert eps[s.LOCATION_QUALITY] == s.LOCATION_SITE and (eps.geometry.x, eps.geometry.y) == pytest.approx(
        W2
    )
    zeta = o.loc["ccew-555"]  # by company number
    assert zeta[s.SOURCE] == "CCEW; grants" and zeta[r.GRANTS_TOTAL] == 20.0

    assert "ccew-222" in o.index and "ccew-333" in o.index  # same name+postcode, different charities
    assert o.loc["ccew-222", s.LOCATION_QUALITY] == s.LOCATION_CONTACT
    assert o.loc["ccew-444", s.LOCATION_QUALITY] == s.LOCATION_CONTACT  # border postcode kept inside
    beta = o.loc["ccew-456"]  # its contact postcode lies outside every ward: the point is kept
    assert beta[s.LOCATION_QUALITY] == s.LOCATION_CONTACT_OUTSIDE
    assert (beta.geometry.x, beta.geometry.y) == (-3.0, 54.0)
    for oid in ["ccew-789", "ccew-111", "ccew-555"]:
        assert o.loc[oid, s.LOCATION_QUALITY] == s.LOCATION_AREA_ONLY and o.loc[oid].geometry.is_empty
    assert o.loc["ccew-111", s.SIZE_BAND] == s.SIZE_BAND_UNKNOWN

    assert list(services.columns) == [*s.SERVICE_COLUMNS, "lon", "lat"]
    sv = services.set_index(s.SERVICE_ID)
    assert sv.loc["fb-2-service", s.ORG_ID] == "ccew-123"  # remapped to the surviving org
    assert (sv.loc["fb-2-service", "lon"], sv.loc["fb-2-service", "lat"]) == (-2.281, 53.401)  # its own place
    assert (sv.loc["fb-3-service", "lon"], sv.loc["fb-3-service", "lat"]) == pytest.approx(W2)  # its org's
    assert not pd.isna(sv.loc["ccew-123-activities", "lon"])  # org located, so it gets the point
    texts = " | ".join(n.text for n in notes)
    assert "3 rows were the same organisation" in texts
    assert "1 pairs of rows with the same name and postcode" in texts
    assert "1 postcodes are not in the postcode file" in texts and "ZZ1 1ZZ" in texts
    assert "1 organisations have a point outside every ward (1 contact address)" in texts
    assert "1 services belong to no imported organisation" in texts


def test_without_postcode_table_everything_without_coordinates_is_area_only(wards):
    notes = Notes()
    orgs, _, stats = combine(_raws(), postcodes=None, wards=wards, notes=notes)
    assert stats["located"] == {
        s.LOCATION_SITE: 1,
        s.LOCATION_CONTACT: 0,
        s.LOCATION_SITE_OUTSIDE: 0,
        s.LOCATION_CONTACT_OUTSIDE: 0,
        s.LOCATION_AREA_ONLY: 8,
    }
    assert len(orgs) == 9 and any("no postcode file was given" in n.text for n in notes)


def test_merge_is_not_order_dependent_in_count(postcodes, wards):
    raws = _raws()
    _, _, a = combine(raws, postcodes=postcodes, wards=wards)
    _, _, b = combine(raws[::-1], postcodes=postcodes, wards=wards)
    assert a["organisations"] == b["organisations"] == 9


def test_a_site_postcode_wins_over_a_contact_postcode_when_merged(postcodes, wards):
    contact = r.raw_org_frame([dict(org_id="c-1", name="Hub", charity_number="9", postcode="AA1 1AA")])
    contact[r.LOCATION_HINT], contact[s.SOURCE] = s.LOCATION_CONTACT, "CCEW"
    site = r.raw_org_frame([dict(org_id="h-2", name="Hub Site", charity_number="9", postcode="AA1 1AB")])
    site[r.LOCATION_HINT], site[s.SOURCE] = s.LOCATION_SITE, "hubs.csv"
    orgs, _, stats = combine([(contact, None), (site, None)], postcodes=postcodes, wards=wards)
    assert (
        stats["merged"] == 1 and orgs[s.ORG_ID].tolist() == ["c-1"] and orgs[s.ORG_NAME].tolist() == ["Hub"]
    )
    assert orgs[s.POSTCODE].tolist() == ["AA1 1AB"] and orgs[s.LOCATION_QUALITY].tolist() == [s.LOCATION_SITE]
    assert (orgs.geometry.x[0], orgs.geometry.y[0]) == pytest.approx(W2)
