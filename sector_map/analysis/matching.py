"""Ward ↔ organisation matching: where an offer fits, and who could meet a ward's needs.

One scoring serves the "Where we fit" page, the ward profile and the ``fit`` command. Every
ranked row carries a one-sentence reason an officer can read out. Need and gap come in as
DataFrames (wards × theme ids, 0–100, NaN = no data) so this module computes neither.
Partners, overlap and consortia live in :mod:`sector_map.analysis.partners`. The examples run on
the tiny four-ward pack of :func:`sector_map.demo.tiny.tiny_pack`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from sector_map.analysis.catchment import PeopleDistances, distance_text, distances_from_people_km
from sector_map.analysis.places import as_tuple, organisation_table, places, service_table, to_metres
from sector_map.pack import schema as s
from sector_map.pack.io import Pack
from sector_map.pack.validate import has_location
from sector_map.pack.values import normalise_postcode

# --- scoring constants --------------------------------------------------------------------
# Unmet need (0–100) at or above this is called "high" in reasons.
HIGH_NEED = 60.0
# Unmet need (0–100) at or above this (and below HIGH_NEED) is called "moderate"; below it "low".
MODERATE_NEED = 30.0
# What a fit's scores were worked out from (FitResult.score_from).
FROM_NEED = "need"
FROM_GAP = "gap"
FROM_NEED_AND_GAP = "need and gap"


@dataclass(frozen=True)
class Offer:
    """What an organisation (or a proposed project) offers, and where.

    ``point`` is (lon, lat) in WGS84. The offer reaches wards within ``reach_km`` of its point
    and any ward in ``wards``; with neither, it covers the whole area.
    """

    name: str
    themes: tuple[str, ...]
    client_groups: tuple[str, ...] = ()
    point: tuple[float, float] | None = None
    reach_km: float | None = None
    capacity: float | None = None
    org_id: str | None = None
    size_band: str | None = None
    wards: tuple[str, ...] = ()

    @property
    def whole_area(self) -> bool:
        """True when the offer has neither a reach in km nor a list of wards."""
        return self.reach_km is None and not self.wards


# --- small helpers shared with partners ---------------------------------------------
def theme_label(theme: str) -> str:
    """A theme's label as it reads mid-sentence: ``theme_label("older_people") == "older people"``."""
    label = s.THEMES_BY_ID[theme].label
    return label[0].lower() + label[1:]


def join_labels(themes: Iterable[str]) -> str:
    """Theme labels joined the way people write lists ("a, b and c")."""
    labels = [theme_label(t) for t in themes]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def check_themes(themes: Iterable[str]) -> tuple[str, ...]:
    """Theme ids, de-duplicated in taxonomy order; ValueError naming any unknown id."""
    themes = s.check_theme_ids(themes)
    return tuple(t for t in s.THEME_IDS if t in themes)


def ward_shapes(pack: Pack) -> pd.Series:
    """Ward polygons in metres, indexed by ward code (shared: never change them)."""
    pl = places(pack)
    return pd.Series(pl.shapes, index=pl.codes.values)


def distances_km(
    x: np.ndarray, y: np.ndarray, shape: BaseGeometry, people: np.ndarray | None = None
) -> np.ndarray:
    """Distance in km from points (metres; NaN = unknown) to one ward: 0 inside it.

    With ``people`` (the ward's postcode points, from :func:`ward_people`) this is the shared
    "nearest" of :func:`sector_map.analysis.catchment.distances_from_people_km`; without, the distance to
    the ward's edge (used to test whether a reach touches the ward).
    """
    x, y = np.atleast_1d(np.asarray(x, dtype=float)), np.atleast_1d(np.asarray(y, dtype=float))
    units = None
    if people is not None and len(people):
        units = (np.asarray(people, dtype=float).reshape(-1, 2), np.zeros(len(people), dtype=np.int64))
    return distances_from_people_km(np.column_stack([x, y]), [shape], units)[0]


