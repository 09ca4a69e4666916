"""Plain-English text and tables for the 'About the data' page (no streamlit here)."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pandas as pd

from sector_map.pack import schema as s
from sector_map.pack.io import Pack

GLOSSARY: dict[str, str] = {
    "Ward": "The smallest area for which councillors are elected. A ward usually has 5,000–15,000 "
    "residents. Ward boundaries change from time to time, so each set of boundaries has a year "
    "(its 'vintage'); figures must use the same vintage as the boundaries.",
    "LSOA": "Lower layer Super Output Area: a small statistical area of about 1,500 residents "
    "(around 650 households) used by the Office for National Statistics. Deprivation figures are "
    "published for LSOAs and combined into ward figures.",
    "IMD": "The Index of Multiple Deprivation, part of the English Indices of Deprivation published "
    "by the Ministry of Housing, Communities and Local Government: the 2019 release (on 2011 LSOAs) "
    "or the 2025 release (on 2021 LSOAs); the sources below say which this pack uses. It combines "
    "seven domains into one score: a higher score means more deprived.",
    "Domain": "One of the seven kinds of deprivation the IMD combines: income; employment; "
    "education, skills and training; health and disability; crime; barriers to housing and "
    "services; and living environment.",
    "IDACI": "Income Deprivation Affecting Children Index: the share of children aged 0–15 living "
    "in income-deprived families.",
    "IDAOPI": "Income Deprivation Affecting Older People Index: the share of people aged 60 and "
    "over who are income-deprived.",
    "Rank direction": "In the Indices of Deprivation rank 1 is the MOST deprived. So a low rank "
    "means high need, while a high score means high need. Every map here says which way is worse.",
    "Decile": "The ranking split into ten equal groups. Decile 1 is the 10% most deprived areas in "
    "England; decile 10 the 10% least deprived.",
    "Need score (0–100)": "Each indicator turned into a score within this area: 100 for the ward in "
    "most need, 0 for the ward in least need. It compares wards with each other, not with England.",
    "Theme need index": "For a theme such as 'Older people', the weighted average of the need "
    "scores of the indicators that bear on it. You can change the weights on the Need map page.",
    "Size band": "An organisation's size by yearly income: micro (under £10k), small (£10k–£100k), "
    "medium (£100k–£1m), large (£1m–£10m) and major (over £10m).",
    "Location quality": "How well we know where an organisation works: 'site' (where it delivers), "
    "'contact address' (its registered or postal address, which may not be where it works) or "
    "'area only' (we know the area it serves but not a point).",
    "No data": "A ward with no value for an indicator. It is drawn in grey and never treated as zero.",
}


def web_link(url: object) -> str:
    """``url`` if it is an http(s) address (spaces and angle brackets encoded), else ""."""
    text = str(url or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return quote(text, safe="/:?#[]@!$&'()*+,;=%~")


def sources_table(pack: Pack) -> pd.DataFrame:
    """One row per source in the manifest, with its licence and required attribution.

    The link is kept only when it is an http(s) address (never ``javascript:`` or ``file:``).
    """
    rows = [
        {
            s.HEADER_SOURCE: src.get("title", ""),
            "Publisher": src.get("publisher", ""),
            "Vintage": src.get("vintage", ""),
            "Licence": src.get("licence", ""),
            "Attribution": src.get("attribution", ""),
            "Link": web_link(src.get("url")),
        }
        for src in pack.sources
    ]
    return pd.DataFrame(
        rows, columns=[s.HEADER_SOURCE, "Publisher", "Vintage", "Licence", "Attribution", "Link"]
    )


def deprivation_weights(pack: Pack) -> list[str]:
    """One sentence per deprivation source: which IoD release, and what weights its ward averages.

    A ward figure of the Indices of Deprivation is a population-weighted mean of LSOA scores; with
    the release's own denominators it matches MHCLG's method, with another population (a later
    year's estimates) it can differ a little from published ward figures, so the page says which.

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> p = tiny_pack()
        >>> p.manifest["sources"] = [{"title": "English Indices of Deprivation 2025", "weights": "pop.csv"}]
        >>> deprivation_weights(p)
        ['English Indices of Deprivation 2025: ward averages weighted by pop.csv.']
    """
    return [
        f"{src.get('title') or 'Deprivation'}: ward averages weighted by {src['weights']}."
        for src in pack.sources
        if str(src.get("weights") or "").strip()
    ]


def indicators_table(pack: Pack) -> pd.DataFrame:
    """One row per indicator: what it is, its unit, which way is worse, its source and themes."""
    counts = pack.indicators.groupby(s.INDICATOR_ID)[s.VALUE].count()
    rows = []
    for m in pack.indicator_meta.values():
        rows.append(
            {
                s.HEADER_INDICATOR: m.label,
                "What it means": m.description,
                "Unit": m.unit,
                s.HEADER_WORSE: m.worse_phrase,
                s.HEADER_SOURCE: m.source,
                "Year": m.year,
                s.HEADER_THEMES: ", ".join(s.THEMES_BY_ID[t].label for t in m.themes),
                "Wards with data": f"{int(counts.get(m.id, 0))} of {len(pack.wards)}",
            }
        )
    return pd.DataFrame(rows)


def themes_table(pack: Pack) -> pd.DataFrame:
    """The theme taxonomy with the indicators each theme's need index draws on in this pack."""
    rows = []
    for t in s.THEMES_LIST:
        ids = [m.label for m in pack.indicator_meta.values() if t.id in m.themes]
        rows.append({s.HEADER_THEME: t.label, "Need indicators in this pack": "; ".join(ids) or "none"})
    return pd.DataFrame(rows)
