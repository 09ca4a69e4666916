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
from typing import Any, NamedTuple, cast

import pandas as pd

from sector_map.pack import schema as s
from sector_map.pack.values import as_list

__all__ = [
    "CCEW_CLASSIFICATION_THEMES",
    "CLIENT_GROUP_RULES",
    "CONTEXTS",
    "THEME_RULES",
    "clean_activities",
    "client_groups_from_text",
    "contexts_of",
    "merge_themes",
    "themes_from_classification",
    "themes_for_charities",
    "themes_from_text",
]


from sector_map.importers.theme_rules import (
    ABROAD_PLACES,
    ABROAD_PREPOSITIONS,
    ALL,
    BOILERPLATE,
    CLIENT_GROUP_RULES,
    CONTEXTS,
    HOME,
    OVERSEAS,
    THEME_RULES,
    Rule,
)


def _phrase_regex(phrase: str) -> str:
    words = phrase.lower().split()
    parts = []
    for i, word in enumerate(words):
        if word == "*":  # a lone star: one to four words ("friends of * school")
            parts.append(r"[\w'.]+(?:[\s\-]+[\w'.]+){0,3}")
            continue
        star = word.endswith("*")
        w = re.escape(word.rstrip("*"))
        if star:
            w += r"\w*"
        elif i == len(words) - 1 and word[-1].isalpha():
            w += r"(?:s|es)?"
        parts.append(w)
    return r"(?<!\w)" + r"[\s\-]+".join(parts) + r"(?!\w)"


@functools.cache
def _alternation(phrases: tuple[str, ...]) -> re.Pattern:
    ordered = sorted(phrases, key=len, reverse=True)  # longest first: "food bank" before "food"
    return re.compile("|".join(f"(?:{_phrase_regex(p)})" for p in ordered), re.IGNORECASE)


_BOILERPLATE = re.compile("|".join(f"(?:{b})" for b in BOILERPLATE), re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.;!?])\s+|\n+")


@functools.cache
def _abroad() -> re.Pattern:
    """:data:`OVERSEAS`, or a preposition then a place abroad ("in the Middle East"), as one pattern."""
    preps = "|".join(ABROAD_PREPOSITIONS)
    places = "|".join(_phrase_regex(p) for p in sorted(ABROAD_PLACES, key=len, reverse=True))
    return re.compile(
        rf"(?<!\w)(?:{preps})[\s\-]+(?:the[\s\-]+)?(?:{places})|{_alternation(OVERSEAS).pattern}",
        re.IGNORECASE,
    )


def _home_only(text: str) -> str:
    """Blank each sentence about work abroad (:func:`_abroad`) that names no place at home (:data:`HOME`)."""
    if not text:
        return text
    abroad, home = _abroad(), _alternation(HOME)
    keep = [x for x in _SENTENCE.split(text) if not (abroad.search(x) and not home.search(x))]
    return " ".join(keep)


def clean_activities(texts: pd.Series) -> pd.Series:
    """Activities text without governing-document formulas and without sentences about work abroad.

    Example:
        >>> clean_activities(pd.Series(["Hospitals in Africa. A food bank in Sale."]))[0]
        'A food bank in Sale.'
    """
    text = texts.astype("string").fillna("").str.replace(_BOILERPLATE, " ", regex=True)
    return text.map(_home_only).astype("string")


def contexts_of(names: pd.Series | None, activities: pd.Series) -> pd.DataFrame:
    """Which :data:`CONTEXTS` each organisation is in (one boolean column per context label)."""
    act = activities.astype("string").fillna("")
    name = names.astype("string").fillna("") if names is not None else None
    got = {}
    for ctx in CONTEXTS:
        hit = act.str.contains(_alternation(ctx.activities), regex=True) if ctx.activities else act.eq("\0")
        if name is not None and ctx.names:
            hit = hit | name.str.contains(_alternation(ctx.names), regex=True)
        got[ctx.label] = hit.fillna(False).astype(bool)
    return pd.DataFrame(got, index=activities.index)


def _extract(text: pd.Series, phrases: tuple[str, ...]) -> pd.Series:
    hit = text.str.extract(f"({_alternation(phrases).pattern})", flags=re.IGNORECASE)[0]
    return hit.str.lower().str.replace(r"\s+", " ", regex=True)


