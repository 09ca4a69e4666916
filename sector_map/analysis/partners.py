"""Organisations around a place: who fits a ward, possible partners and overlap, and consortia.

Built on the tables and helpers of :mod:`sector_map.analysis.matching`; every row carries a reason.
The examples run on the tiny four-ward pack of :func:`sector_map.demo.tiny.tiny_pack`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, cast

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from sector_map.analysis.catchment import distance_text
from sector_map.analysis.matching import (
    Offer,
    check_themes,
    distances_from_point,
    distances_km,
    join_labels,
    to_metres,
)
from sector_map.analysis.places import places
from sector_map.pack import schema as s
from sector_map.pack.io import Pack

# Points (of 100) an organisation gets for covering all the asked themes (pro rata for some).
ORG_THEME_POINTS = 60.0
# Points an organisation gets when one of its services reaches the ward.
ORG_REACH_POINTS = 25.0
# Points an organisation gets for being close to the ward (falling to zero at ORG_SCALE_KM).
ORG_CLOSENESS_POINTS = 10.0
# Distance from the ward at which an organisation's closeness points reach zero.
ORG_SCALE_KM = 10.0
# Points for size: a major charity gets all of them, a micro group (or unknown income) a fifth.
ORG_SIZE_POINTS = 5.0
# Size band → share of ORG_SIZE_POINTS; an unknown income counts like a micro group, never as big.
SIZE_FACTOR = {"micro": 0.2, "small": 0.4, "medium": 0.6, "large": 0.8, "major": 1.0, "unknown": 0.2}

_QUALITY_CAVEAT = {
    s.LOCATION_CONTACT: "location is a contact address, which may not be where it works",
    s.LOCATION_SITE_OUTSIDE: "based outside the area",
    s.LOCATION_CONTACT_OUTSIDE: "location is a contact address outside the area, which may not be where it works",
    s.LOCATION_AREA_ONLY: "location not known (area only)",
}


def services_reaching(services: pd.DataFrame, ward_codes: Collection[str], shape: BaseGeometry) -> np.ndarray:
    """Which services reach a place (wards ``ward_codes``, polygon ``shape`` in metres): whole area,
    one of the wards listed, or a radius from the service's point touching the polygon."""
    whole = (services[s.AREA_TYPE] == s.AREA_WHOLE).to_numpy()
    codes = set(ward_codes)
    listed = services[s.AREA_WARDS].map(lambda w: not codes.isdisjoint(w)).to_numpy(dtype=bool)
    radius = (services[s.AREA_TYPE] == s.AREA_RADIUS).to_numpy()
    d = distances_km(services[s.X_METRES].to_numpy(), services[s.Y_METRES].to_numpy(), shape)
    within = radius & (d <= services[s.RADIUS_KM].to_numpy() + 1e-9)
    return whole | (listed & (services[s.AREA_TYPE] == s.AREA_WARDS_LIST).to_numpy()) | within


def org_distances_km(
    orgs: pd.DataFrame, services: pd.DataFrame, shape: BaseGeometry, people: np.ndarray | None = None
) -> pd.Series:
    """Per organisation, the km from its nearest known point (its own or a service's) to a place:
    a polygon, or with ``people`` a ward's people (see :func:`sector_map.analysis.matching.distances_km`)."""
    d_org = pd.Series(
        distances_km(orgs[s.X_METRES].to_numpy(), orgs[s.Y_METRES].to_numpy(), shape, people),
        index=orgs.index,
    )
    d_svc = pd.Series(
        distances_km(services[s.X_METRES].to_numpy(), services[s.Y_METRES].to_numpy(), shape, people)
    )
    d_svc = d_svc.groupby(services[s.ORG_ID].to_numpy()).min()
    return pd.concat([d_org, d_svc.reindex(orgs.index)], axis=1).min(axis=1)


def where_phrase(distance_km: float, quality: str, *, from_you: bool = False) -> str:
    """How far away an organisation is (from a ward, or from the offer's base), with a caveat
    when its location is weak."""
    if distance_km != distance_km:
        return (
            _QUALITY_CAVEAT[s.LOCATION_AREA_ONLY] if quality == s.LOCATION_AREA_ONLY else "location not known"
        )
    if from_you:
        place = "based at your base" if distance_km == 0 else f"based {distance_text(distance_km)} from you"
    else:
        place = "based in the ward" if distance_km == 0 else f"based {distance_text(distance_km)} away"
    caveat = _QUALITY_CAVEAT.get(quality)
    return f"{place} ({caveat})" if caveat else place