def ward_people(pack: Pack) -> dict[str, np.ndarray]:
    """Per ward code, the pack's postcodes inside it in metres (``(n, 2)``; empty when none).

    Where the ward's people are, for :func:`distances_km`; a postcode on a border counts once.
    """
    pl = places(pack)
    out = {c: np.empty((0, 2)) for c in pl.codes}
    if pl.people is not None:
        xy, ward = pl.people
        for w in np.unique(ward):
            out[pl.codes[w]] = xy[ward == w]
    return out


# --- offers ---------------------------------------------------------------------------------
def offer_from_org(pack: Pack, org_id: str) -> Offer:
    """The offer of an organisation in the pack: its services' themes, client groups and reach.

    Reach is the largest radius of its radius services, or the whole area if any service covers
    the whole area; services that list wards add those wards.

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> food = offer_from_org(tiny_pack(), "o1")  # Alpha Food Share: a food bank, 1.5 km reach
        >>> food.themes, food.reach_km, food.capacity, food.wards
        (('poverty_food',), 1.5, 40.0, ())
        >>> offer_from_org(tiny_pack(), "o2").wards  # Beta Carers: a drop-in for two listed wards
        ('X05000002', 'X05000003')
    """
    orgs = organisation_table(pack)
    if org_id not in orgs.index:
        raise ValueError(
            f"no organisation with id {org_id!r} in this pack; search by name on the Where we fit page (or `find_organisations`)"
        )
    row = orgs.loc[org_id]
    services = service_table(pack)
    mine = services[services[s.ORG_ID] == org_id]
    x, y = row[s.X_METRES], row[s.Y_METRES]
    if x != x and mine[s.X_METRES].notna().any():
        x, y = mine[s.X_METRES].dropna().iloc[0], mine[s.Y_METRES].dropna().iloc[0]
    point = None
    if x == x:
        lon, lat = pyproj.Transformer.from_crs(s.METRE_CRS, s.PACK_CRS, always_xy=True).transform(x, y)
        point = (float(lon), float(lat))
    kinds = set(mine[s.AREA_TYPE])
    reach_km, wards = None, ()
    if s.AREA_WHOLE not in kinds and kinds:
        radii = mine.loc[mine[s.AREA_TYPE] == s.AREA_RADIUS, s.RADIUS_KM].dropna()
        reach_km = float(radii.max()) if len(radii) and point is not None else None
        listed = set().union(*mine.loc[mine[s.AREA_TYPE] == s.AREA_WARDS_LIST, s.AREA_WARDS])
        wards = tuple(sorted(listed))
    caps = pd.to_numeric(pack.services.loc[pack.services[s.ORG_ID].astype(str) == org_id, s.CAPACITY])
    return Offer(
        name=str(row[s.ORG_NAME]),
        themes=tuple(row[s.THEMES]),
        client_groups=tuple(row[s.CLIENT_GROUPS]),
        point=point,
        reach_km=reach_km,
        capacity=float(caps.sum()) if caps.notna().any() else None,
        org_id=org_id,
        size_band=str(row[s.SIZE_BAND]),
        wards=wards,
    )


