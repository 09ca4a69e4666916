"""360Giving importer: recipients from CSV/XLSX/JSON grants, and ward totals from GrantNav's aggregate."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sector_map.importers import records as r
from sector_map.importers.giving360 import (
    INDICATOR_AMOUNT,
    INDICATOR_COUNT,
    read_360giving,
    ward_grant_indicators,
)
from sector_map.importers.tables import InputError, Notes
from sector_map.pack import schema as s

HEADER = (
    "Identifier,Title,Description,Currency,Amount Awarded,Award Date,Recipient Org:Identifier,"
    "Recipient Org:Name,Recipient Org:Charity Number,Recipient Org:Company Number,Recipient Org:Postal Code,"
    "Recipient Org:Location:0:Geographic Code,Beneficiary Location:0:Name,Beneficiary Location:0:Geographic Code,"
    "Beneficiary Location:0:Geographic Code Type,Beneficiary Location:1:Geographic Code,"
    "Beneficiary Location:1:Geographic Code Type,Funding Org:Identifier,Funding Org:Name,Grant Programme:Title"
)
ROWS = [
    # row 2, 3: one charity, two funders, two wards benefit
    '360G-a-1,Food bank,Emergency food parcels,GBP,"£1,000",2017-03-01,GB-CHC-1234567,Hale Food Bank,,,wa159aa,'
    "E05000826,Hale Central,E05000826,WD,E08000009,LA,GB-CHC-1,Alpha Trust,Main",
    "360G-b-2,Debt advice,,GBP,2500,01/06/2018,GB-CHC-1234567,Hale Food Bank,,,WA15 9AA,"
    "E05000826,Hale Barns,E05000827,WD,,,GB-CHC-2,Beta Fund,Main",
    # row 4: a company; benefit only named at LA level, so no service
    "360G-a-3,Sports kit,,GBP,500,2016-01-01,GB-COH-987654,Sale Youth CIC,,,M33 7XX,E05000832,Trafford,E08000009,"
    "LA,,,GB-CHC-1,Alpha Trust,Main",
    # row 5: an individual
    "360G-a-4,Bursary,,GBP,300,2016-01-01,360G-a-IND-4,Individual,,,,,,,,,,GB-CHC-1,Alpha Trust,Main",
    # row 6: other currency and an unreadable date
    "360G-b-5,Trip,,USD,100,not a date,GB-COH-987654,Sale Youth CIC,,,,,,,,,,GB-CHC-2,Beta Fund,Main",
    # row 7: no amount
    "360G-b-6,Nothing,,GBP,,2016-01-01,GB-COH-987654,Sale Youth CIC,,,,,,,,,,GB-CHC-2,Beta Fund,Main",
    # row 8: a Scottish charity known by number only (no identifier)
    "360G-a-7,Garden,,GBP,750,2019-02-02,,Green Hands,SC012345,,,,,,,,,GB-CHC-1,Alpha Trust,Main",
]


@pytest.fixture
def grants_csv(tmp_path):
    path = tmp_path / "grants.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return path


def test_one_organisation_per_recipient(grants_csv):
    notes = Notes()
    orgs, _ = read_360giving(grants_csv, notes=notes)
    orgs = orgs.set_index(s.ORG_ID)
    assert list(orgs.index) == ["360g-gb-chc-1234567", "360g-gb-coh-987654", "360g-gb-sc-sc012345"]
    hale = orgs.loc["360g-gb-chc-1234567"]
    assert (hale[s.ORG_NAME], hale[s.CHARITY_NUMBER], hale[r.ORG_IDENTIFIER]) == (
        "Hale Food Bank",
        "1234567",
        "GB-CHC-1234567",
    )
    assert hale[s.POSTCODE] == "WA15 9AA" and hale[r.LOCATION_HINT] == s.LOCATION_CONTACT
    assert hale[r.GRANTS_TOTAL] == 3500.0 and hale[r.GRANTS_COUNT] == 2.0
    assert hale[r.FUNDERS] == ["Alpha Trust", "Beta Fund"]
    assert hale[r.LATEST_AWARD] == "2018-06-01"  # 01/06/2018 read day first
    assert hale[s.ORG_KIND] == "registered charity"
    assert "poverty_food" in hale[s.THEMES]
    assert all(p.startswith("grant descriptions mention '") for p in hale[r.THEMES_REASON].split("; "))
    assert hale[s.SOURCE] == "360Giving: grants.csv"

    cic = orgs.loc["360g-gb-coh-987654"]
    assert cic[r.COMPANY_NUMBER] == "00987654" and pd.isna(cic[s.CHARITY_NUMBER])
    assert cic[s.ORG_KIND] == "CIC"
    # the USD grant counts but is not added to the £ total; the amount-less grant is skipped
    assert cic[r.GRANTS_COUNT] == 2.0 and cic[r.GRANTS_TOTAL] == 500.0
    assert cic[r.LATEST_AWARD] == "2016-01-01"

    green = orgs.loc["360g-gb-sc-sc012345"]
    assert (
        green[s.CHARITY_NUMBER] == "SC012345"
        and pd.isna(green[s.POSTCODE])
        and pd.isna(green[r.LOCATION_HINT])
    )

    messages = [p.message() for p in notes]
    assert messages == [
        "grants.csv, column `Amount Awarded`: 1 grant(s) have no readable amount in `Amount Awarded` and were "
        "skipped; row 7",
        "grants.csv, column `Award Date`: 1 grant(s) have an award date that could not be read; they count "
        "towards the totals but not the latest award; row 6",
        "grants.csv: 1 grant(s) (£300) went to individuals or name no recipient organisation; they are counted "
        "here but not mapped; row 5",
        "grants.csv, column `Currency`: 1 grant(s) are in other currencies (USD); they are counted but left out "
        "of the £ totals; row 6",
    ]


def test_services_only_where_wards_benefit(grants_csv):
    _, services = read_360giving(grants_csv, source="GrantNav 2024")
    assert services[s.ORG_ID].tolist() == ["360g-gb-chc-1234567"]
    svc = services.loc[0]
    assert svc[s.SERVICE_ID] == "360g-gb-chc-1234567-funded-work"
    assert svc[s.SERVICE_NAME] == "Debt advice and 1 other funded project"
    assert svc[s.AREA_TYPE] == s.AREA_WARDS_LIST
    assert svc[s.AREA_WARDS] == ["E05000826", "E05000827"]  # the LA code is not a ward
    assert np.isnan(svc[s.CAPACITY]) and np.isnan(svc[s.RADIUS_KM]) and svc[s.SOURCE] == "GrantNav 2024"
    assert "poverty_food" in svc[s.THEMES]


def test_recipients_in_keeps_grants_located_in_the_area(grants_csv):
    notes = Notes()
    orgs, services = read_360giving(grants_csv, recipients_in={"E05000827", "E05000832"}, notes=notes)
    # grant 2 benefits E05000827; grant 3's recipient is located in E05000832
    assert orgs[s.ORG_ID].tolist() == ["360g-gb-chc-1234567", "360g-gb-coh-987654"]
    assert orgs[r.GRANTS_TOTAL].tolist() == [2500.0, 500.0]
    assert services.loc[0, s.AREA_WARDS] == ["E05000827"]  # wards outside the area are dropped
    assert any(p.text.startswith("kept 2 of 6 grants") for p in notes)


def test_columns_matched_ignoring_case_and_spacing(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text(
        "identifier,TITLE,amount awarded,award date,recipient org : name,Recipient Org: Charity Number,"
        "funding org:name,BENEFICIARY LOCATION:0:GEOGRAPHIC CODE\n"
        "g1,Lunch club for older people,400,2020-01-01,Age Well,1100001.0,Gamma,e05000830\n",
        encoding="utf-8",
    )
    orgs, services = read_360giving(path)
    assert orgs.loc[0, s.ORG_ID] == "360g-gb-chc-1100001"  # charity number from Excel "1100001.0"
    assert orgs.loc[0, s.CHARITY_NUMBER] == "1100001" and orgs.loc[0, r.FUNDERS] == ["Gamma"]
    assert "older_people" in orgs.loc[0, s.THEMES]
    assert services.loc[0, s.AREA_WARDS] == ["E05000830"]  # a ward code even without a code type


def test_xlsx(tmp_path, grants_csv):
    path = tmp_path / "grants.xlsx"
    pd.read_csv(grants_csv, dtype=str).to_excel(path, index=False)
    orgs, services = read_360giving(path)
    assert orgs[r.GRANTS_TOTAL].tolist() == [3500.0, 500.0, 750.0]
    assert len(services) == 1


def test_json(tmp_path):
    data = {
        "grants": [
            {
                "id": "360G-x-1",
                "title": "Community garden",
                "description": "Tree planting",
                "currency": "GBP",
                "amountAwarded": 4000,
                "awardDate": "2019-05-01T00:00:00+01:00",
                "recipientOrganization": [
                    {
                        "id": "GB-CHC-1100002",
                        "name": "Green Hands",
                        "companyNumber": "07654321",
                        "postalCode": "M41 0AA",
                        "location": [{"geoCode": "E05000829", "geoCodeType": "WD"}],
                    }
                ],
                "beneficiaryLocation": [{"name": "Flixton", "geoCode": "E05000829", "geoCodeType": "WD"}],
                "fundingOrganization": [{"id": "GB-CHC-9", "name": "Gamma Foundation"}],
            },
            {
                "id": "360G-x-2",
                "title": "Bursary",
                "amountAwarded": 200,
                "awardDate": "2019-06-01",
                "recipientIndividual": {"id": "360G-x-IND-2"},
                "fundingOrganization": [{"id": "GB-CHC-9", "name": "Gamma Foundation"}],
            },
        ]
    }
    path = tmp_path / "grants.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    notes = Notes()
    orgs, services = read_360giving(path, notes=notes)
    assert len(orgs) == 1
    org = orgs.loc[0]
    assert (org[s.CHARITY_NUMBER], org[r.COMPANY_NUMBER], org[r.GRANTS_TOTAL]) == (
        "1100002",
        "07654321",
        4000.0,
    )
    assert org[r.LATEST_AWARD] == "2019-05-01" and org[r.FUNDERS] == ["Gamma Foundation"]
    assert services.loc[0, s.AREA_WARDS] == ["E05000829"]
    assert "individuals" in notes[0].text and notes[0].rows == (2,)


def test_json_without_grants_list(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"services": []}), encoding="utf-8")
    with pytest.raises(InputError, match="without a `grants` list"):
        read_360giving(path)


AGGREGATED = (
    ",Funding Org:Name,Award Year,Recipient District Geographic Code,Recipient Ward Geographic Code,"
    "Recipient Region,Amount Awarded,Identifier\n"
    "0,Alpha Trust,2013,E08000009,E05000819,North West,1000.5,2\n"
    "1,Beta Fund,2017,E08000009,E05000819,North West,500,1\n"
    "2,Beta Fund,2018,E08000009,E05000820,North West,250,1\n"
    "3,Beta Fund,2018,E08000001,E05000001,North West,99999,9\n"
    "4,Beta Fund,2018,E08000009,E05000821,North West,..,1\n"
)


def test_aggregated_file_has_no_recipients(tmp_path):
    path = tmp_path / "by_ward.csv"
    path.write_text(AGGREGATED, encoding="utf-8")
    with pytest.raises(InputError, match="added up by funder, year and ward") as err:
        read_360giving(path)
    assert "ward grant indicators" in str(err.value)


def test_ward_grant_indicators(tmp_path):
    path = tmp_path / "by_ward.csv"
    path.write_text(AGGREGATED, encoding="utf-8")
    notes = Notes()
    values, meta = ward_grant_indicators(
        path, ward_codes={"E05000819", "E05000820", "E05000821"}, notes=notes
    )
    assert list(values.columns) == s.INDICATOR_COLUMNS
    wide = values.pivot(index=s.WARD_CODE, columns=s.INDICATOR_ID, values=s.VALUE)
    assert wide[INDICATOR_AMOUNT].to_dict() == {"E05000819": 1500.5, "E05000820": 250.0, "E05000821": 0.0}
    assert wide[INDICATOR_COUNT].to_dict() == {"E05000819": 3.0, "E05000820": 1.0, "E05000821": 0.0}
    assert notes[0].rows == (6,) and "skipped" in notes[0].text
    assert "E05000821" in notes[1].text
    m = meta[INDICATOR_AMOUNT]
    assert (m.higher_is, m.unit, m.year, m.themes) == (s.HIGHER_IS_LESS_NEED, "£", "2013–2018", [])
    assert "not a measure of need" in m.description


def test_ward_grant_indicators_with_wards_of_another_vintage(tmp_path):
    path = tmp_path / "by_ward.csv"
    path.write_text(AGGREGATED, encoding="utf-8")
    with pytest.raises(InputError, match="none of the 1 ward codes"):
        ward_grant_indicators(path, ward_codes={"E05014000"})


TRAFFORD_WARDS = {f"E05000{n}" for n in range(819, 840)}
AGGREGATE_FILE = "organisations/england_wide/360giving_grants_by_funder_year_ward_england_2018snapshot.csv.gz"


@pytest.mark.data
def test_real_aggregated_file_for_trafford(shared_data):
    notes = Notes()
    values, meta = ward_grant_indicators(shared_data / AGGREGATE_FILE, ward_codes=TRAFFORD_WARDS, notes=notes)
    wide = values.pivot(index=s.WARD_CODE, columns=s.INDICATOR_ID, values=s.VALUE)
    # The file's 161 Trafford rows cover all 21 wards: 318 grants, £14,039,867.76.
    assert len(wide) == 21 and (wide[INDICATOR_COUNT] > 0).all()
    assert wide[INDICATOR_AMOUNT].sum() == pytest.approx(14_039_867.76)
    assert wide[INDICATOR_COUNT].sum() == 318
    assert wide.loc["E05000825", INDICATOR_AMOUNT] == pytest.approx(6_716_674.00)  # the largest
    assert list(notes) == []
    assert meta[INDICATOR_COUNT].year == "2013–2018"


@pytest.mark.data
def test_real_aggregated_file_is_refused_as_recipients(shared_data):
    with pytest.raises(InputError, match="no recipient organisation columns"):
        read_360giving(shared_data / AGGREGATE_FILE)