def _reach_how(mine: pd.DataFrame) -> str:
    """How an organisation's reaching services (rows of the service table) reach a place."""
    kinds = set(mine[s.AREA_TYPE])
    if s.AREA_WHOLE in kinds:
        return "works across the whole area"
    if s.AREA_WARDS_LIST in kinds:
        return "works in this ward"
    return f"its {mine[s.RADIUS_KM].max():g} km radius reaches this ward"


def _size(band: str) -> str:
    return band if band in SIZE_FACTOR else s.SIZE_BAND_UNKNOWN


class _Place:
    """Organisations and services, with reach to and distance from one ward."""

    def __init__(self, pack: Pack, ward_code: str):
        self.places = places(pack)
        ward = int(self.places.codes.get_indexer(pd.Index([ward_code]))[0])
        if ward < 0:
            raise ValueError(f"no ward {ward_code!r} in this pack; use a code from its wards table")
        self.shape = self.places.shapes[ward]
        self.orgs = self.places.orgs
        self.services = self.places.services
        self.reaching = self.services[self.places.reaching(np.array([ward]))]
        self.by_org = dict(tuple(self.reaching.groupby(s.ORG_ID)))
        self.empty = self.reaching.iloc[:0]
        self._distance: dict[str, float] = {}

    def distance(self, org_ids: Iterable[str]) -> pd.Series:
        """km from each organisation's nearest known point to the ward's edge (0 inside)."""
        org_ids = list(org_ids)
        todo = [o for o in dict.fromkeys(org_ids) if o not in self._distance]
        if todo:
            pos = pd.Index(self.orgs.index).get_indexer(pd.Index(todo))
            self._distance.update(
                zip(todo, self.places.org_distances_km(pos, self.shape).tolist(), strict=True)
            )
        return pd.Series([self._distance[o] for o in org_ids], index=org_ids, dtype=float)

    def covers(self, org_id: str, themes: Sequence[str], *, reaching_only: bool) -> list[str]:
        if reaching_only:
            mine = self.by_org.get(org_id, self.empty)
            have = {t for ts in mine[s.THEMES] for t in ts}
        else:
            have = set(cast(Iterable[str], self.orgs.at[org_id, s.THEMES]))
        return [t for t in themes if t in have]


def rank_organisations_for_ward(
    pack: Pack, ward_code: str, themes: Sequence[str], *, limit: int | None = None
) -> pd.DataFrame:
    """Organisations ranked by how well they fit a ward's needs in ``themes``.

    Score = ORG_THEME_POINTS × share of the themes its services cover + ORG_REACH_POINTS if a
    service reaches the ward + ORG_CLOSENESS_POINTS × closeness (1 in the ward, 0 at ORG_SCALE_KM
    or location unknown) + ORG_SIZE_POINTS × SIZE_FACTOR of its size band. Organisations covering
    none of the themes are left out.

    Example:
        For Beta's poverty and carers' needs, each of the tiny pack's two organisations with
        services covers one theme and reaches the ward; Alpha Food Share is larger:

        >>> from sector_map.demo.tiny import tiny_pack
        >>> ranked = rank_organisations_for_ward(tiny_pack(), "X05000002", ["poverty_food", "disability_carers"])
        >>> ranked[[s.RANK, s.ORG_NAME, s.SCORE]].values.tolist()
        [[1, 'Alpha Food Share', 66.7], [2, 'Beta Carers', 66.0]]
        >>> ranked[s.REASON].iloc[0]
        'covers poverty, food and money advice (1 of 2 themes); its 1.5 km radius reaches this ward; based 0.3 km away; size small (£10k–£100k)'
    """
    themes = check_themes(themes)
    place = _Place(pack, ward_code)
    orgs = place.orgs
    org_themes = orgs[s.THEMES].tolist()
    covering = [i for i, have in enumerate(org_themes) if any(t in have for t in themes)]
    ids = orgs.index[covering]
    distance = place.distance(ids).tolist()
    names = orgs[s.ORG_NAME].to_numpy()
    bands = orgs[s.SIZE_BAND].to_numpy()
    qualities = orgs[s.LOCATION_QUALITY].to_numpy()
    rows = []
    for i, org_id, d in zip(covering, ids, distance, strict=True):
        covered = [t for t in themes if t in org_themes[i]]
        mine = place.by_org.get(org_id, place.empty)
        closeness = 0.0 if d != d else max(0.0, 1.0 - d / ORG_SCALE_KM)
        band = _size(bands[i])
        score = (
            ORG_THEME_POINTS * len(covered) / len(themes)
            + ORG_REACH_POINTS * (not mine.empty)
            + ORG_CLOSENESS_POINTS * closeness
            + ORG_SIZE_POINTS * SIZE_FACTOR[band]
        )
        cover = f"covers {join_labels(covered)} ({len(covered)} of {len(themes)} themes)"
        reach = _reach_how(mine) if not mine.empty else "no service of it is known to reach this ward"
        size = s.SIZE_BAND_LABELS.get(band, band).lower()
        rows.append(
            {
                s.ORG_ID: org_id,
                s.ORG_NAME: names[i],
                s.SCORE: round(score, 1),
                s.THEMES_COVERED: covered,
                s.REACHES: not mine.empty,
                s.DISTANCE_KM: round(d, 2) if d == d else np.nan,
                s.SIZE_BAND: band,
                s.LOCATION_QUALITY: qualities[i],
                s.REASON: f"{cover}; {reach}; {where_phrase(d, qualities[i])}; size {size}",
            }
        )
    out = pd.DataFrame(rows, columns=[c for c in s.ORG_FIT_COLUMNS if c != s.RANK])
    out = out.sort_values([s.SCORE, s.DISTANCE_KM, s.ORG_NAME], ascending=[False, True, True], kind="stable")
    out.insert(0, s.RANK, pd.array(np.arange(1, len(out) + 1), dtype="Int64"))  # type: ignore[arg-type]  # pandas-stubs: an Int64 array
    out = out.reset_index(drop=True)
    return out if limit is None else out.head(limit)


