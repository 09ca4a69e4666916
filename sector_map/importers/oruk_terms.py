"""Open Referral UK taxonomy terms → themes and client groups, and service area extents → km.

:data:`TERM_TABLE` maps the taxonomy terms people use in ORUK/LGA, esd and Open Eligibility
vocabularies to the pack's themes and client groups; :func:`terms_to_themes` applies it to a
service's terms. :func:`extent_km` reads a service area's ``extent`` ("2 km", "1 mile", 800 m).
"""

from __future__ import annotations

import re

from sector_map.pack import schema as s

__all__ = ["GROUP_ORDER", "TERM_TABLE", "THEME_ORDER", "extent_km", "terms_to_themes"]

# A service area extent: "2 km", "1 mile", "radius: 800 m" (a bare number is km).
_DISTANCE = re.compile(
    r"^\s*(?:radius\s*:?\s*)?(\d+(?:\.\d+)?)\s*(km|kilometres?|kilometers?|m|metres?|meters?|mi|miles?)?\s*$"
)
_UNIT_KM = {"km": 1.0, "kilometre": 1.0, "kilometer": 1.0, "m": 0.001, "metre": 0.001, "meter": 0.001}
_UNIT_KM |= {"mi": 1.609344, "mile": 1.609344}

_CYP, _OLD, _HEALTH, _MENTAL = "children_young_people", "older_people", "health_wellbeing", "mental_health"
_DIS, _POV, _HOUSE, _JOBS = "disability_carers", "poverty_food", "housing_homelessness", "employment_skills"
_EDU, _CRIME, _COMM, _ENV, _ARTS = (
    "education_learning",
    "crime_safety",
    "community_cohesion",
    "environment",
    "arts_culture_sport",
)
_LOW, _HOMELESS, _REFUGEES = "people on low incomes", "homeless people", "refugees and migrants"

# Taxonomy terms → (themes, client groups). Matched ignoring case and punctuation ("&" = "and"),
# as the whole term or as whole words inside a longer term, longest first.
_TERM_ROWS: tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    (("food", "money", "money advice", "goods"), (_POV,), ()),
    (("food banks", "food bank", "foodbank", "debt", "benefits", "financial support"), (_POV,), (_LOW,)),
    (("low income", "low-income", "poverty"), (_POV,), (_LOW,)),
    (("housing",), (_HOUSE,), ()),
    (("homelessness", "homeless"), (_HOUSE,), (_HOMELESS,)),
    (
        ("mental health", "emotional wellbeing", "bereavement", "loneliness", "social isolation"),
        (_MENTAL,),
        (),
    ),
    (("health", "wellbeing", "staying healthy", "drugs and alcohol", "substance misuse"), (_HEALTH,), ()),
    (("older people", "seniors", "elderly", "dementia"), (_OLD,), ("older people",)),
    (("children", "early years"), (_CYP,), ("children",)),
    (("young people", "youth"), (_CYP,), ("young people",)),
    (("families", "parenting"), (_CYP,), ("families",)),
    (
        ("disabilities", "disability", "disabled", "autism", "learning disabilities"),
        (_DIS,),
        ("disabled people",),
    ),
    (("special educational needs", "send"), (_DIS, _EDU), ("disabled people",)),
    (("carers",), (_DIS,), ("carers",)),
    (("employment", "jobs", "work", "training"), (_JOBS,), ()),
    (("volunteering",), (_JOBS, _COMM), ()),
    (("education", "learning", "adult learning"), (_EDU,), ()),
    (("arts", "culture", "leisure", "sport", "sports"), (_ARTS,), ()),
    (("physical activity", "being active"), (_ARTS, _HEALTH), ()),
    (("environment", "green space", "parks", "gardening"), (_ENV,), ()),
    (("community", "community groups", "faith", "religion"), (_COMM,), ()),
    (("refugees", "asylum seekers", "immigrants"), (_COMM,), (_REFUGEES,)),
    (("crime", "community safety", "keeping safe", "domestic abuse", "domestic violence"), (_CRIME,), ()),
    (("victims", "legal", "legal advice"), (_CRIME,), ()),
)
TERM_TABLE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    term: (themes, groups) for terms, themes, groups in _TERM_ROWS for term in terms
}


def _norm_term(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", str(text).lower().replace("&", " and ")).split())


_TERM_PATTERNS = [
    (key, re.compile(rf"(?<!\w){re.escape(_norm_term(key))}(?!\w)"))
    for key in sorted(TERM_TABLE, key=lambda k: len(_norm_term(k)), reverse=True)
]
THEME_ORDER = {t: i for i, t in enumerate(s.THEME_IDS)}
GROUP_ORDER = {g: i for i, g in enumerate(s.CLIENT_GROUP_IDS)}


def terms_to_themes(terms: list[str]) -> tuple[list[str], str, list[str]]:
    """Themes (schema order), their reasons ("; "-separated, same order) and client groups.

    Example:
        >>> terms_to_themes(["Food banks", "Debt & money advice", "Knitting"])
        (['poverty_food'], "ORUK taxonomy term 'Food banks'", ['people on low incomes'])
    """
    why: dict[str, str] = {}
    groups: set[str] = set()
    for term in terms:
        text = _norm_term(term)
        for key, pattern in _TERM_PATTERNS:
            if pattern.search(text):
                text = pattern.sub(" ", text)  # "food banks" then no second hit on "food"
                themes, grps = TERM_TABLE[key]
                for t in themes:
                    why.setdefault(t, f"ORUK taxonomy term '{term}'")
                groups.update(grps)
    ids = sorted(why, key=THEME_ORDER.__getitem__)
    return ids, "; ".join(why[t] for t in ids), sorted(groups, key=GROUP_ORDER.__getitem__)


def extent_km(extent: object) -> float | None:
    """A service area ``extent`` in km, or None when it is not a positive distance.

    Example:
        >>> extent_km("2 km"), extent_km("800 metres"), round(extent_km("1 mile"), 3), extent_km("local")
        (2.0, 0.8, 1.609, None)
    """
    if isinstance(extent, (int, float)) and not isinstance(extent, bool) and extent > 0:
        return float(extent)
    m = _DISTANCE.match(str(extent or "").lower())
    if not m or float(m.group(1)) <= 0:
        return None
    unit = m.group(2) or "km"
    factor = _UNIT_KM.get(unit, _UNIT_KM.get(unit.removesuffix("s"), 1.0))
    return float(m.group(1)) * factor