def _first_hits(texts: pd.Series, rule: Rule, contexts: pd.DataFrame | None, name: bool) -> pd.Series:
    """The first matching phrase (lower case) per text, or <NA>, minus what each row's contexts ignore."""
    phrases = rule.phrases + (rule.name_only if name else ())
    text = texts.astype("string").fillna("")
    if rule.unless:
        text = text.str.replace(_alternation(rule.unless), " ", regex=True)
    hits = _extract(text, phrases)
    if contexts is None:
        return hits
    ignores = {c.label: dict(c.ignore).get(rule.id, ()) for c in CONTEXTS}
    active = [lab for lab, ign in ignores.items() if ign and contexts[lab].any()]
    if not active:
        return hits
    combo = contexts[active].apply(lambda row: tuple(lab for lab in active if row[lab]), axis=1)
    for labels, rows in combo.groupby(combo).groups.items():
        if not labels:
            continue
        ignored = tuple(p for lab in cast("tuple[str, ...]", labels) for p in ignores[lab])  # combo's tuples
        if ALL in ignored:
            hits.loc[rows] = pd.NA
        else:
            hits.loc[rows] = _extract(
                text.loc[rows].str.replace(_alternation(ignored), " ", regex=True), phrases
            )
    return hits


def _apply(
    texts: pd.Series,
    rules: tuple[Rule, ...],
    what: str,
    contexts: pd.DataFrame | None = None,
) -> tuple[pd.Series, pd.Series]:
    name = what == "name"
    hits = pd.DataFrame({r.id: _first_hits(texts, r, contexts, name) for r in rules}, index=texts.index)
    ids, reasons = [], []
    for row in hits.itertuples(index=False, name=None):
        got = [(rule.id, h) for rule, h in zip(rules, row, strict=True) if isinstance(h, str) and h]
        ids.append([i for i, _ in got])
        reasons.append("; ".join(f"{what} mention{'s' if name else ''} '{h}'" for _, h in got))
    return (
        pd.Series(ids, index=texts.index, dtype=object),
        pd.Series(reasons, index=texts.index, dtype="string"),
    )


def themes_from_text(texts: pd.Series, *, what: str = "activities") -> tuple[pd.Series, pd.Series]:
    """Theme ids per text by :data:`THEME_RULES`, and the reasons ("activities mention 'x'").

    The text is cleaned first (:func:`clean_activities`) and the :data:`CONTEXTS` recognisable from
    it apply. Themes come in :data:`schema.THEMES_LIST` order; a reason is given for each,
    "; "-separated in the same order. ``what`` names the text in reasons ("activities", "name"...).

    Example:
        >>> ids, why = themes_from_text(pd.Series(["A food bank for older people", "Party support"]))
        >>> ids.tolist()
        [['older_people', 'poverty_food'], []]
        >>> why[0]
        "activities mention 'older people'; activities mention 'food bank'"
    """
    if what == "name":
        return _apply(texts, THEME_RULES, what, contexts_of(texts, texts.iloc[:0].reindex(texts.index)))
    text = clean_activities(texts)
    return _apply(text, THEME_RULES, what, contexts_of(None, text))


def themes_for_charities(names: pd.Series, activities: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Themes and reasons of organisations from their activities and their name together.

    The organisation's :data:`CONTEXTS` are recognised from both, then apply to both; the
    activities' reason for a theme comes before the name's.

    Example:
        >>> ids, why = themes_for_charities(
        ...     pd.Series(["St Hugh's School PTA", "St Mary's Parish Church"]),
        ...     pd.Series(["School discos and fairs", "Worship, and visiting the sick and bereaved"]),
        ... )
        >>> ids.tolist()
        [[], ['community_cohesion']]
        >>> why[1]
        "activities mention 'worship'"
    """
    text = clean_activities(activities)
    contexts = contexts_of(names, text)
    return merge_themes(
        _apply(text, THEME_RULES, "activities", contexts),
        _apply(names.astype("string"), THEME_RULES, "name", contexts),
    )


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


def zip_reasons(themes: list[str], reasons: Any) -> list[tuple[str, str]]:
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
