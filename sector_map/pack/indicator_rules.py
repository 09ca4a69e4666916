"""Keyword rules that say which way an indicator is worse, its IMD domain and its themes.

:data:`DIRECTION_RULES`, :data:`DOMAIN_RULES` and :data:`THEME_RULES` are searched in the
lower-case indicator label, first match wins (every matching theme rule adds its themes), so a
user can read why an indicator was classed as it was. Also :func:`slug` (indicator ids from
labels) and :func:`period_key` (sorting published periods by their end).
"""

from __future__ import annotations

import re

from sector_map.pack import schema as s

__all__ = [
    "CONCEPT_RULES",
    "DIRECTION_RULES",
    "DOMAIN_RULES",
    "THEME_RULES",
    "concept_for",
    "direction_for",
    "domain_for",
    "period_key",
    "slug",
    "themes_for",
]

MORE, LESS = s.HIGHER_IS_MORE_NEED, s.HIGHER_IS_LESS_NEED

# (pattern, higher_is, reason). First match wins; patterns search the lower-case label.
DIRECTION_RULES: tuple[tuple[str, str, str], ...] = (
    (r"\brank\b", LESS, "a rank: rank 1 is the most deprived"),
    (r"\bdecile\b", LESS, "a decile: decile 1 is the most deprived"),
    (r"life expectancy", LESS, "longer life expectancy is better"),
    (r"\bno (qualifications|car|adults)|\bwithout\b", MORE, "a share of people without something"),
    (r"employment rate|\bin employment\b", LESS, "more people in work is better"),
    (r"good health|child development|good level of development", LESS, "a measure of good outcomes"),
    (
        r"\bno (long[- ]term|health|disab)|not disabled|not limited",
        LESS,
        "a share of people without a condition",
    ),
    (r"higher education|degree|level 4", LESS, "a measure of qualifications"),
    (r"broadband|download speed|green ?space|turnout", LESS, "more is better"),
    (
        r"professional occupation|owner occupied|property price|house price|4 or more cars",
        LESS,
        "a sign of affluence",
    ),
    (
        r"depriv|idaci|idaopi|index of multiple|\bimd|admission|hospital stay|death|mortality|obes|birth weight"
        r"|self-harm|alcohol|binge|crime|burglary|robbery|theft|violence|anti-social|killed or seriously"
        r"|low income|poverty|benefit|claimant|inactive|\bbad\b|disab|unemploy|overcrowd|homeless"
        r"|incidence|out-of-work|smok",
        MORE,
        "higher means more deprivation, illness, crime or hardship",
    ),
)

# IoD domains (the same in IoD2019 and IoD2025); applied only to labels that are about deprivation (see _DEPRIVATION).
DOMAIN_RULES: tuple[tuple[str, str], ...] = (
    (r"index of multiple deprivation", s.DOMAIN_IMD),
    (r"affecting children|idaci", s.DOMAIN_IDACI),
    (r"affecting older|idaopi", s.DOMAIN_IDAOPI),
    (r"\bincome\b", s.DOMAIN_INCOME),
    (r"employment", s.DOMAIN_EMPLOYMENT),
    (r"education|skills", s.DOMAIN_EDUCATION),
    (r"health|disability", s.DOMAIN_HEALTH),
    (r"crime", s.DOMAIN_CRIME),
    (r"barriers|housing", s.DOMAIN_HOUSING),
    (r"environment", s.DOMAIN_LIVING_ENV),
)
_DEPRIVATION = re.compile(r"deprivation|indices of|\biod\b|\bimd|idaci|idaopi")

# (pattern, themes) for indicators that are not IoD domains; every matching rule adds themes.
THEME_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"self-harm|mental|depress|anxiety|suicide", ("mental_health",)),
    (
        r"life expectancy|health|death|mortality|cancer|obes|alcohol|binge|birth weight|circulatory"
        r"|respiratory|admission|smok",
        ("health_wellbeing",),
    ),
    (r"child|year 6|reception|young|pupil|school|aged 0-15", ("children_young_people",)),
    (r"older|65 or more|80 or more|pension|living alone|old-age", ("older_people",)),
    (r"disab|carer|unpaid care", ("disability_carers",)),
    (r"crime|burglary|robbery|theft|anti-social|violence|offence|killed or seriously", ("crime_safety",)),
    (r"fuel poverty|low income|poverty|benefit|free school meals|debt", ("poverty_food",)),
    (
        r"housing|tenure|rented|overcrowd|homeless|bedroom|property|houses|flat|owner occupied",
        ("housing_homelessness",),
    ),
    (
        r"employment|claimant|economically inactive|unemploy|jobs|employees|occupation|out-of-work",
        ("employment_skills",),
    ),
    (r"qualification|education|skills|student|learning|child development", ("education_learning",)),
    (r"green ?space|air quality|environment", ("environment",)),
    (r"ethnic|religio|language|turnout|identity|born", ("community_cohesion",)),
    (r"\bsports?\b|leisure|\barts\b|culture|librar", ("arts_culture_sport",)),
)