def offer_from_description(
    pack: Pack,
    *,
    name: str = "Your offer",
    themes: Sequence[str],
    client_groups: Sequence[str] = (),
    postcode: str | None = None,
    point: tuple[float, float] | None = None,
    reach_km: float | None = None,
    capacity: float | None = None,
) -> Offer:
    """An offer described by hand; a base postcode is looked up in the pack's postcodes.

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> offer = offer_from_description(
        ...     tiny_pack(), name="Debt advice", themes=["poverty_food"], point=(-2.275, 53.405), reach_km=1.0
        ... )
        >>> offer.themes, offer.point, offer.reach_km, offer.whole_area
        (('poverty_food',), (-2.275, 53.405), 1.0, False)
    """
    themes = check_themes(themes)
    bad = [g for g in client_groups if g not in s.CLIENT_GROUP_IDS]
    if bad:
        raise ValueError(f"unknown client groups {bad}; use ones from schema.CLIENT_GROUP_IDS")
    if postcode and point is None:
        pc = normalise_postcode(pd.Series([postcode])).iloc[0]
        table = pack.postcodes
        hit = pd.DataFrame()
        if pc is not pd.NA and table is not None and len(table):
            hit = table[normalise_postcode(table[s.POSTCODE]) == pc]
        if hit.empty:
            raise ValueError(
                f"postcode {postcode!r} is not among this pack's postcodes (it may be outside the area "
                "or mistyped); give a point (lon, lat) instead, or leave it empty for 'whole area'"
            )
        point = (float(hit[s.LON].iloc[0]), float(hit[s.LAT].iloc[0]))
    if reach_km is not None and point is None:
        raise ValueError(
            "a reach in km needs a base: give a postcode or a point, or leave reach empty for 'whole area'"
        )
    if reach_km is not None and not reach_km > 0:
        raise ValueError(f"reach must be a positive number of km, not {reach_km!r}")
    return Offer(
        name=name,
        themes=themes,
        client_groups=tuple(client_groups),
        point=None if point is None else (float(point[0]), float(point[1])),
        reach_km=None if reach_km is None else float(reach_km),
        capacity=capacity,
    )


def find_organisations(pack: Pack, query: str, *, limit: int = 20) -> pd.DataFrame:
    """Organisations whose name holds every word of ``query`` (any order, any case), or whose
    charity number or id is ``query``; exact number matches first, then names starting with it.

    Each result also has its ``address``, ``postcode``, the ``ward_name`` its point lies in and a
    ``label`` naming them, so six "Trussell Trust" results can be told apart.

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> find_organisations(tiny_pack(), "food share")[s.LABEL].tolist()
        ['Alpha Food Share (charity 1000001; DM1 1AA; Alpha ward)']
        >>> find_organisations(tiny_pack(), "1000001")[s.ORG_ID].tolist()  # by charity number
        ['o1']
    """
    orgs = pack.organisations
    cols = [s.ORG_ID, s.ORG_NAME, s.CHARITY_NUMBER, s.THEMES, s.SIZE_BAND, s.LOCATION_QUALITY]
    names = orgs[s.ORG_NAME].astype(str).str.lower()
    q = " ".join(str(query).lower().split())
    if q:
        mask = pd.Series(True, index=orgs.index)
        for word in q.split():
            mask &= names.str.contains(word, regex=False)
        exact = (orgs[s.CHARITY_NUMBER].astype("string").str.strip() == q).fillna(False) | (
            orgs[s.ORG_ID].astype(str).str.lower() == q
        )
        mask |= exact
    else:
        mask = exact = pd.Series(True, index=orgs.index)
    order = pd.DataFrame({"exact": ~exact, "starts": ~names.str.startswith(q), s.ORG_NAME: names})[mask]
    picked = order.sort_values(["exact", "starts", s.ORG_NAME]).index[:limit]
    out = pd.DataFrame(orgs.loc[picked, cols]).reset_index(drop=True)
    out[s.THEMES] = out[s.THEMES].map(lambda v: list(as_tuple(v)))
    address = orgs[s.ADDRESS] if s.ADDRESS in orgs.columns else pd.Series(pd.NA, index=orgs.index)
    out[s.ADDRESS] = address.loc[picked].astype("string").str.strip().replace("", pd.NA).to_numpy()  # type: ignore[call-overload]  # pandas-stubs: replace() takes no pd.NA
    out[s.POSTCODE] = orgs.loc[picked, s.POSTCODE].astype("string").to_numpy()
    out[s.WARD_NAME] = _ward_of(pack, cast(gpd.GeoSeries, orgs.geometry.loc[picked]))
    out[s.LABEL] = [_search_label(r) for r in out.to_dict("records")]
    return out[s.FOUND_COLUMNS]


