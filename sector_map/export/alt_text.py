"""One- or two-sentence descriptions of exported maps, for screen readers and file metadata.

The sentence names the area, how many wards it has, what the shading shows and the wards that
matter most (the most needy, or those with high need and little provision), and where they lie
when they cluster away from the centre of the area.

Example:
    >>> possessive("Trafford"), possessive("St Helens")
    ("Trafford's", "St Helens'")
    >>> join_names(["Alpha", "Beta", "Gamma"])
    'Alpha, Beta and Gamma'
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from sector_map.analysis import gaps, need
from sector_map.analysis.subject import MapSubject
from sector_map.pack import schema as s
from sector_map.pack.io import Pack

TOP_WARDS = 2
# The top wards' centre must lie at least this far from the area's centre (as a share of the
# half-width/half-height of its bounding box) before the text names a direction.
OFF_CENTRE = 0.25
_COMPASS = ("east", "north-east", "north", "north-west", "west", "south-west", "south", "south-east")
_DEMO_NOTE = " The data are fictional (demo data)."
HIGH_GAP_CLASS = gaps.class_label(gaps.HIGH, gaps.LOW)


def possessive(name: str) -> str:
    """``"Trafford"`` -> ``"Trafford's"``; names ending in s take only an apostrophe."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def join_names(names: Sequence[str]) -> str:
    """``["A", "B", "C"]`` -> ``"A, B and C"``."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def wards_in_metres(pack: Pack) -> gpd.GeoDataFrame:
    """The pack's wards in British National Grid (metres), indexed by ward code."""
    return pack.wards.to_crs(s.METRE_CRS).set_index(s.WARD_CODE, drop=False)


def compass_part(wards: gpd.GeoDataFrame, codes: Sequence[str]) -> str:
    """Where wards ``codes`` lie in the area, e.g. ``"north-west"``; "" when near the centre.

    Args:
        wards: all the area's wards in metres (:func:`wards_in_metres`), indexed by ward code.
        codes: the wards to place.
    """
    chosen = wards.loc[[c for c in codes if c in wards.index]]
    if chosen.empty:
        return ""
    minx, miny, maxx, maxy = wards.total_bounds
    half_w, half_h = (maxx - minx) / 2, (maxy - miny) / 2
    if half_w <= 0 or half_h <= 0:
        return ""
    centre = chosen.geometry.union_all().centroid
    dx = (centre.x - (minx + half_w)) / half_w
    dy = (centre.y - (miny + half_h)) / half_h
    if math.hypot(dx, dy) < OFF_CENTRE:
        return ""
    sector = round(math.degrees(math.atan2(dy, dx)) / 45) % 8
    return _COMPASS[sector]


def most_needy(subject: MapSubject, *, n: int = TOP_WARDS) -> list[str]:
    """Codes of the ``n`` wards in most need: largest values, or smallest when lower is worse.

    Ties keep the wards' order in ``subject.values``.
    """
    values = subject.values.dropna()
    ascending = subject.meta.higher_is == s.HIGHER_IS_LESS_NEED
    return list(values.sort_values(ascending=ascending, kind="stable").index[:n])


def _is_deprivation(meta: s.IndicatorMeta) -> bool:
    text = f"{meta.label} {meta.source}".lower()
    return bool(meta.domain) or "deprivation" in text or "imd" in text.split()


def _names(pack: Pack, codes: Sequence[str]) -> list[str]:
    lookup = pack.wards.set_index(s.WARD_CODE)[s.WARD_NAME]
    return [str(lookup.get(c, c)) for c in codes]


def _where(wards: gpd.GeoDataFrame, codes: Sequence[str]) -> str:
    part = compass_part(wards, codes)
    return f" in the {part}" if part else ""


def _wards_phrase(n: int) -> str:
    return f"{n} ward" if n == 1 else f"{n} wards"


def need_map_alt(pack: Pack, subject: MapSubject) -> str:
    """Alt text for a need map (one indicator or a theme's need index).

    Example: "Map of Trafford's 21 wards shaded by IMD score; the most deprived are
    Bucklow-St Martins and Clifford in the north-west."
    """
    wards = wards_in_metres(pack)
    n_wards = len(wards)
    label = subject.meta.label
    if label.endswith(": need index"):
        label = f"the need index for {label.removesuffix(': need index').lower()}"
    text = f"Map of {possessive(pack.name)} {_wards_phrase(n_wards)} shaded by {label}"
    top = most_needy(subject)
    if not top:
        return text + "; no ward has a value."
    one = len(top) == 1
    if subject.weights is None and _is_deprivation(subject.meta):
        who = "the most deprived " + ("is" if one else "are")
    else:
        who = "the ward in most need is" if one else "the wards in most need are"
    text += f"; {who} {join_names(_names(pack, top))}{_where(wards, top)}."
    missing = int(subject.values.reindex(wards.index).isna().sum())
    if missing:
        text += f" {_wards_phrase(missing)} {'has' if missing == 1 else 'have'} no data."
    if subject.weights is not None:
        text += f" The index is computed from {need.weights_text(pack.indicator_meta, subject.weights)}."
    return text + _DEMO_NOTE if pack.is_demo else text


def theme_words(themes: Sequence[str]) -> str:
    """Themes in plain words, e.g. ``"poverty, food and money advice"``."""
    return join_names([s.THEMES_BY_ID[t].label.lower() for t in themes])


