"""Themes and client groups from what organisations say they do, by rules anyone can read.

The rules are plain tables (:data:`THEME_RULES`, :data:`CLIENT_GROUP_RULES`): a theme id and the
words or phrases that give it. Matching ignores case and matches whole words only, so ``art``
does not fire on "party" nor ``sport*`` on "support" or "transport". Phrase syntax:

- words separated by a space also match a hyphen or line break between them ("food-bank");
- a final ``s`` or ``es`` is allowed on the last word ("food banks", "carers");
- ``*`` at the end of a word matches any ending ("disab*" → disabled, disability, disabilities).

Each theme may list ``unless`` phrases whose words are ignored for that theme: "mental health"
does not also give the general health theme, and "learning disabilities" does not give the
education theme. Every theme assignment carries its reason, e.g. "activities mention 'food bank'".

Charity Commission classification codes (the register extract's ``charity_classification``
table) map to themes and client groups through :data:`CCEW_CLASSIFICATION_THEMES`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd

from sector_map import schema as s
from sector_map.importers.records import as_list

__all__ = [
    "CCEW_CLASSIFICATION_THEMES",
    "CLIENT_GROUP_RULES",
    "THEME_RULES",
    "client_groups_from_text",
    "merge_themes",
    "themes_from_classification",
    "themes_from_text",
]


@dataclass(frozen=True)
class Rule:
    """A theme (or client group) id, the phrases that give it and the phrases that do not."""

    id: str
    phrases: tuple[str, ...]
    unless: tuple[str, ...] = ()


# fmt: off
THEME_RULES: tuple[Rule, ...] = (
    Rule(
        "children_young_people",
        (
            "child*", "kids", "young people", "young person", "youth", "teenager", "adolescent", "baby",
            "babies", "toddler", "nursery", "nurseries", "playgroup", "pre-school", "preschool", "scout*",
            "girlguiding", "girl guid*", "brownies", "orphan",
        ),
    ),
    Rule(
        "older_people",
        (
            "older people", "older person", "older adult", "elderly", "old age", "old people", "retired",
            "retirement", "pensioner", "later life", "senior citizen", "over 50s", "over 60s", "age uk",
            "dementia", "meals on wheels",
        ),
    ),
    Rule(
        "health_wellbeing",
        (
            "health", "healthy", "healthcare", "wellbeing", "well-being", "hospital", "hospice", "medical",
            "medicine", "patient", "illness", "disease", "sick", "sickness", "cancer", "nursing",
            "palliative", "clinic", "therapy", "therapies", "rehabilitation", "addiction",
            "substance misuse", "alcohol", "drug", "stroke", "diabetes", "first aid", "saving of lives",
            "physical activity",
        ),
        unless=(
            "mental health", "mental wellbeing", "emotional wellbeing", "emotional health",
        ),
    ),
    Rule(
        "mental_health",
        (
            "mental health", "mental illness", "mental wellbeing", "emotional wellbeing",
            "emotional health", "emotional support", "depression", "anxiety", "suicide", "self-harm",
            "counselling", "psychological", "psychiatric", "eating disorder", "bereavement", "bereaved",
            "loneliness", "lonely", "social isolation",
        ),
    ),
    Rule(
        "disability_carers",
        (
            "disab*", "special needs", "special educational needs", "learning difficult*", "autism",
            "autistic", "blind", "blindness", "visually impaired", "visual impairment", "sight loss",
            "deaf", "hearing loss", "hearing impair*", "wheelchair", "impairment", "cerebral palsy",
            "down syndrome", "down's syndrome", "dyslexi*", "carer", "caring for", "respite", "supported living",
        ),
    ),
    Rule(
        "poverty_food",
        (
            "poverty", "food bank", "foodbank", "food parcel", "food pantry", "pantry", "food poverty",
            "hunger", "hungry", "hardship", "debt", "money advice", "benefits advice", "welfare rights",
            "low income", "cost of living", "soup kitchen", "credit union", "destitute", "destitution",
            "deprivation", "deprived", "the poor", "free meals", "hot meals",
        ),
    ),
    Rule(
        "housing_homelessness",
        (
            "homeless*", "rough sleep*", "housing", "accommodation", "hostel", "shelter", "night shelter",
            "tenancy", "tenants", "almshouse", "sheltered housing", "refuge",
        ),
    ),
    Rule(
        "employment_skills",
        (
            "employment", "employability", "unemploy*", "job", "jobs", "jobseeker", "job seeker",
            "job club", "work experience", "apprentice*", "vocational", "into work", "back to work",
            "career", "skills", "enterprise",
        ),
    ),
    Rule(
        "education_learning",
        (
            "educat*", "school", "pupil", "student", "learning", "literacy", "numeracy", "tuition",
            "tutoring", "homework", "college", "university", "academy", "scholarship", "bursary",
            "bursaries", "esol", "english classes", "english language", "lessons", "teach*", "training",
            "courses", "library", "libraries",
        ),
        unless=(
            "learning disab*", "learning difficult*", "driving school", "sunday school",
        ),
    ),
    Rule(
        "crime_safety",
        (
            "crime", "criminal", "offender", "offending", "reoffending", "prison*", "justice",
            "domestic abuse", "domestic violence", "sexual abuse", "sexual assault", "sexual violence",
            "child abuse", "rape", "victim", "police", "policing", "gang", "knife", "safety",
            "anti-social behaviour", "antisocial behaviour", "exploitation", "trafficking",
            "modern slavery", "lifeboat", "search and rescue", "mountain rescue", "emergency service",
        ),
    ),
    Rule(
        "community_cohesion",
        (
            "church", "chapel", "mosque", "synagogue", "temple", "gurdwara", "parish", "parochial",
            "worship", "religion", "religious", "christian", "christ", "gospel", "faith", "islam*",
            "muslim", "jewish", "hindu", "sikh", "buddhist", "ministry", "pastoral", "congregation",
            "diocese", "community centre", "community hall", "village hall", "community hub",
            "community group", "local community", "community development", "cohesion", "integration",
            "interfaith", "inter-faith", "racial harmony", "equality", "diversity", "refugee", "asylum",
            "migrant", "befriending", "neighbourhood", "residents association", "community association",
        ),
    ),
    Rule(
        "environment",
        (
            "environment*", "conservation", "wildlife", "nature reserve", "nature conservation",
            "green space", "parks", "garden", "gardening", "allotment", "trees", "tree planting",
            "woodland", "climate", "sustainable", "sustainability", "recycling", "biodiversity", "canal",
            "river", "countryside", "litter", "horticultur*", "ecology", "ecological", "animal welfare",
            "animals",
        ),
    ),
    Rule(
        "arts_culture_sport",
        (
            "art", "arts", "artist", "artistic", "music*", "theatre", "drama", "dance", "dancing", "choir",
            "orchestra", "band", "singing", "culture", "cultural", "museum", "heritage", "history", "historic",
            "civic society", "festival", "film",
            "cinema", "creative", "creativity", "sport*", "football", "cricket", "rugby", "hockey",
            "tennis", "swimming", "athletic*", "golf", "bowls", "cycling", "rowing", "sailing",
            "gymnastic*", "netball", "basketball", "boxing", "martial arts", "snowsport*", "leisure",
            "recreation*", "fitness", "playground", "playing field",
        ),
    ),
)

CLIENT_GROUP_RULES: tuple[Rule, ...] = (
    Rule(
        "children",
        (
            "child*", "kids", "baby", "babies", "toddler", "infant", "pupil", "boys", "girls", "nursery",
            "playgroup", "brownies", "orphan",
        ),
    ),
    Rule(
        "young people",
        (
            "young people", "young person", "young adult", "youth", "teenager", "adolescent", "students",
            "scout*", "girlguiding", "girl guid*",
        ),
    ),
    Rule(
        "families",
        (
            "family", "families", "parent", "parenting",
        ),
    ),
    Rule(
        "older people",
        (
            "older people", "older person", "older adult", "elderly", "old age", "old people", "retired",
            "pensioner", "later life", "senior citizen", "over 50s", "over 60s", "dementia",
        ),
    ),
    Rule(
        "disabled people",
        (
            "disab*", "special needs", "special educational needs", "learning difficult*", "autism",
            "autistic", "blind", "visually impaired", "visual impairment", "sight loss", "deaf",
            "hearing loss", "wheelchair", "impairment", "cerebral palsy",
        ),
    ),
    Rule(
        "carers",
        (
            "carer", "caring for", "respite",
        ),
    ),
    Rule(
        "people on low incomes",
        (
            "poverty", "food bank", "foodbank", "food parcel", "hardship", "debt", "low income",
            "cost of living", "destitute", "deprivation", "deprived", "the poor", "financial need",
            "in need of financial",
        ),
    ),
    Rule(
        "homeless people",
        (
            "homeless*", "rough sleep*", "night shelter",
        ),
    ),
    Rule(
        "refugees and migrants",
        (
            "refugee", "asylum", "migrant", "immigrant",
        ),
    ),
)
# fmt: on


def _phrase_regex(phrase: str) -> str:
    words = phrase.lower().split()
    parts = []
    for i, word in enumerate(words):
        star = word.endswith("*")
        w = re.escape(word.rstrip("*"))
        if star:
            w += r"\w*"
        elif i == len(words) - 1 and word[-1].isalpha():
            w += r"(?:s|es)?"
        parts.append(w)
    return r"(?<!\w)" + r"[\s\-]+".join(parts) + r"(?!\w)"


def _alternation(phrases: tuple[str, ...]) -> re.Pattern:
    ordered = sorted(phrases, key=len, reverse=True)  # longest first: "food bank" before "food"
    return re.compile("|".join(f"(?:{_phrase_regex(p)})" for p in ordered), re.IGNORECASE)


@functools.cache
def _compiled(rule: Rule) -> tuple[re.Pattern, re.Pattern | None]:
    return _alternation(rule.phrases), (_alternation(rule.unless) if rule.unless else None)


def _first_hits(texts: pd.Series, rule: Rule) -> pd.Series:
    """The first matching phrase (lower case) per text, or <NA>."""
    pattern, unless = _compiled(rule)
    text = texts.astype("string").fillna("")
    if unless is not None:
        text = text.str.replace(unless, " ", regex=True)
    hit = text.str.extract(f"({pattern.pattern})", flags=re.IGNORECASE)[0]
    return hit.str.lower().str.replace(r"\s+", " ", regex=True)


def _apply(texts: pd.Series, rules: tuple[Rule, ...], what: str) -> tuple[pd.Series, pd.Series]:
    hits = pd.DataFrame({r.id: _first_hits(texts, r) for r in rules}, index=texts.index)
    ids, reasons = [], []
    for row in hits.itertuples(index=False, name=None):
        got = [(rule.id, h) for rule, h in zip(rules, row, strict=True) if isinstance(h, str) and h]
        ids.append([i for i, _ in got])
        reasons.append("; ".join(f"{what} mention{'s' if what == 'name' else ''} '{h}'" for _, h in got))
    return (
        pd.Series(ids, index=texts.index, dtype=object),
        pd.Series(reasons, index=texts.index, dtype="string"),
    )


def themes_from_text(texts: pd.Series, *, what: str = "activities") -> tuple[pd.Series, pd.Series]:
    """Theme ids per text by :data:`THEME_RULES`, and the reasons ("activities mention 'x'").

    Themes come in :data:`schema.THEMES_LIST` order; a reason is given for each, "; "-separated
    in the same order. ``what`` names the text in reasons ("activities", "name"...).

    Example:
        >>> ids, why = themes_from_text(pd.Series(["A food bank for older people", "Party support"]))
        >>> ids.tolist()
        [['older_people', 'poverty_food'], []]
        >>> why[0]
        "activities mention 'older people'; activities mention 'food bank'"
    """
    return _apply(texts, THEME_RULES, what)


def client_groups_from_text(texts: pd.Series) -> pd.Series:
    """Client group ids (:data:`schema.CLIENT_GROUP_IDS`) per text, by :data:`CLIENT_GROUP_RULES`.

    Example:
        >>> client_groups_from_text(pd.Series(["Support for carers of disabled children"])).tolist()
        [['children', 'disabled people', 'carers']]
    """
    return _apply(texts, CLIENT_GROUP_RULES, "text")[0]


def merge_themes(
    first: tuple[pd.Series, pd.Series], second: tuple[pd.Series, pd.Series]
) -> tuple[pd.Series, pd.Series]:
    """Union of two (themes, reasons) results, in theme order; the first reason for a theme wins.

    Example:
        >>> a = (pd.Series([["poverty_food"]]), pd.Series(["activities mention 'debt'"]))
        >>> b = (pd.Series([["older_people", "poverty_food"]]), pd.Series(["name mentions 'elderly'; x"]))
        >>> merge_themes(a, b)[1][0]
        "name mentions 'elderly'; activities mention 'debt'"
    """
    order = {t: i for i, t in enumerate(s.THEME_IDS)}
    ids, reasons = [], []
    for t1, r1, t2, r2 in zip(first[0], first[1], second[0], second[1], strict=True):
        why = dict(zip_reasons(t2, r2)) | dict(zip_reasons(t1, r1))
        got = sorted(why, key=lambda t: order.get(t, len(order)))
        ids.append(got)
        reasons.append("; ".join(why[t] for t in got if why[t]))
    return (
        pd.Series(ids, index=first[0].index, dtype=object),
        pd.Series(reasons, index=first[0].index, dtype="string"),
    )


def zip_reasons(themes: list[str], reasons) -> list[tuple[str, str]]:
    """Pair each theme with its reason from a "; "-separated reasons string (in theme order).

    When the counts differ (a hand-written reason), every theme gets the whole string.
    """
    themes = as_list(themes)
    text = "" if reasons is None or pd.isna(reasons) else str(reasons)
    parts = [p for p in text.split("; ")] if text else []
    if len(parts) == len(themes):
        return list(zip(themes, parts, strict=True))
    return [(t, text) for t in themes]


class Classification(NamedTuple):
    """What a Charity Commission classification code means for themes and client groups."""

    description: str
    themes: tuple[str, ...]
    client_groups: tuple[str, ...]


# Charity Commission "What" (1xx) and "Who" (2xx) codes. Codes that say nothing about local
# need (general or other purposes, overseas aid, other charities) give no theme.
CCEW_CLASSIFICATION_THEMES: dict[int, Classification] = {
    101: Classification("general charitable purposes", (), ()),
    102: Classification("education/training", ("education_learning",), ()),
    103: Classification("advancement of health or saving of lives", ("health_wellbeing",), ()),
    104: Classification("disability", ("disability_carers",), ("disabled people",)),
    105: Classification("prevention or relief of poverty", ("poverty_food",), ("people on low incomes",)),
    106: Classification("overseas aid/famine relief", (), ()),
    107: Classification("accommodation/housing", ("housing_homelessness",), ()),
    108: Classification("religious activities", ("community_cohesion",), ()),
    109: Classification("arts/culture/heritage/science", ("arts_culture_sport",), ()),
    110: Classification("amateur sport", ("arts_culture_sport",), ()),
    111: Classification("animals", ("environment",), ()),
    112: Classification("environment/conservation/heritage", ("environment",), ()),
    113: Classification(
        "economic/community development/employment", ("employment_skills", "community_cohesion"), ()
    ),
    114: Classification("armed forces/emergency service efficiency", ("crime_safety",), ()),
    115: Classification(
        "human rights/religious or racial harmony/equality or diversity", ("community_cohesion",), ()
    ),
    116: Classification("recreation", ("arts_culture_sport",), ()),
    117: Classification("other charitable purposes", (), ()),
    201: Classification("children/young people", ("children_young_people",), ("children", "young people")),
    202: Classification("elderly/old people", ("older_people",), ("older people",)),
    203: Classification("people with disabilities", ("disability_carers",), ("disabled people",)),
    204: Classification("people of a particular ethnic or racial origin", ("community_cohesion",), ()),
    205: Classification("other charities or voluntary bodies", (), ()),
    206: Classification("other defined groups", (), ()),
    207: Classification("the general public/mankind", (), ("everyone",)),
}


def themes_from_classification(codes: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Themes, reasons and client groups from lists of Charity Commission classification codes.

    Unknown codes (such as the "How" 3xx codes) are ignored.

    Example:
        >>> t, why, groups = themes_from_classification(pd.Series([[105, 202, 301]]))
        >>> t[0], groups[0]
        (['older_people', 'poverty_food'], ['older people', 'people on low incomes'])
        >>> why[0]
        'Charity Commission classification 202 (elderly/old people); Charity Commission classification 105 (prevention or relief of poverty)'
    """
    order = {t: i for i, t in enumerate(s.THEME_IDS)}
    g_order = {g: i for i, g in enumerate(s.CLIENT_GROUP_IDS)}
    ids, reasons, groups = [], [], []
    for row in codes:
        why: dict[str, str] = {}
        got_groups: set[str] = set()
        for code in sorted(int(c) for c in as_list(row)):
            cls = CCEW_CLASSIFICATION_THEMES.get(code)
            if cls is None:
                continue
            for t in cls.themes:
                why.setdefault(t, f"Charity Commission classification {code} ({cls.description})")
            got_groups.update(cls.client_groups)
        got = sorted(why, key=order.__getitem__)
        ids.append(got)
        reasons.append("; ".join(why[t] for t in got))
        groups.append(sorted(got_groups, key=g_order.__getitem__))
    idx = codes.index
    return (
        pd.Series(ids, index=idx, dtype=object),
        pd.Series(reasons, index=idx, dtype="string"),
        pd.Series(groups, index=idx, dtype=object),
    )