def _ward_of(pack: Pack, geoms: gpd.GeoSeries) -> list[str | None]:
    """The name of the pack's ward each point lies in (None outside every ward or unknown)."""
    names = pack.wards[s.WARD_NAME].astype(str).to_numpy()
    out: list[str | None] = [None] * len(geoms)
    located = has_location(geoms).to_numpy()
    if located.any():
        pts = np.asarray(geoms[located].values, dtype=object)
        pt_i, ward_i = shapely.STRtree(np.asarray(pack.wards.geometry.values)).query(pts, predicate="within")
        where = np.flatnonzero(located)
        for p, w in zip(pt_i, ward_i, strict=True):
            out[where[p]] = out[where[p]] or names[w]
    return out


def _search_label(row: Mapping) -> str:
    """How a search result reads, enough to tell apart organisations with the same name."""
    parts = []
    number, postcode, ward = row[s.CHARITY_NUMBER], row[s.POSTCODE], row[s.WARD_NAME]
    if isinstance(number, str) and number.strip():
        parts.append(f"charity {number.strip()}")
    place = row[s.ADDRESS] if isinstance(row[s.ADDRESS], str) else None
    if isinstance(postcode, str) and postcode.strip() and (not place or postcode not in place):
        place = f"{place}, {postcode}" if place else postcode
    if place:
        parts.append(place)
    if isinstance(ward, str):
        parts.append(f"{ward} ward")
    elif row[s.LOCATION_QUALITY] == s.LOCATION_AREA_ONLY:
        parts.append("location not known")
    return f"{row[s.ORG_NAME]} ({'; '.join(parts)})" if parts else str(row[s.ORG_NAME])


# --- ward ranking for an offer -------------------------------------------------------------
def distances_from_point(pack: Pack, point: tuple[float, float]) -> np.ndarray:
    """km from a (lon, lat) point to every ward's people, pack order (:func:`distances_km`)."""
    pl = places(pack)
    x, y = to_metres(point[0], point[1])
    found = PeopleDistances(np.array([[float(x), float(y)]]), pl.shapes, pl.people)
    n = len(pl.shapes)
    return found.pair_metres(np.zeros(n, dtype=np.int64), np.arange(n)) / 1000.0


def _level(value: float) -> str:
    return "high" if value >= HIGH_NEED else "moderate" if value >= MODERATE_NEED else "low"


def unmet_need(need: pd.DataFrame | None, gap: pd.DataFrame | None) -> tuple[pd.DataFrame, str]:
    """Unmet need (0–100) per ward × theme, and what it was worked out from.

    The mean of the ward's need and its gap, so need leads and provision already there lowers it:
    a ward with need 99 and some provision comes before one with need 50 and none. A theme whose
    gap is known in no ward (provision cannot tell wards apart) uses need alone; with no gap table
    at all, need; with no need table, the gap. The second value is "gap", "need" or "need and gap".

    Example:
        >>> need = pd.DataFrame({"poverty_food": [99.0, 50.0]}, index=["X05000001", "X05000002"])
        >>> gap = pd.DataFrame({"poverty_food": [60.0, 100.0]}, index=need.index)
        >>> table, source = unmet_need(need, gap)
        >>> table["poverty_food"].tolist(), source
        ([79.5, 75.0], 'need and gap')
    """
    if need is None and gap is None:
        raise ValueError("give a gap table, or a need table to rank by need alone")
    if need is None:
        assert gap is not None  # both None raised above
        return gap.astype(float), FROM_GAP
    need = need.astype(float)
    if gap is None:
        return need, FROM_NEED
    gap = gap.reindex(index=need.index, columns=need.columns).astype(float)
    known = gap.notna().any(axis=0)
    out = need.copy()
    cols = list(known[known].index)
    out[cols] = (need[cols] + gap[cols]) / 2
    return out, FROM_NEED_AND_GAP if cols else FROM_NEED


def _theme_phrase(theme: str, need: float | None, gap: float | None) -> str:
    parts = [] if need is None or need != need else [f"need {need:.0f}"]
    if gap is not None and gap == gap:
        parts.append(f"gap {gap:.0f}")
    return f"{theme_label(theme)} ({', '.join(parts)}/100)" if parts else theme_label(theme)