def gap_map_alt(
    pack: Pack, table: pd.DataFrame, themes: Sequence[str], *, need_from: Sequence[str] = ()
) -> str:
    """Alt text for a gap (need against provision) map, naming the high-need, little-provision wards.

    Args:
        pack: the pack mapped.
        table: the table of :func:`sector_map.analysis.tables.gap_table_for` (sorted by priority).
        themes: the theme ids the table was made for.
        need_from: sentences naming the indicators and weights behind each theme's need index.
    """
    wards = wards_in_metres(pack)
    text = (
        f"Map of {possessive(pack.name)} {_wards_phrase(len(wards))} shaded by need for "
        f"{theme_words(themes)} against the provision that reaches them"
    )
    high = table[table[s.GAP_CLASS] == HIGH_GAP_CLASS]
    demo = "".join(f" {line}" for line in need_from) + (_DEMO_NOTE if pack.is_demo else "")
    if high.empty:
        return text + "; no ward has high need with little provision." + demo
    codes = [str(c) for c in high.index]
    names = [str(n) for n in high[s.WARD_NAME]] if s.WARD_NAME in high else _names(pack, codes)
    shown = names if len(names) <= 4 else [*names[:3], f"{len(names) - 3} more"]
    verb = "is" if len(codes) == 1 else "are"
    return (
        f"{text}; {_wards_phrase(len(codes))} {verb} high need with little provision: "
        f"{join_names(shown)}{_where(wards, codes)}.{demo}"
    )


def _class_phrase(label: str) -> str:
    """``"high need, little provision"`` -> ``"high need with little provision"``."""
    return label.replace(", ", " with ", 1)


def scatter_alt(pack: Pack, table: pd.DataFrame, themes: Sequence[str]) -> str:
    """Alt text for the need-against-provision chart, naming the top of the priority list.

    The wards named are the first :data:`TOP_WARDS` of the priority list (the table's order) that
    share the first ward's class, so the sentence says one true thing about all of them.

    Args:
        pack: the pack charted.
        table: the table of :func:`sector_map.analysis.tables.gap_table_for` (sorted by priority).
        themes: the theme ids the table was made for.
    """
    n_wards = len(pack.wards)
    text = (
        f"Chart of {possessive(pack.name)} {_wards_phrase(n_wards)}: need for {theme_words(themes)} "
        "against provision"
    )
    demo = _DEMO_NOTE if pack.is_demo else ""
    ranked = table[table[s.RANK].notna()]
    if ranked.empty:
        return text + "; no ward has need data." + demo
    first = ranked[s.GAP_CLASS].iloc[0]
    top = ranked.head(TOP_WARDS)
    top = top[top[s.GAP_CLASS] == first]
    codes = [str(c) for c in top.index]
    names = [str(n) for n in top[s.WARD_NAME]] if s.WARD_NAME in top else _names(pack, codes)
    verb = "has" if len(names) == 1 else "have"
    text += f"; {join_names(names)} {verb} {_class_phrase(first)}."
    if first != HIGH_GAP_CLASS:
        text += f" No ward has {_class_phrase(HIGH_GAP_CLASS)}."
    missing = n_wards - len(ranked)
    if missing > 0:
        text += f" {_wards_phrase(missing)} without need data {'is' if missing == 1 else 'are'} not shown."
    return text + demo


def ward_map_alt(
    pack: Pack, ward_code: str, *, orgs: pd.DataFrame | None = None, near_km: float | None = None
) -> str:
    """Alt text for a ward's print map: the ward, and the organisations based in, near and reaching it.

    Args:
        pack: the pack mapped.
        ward_code: the ward shown.
        orgs: :func:`sector_map.analysis.ward_profile.organisations` for the ward, when already worked out.
        near_km: the distance that counts as near (that of ``orgs``; the ward profile's by default).

    Example: "Map of Bucklow-St Martins ward in Trafford and its neighbours, with the 7 organisations
    based there and 3 more based within 1 km; 40 more have services reaching it (35 of them serve
    the whole area)."
    """
    from sector_map.analysis import ward_profile as wp

    near_km = wp.NEAR_KM if near_km is None else near_km
    name = wp.heading(pack, ward_code).name
    orgs = wp.organisations(pack, ward_code, near_km=near_km) if orgs is None else orgs
    based = int((orgs[s.HEADER_WHERE] == wp.BASED_HERE).sum())
    near = int((orgs[s.HEADER_WHERE] == wp.NEARBY).sum())
    reach = orgs[s.HEADER_WHERE] == wp.REACHES
    whole = int((reach & orgs[s.HEADER_WHOLE_AREA].astype(bool)).sum())
    if based == 0:
        who = "no organisation based there"
    else:
        who = f"the {based} organisation{'' if based == 1 else 's'} based there"
    if near:
        who += f" and {near} more based within {near_km:g} km"
    text = f"Map of {name} ward in {pack.name} and its neighbours, with {who}"
    n_reach = int(reach.sum())
    if n_reach:
        text += f"; {n_reach} more {'has' if n_reach == 1 else 'have'} services reaching it"
        if whole:
            text += f" ({whole} of them serv{'es' if whole == 1 else 'e'} the whole area)"
    return text + "." + (_DEMO_NOTE if pack.is_demo else "")
