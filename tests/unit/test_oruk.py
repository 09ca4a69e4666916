"""Open Referral UK importer: nested services, wrappers, HSDS tables, reach, themes, bad files."""

from __future__ import annotations

import copy
import gzip
import json

import numpy as np
import pandas as pd
import pytest

from sector_map.importers import records as r
from sector_map.importers.oruk import DEFAULT_RADIUS_KM, read_oruk, terms_to_themes
from sector_map.importers.tables import InputError, Notes
from sector_map.pack import schema as s

HALE = {
    "id": "org-1",
    "name": "Hale Community Trust",
    "description": "Food and advice for people in Hale.",
    "url": "https://halecommunity.example",
    "email": "hello@halecommunity.example",
}
CARERS = {"id": "org-2", "name": "Trafford Carers Network", "description": "Support for unpaid carers."}


def _location(loc_id, lat, lon, postcode):
    return {
        "id": f"sal-{loc_id}",
        "location": {
            "id": loc_id,
            "name": "Venue",
            "latitude": lat,
            "longitude": lon,
            "physical_addresses": [{"address_1": "1 High St", "city": "Altrincham", "postal_code": postcode}],
        },
    }


def _taxonomy(*names):
    return [
        {"id": f"st-{n}", "taxonomy": {"id": n, "name": n, "vocabulary": "esdServiceTypes"}} for n in names
    ]


SERVICES = [
    {
        "id": "svc-1",
        "name": "Hale Food Bank",
        "description": "Emergency food parcels every Tuesday.",
        "url": "https://halecommunity.example/food",
        "status": "active",
        "organization": HALE,
        "service_at_locations": [_location("loc-1", "53.3781", "-2.3470", "wa15 9aa")],
        "service_areas": [{"id": "sa-1", "service_area": "Hale", "extent": "2 km", "uri": None}],
        "service_taxonomys": _taxonomy("Food banks", "Debt & money advice"),
        "eligibilitys": [{"id": "el-1", "eligibility": "Families", "minimum_age": None, "maximum_age": None}],
        "regular_schedules": [{"byday": "TU", "opens_at": "10:00", "closes_at": "12:00"}],
        "cost_options": [],
    },
    {
        "id": "svc-2",
        "name": "Hale Lunch Club",
        "description": "A hot lunch and company for older people.",
        "status": "active",
        "organization": HALE,
        "service_at_locations": [_location("loc-2", 53.38, -2.35, "WA15 8BB")],
        "service_areas": [],
        "service_taxonomys": [],
        "eligibilitys": [{"id": "el-2", "eligibility": "adult", "minimum_age": 60, "maximum_age": None}],
    },
    {
        "id": "svc-3",
        "name": "Carers Support Line",
        "description": "Phone support for carers across the borough.",
        "status": "active",
        "organization": CARERS,
        "service_at_locations": [],
        "service_areas": [
            {
                "service_area": "Bucklow-St Martins",
                "uri": "http://statistics.data.gov.uk/id/statistical-geography/E05000821",
            },
            {
                "service_area": "Gorse Hill",
                "uri": "http://statistics.data.gov.uk/id/statistical-geography/E05000825",
            },
        ],
        "service_taxonomys": _taxonomy("Carers"),
    },
]