# --- partners and overlap -------------------------------------------------------------------
def _offer_area(offer: Offer, pack: Pack) -> np.ndarray:
    """Positions of the wards the offer reaches (every ward for a whole-area offer), as in
    rank_wards_for_offer."""
    pl = places(pack)
    if offer.whole_area:
        return np.arange(len(pl.codes))
    area = np.zeros(len(pl.codes), dtype=bool)
    area[pl.ward_index(offer.wards)] = True
    if offer.reach_km is not None and offer.point is not None:
        area |= distances_from_point(pack, offer.point) <= offer.reach_km + 1e-9
    return np.flatnonzero(area)


class Partners(NamedTuple):
    """Possible partners and possible overlap for an offer (:func:`partners_and_overlap`), each
    :data:`sector_map.pack.schema.PARTNER_COLUMNS`."""

    partners: pd.DataFrame
    overlap: pd.DataFrame


def partners_and_overlap(
    pack: Pack,
    offer: Offer,
    *,
    within_km: float = 3.0,
    limit: int = 10,
    need: pd.DataFrame | None = None,
) -> Partners:
    """Possible partners and possible overlap for an offer, each organisation with where it is
    based (``based_in``: its ward, "outside the area" or "not known") and why.

    An organisation is *there* when it (or one of its services) is within ``within_km`` of the
    offer's base, or one of its services reaches a ward the offer reaches (a whole-area service
    always does). Of those, the ones sharing a theme with the offer are possible overlap; the ones
    bringing only other themes are possible partners.

    Order: first by how well the data places them: a located service (a site or listed wards)
    reaching your wards, then near your base (unless the offer covers the whole area), then only
    known to work across the whole area (a register's area of operation says little about
    where); then partners sharing more client
    groups (overlap: more of the offer's themes); then, given ``need`` (wards × themes, as for
    :func:`sector_map.analysis.matching.rank_wards_for_offer`), those based in wards with more need in the
    offer's themes; then nearer, then larger.

    Example:
        Around Alpha Food Share, Beta Carers (0.7 km away) brings a theme the food bank lacks, so
        it is a possible partner; no one else does food, so there is no overlap:

        >>> from sector_map.demo.tiny import tiny_pack
        >>> from sector_map.analysis.matching import offer_from_org
        >>> pack = tiny_pack()
        >>> partners, overlap = partners_and_overlap(pack, offer_from_org(pack, "o1"))
        >>> partners[[s.ORG_NAME, s.BASED_IN, s.DISTANCE_KM]].values.tolist(), len(overlap)
        ([['Beta Carers', 'Beta', 0.66]], 0)
        >>> partners[s.WHY].iloc[0]
        'brings disability and carers, which you do not offer; based 0.7 km from you (location is a contact address, which may not be where it works)'
    """
    themes = check_themes(offer.themes)
    pl = places(pack)
    orgs = pl.orgs
    reach = pl.reaching(_offer_area(offer, pack))
    owner = pl.service_org
    has_reach = np.zeros(len(orgs), dtype=bool)
    has_reach[owner[reach & (owner >= 0)]] = True
    located = np.zeros(len(orgs), dtype=bool)  # a reaching service at a site or in listed wards
    located[owner[reach & (owner >= 0) & (pl.area_type != s.AREA_WHOLE)]] = True
    dist = np.full(len(orgs), np.nan)
    if offer.point is not None:
        px, py = to_metres(offer.point[0], offer.point[1])
        base = shapely.Point(float(px), float(py))
        # only organisations reaching the offer's wards or near its base are listed
        measured = np.union1d(np.flatnonzero(has_reach), pl.orgs_near(base, within_km))
        dist[measured] = pl.org_distances_km(measured, base)
    near = dist <= within_km + 1e-9
    keep = near | has_reach
    if offer.org_id is not None:
        keep &= orgs.index.to_numpy() != offer.org_id
    chosen = np.flatnonzero(keep)
    # What each chosen organisation has in common with the offer, counted from the per-pack bits.
    offered = np.isin(np.array(s.THEME_IDS), themes)
    bits = pl.theme_bits[chosen]
    n_shared = bits[:, offered].sum(axis=1)
    has_extra = np.asarray(bits[:, ~offered].any(axis=1), dtype=bool)
    group_pos = {g: i for i, g in enumerate(s.CLIENT_GROUP_IDS)}
    n_groups = np.zeros(len(chosen), dtype=np.int64)
    for g in offer.client_groups:  # each asked group once per time it is asked, as a list would
        if g in group_pos:
            n_groups += pl.group_bits[chosen, group_pos[g]]
    names = dict(zip(pack.wards[s.WARD_CODE].astype(str), pack.wards[s.WARD_NAME].astype(str), strict=True))
    cols = [t for t in themes if need is not None and t in need.columns]
    need_by_ward = need[cols].mean(axis=1) if cols and need is not None else pd.Series(dtype=float)
    home = pl.home_ward[chosen]
    home_need = np.full(len(chosen), np.nan)
    inside = home >= 0
    home_need[inside] = need_by_ward.reindex(pl.codes[home[inside]]).to_numpy(float)
    size = (
        pd.Series(orgs[s.SIZE_BAND].to_numpy()[chosen], dtype=object)
        .map(SIZE_FACTOR)
        .fillna(SIZE_FACTOR[s.SIZE_BAND_UNKNOWN])
        .to_numpy(float)
    )
    # near the base of a whole-area offer says nothing about working where it works
    place = np.where(located[chosen], 0, np.where(near[chosen] & (not offer.whole_area), 1, 2))
    order = _order(
        place,
        np.where(n_shared > 0, n_shared, n_groups),
        home_need,
        np.round(dist[chosen], 2),
        size,
        pl.name_rank[chosen],
    )
    is_overlap = n_shared[order] > 0
    is_partner = ~is_overlap & has_extra[order]

    org_themes = orgs[s.THEMES].to_numpy()
    org_groups = orgs[s.CLIENT_GROUPS].to_numpy()
    # with the live directory over the pack, where each organisation's description comes from
    sources = orgs[s.PROVENANCE].to_numpy() if s.PROVENANCE in orgs.columns else np.full(len(orgs), "")

    def rows(picked: np.ndarray, overlap: bool) -> pd.DataFrame:
        out = []
        for i in chosen[picked[:limit]].tolist():
            quality = str(orgs[s.LOCATION_QUALITY].iat[i])
            d = dist[i]
            if near[i]:
                where = where_phrase(d, quality, from_you=True)
            elif not located[i]:
                where = "works across the whole area"
            else:
                where = "works in wards you reach"
            shared = [t for t in themes if t in org_themes[i]]
            groups = [g for g in offer.client_groups if g in org_groups[i]]
            also = f"; also works with {', '.join(groups)}" if groups else ""
            code = home_code(int(pl.home_ward[i]), pl.codes)
            why = (
                f"also does {join_labels(shared)}{also}; {where}"
                if overlap
                else f"brings {join_labels([t for t in org_themes[i] if t not in themes])}, "
                f"which you do not offer{also}; {where}"
            ) + (f"; {sources[i]}" if sources[i] else "")
            out.append(
                {
                    s.ORG_ID: orgs.index[i],
                    s.ORG_NAME: orgs[s.ORG_NAME].iat[i],
                    s.THEMES: list(org_themes[i]),
                    s.CLIENT_GROUPS_SHARED: groups,
                    s.DISTANCE_KM: round(d, 2) if d == d else np.nan,
                    s.SIZE_BAND: _size(str(orgs[s.SIZE_BAND].iat[i])),
                    s.LOCATION_QUALITY: quality,
                    s.BASED_IN: _based_in(code, names),
                    s.WHY: why,
                }
            )
        return pd.DataFrame(out, columns=s.PARTNER_COLUMNS)

    return Partners(rows(order[is_partner], False), rows(order[is_overlap], True))


