"""Keyword rules for themes and client groups, and the Charity Commission classification map."""

from __future__ import annotations

import pandas as pd
import pytest

from sector_map import schema as s
from sector_map.importers.themes_text import (
    CCEW_CLASSIFICATION_THEMES,
    CLIENT_GROUP_RULES,
    THEME_RULES,
    client_groups_from_text,
    merge_themes,
    themes_from_classification,
    themes_from_text,
)


def _themes(text: str) -> list[str]:
    return themes_from_text(pd.Series([text]))[0][0]


def test_every_theme_has_rules_and_nothing_else():
    assert [r.id for r in THEME_RULES] == list(s.THEME_IDS)
    assert all(len(r.phrases) >= 5 for r in THEME_RULES)
    wanted = {
        "children",
        "young people",
        "older people",
        "disabled people",
        "carers",
        "refugees and migrants",
        "homeless people",
        "families",
        "people on low incomes",
    }
    assert {r.id for r in CLIENT_GROUP_RULES} == wanted and wanted <= set(s.CLIENT_GROUP_IDS)


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("We run a food bank and give food parcels", "poverty_food"),
        ("Free debt and money advice", "poverty_food"),
        ("A lunch club for older people", "older_people"),
        ("Youth club for teenagers", "children_young_people"),
        ("Counselling for people with depression", "mental_health"),
        ("Respite breaks for carers", "disability_carers"),
        ("Activities for disabled adults", "disability_carers"),
        ("A night shelter for homeless people", "housing_homelessness"),
        ("Employability support and a job club", "employment_skills"),
        ("Adult literacy classes", "education_learning"),
        ("A refuge for women escaping domestic abuse", "crime_safety"),
        ("Maintains the parish church for worship", "community_cohesion"),
        ("A community garden and tree planting", "environment"),
        ("Amateur football and cricket club", "arts_culture_sport"),
        ("Art classes and a community choir", "arts_culture_sport"),
        ("Supporting hospital patients", "health_wellbeing"),
    ],
)
def test_typical_phrases(text, theme):
    assert theme in _themes(text)


@pytest.mark.parametrize(
    ("text", "not_theme"),
    [
        ("We support local people with transport to appointments", "arts_culture_sport"),
        ("A party for the street, particularly for neighbours", "arts_culture_sport"),
        ("Peer support for mental health", "health_wellbeing"),
        ("Day centre for adults with learning disabilities", "education_learning"),
        ("Lime Tree House nursing home", "environment"),
        ("Of course we help everyone", "education_learning"),
        ("Careers advice", "disability_carers"),
        ("Refugee drop-in", "housing_homelessness"),
    ],
)
def test_no_false_hits(text, not_theme):
    assert not_theme not in _themes(text)


def test_support_alone_gives_nothing():
    assert _themes("Support, transport and a party") == []


def test_reasons_name_the_words_in_theme_order():
    ids, why = themes_from_text(pd.Series(["Older people's food banks", None], index=[5, 6]))
    assert ids[5] == ["older_people", "poverty_food"]
    assert why[5] == "activities mention 'older people'; activities mention 'food banks'"
    assert ids[6] == [] and why[6] == ""
    _, why_name = themes_from_text(pd.Series(["Hale Foodbank"]), what="name")
    assert why_name[0] == "name mentions 'foodbank'"


def test_client_groups():
    got = client_groups_from_text(
        pd.Series(
            [
                "Help for refugees, asylum seekers and their families",
                "Grants to people in poverty",
                "Support",
                None,
            ]
        )
    )
    assert got.tolist() == [["families", "refugees and migrants"], ["people on low incomes"], [], []]


def test_merge_themes_unions_and_keeps_first_reason():
    a = themes_from_text(pd.Series(["food bank"]))
    b = themes_from_text(pd.Series(["Elderly poverty trust"]), what="name")
    ids, why = merge_themes(a, b)
    assert ids[0] == ["older_people", "poverty_food"]
    assert why[0] == "name mentions 'elderly'; activities mention 'food bank'"


def test_classification_codes_cover_what_and_who():
    assert set(CCEW_CLASSIFICATION_THEMES) == set(range(101, 118)) | set(range(201, 208))
    assert CCEW_CLASSIFICATION_THEMES[105].description == "prevention or relief of poverty"
    for cls in CCEW_CLASSIFICATION_THEMES.values():
        assert set(cls.themes) <= set(s.THEME_IDS)
        assert set(cls.client_groups) <= set(s.CLIENT_GROUP_IDS)


def test_themes_from_classification():
    ids, why, groups = themes_from_classification(pd.Series([[105, 201, 301], [101], None]))
    assert ids[0] == ["children_young_people", "poverty_food"]
    assert why[0] == (
        "Charity Commission classification 201 (children/young people); "
        "Charity Commission classification 105 (prevention or relief of poverty)"
    )
    assert groups[0] == ["children", "young people", "people on low incomes"]
    assert ids[1] == [] and ids[2] == [] and groups[2] == []