def _write(tmp_path, data, name="services.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def imported(tmp_path):
    notes = Notes()
    orgs, services = read_oruk(_write(tmp_path, SERVICES), notes=notes)
    return orgs.set_index(s.ORG_ID), services.set_index(s.SERVICE_ID), notes


def test_organisations_from_nested_services(imported):
    orgs, _, notes = imported
    assert list(orgs.index) == ["oruk-org-1", "oruk-org-2"]
    hale = orgs.loc["oruk-org-1"]
    assert hale[s.ORG_NAME] == "Hale Community Trust"
    assert hale[s.WEBSITE] == "https://halecommunity.example"
    assert hale[r.EMAIL] == "hello@halecommunity.example"
    assert hale[r.ACTIVITIES] == "Food and advice for people in Hale."
    # No address of its own: takes its first service's location, as a site.
    assert hale[s.POSTCODE] == "WA15 9AA"
    assert (hale[r.LON], hale[r.LAT]) == (-2.347, 53.3781)
    assert hale[r.LOCATION_HINT] == s.LOCATION_SITE
    # The union of its services' themes, each with the first service's reason, in theme order.
    assert hale[s.THEMES][:2] == ["older_people", "poverty_food"]
    reasons = hale[r.THEMES_REASON].split("; ")
    assert reasons[1] == "service 'Hale Food Bank': ORUK taxonomy term 'Food banks'"
    assert reasons[0].startswith("service 'Hale Lunch Club': ")
    carers = orgs.loc["oruk-org-2"]
    assert pd.isna(carers[s.POSTCODE]) and np.isnan(carers[r.LON])
    assert carers[s.SOURCE] == "Open Referral UK: services.json"
    assert list(notes) == []


def test_services_themes_reach_and_client_groups(imported):
    _, services, _ = imported
    assert list(services.index) == ["oruk-svc-1", "oruk-svc-2", "oruk-svc-3"]
    food = services.loc["oruk-svc-1"]
    assert food[s.ORG_ID] == "oruk-org-1"
    assert food[s.THEMES] == ["poverty_food"]
    assert food[r.THEMES_REASON] == "ORUK taxonomy term 'Food banks'"
    assert food[s.CLIENT_GROUPS] == ["families", "people on low incomes"]
    assert food[s.AREA_TYPE] == s.AREA_RADIUS and food[s.RADIUS_KM] == 2.0
    assert (food[r.LON], food[r.LAT]) == (-2.347, 53.3781)
    assert np.isnan(food[s.CAPACITY])

    lunch = services.loc["oruk-svc-2"]  # no taxonomy: themes come from its own words
    assert lunch[s.AREA_TYPE] == s.AREA_RADIUS and lunch[s.RADIUS_KM] == DEFAULT_RADIUS_KM
    assert "older people" in lunch[s.CLIENT_GROUPS]  # minimum age 60
    assert "older_people" in lunch[s.THEMES]
    assert all(
        reason.startswith("name and description mention") for reason in lunch[r.THEMES_REASON].split("; ")
    )
    assert len(lunch[r.THEMES_REASON].split("; ")) == len(lunch[s.THEMES])

    line = services.loc["oruk-svc-3"]
    assert line[s.AREA_TYPE] == s.AREA_WARDS_LIST
    assert line[s.AREA_WARDS] == ["E05000821", "E05000825"]
    assert line[s.THEMES] == ["disability_carers"] and line[s.CLIENT_GROUPS] == ["carers"]
    assert np.isnan(line[r.LON]) and np.isnan(line[s.RADIUS_KM])


def test_no_location_and_no_wards_means_whole_area(tmp_path):
    svc = {
        "id": "x",
        "name": "Helpline",
        "organization": CARERS,
        "service_taxonomys": _taxonomy("Mental health"),
    }
    _, services = read_oruk([svc])
    assert services.loc[0, s.AREA_TYPE] == s.AREA_WHOLE
    assert services.loc[0, s.THEMES] == ["mental_health"]


@pytest.mark.parametrize(
    ("extent", "km"),
    [("800 m", 0.8), ("3 miles", 4.828032), (5, 5.0), ("radius: 2.5km", 2.5), ("a polygon", 1.5)],
)
def test_radius_from_service_area_extent(extent, km):
    svc = copy.deepcopy(SERVICES[1]) | {"service_areas": [{"service_area": "near", "extent": extent}]}
    _, services = read_oruk([svc])
    assert services.loc[0, s.RADIUS_KM] == pytest.approx(km)


@pytest.mark.parametrize(
    "wrap",
    [
        lambda x: {"totalElements": 3, "totalPages": 1, "number": 1, "content": x},
        lambda x: {"total_items": 3, "contents": x},
        lambda x: {"items": x},
    ],
)
def test_paged_wrappers(tmp_path, wrap):
    orgs, services = read_oruk(_write(tmp_path, wrap(SERVICES)))
    assert len(orgs) == 2 and len(services) == 3


def test_partial_page_is_noted(tmp_path):
    notes = Notes()
    read_oruk({"totalElements": 40, "content": SERVICES}, notes=notes)
    assert "3 of the 40 services" in notes[0].text


def test_gzipped_file(tmp_path):
    path = tmp_path / "services.json.gz"
    path.write_bytes(gzip.compress(json.dumps(SERVICES).encode()))
    assert len(read_oruk(path)[1]) == 3


def test_hsds_tables_in_one_object():
    data = {
        "organizations": [{"id": "o1", "name": "Stretford Youth Club", "url": "https://syc.example"}],
        "services": [
            {"id": "s1", "organization_id": "o1", "name": "Friday youth night", "status": "active"},
            {"id": "s2", "organization_id": "o1", "name": "Old club night", "status": "withdrawn"},
        ],
        "locations": [{"id": "l1", "name": "Hall", "latitude": 53.45, "longitude": -2.31}],
        "physical_addresses": [{"id": "a1", "location_id": "l1", "postal_code": "M32 0AA"}],
        "service_at_locations": [{"id": "sl1", "service_id": "s1", "location_id": "l1"}],
        "taxonomy": [{"id": "t1", "name": "Young people", "vocabulary": "esdCircumstances"}],
        "service_taxonomys": [{"id": "st1", "service_id": "s1", "taxonomy_id": "t1"}],
        "eligibilitys": [{"id": "e1", "service_id": "s1", "minimum_age": 11, "maximum_age": 18}],
    }
    notes = Notes()
    orgs, services = read_oruk(data, source="Trafford directory", notes=notes)
    assert orgs.loc[0, s.ORG_ID] == "oruk-o1" and orgs.loc[0, s.POSTCODE] == "M32 0AA"
    assert services[s.SERVICE_ID].tolist() == ["oruk-s1"]
    svc = services.loc[0]
    assert svc[s.THEMES] == ["children_young_people"] and svc[s.CLIENT_GROUPS] == ["young people"]
    assert (svc[r.LON], svc[r.LAT], svc[s.AREA_TYPE]) == (-2.31, 53.45, s.AREA_RADIUS)
    assert svc[s.SOURCE] == "Trafford directory"
    assert "1 service(s) are inactive, withdrawn or defunct" in notes[0].text and notes[0].rows == (2,)


def test_inactive_skipped_and_missing_ids_generated_stably():
    services = copy.deepcopy(SERVICES)
    services[0]["status"] = "inactive"
    del services[1]["id"]
    notes = Notes()
    _, out = read_oruk(services, notes=notes)
    _, again = read_oruk(copy.deepcopy(services))
    assert len(out) == 2
    generated = out.loc[0, s.SERVICE_ID]
    assert generated.startswith("oruk-gen-") and again.loc[0, s.SERVICE_ID] == generated
    assert [p.rows for p in notes] == [(1,), (2,)]


def test_service_without_organisation_gets_its_own():
    orgs, services = read_oruk([{"id": "z", "name": "Drop-in"}])
    assert services.loc[0, s.SOURCE] == "Open Referral UK"
    assert orgs.loc[0, s.ORG_NAME] == "Drop-in"
    assert services.loc[0, s.ORG_ID] == orgs.loc[0, s.ORG_ID]


def test_terms_table_longest_match_first():
    themes, reason, groups = terms_to_themes(
        ["Domestic abuse", "Learning disabilities", "Sport & physical activity"]
    )
    assert themes == ["health_wellbeing", "disability_carers", "crime_safety", "arts_culture_sport"]
    assert "education_learning" not in themes  # "learning disabilities" is not the learning theme
    assert reason.split("; ")[0] == "ORUK taxonomy term 'Sport & physical activity'"
    assert groups == ["disabled people"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("services.csv", "id,name\n1,Food bank\n", "CSV or text file, not JSON"),
        ("wards.geojson", json.dumps({"type": "FeatureCollection", "features": []}), "GeoJSON"),
        ("other.json", json.dumps({"wards": []}), r"holds no Open Referral UK services \(found wards\)"),
        ("empty.json", "[]", "holds no services"),
        ("broken.json", '[{"id": 1', "is not valid JSON"),
    ],
)
def test_wrong_kind_of_file(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=expected) as err:
        read_oruk(path)
    assert name in str(err.value)


def test_web_address_is_refused():
    with pytest.raises(InputError, match="web address"):
        read_oruk("https://api.example.org/services")
