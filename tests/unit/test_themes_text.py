"""Keyword rules for themes and client groups, and the Charity Commission classification map."""

from __future__ import annotations

import pandas as pd
import pytest

from sector_map.importers.themes_text import (
    CCEW_CLASSIFICATION_THEMES,
    CLIENT_GROUP_RULES,
    CONTEXTS,
    THEME_RULES,
    clean_activities,
    client_groups_from_text,
    contexts_of,
    merge_themes,
    themes_for_charities,
    themes_from_classification,
    themes_from_text,
)
from sector_map.pack import schema as s


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


def _charity(name: str, activities: str) -> tuple[list[str], str]:
    ids, why = themes_for_charities(pd.Series([name]), pd.Series([activities]))
    return ids[0], why[0]


@pytest.mark.parametrize(
    ("name", "activities", "themes"),
    [
        # a school's PTA raises funds; it is not an education or children's service
        ("Hilltop Primary School PTA", "School discos and fairs to raise funds for the school", []),
        ("Friends of Park Road School", "Fundraising for the pupils", []),
        # worship and its pastoral care: faith only; a separate service keeps its theme
        (
            "The Parochial Church Council of St Anne",
            "Public worship. Pastoral work including visiting the sick and bereaved. Teaching of Christianity.",
            ["community_cohesion"],
        ),
        ("Grace Church", "Worship, and a weekly food bank", ["poverty_food", "community_cohesion"]),
        # a funeral committee is not a poverty service even when its objects say "relieve poverty"
        (
            "North Muslim Funeral Committee",
            "To relieve poverty by provision of funeral and burial services in accordance with religion",
            ["community_cohesion"],
        ),
        # animals: owners on low income do not make a poverty service
        (
            "Prevent Unwanted Pets",
            "We help people on low income with the cost of neutering their animals",
            ["environment"],
        ),
        # aid to a place abroad, and sentences about work abroad
        ("Manchester Aid to Kosovo", "We help to relieve poverty, sickness and distress", []),
        ("Helping Hands", "Building hospitals in Africa. A food bank in Sale.", ["poverty_food"]),
        # scouts: children and young people, not education or employment
        ("1st Hale Scout Group", "Education and skills for young people", ["children_young_people"]),
        # governing-document formulas say nothing about what a charity does
        (
            "Oak Community Association",
            "To provide facilities in the interests of social welfare for recreation and leisure time "
            "occupation for inhabitants who have need by reason of their youth, age, infirmity or "
            "disablement, financial hardship or social and economic circumstances",
            ["community_cohesion"],
        ),
        # faith words in activities describe who is helped; in the name they say what the body is
        ("Student Aid Fund", "Grants and bursaries to Jewish students", ["education_learning"]),
        ("Hale Jewish Community Trust", "Support for members", ["community_cohesion"]),
        # a school's name says it is a school
        (
            "Oakfield Preparatory School",
            "An independent day school",
            ["children_young_people", "education_learning"],
        ),
    ],
)
def test_context_rules(name, activities, themes):
    assert _charity(name, activities)[0] == themes


def test_every_context_theme_keeps_its_reason():
    ids, why = _charity("Grace Church", "Worship, and a weekly food bank")
    assert why == "activities mention 'food bank'; activities mention 'worship'"
    ids, why = _charity("Oakfield Preparatory School", "An independent day school")
    assert why == "name mentions 'school'; activities mention 'school'"


def test_overseas_sentence_kept_when_it_names_home():
    assert clean_activities(pd.Series(["Relief of poverty in Greater Manchester and in Africa"]))[0] != ""
    assert clean_activities(pd.Series(["Relief of poverty, overseas aid and famine relief"]))[0] != ""
    assert clean_activities(pd.Series(["Clinics in the Middle East."]))[0] == ""


def test_contexts_are_recognised_from_name_or_activities():
    got = contexts_of(
        pd.Series(["Bowdon PTA", "Quiet Trust", "Quiet Trust"]),
        pd.Series(["", "Regular public worship", ""]),
    )
    assert got.loc[0, "a school's parents' association or friends"]
    assert got.loc[1, "a place of worship or religious body"]
    assert not got.loc[2].any()
    assert {c.label for c in CONTEXTS} == set(got.columns)
