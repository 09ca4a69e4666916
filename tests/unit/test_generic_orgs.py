"""The generic CSV/XLSX organisation list reader."""

from __future__ import annotations

import pandas as pd
import pytest

from sector_map.importers import records as r
from sector_map.importers.generic import (
    DEFAULT_RADIUS_KM,
    THEME_VOCAB,
    guess_columns,
    parse_kind,
    parse_labels,
    read_generic,
)
from sector_map.importers.tables import InputError, Notes
from sector_map.pack import schema as s


def _csv(tmp_path, text, name="food_banks.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_guess_columns():
    cols = ["Organisation", "Post Code", "Web address", "Longitude", "Latitude", "Charity No", "Notes"]
    assert guess_columns(cols) == {
        "name": "Organisation",
        "postcode": "Post Code",
        "website": "Web address",
        "charity_number": "Charity No",
        "lon": "Longitude",
        "lat": "Latitude",
    }
    assert guess_columns(["community_hub", "telephone"]) == {"name": "community_hub", "phone": "telephone"}


def test_parse_labels_handles_labels_with_commas():
    ids, bad = parse_labels(
        pd.Series(
            ["Poverty, food and money advice; older_people", "Arts, culture, sport and leisure,cats", None]
        ),
        THEME_VOCAB,
    )
    assert ids.tolist() == [["poverty_food", "older_people"], ["arts_culture_sport"], []]
    assert bad.tolist() == [[], ["cats"], []]


def test_parse_kind():
    got = parse_kind(
        pd.Series(
            [
                "charitable incorporated organisation",
                "CIC",
                "Mosque",
                "Residents association",
                "community group",
                "Local authority run library",
                None,
            ]
        )
    )
    assert got.tolist() == [
        "CIO",
        "CIC",
        "faith group",
        "community group",
        "community group",
        "other",
        "other",
    ]


def test_food_bank_list_with_recipe_theme(tmp_path):
    p = _csv(
        tmp_path,
        "Name,Address,Postcode,Website,Contact\n"
        "Hale Foodbank,1 High St,WA15 9AA,hale.org,a@b.org\n"
        ",2 Low St,M1 1AA,,\n"
        "Sale Pantry,3 Road,M33 1AA,,\n",
    )
    notes = Notes()
    orgs, services = read_generic(p, themes=["poverty_food"], location="site", notes=notes)
    assert orgs[s.ORG_ID].tolist() == ["food_banks-2", "food_banks-4"]  # ids carry file rows
    assert orgs[s.ORG_NAME].tolist() == ["Hale Foodbank", "Sale Pantry"]
    assert orgs[s.THEMES].tolist() == [["poverty_food"], ["poverty_food"]]
    assert (
        orgs[r.THEMES_REASON].iloc[0]
        == "every row of food_banks.csv was given this theme when it was imported"
    )
    assert orgs[r.LOCATION_HINT].eq(s.LOCATION_SITE).all() and orgs[s.SOURCE].eq("food_banks.csv").all()
    assert orgs[s.ORG_KIND].eq("other").all()
    assert [(n.text, n.rows) for n in notes] == [("1 rows have no name and were not imported", (3,))]
    assert services[s.AREA_TYPE].eq(s.AREA_RADIUS).all()
    assert services[s.RADIUS_KM].tolist() == [DEFAULT_RADIUS_KM, DEFAULT_RADIUS_KM]
    assert services[s.ORG_ID].tolist() == orgs[s.ORG_ID].tolist()


def test_themes_column_mapping_and_unknown_words(tmp_path):
    p = _csv(
        tmp_path,
        "Group;Themes;Who;What we do;Charity number;Reach km\n"
        "Alpha;Older people, Mental health;carers;;0123;3\n"
        "Beta;;;Free debt advice;;x\n"
        "Gamma;knitting;;;;\n",
        name="groups.csv",
    )
    notes = Notes()
    cols = {
        "name": "Group",
        "themes": "Themes",
        "client_groups": "Who",
        "activities": "What we do",
        "charity_number": "Charity number",
        "radius_km": "Reach km",
    }
    orgs, services = read_generic(p, columns=cols, id_prefix="g", notes=notes, source="Groups list")
    assert orgs[s.THEMES].tolist() == [["older_people", "mental_health"], ["poverty_food"], []]
    assert orgs[r.THEMES_REASON].tolist() == [
        "the Themes column of groups.csv gives this theme; the Themes column of groups.csv gives this theme",
        "activities mention 'debt'",
        "",
    ]
    assert orgs[s.CLIENT_GROUPS].tolist() == [["carers"], ["people on low incomes"], []]
    assert orgs[s.CHARITY_NUMBER].iloc[0] == "123" and orgs[s.ORG_KIND].tolist()[0] == "registered charity"
    assert orgs[s.ORG_ID].tolist() == ["g-2", "g-3", "g-4"]
    # no coordinates: contact addresses, whole-area services, only rows with themes
    assert services[s.ORG_ID].tolist() == ["g-2", "g-3"] and services[s.AREA_TYPE].eq(s.AREA_WHOLE).all()
    unknown = [n for n in notes if "not known" in n.text]
    assert len(unknown) == 1 and unknown[0].rows == (4,) and "knitting" in unknown[0].text


def test_coordinates_make_sites_and_radius_column(tmp_path):
    p = _csv(
        tmp_path,
        "name,postcode,lon,lat,radius\nHub A,M32 9AF,-2.31,53.45,2.5\nHub B,M33 1AA,53.42,-2.32,\n"
        "Hub C,M41 1AA,abc,53.4,-1\n",
        name="hubs.csv",
    )
    notes = Notes()
    orgs, services = read_generic(
        p,
        columns={"name": "name", "postcode": "postcode", "lon": "lon", "lat": "lat", "radius_km": "radius"},
        themes=["community_cohesion"],
        notes=notes,
    )
    assert orgs[r.LON].tolist()[:2] == [-2.31, -2.32] and orgs[r.LAT].tolist()[:2] == [53.45, 53.42]
    assert pd.isna(orgs[r.LON].iloc[2])
    assert orgs[r.LOCATION_HINT].eq(s.LOCATION_SITE).all()
    assert services[s.RADIUS_KM].tolist() == [2.5, DEFAULT_RADIUS_KM, DEFAULT_RADIUS_KM]
    assert services[r.LON].tolist()[:2] == [-2.31, -2.32]
    rows = {n.text: n.rows for n in notes}
    assert rows["1 rows seem to have longitude and latitude swapped; they were swapped back"] == (3,)
    assert rows[
        "1 rows have coordinates that are not longitude/latitude; their postcode is used instead"
    ] == (4,)
    assert rows["1 radius values are not positive numbers; 1.5 km is used instead"] == (4,)


def test_easting_northing(tmp_path):
    p = _csv(tmp_path, "name,easting,northing\nA,379800,395400\n", name="bng.csv")
    orgs, _ = read_generic(p)
    assert orgs[r.LON].iloc[0] == pytest.approx(-2.306, abs=0.01)
    assert orgs[r.LAT].iloc[0] == pytest.approx(53.462, abs=0.01)
    assert orgs[r.LOCATION_HINT].iloc[0] == s.LOCATION_SITE


def test_bad_options_raise(tmp_path):
    p = _csv(tmp_path, "Name,Postcode\nA,M1 1AA\n")
    with pytest.raises(InputError, match="unknown theme"):
        read_generic(p, themes=["food"])
    with pytest.raises(InputError, match="unknown organisation kind"):
        read_generic(p, kind="club")
    with pytest.raises(InputError, match="'Title' is not a column"):
        read_generic(p, columns={"name": "Title"})
    with pytest.raises(InputError, match="location must be"):
        read_generic(p, location="home")
    q = _csv(tmp_path, "Ref,Postcode\n1,M1 1AA\n", name="noname.csv")
    with pytest.raises(InputError, match="no column with the organisations' names"):
        read_generic(q)


def test_kind_option_applies_to_all(tmp_path):
    p = _csv(tmp_path, "Name,Postcode\nA,M1 1AA\nB,M1 1AB\n")
    orgs, services = read_generic(p, kind="faith group", themes=["Community, faith and cohesion"])
    assert orgs[s.ORG_KIND].eq("faith group").all() and len(services) == 2
    assert orgs[s.THEMES].iloc[0] == ["community_cohesion"]
