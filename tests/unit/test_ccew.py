"""The Charity Commission register extract reader."""

from __future__ import annotations

import pandas as pd
import pytest

from sector_map.importers import records as r
from sector_map.importers.ccew import normalise_charity_number, read_ccew
from sector_map.importers.tables import InputError, Notes
from sector_map.pack import schema as s

HEADER = [
    "date_of_extract",
    "organisation_number",
    "registered_charity_number",
    "linked_charity_number",
    "charity_name",
    "charity_type",
    "charity_registration_status",
    "date_of_removal",
    "latest_income",
    "charity_contact_address1",
    "charity_contact_address2",
    "charity_contact_address3",
    "charity_contact_address4",
    "charity_contact_address5",
    "charity_contact_postcode",
    "charity_contact_phone",
    "charity_contact_email",
    "charity_contact_web",
    "charity_company_registration_number",
    "charity_is_cio",
    "charity_activities",
]
ROWS = [
    # file row 2: a main charity
    [
        "2023-04-04",
        "1",
        "500001",
        "0",
        "Hale Food Share",
        "Other",
        "Registered",
        "",
        "12,345.67",
        "1 High St",
        "Hale",
        "",
        "",
        "",
        "wa159aa",
        "0161",
        "a@b.org",
        "hale.org",
        "",
        "False",
        "We run a food bank for older people",
    ],
    # 3: its linked subsidiary
    [
        "2023-04-04",
        "2",
        "500001",
        "1",
        "Hale Food Share Endowment",
        "",
        "Registered",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
    # 4: removed
    [
        "2023-04-04",
        "3",
        "500002",
        "0",
        "Gone Trust",
        "Trust",
        "Removed",
        "2010-01-01",
        "5",
        "",
        "",
        "",
        "",
        "",
        "M1 1AA",
        "",
        "",
        "",
        "",
        "False",
        "Grants",
    ],
    # 5: a CIO with no postcode
    [
        "2023-04-04",
        "4",
        "1190001",
        "0",
        "Sale Sports CIO",
        "CIO",
        "Registered",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "True",
        "Amateur football for young people",
    ],
    # 6: a charitable company
    [
        "2023-04-04",
        "5",
        "0500003",
        "0",
        "Trafford Wildlife Ltd",
        "Charitable company",
        "Registered",
        "",
        "2000000",
        "Farm",
        "",
        "",
        "",
        "",
        "M33 1AA",
        "",
        "",
        "",
        "01234567",
        "False",
        "General charitable purposes",
    ],
    # 7: repeat of 500001
    [
        "2023-04-04",
        "6",
        "500001",
        "0",
        "Hale Food Share (again)",
        "Other",
        "Registered",
        "",
        "1",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
]


def _tsv(tmp_path, name, header, rows):
    p = tmp_path / name
    p.write_text("\n".join("\t".join(x) for x in [header, *rows]) + "\n", encoding="utf-8")
    return p


@pytest.fixture
def charity_file(tmp_path):
    return _tsv(tmp_path, "publicextract.charity.txt", HEADER, ROWS)


def test_normalise_charity_number():
    got = normalise_charity_number(pd.Series(["0500001", "1190001-1", "GB-CHC 123", "", None]))
    assert got.tolist() == ["500001", "1190001", "123", pd.NA, pd.NA]


def test_one_organisation_per_main_registered_charity(charity_file):
    notes = Notes()
    orgs, services = read_ccew(charity_file, notes=notes)
    assert orgs[s.ORG_ID].tolist() == ["ccew-500001", "ccew-1190001", "ccew-500003"]
    assert orgs[s.ORG_KIND].tolist() == ["registered charity", "CIO", "charitable company"]
    assert orgs[s.CHARITY_NUMBER].tolist() == ["500001", "1190001", "500003"]
    assert orgs[s.INCOME].iloc[0] == pytest.approx(12345.67) and orgs[s.INCOME].iloc[2] == 2_000_000
    assert orgs[r.ADDRESS].iloc[0] == "1 High St, Hale" and pd.isna(orgs[r.ADDRESS].iloc[1])
    assert orgs[s.POSTCODE].iloc[0] == "wa159aa" and pd.isna(orgs[s.POSTCODE].iloc[1])  # kept, no postcode
    assert orgs[r.LOCATION_HINT].eq(s.LOCATION_CONTACT).all()
    assert orgs[r.COMPANY_NUMBER].iloc[2] == "01234567"
    texts = {n.text: n.rows for n in notes}
    assert texts["1 linked (subsidiary) charities left out: each is part of its main charity"] == (3,)
    assert texts["1 removed charities left out"] == (4,)
    assert texts["1 repeated charity numbers left out (the first row is kept)"] == (7,)
    # themes from text (activities + name), with reasons
    assert orgs[s.THEMES].iloc[0] == ["older_people", "poverty_food"]
    assert (
        orgs[r.THEMES_REASON].iloc[0] == "activities mention 'older people'; activities mention 'food bank'"
    )
    assert orgs[s.CLIENT_GROUPS].iloc[0] == ["older people", "people on low incomes"]
    assert orgs[s.THEMES].iloc[1] == ["children_young_people", "arts_culture_sport"]
    assert orgs[s.THEMES].iloc[2] == ["environment"]  # from the name: "Wildlife"
    assert orgs[r.THEMES_REASON].iloc[2] == "name mentions 'wildlife'"
    # one whole-area service per charity with a theme
    assert services[s.ORG_ID].tolist() == orgs[s.ORG_ID].tolist()
    assert services[s.SERVICE_NAME].iloc[0] == "Hale Food Share (charitable activities)"
    assert services[s.AREA_TYPE].eq(s.AREA_WHOLE).all()
    assert services[s.SOURCE].eq("Charity Commission register of charities").all()


def test_classification_table_gives_themes(tmp_path, charity_file):
    cls = _tsv(
        tmp_path,
        "publicextract.charity_classification.txt",
        [
            "organisation_number",
            "registered_charity_number",
            "linked_charity_number",
            "classification_code",
            "classification_type",
            "classification_description",
        ],
        [
            ["1", "500001", "0", "105", "What", "The Prevention Or Relief Of Poverty"],
            ["1", "500001", "0", "202", "Who", "Elderly/old People"],
            ["2", "500001", "1", "110", "What", "Amateur Sport"],  # linked charity: ignored
            ["5", "500003", "0", "101", "What", "General Charitable Purposes"],
        ],
    )
    orgs, _ = read_ccew(charity_file, classification=cls)
    first = orgs.iloc[0]
    assert first[s.THEMES] == ["older_people", "poverty_food"]
    assert first[r.THEMES_REASON] == (
        "Charity Commission classification 202 (elderly/old people); "
        "Charity Commission classification 105 (prevention or relief of poverty)"
    )
    assert first[s.CLIENT_GROUPS] == ["older people", "people on low incomes"]
    # 101 alone says nothing about need: the text is used
    assert orgs.iloc[2][s.THEMES] == ["environment"]


def test_area_of_operation_filter(tmp_path, charity_file):
    aoo = _tsv(
        tmp_path,
        "publicextract.charity_area_of_operation.txt",
        [
            "registered_charity_number",
            "linked_charity_number",
            "geographic_area_type",
            "geographic_area_description",
        ],
        [["500001", "0", "Local Authority", "Trafford"], ["1190001", "0", "Local Authority", "Stockport"]],
    )
    notes = Notes()
    orgs, services = read_ccew(charity_file, area_of_operation=aoo, area_names=["trafford"], notes=notes)
    assert orgs[s.ORG_ID].tolist() == ["ccew-500001"] and len(services) == 1
    assert any(n.text == "2 charities not operating in trafford left out" for n in notes)
    orgs_all, _ = read_ccew(charity_file, area_of_operation=aoo)  # no area named: table unused
    assert len(orgs_all) == 3


def test_trafford_csv_layout(tmp_path):
    p = tmp_path / "charities.csv"
    p.write_text(
        "registered_charity_number,charity_company_registration_number,charity_name,charity_type,"
        "charity_activities,date_of_registration,charity_contact_address,charity_contact_postcode,"
        "charity_contact_phone,charity_contact_email,charity_contact_web\n"
        '214927,00738693,THE CHESHIRE WILDLIFE TRUST LIMITED,Charitable company,"Wildlife, nature",1963-02-20,'
        '"Bickley Hall Farm, Malpas",SY14 8EF,01948820728,info@x.org,www.x.org\n'
        "210843,NA,DUKINFIELD BAPTIST CHURCH,Other,NA,1965-04-29,NA,NA,NA,NA,NA\n",
        encoding="utf-8",
    )
    orgs, services = read_ccew(p, source="CCEW 2023")
    assert orgs[s.ORG_ID].tolist() == ["ccew-214927", "ccew-210843"]
    assert orgs[r.ADDRESS].iloc[0] == "Bickley Hall Farm, Malpas"
    assert orgs[s.ORG_KIND].tolist() == ["charitable company", "registered charity"]
    assert orgs[s.THEMES].iloc[1] == ["community_cohesion"]  # from "CHURCH" in the name
    assert orgs[s.INCOME].isna().all() and services[s.SOURCE].eq("CCEW 2023").all()


def test_not_a_charity_file(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("name,postcode\nA,M1 1AA\n", encoding="utf-8")
    with pytest.raises(InputError, match="not the Charity Commission charity table"):
        read_ccew(p)