# What an indicator measures, so a theme's default need index counts each concept once.
# IoD domains are concepts in their own right, except the two supplementary indices, which
# are subsets of Income deprivation. Other indicators: first matching (pattern, concept) wins;
# an indicator no rule matches is a concept of its own.
DOMAIN_CONCEPTS: dict[str, str] = {s.DOMAIN_IDACI: s.DOMAIN_INCOME, s.DOMAIN_IDAOPI: s.DOMAIN_INCOME}
CONCEPT_RULES: tuple[tuple[str, str], ...] = (
    (r"life expectancy", "life_expectancy"),
    (r"fuel poverty", "fuel_poverty"),
    (r"out-of-work|workless|claimant|unemploy|jobseeker", s.DOMAIN_EMPLOYMENT),
    (r"low income|benefit|free school meals|means-tested|income deprivation|\bincome\b", s.DOMAIN_INCOME),
    (r"qualification", s.DOMAIN_EDUCATION),
)


def concept_for(label: str, domain: str = "") -> str:
    """The concept an indicator measures: its IoD domain, else a :data:`CONCEPT_RULES` match, else ''.

    Example:
        >>> concept_for("Income Deprivation Affecting Children", "idaci")
        'income'
        >>> concept_for("Children in low income families (0-15 years)")
        'income'
        >>> concept_for("Female life expectancy at birth") == concept_for("Male life expectancy at birth")
        True
        >>> concept_for("Anti-social behaviour")
        ''
    """
    if domain:
        return DOMAIN_CONCEPTS.get(domain, domain)
    text = label.lower()
    return next((c for p, c in CONCEPT_RULES if re.search(p, text)), "")


def slug(text: str) -> str:
    """Lower-case id from a label.

    Example:
        >>> slug("Children in low income families (0-15 years)")
        'children_in_low_income_families_0_15_years'
    """
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_") or "indicator"


def direction_for(label: str) -> tuple[str, str, bool]:
    """``(higher_is, reason, guessed)`` from :data:`DIRECTION_RULES`.

    Example:
        >>> direction_for("Male life expectancy at birth")[0]
        'less_need'
        >>> direction_for("Population aged 0-15 years")[2]
        True
    """
    text = label.lower()
    for pattern, higher_is, why in DIRECTION_RULES:
        m = re.search(pattern, text)
        if m:
            return higher_is, f"{why} (matched '{m.group(0)}')", False
    return MORE, "no rule matched, so higher = more need was assumed; check it", True


def domain_for(label: str) -> str:
    """IoD domain key for a deprivation label, else ''.

    Example:
        >>> domain_for("Income Deprivation Affecting Children")
        'idaci'
        >>> domain_for("Children in low income families (0-15 years)")
        ''
    """
    text = label.lower()
    if not _DEPRIVATION.search(text):
        return ""
    return next((d for p, d in DOMAIN_RULES if re.search(p, text)), s.DOMAIN_IMD)


def themes_for(label: str, domain: str) -> list[str]:
    """Themes of an indicator: from its domain, else from :data:`THEME_RULES`."""
    if domain:
        return s.themes_for_domain(domain)
    text = label.lower()
    found = [t for p, ts in THEME_RULES if re.search(p, text) for t in ts]
    return list(dict.fromkeys(found))


def period_key(period: str) -> tuple[int, int, int]:
    """Sort key for the end of a published period ("2015 - 19", "2017/18 to 2019/20", "2022-06-01").

    Example:
        >>> period_key("2015 - 19"), period_key("1999/00"), period_key("2017-10 to 2018-11")
        ((2019, 0, 0), (2000, 0, 0), (2018, 11, 0))
    """
    text = str(period).strip()
    first = re.search(r"(?:1[89]|20)\d\d", text)
    start = int(first.group(0)) if first else 2000
    last = re.split(r"\s+(?:to|-|–)\s+", text)[-1].strip()
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", last)
    if m:
        return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    m = re.fullmatch(r"(?:\d{2}|\d{4})/(\d{2})", last) or re.fullmatch(r"(\d{2})", last)
    if m:
        end = start // 100 * 100 + int(m.group(1))
        return end + (100 if end < start else 0), 0, 0
    years = re.findall(r"(?:1[89]|20)\d\d", text)
    return (max(int(y) for y in years), 0, 0) if years else (0, 0, 0)