def _rows(
    codes: pd.Index, themes: tuple[str, ...], need: pd.DataFrame | None, gap: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    def pick(table: pd.DataFrame | None) -> pd.DataFrame | None:
        if table is None:
            return None
        return table.reindex(index=codes, columns=list(themes)).astype(float)

    need, gap = pick(need), pick(gap)
    if gap is not None and not gap.notna().to_numpy().any() and need is not None:
        gap = None  # no provision to compare with anywhere: unmet need is need
    unmet, _ = unmet_need(need, gap)
    return unmet, need, gap


@dataclass(frozen=True)
class FitResult:
    """Wards ranked for an offer (:func:`rank_wards_for_offer`), and what the scores came from.

    Attributes:
        table: one row per ward, best first: :data:`sector_map.pack.schema.FIT_COLUMNS`.
        score_from: :data:`FROM_NEED_AND_GAP` or :data:`FROM_GAP` when scores are unmet need,
            :data:`FROM_NEED` when they are need alone (provision cannot tell wards apart).
    """

    table: pd.DataFrame
    score_from: str

    @property
    def by_need_alone(self) -> bool:
        """True when the scores are need, not unmet need."""
        return self.score_from == FROM_NEED

    def first_ward(self) -> str | None:
        """The code of the ward ranked first (None when the offer reaches no ward with data)."""
        ranked = self.table[self.table[s.RANK].notna()]
        return None if ranked.empty else str(ranked[s.WARD_CODE].iloc[0])

    def ward_or_first(self, selected: str | None) -> str | None:
        """The selected ward, else the one ranked first: the ward a page shows until one is chosen."""
        return selected if selected is not None else self.first_ward()


def rank_wards_for_offer(
    pack: Pack, offer: Offer, *, need: pd.DataFrame | None, gap: pd.DataFrame | None, limit: int | None = None
) -> FitResult:
    """Wards ranked by the unmet need an offer could meet there, each with its reason.

    ``score`` (0–100) is the mean over the offer's themes with data of :func:`unmet_need`. Wards
    the offer reaches (whole area, listed wards, or a reach in km touching the ward) are ranked
    1, 2, … by score, nearer first on ties; wards beyond its reach keep their score but get no
    rank and ``in_reach`` False ("beyond your reach"); wards with no data come last. Distances,
    and so reach, are from the offer's base to the ward's people (:func:`distances_km`); the
    result's ``score_from`` says whether scores use the gap or need alone.

    Raises:
        ValueError: for an offer with no themes.

    Example:
        Alpha Food Share's offer on the tiny pack: the gap is unknown there (one located food
        service), so wards are ranked by need; Delta has no need data and is beyond its 1.5 km:

        >>> from sector_map.demo.tiny import tiny_pack
        >>> from sector_map.analysis.tables import need_and_gap_by_theme
        >>> pack = tiny_pack()
        >>> need, gap = need_and_gap_by_theme(pack)
        >>> fit = rank_wards_for_offer(pack, offer_from_org(pack, "o1"), need=need, gap=gap)
        >>> fit.table[[s.RANK, s.WARD_NAME, s.SCORE, s.IN_REACH]].values.tolist()
        [[1, 'Beta', 100.0, True], [2, 'Gamma', 50.0, True], [3, 'Alpha', 0.0, True], [<NA>, 'Delta', nan, False]]
        >>> fit.table[s.REASON].iloc[0], fit.score_from, fit.first_ward()
        ('high need for poverty, food and money advice (need 100/100); 0.3 km from you', 'need', 'X05000002')
    """
    if not offer.themes:
        raise ValueError(
            f"{offer.name} has no themes, so there is nothing to match with need; "
            "describe the offer with the themes it works on instead"
        )
    themes = check_themes(offer.themes)
    if need is None and gap is None:
        raise ValueError("give a gap table, or a need table to rank by need alone")
    codes = pd.Index(pack.wards[s.WARD_CODE].astype(str))
    values, need_v, gap_v = _rows(codes, themes, need, gap)
    kind = FROM_NEED if gap_v is None else FROM_GAP if need_v is None else FROM_NEED_AND_GAP
    gap_known = {t for t in themes if gap_v is not None and gap_v[t].notna().any()}
    unmet = values.mean(axis=1).to_numpy()
    dist = distances_from_point(pack, offer.point) if offer.point is not None else np.full(len(codes), np.nan)
    if offer.whole_area:
        in_reach = np.ones(len(codes), dtype=bool)
    else:
        if offer.reach_km is not None and offer.point is None:
            raise ValueError("the offer has a reach in km but no base point; give a point or no reach")
        listed = codes.isin(set(offer.wards))
        in_reach = listed | (dist <= (offer.reach_km or -1.0) + 1e-9)
    has_data = ~np.isnan(unmet)

    reasons, matched = [], []
    cols = list(themes)
    value_rows = values[cols].to_numpy(float).tolist()
    need_rows = None if need_v is None else need_v[cols].to_numpy(float).tolist()
    gap_rows = None if gap_v is None else gap_v[cols].to_numpy(float).tolist()
    for i, code in enumerate(codes):
        row = dict(zip(cols, value_rows[i], strict=True))
        present = [t for t in themes if row[t] == row[t]]
        matched.append(present)
        if not has_data[i]:
            reasons.append(f"no data for {join_labels(themes)} in this ward")
            continue
        ordered = sorted(present, key=lambda t: -row[t])
        items = [
            _theme_phrase(
                t,
                None if need_rows is None else need_rows[i][cols.index(t)],
                gap_rows[i][cols.index(t)] if gap_rows is not None and t in gap_known else None,
            )
            for t in ordered
        ]
        head = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
        text = f"{_level(float(unmet[i]))} {'need' if kind == FROM_NEED else 'unmet need'} for {head}"
        absent = [t for t in themes if t not in present]
        if absent:
            text += f"; no data for {join_labels(absent)}"
        unknown = [t for t in present if gap_v is not None and need_v is not None and t not in gap_known]
        if unknown and kind != FROM_NEED:
            text += f"; provision of {join_labels(unknown)} cannot tell wards apart, so need alone"
        d = dist[i]
        if not in_reach[i]:
            if offer.reach_km is not None and d == d:
                text += f"; beyond your reach ({distance_text(d)} from your base; you reach {offer.reach_km:g} km)"
            else:
                text += "; beyond your reach (not one of the wards you work in)"
        elif d == d:
            text += "; your base is in this ward" if d == 0 else f"; {distance_text(d)} from you"
        elif offer.wards and code in offer.wards:
            text += "; one of the wards you work in"
        reasons.append(text)

    out = pd.DataFrame(
        {
            s.WARD_CODE: codes.values,
            s.WARD_NAME: pack.wards[s.WARD_NAME].astype(str).values,
            s.SCORE: np.round(unmet, 1),
            s.IN_REACH: in_reach,
            s.THEMES_MATCHED: matched,
            s.DISTANCE_KM: np.round(dist, 2),
            s.REASON: reasons,
            "_group": np.where(~has_data, 2, np.where(in_reach, 0, 1)),
        }
    )
    out = out.sort_values(
        ["_group", s.SCORE, s.DISTANCE_KM, s.WARD_NAME], ascending=[True, False, True, True], kind="stable"
    )
    ranked = (out["_group"] == 0).to_numpy()
    out.insert(0, s.RANK, pd.array(np.where(ranked, np.cumsum(ranked), 0), dtype="Int64"))  # type: ignore[arg-type]  # pandas-stubs: an Int64 array
    out.loc[~ranked, s.RANK] = pd.NA
    out = out.drop(columns="_group").reset_index(drop=True)
    return FitResult(out if limit is None else out.head(limit), kind)