def home_code(position: int, codes: pd.Index) -> str | None:
    """The ward code of a :attr:`Places.home_ward` position: None with no point, "" outside every ward."""
    return None if position == -1 else "" if position == -2 else str(codes[position])


def _based_in(code: str | None, names: dict[str, str]) -> str:
    if code is None:
        return "not known"
    return names.get(code, "outside the area") if code else "outside the area"


def _order(
    place: np.ndarray, n: np.ndarray, need: np.ndarray, km: np.ndarray, size: np.ndarray, name: np.ndarray
) -> np.ndarray:
    """Positions, best first: best placed, most in common, most need at home (unknown last),
    nearest (unknown last), largest, then by name; ties keep their order."""
    last = np.inf
    return np.lexsort(
        (name, -size, np.where(np.isnan(km), last, km), np.where(np.isnan(need), last, -need), -n, place)
    )


# --- consortium -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Consortium:
    """A possible consortium for a ward (:func:`consortium`).

    Attributes:
        table: one row per member, in the order chosen: :data:`sector_map.pack.schema.CONSORTIUM_COLUMNS`.
        uncovered: theme ids no member covers.
        note: one plain sentence: everything covered, or why some themes are not.
    """

    table: pd.DataFrame
    uncovered: list[str]
    note: str


def consortium(pack: Pack, ward_code: str, themes: Sequence[str], *, max_members: int = 4) -> Consortium:
    """A small group of organisations whose services reach a ward and together cover ``themes``.

    Greedy set cover: take the organisation bringing the most themes not yet covered (ties go to
    the nearer, then the larger), and repeat until every theme is covered or ``max_members`` is
    reached. The result names the themes still uncovered and says why.

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> group = consortium(tiny_pack(), "X05000002", ["poverty_food", "disability_carers"])
        >>> group.table[[s.MEMBER, s.ORG_NAME, s.COVERS]].values.tolist()
        [[1, 'Beta Carers', ['disability_carers']], [2, 'Alpha Food Share', ['poverty_food']]]
        >>> group.uncovered, group.note
        ([], 'together these 2 organisations cover every theme asked for')
    """
    themes = check_themes(themes)
    place = _Place(pack, ward_code)
    covers = {o: place.covers(o, themes, reaching_only=True) for o in place.reaching[s.ORG_ID].unique()}
    known = [o for o in covers if o in place.orgs.index]
    distance = place.distance(known).to_dict()
    here = place.orgs.loc[known]
    size_of = {o: SIZE_FACTOR[_size(str(b))] for o, b in zip(known, here[s.SIZE_BAND].tolist(), strict=True)}
    name_of = dict(zip(known, here[s.ORG_NAME].tolist(), strict=True))
    left = list(themes)
    rows: list[dict] = []
    while left and len(rows) < max_members:
        best, best_key = None, None
        for org_id, has in covers.items():
            new = [t for t in has if t in left]
            if not new:
                continue
            d = distance.get(org_id, np.nan)
            key = (-len(new), d if d == d else np.inf, -size_of[org_id], name_of[org_id])
            if best_key is None or key < best_key:
                best, best_key = org_id, key
        if best is None:
            break
        new = [t for t in covers.pop(best) if t in left]
        left = [t for t in left if t not in new]
        mine = place.by_org[best]
        quality = cast(str, place.orgs.at[best, s.LOCATION_QUALITY])
        where = where_phrase(distance[best], quality)
        rows.append(
            {
                s.MEMBER: len(rows) + 1,
                s.ORG_ID: best,
                s.ORG_NAME: place.orgs.at[best, s.ORG_NAME],
                s.COVERS: new,
                s.REASON: f"brings {join_labels(new)}; {_reach_how(mine)}; {where}",
            }
        )
    if not left:
        note = f"together these {len(rows)} organisations cover every theme asked for"
    elif any(t in left for has in covers.values() for t in has):
        note = f"stopped at {max_members} members; still uncovered: {join_labels(left)} (allow more members)"
    else:
        note = f"no organisation whose services reach this ward covers {join_labels(left)}"
    return Consortium(pd.DataFrame(rows, columns=s.CONSORTIUM_COLUMNS), left, note)
