"""One ward's profile: heading, indicators, organisations, gaps per theme, assets and a small map.

Plain tables for the Ward profile page (and anyone printing a ward). Nothing here draws widgets:
the page lays these tables out. Reach and distance reuse :mod:`sector_map.analysis.partners`, so a
service "reaches" the ward here exactly when it does on the Where we fit page. The examples run
on the tiny four-ward pack of :func:`sector_map.demo.tiny.tiny_pack`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from sector_map.analysis import gaps, need
from sector_map.analysis.catchment import distance_text
from sector_map.pack import schema as s
from sector_map.pack.io import Pack
from sector_map.pack.validate import has_location
from sector_map.pack.values import format_value

if TYPE_CHECKING:
    from sector_map.analysis.provision import ProvisionOptions

# Organisations and assets this close to the ward (but not in it) count as "near".
NEAR_KM = 1.0
BASED_HERE = "based here"
REACHES = "services reach it"
NEARBY = "nearby"
# Asset statuses listed first, most useful to a group looking for space first.
ASSET_STATUS_ORDER = ("available for community use", "vacant", "under review", "in community use")
# Asset statuses a group could use: counted as "available or vacant" on the profile.
FREE_TO_USE = ASSET_STATUS_ORDER[:2]


def _ward_row(pack: Pack, ward_code: str) -> pd.Series:
    rows = pack.wards.loc[pack.wards[s.WARD_CODE] == ward_code]
    if rows.empty:
        raise ValueError(f"no ward {ward_code!r} in this pack; use a code from its wards table")
    return rows.iloc[0]


@dataclass(frozen=True)
class Heading:
    """The top of a ward's profile. ``la_name`` and ``la_code`` are "" when not known."""

    name: str
    code: str
    la_name: str
    la_code: str
    population: int | None
    population_source: str


def heading(pack: Pack, ward_code: str) -> Heading:
    """Name, code, local authority, population and where the population figure comes from.

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> heading(tiny_pack(), "X05000002")
        Heading(name='Beta', code='X05000002', la_name='Testshire', la_code='X08000001', population=9000, population_source="the pack's wards table")
    """
    row = _ward_row(pack, ward_code)
    pop = pd.to_numeric(pd.Series([row[s.POPULATION]]), errors="coerce").iloc[0]
    return Heading(
        name=str(row[s.WARD_NAME]),
        code=ward_code,
        la_name="" if pd.isna(row[s.LA_NAME]) else str(row[s.LA_NAME]),
        la_code="" if pd.isna(row[s.LA_CODE]) else str(row[s.LA_CODE]),
        population=None if pd.isna(pop) else int(round(float(pop))),
        population_source=pack.manifest.get("population_source") or "the pack's wards table",
    )


def _is_decile(meta: s.IndicatorMeta) -> bool:
    return meta.id.endswith("_decile") or "decile" in meta.unit.lower()


def national_deciles(pack: Pack, ward_code: str, *, wide: pd.DataFrame) -> dict[str, int]:
    """National deciles the pack holds for the ward, by IMD domain (empty when it holds none).

    Only indicators that are deciles themselves (id ending ``_decile`` or a unit naming a decile,
    1 = most deprived 10% in England) count; a decile is never worked out from anything else.

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> pack = tiny_pack()
        >>> national_deciles(pack, "X05000002", wide=pack.indicator_wide())  # a score and a rank only
        {}
    """
    out = {}
    for ind, meta in pack.indicator_meta.items():
        if _is_decile(meta) and meta.domain and ind in wide.columns:
            value = wide[ind].get(ward_code, np.nan)
            if pd.notna(value):
                out[meta.domain] = int(value)
    return out


def indicator_rows(pack: Pack, ward_code: str, *, wide: pd.DataFrame) -> pd.DataFrame:
    """Every indicator for the ward: value with unit, rank within the area, decile, which way is worse.

    The decile column is there only when the pack holds national deciles (see
    :func:`national_deciles`); it is filled for indicators of a domain that has one.

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> pack = tiny_pack()
        >>> rows = indicator_rows(pack, "X05000004", wide=pack.indicator_wide())  # Delta
        >>> rows[[s.HEADER_INDICATOR, s.HEADER_VALUE, s.HEADER_RANK_IN_AREA, s.HEADER_WORSE]].values.tolist()
        [['IMD score', 'no data', 'no data', 'higher = more need'], ['IMD rank', '500', '4 of 4', 'lower = more need']]
    """
    _ward_row(pack, ward_code)
    deciles = national_deciles(pack, ward_code, wide=wide)
    rows = []
    for ind, meta in pack.indicator_meta.items():
        col = wide[ind] if ind in wide.columns else pd.Series(np.nan, index=wide.index)
        ranks = need.ranks_within_area(col, higher_is=meta.higher_is)
        row = {
            s.HEADER_INDICATOR: meta.label,
            s.HEADER_VALUE: format_value(col.get(ward_code, np.nan), unit=meta.unit),
            s.HEADER_RANK_IN_AREA: need.rank_text(ranks, ward_code),
        }
        if deciles:
            row[s.HEADER_DECILE] = str(deciles[meta.domain]) if meta.domain in deciles else ""
        row[s.HEADER_WORSE] = meta.worse_phrase
        row[s.HEADER_SOURCE] = f"{meta.source} ({meta.year})" if meta.year else meta.source
        rows.append(row)
    columns = [c for c in s.PROFILE_INDICATOR_COLUMNS if deciles or c != s.HEADER_DECILE]
    return pd.DataFrame(rows, columns=columns)


def _join(values: Iterable[str]) -> str:
    return ", ".join(s.THEMES_BY_ID[t].label for t in values if t in s.THEMES_BY_ID)


def organisations(pack: Pack, ward_code: str, *, near_km: float = NEAR_KM) -> pd.DataFrame:
    """Organisations based in the ward, whose services reach it, or based within ``near_km`` of it.

    A service reaches the ward as in :func:`sector_map.analysis.partners.services_reaching`; a radius
    service that states no radius uses the default catchment of :mod:`sector_map.analysis.provision`.
    Columns: ``org_id, Organisation, Where, Whole area, Distance, Size, Location, Themes, Why``,
    ordered based here, then reaching (local services before whole-area ones), then nearby.
    Distance is from the ward's people, "based here" inside it (the shared definition,
    :func:`sector_map.analysis.catchment.distances_from_people_km`); Size is left out when no organisation
    in the pack has a known income.

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> table = organisations(tiny_pack(), "X05000002")  # Beta
        >>> table[[s.HEADER_ORGANISATION, s.HEADER_WHERE, s.HEADER_DISTANCE]].values.tolist()
        [['Beta Carers', 'based here', 'based here'], ['Alpha Food Share', 'services reach it', '0.3 km']]
        >>> organisation_summary(table)
        '1 organisation based here, 1 more whose services reach it.'
    """
    from sector_map.analysis.partners import where_phrase
    from sector_map.analysis.places import places
    from sector_map.analysis.provision import DEFAULT_RADIUS_KM

    pl = places(pack)
    ward = int(pl.codes.get_indexer(pd.Index([ward_code]))[0])
    if ward < 0:
        raise ValueError(f"no ward {ward_code!r} in this pack; use a code from its wards table")
    shape, people = pl.shapes[ward], pl.ward_people(ward)
    orgs = pl.orgs
    reach = pl.reaching(np.array([ward]), default_km=DEFAULT_RADIUS_KM)
    sizes_known = orgs[s.SIZE_BAND].ne(s.SIZE_BAND_UNKNOWN).any()
    # Per organisation, its services reaching the ward: how many, all whole-area, any listing it.
    owners = pl.service_org[reach]
    kind = pl.area_type[reach][owners >= 0]
    owners = owners[owners >= 0]
    count = np.bincount(owners, minlength=len(orgs))
    whole = np.bincount(owners, weights=kind == s.AREA_WHOLE, minlength=len(orgs)) == count
    listed = np.bincount(owners, weights=kind == s.AREA_WARDS_LIST, minlength=len(orgs)) > 0
    # Only organisations whose services reach the ward, or with a point near it, can be listed.
    candidates = np.union1d(owners, pl.orgs_near(shape, near_km))
    distance = pl.org_distances_km(candidates, shape, people)
    own_km = pl.distances_km(pl.org_xy[candidates], shape, people)
    some = orgs.iloc[candidates]
    ids, names, bands = some.index.to_numpy(), some[s.ORG_NAME].to_numpy(), some[s.SIZE_BAND].to_numpy()
    qualities, org_themes = some[s.LOCATION_QUALITY].to_numpy(), some[s.THEMES].to_numpy()
    # with the live directory over the pack, where each organisation's description comes from
    sources = some[s.PROVENANCE].to_numpy() if s.PROVENANCE in some.columns else np.full(len(some), "")
    rows = []
    for k, i in enumerate(candidates.tolist()):
        org_id = ids[k]
        based = bool(own_km[k] == 0)
        reaches = bool(count[i])
        near = bool(distance[k] <= near_km) if pd.notna(distance[k]) else False
        if not (based or reaches or near):
            continue
        where = BASED_HERE if based else REACHES if reaches else NEARBY
        if reaches:
            n = int(count[i])
            how = (
                "serves the whole area"
                if whole[i]
                else "works in this ward"
                if listed[i]
                else "its reach covers this ward"
            )
            why = f"{n} service{'s' if n != 1 else ''} reach{'' if n != 1 else 'es'} it ({how})"
        else:
            why = "no service of it is known to reach this ward"
        d = distance[k]
        rows.append(
            {
                s.ORG_ID: org_id,
                s.HEADER_ORGANISATION: names[k],
                s.HEADER_WHERE: where,
                s.HEADER_WHOLE_AREA: bool(reaches and whole[i]),
                s.HEADER_DISTANCE: distance_text(float(d)) if pd.notna(d) else "not known",
                "_km": float(d) if pd.notna(d) else np.nan,
                s.HEADER_SIZE: s.SIZE_BAND_LABELS.get(bands[k], bands[k]),
                s.HEADER_LOCATION: qualities[k],
                s.HEADER_THEMES: _join(org_themes[k]),
                s.HEADER_WHY: f"{why}; {where_phrase(d, qualities[k])}"
                + (f"; {sources[k]}" if sources[k] else ""),
            }
        )
    cols = list(s.PROFILE_ORGANISATION_COLUMNS)
    out = pd.DataFrame(rows, columns=cols + ["_km"])
    whole_area = out[s.HEADER_WHOLE_AREA].astype(bool)  # a mask even when empty
    out[s.HEADER_WHOLE_AREA] = whole_area
    order = out[s.HEADER_WHERE].map({BASED_HERE: 0, REACHES: 1, NEARBY: 2}) * 2 + whole_area.astype(int)
    out = out.assign(_o=order).sort_values(["_o", "_km", s.HEADER_ORGANISATION], kind="stable")
    if not sizes_known:
        cols.remove(s.HEADER_SIZE)
    return out[cols].reset_index(drop=True)


def organisation_summary(table: pd.DataFrame, *, near_km: float = NEAR_KM) -> str:
    """One sentence counting the rows of :func:`organisations`.

    Example:
        >>> t = pd.DataFrame({s.HEADER_WHERE: [BASED_HERE, REACHES, REACHES, NEARBY],
        ...                   s.HEADER_WHOLE_AREA: [False, True, False, False]})
        >>> organisation_summary(t)
        '1 organisation based here, 2 more whose services reach it (of which 1 serves the whole area), 1 more based within 1 km.'
    """
    based = int((table[s.HEADER_WHERE] == BASED_HERE).sum())
    reach = table[s.HEADER_WHERE] == REACHES
    whole = int((reach & table[s.HEADER_WHOLE_AREA]).sum())
    near = int((table[s.HEADER_WHERE] == NEARBY).sum())
    text = f"{based} organisation{'s' if based != 1 else ''} based here, {int(reach.sum())} more whose services reach it"
    if whole:
        text += f" (of which {whole} serve{'s' if whole == 1 else ''} the whole area)"
    if near:
        text += f", {near} more based within {near_km:g} km"
    return text + "."


def theme_gap_tables(
    pack: Pack,
    *,
    scores: pd.DataFrame | None = None,
    options: ProvisionOptions | None = None,
    themes: Sequence[str] | None = None,
) -> dict[str, gaps.GapResult]:
    """The gaps (:func:`sector_map.analysis.tables.gap_table_for`) of every theme with indicators.

    Provision is worked out once for all themes (:func:`sector_map.analysis.provision.provision_by_theme`).
    Without ``scores`` and ``themes`` this is :func:`sector_map.analysis.tables.theme_gaps`, kept with
    the pack and shared with Where we fit: never change the results.

    Example:
        The themes the tiny pack's IMD score is tagged with; one located food service, and none
        for community, cannot tell wards apart:

        >>> from sector_map.demo.tiny import tiny_pack
        >>> results = theme_gap_tables(tiny_pack())
        >>> {theme: result.table[s.GAP_CLASS].tolist() for theme, result in results.items()}
        {'poverty_food': ['provision not known', 'provision not known', 'provision not known', 'no data'], 'community_cohesion': ['provision not known', 'provision not known', 'provision not known', 'no data']}
    """
    from sector_map.analysis.provision import ProvisionOptions
    from sector_map.analysis.tables import gaps_by_theme, theme_gaps

    options = options or ProvisionOptions()
    if scores is None and themes is None:
        return theme_gaps(pack, options=options)
    return gaps_by_theme(pack, options, scores, themes)


def gap_rows(
    results: Mapping[str, gaps.GapResult], ward_code: str, *, need_only: bool = False
) -> pd.DataFrame:
    """One row per theme for the ward: need, provision, gap, class, priority among wards, reason.

    Provision and gap are empty (NaN) where the class is "provision not known".

    ``need_only``: just need and why, highest first (for a pack with no provision to compare with).

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> rows = gap_rows(theme_gap_tables(tiny_pack()), "X05000002")  # Beta
        >>> rows[["Theme", "Need (0–100)", "Class", "Priority"]].values.tolist()
        [['Poverty, food and money advice', 100.0, 'provision not known', 'not ranked'], ['Community, faith and cohesion', 100.0, 'provision not known', 'not ranked']]
    """
    rows = []
    for theme, result in results.items():
        table = result.table
        if ward_code not in table.index:
            continue
        r = table.loc[ward_code]
        n_ranked = int(table[s.RANK].notna().sum())
        rows.append(
            {
                s.HEADER_THEME: s.THEMES_BY_ID[theme].label,
                s.HEADER_NEED: r[s.NEED],
                # provision that cannot tell wards apart is not a figure for this ward
                s.HEADER_PROVISION: np.nan if r[s.GAP_CLASS] == gaps.PROVISION_UNKNOWN else r[s.PROVISION],
                s.HEADER_GAP: r[s.GAP],
                s.HEADER_CLASS: r[s.GAP_CLASS],
                s.HEADER_PRIORITY: f"{int(cast(float, r[s.RANK]))} of {n_ranked}"
                if pd.notna(r[s.RANK])
                else "no data"
                if r[s.GAP_CLASS] == gaps.NO_DATA
                else "not ranked",
                s.HEADER_WHY: r[s.NEED_REASON] if need_only else r[s.REASON],
            }
        )
    if need_only:
        return (
            pd.DataFrame(rows, columns=s.PROFILE_NEED_COLUMNS)
            .sort_values(s.HEADER_NEED, ascending=False, na_position="last", kind="stable")
            .reset_index(drop=True)
        )
    out = pd.DataFrame(rows, columns=s.PROFILE_GAP_COLUMNS)
    return out.sort_values(s.HEADER_GAP, ascending=False, na_position="last", kind="stable").reset_index(
        drop=True
    )


def assets(pack: Pack, ward_code: str, *, near_km: float = NEAR_KM) -> pd.DataFrame:
    """Community buildings and land in the ward or within ``near_km`` of it, those free to use first.

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> assets(tiny_pack(), "X05000002").values.tolist()  # Beta: the Old Library is next door, in Gamma
        [['Old Library', 'library', 'vacant', 'nearby', 0.3]]
    """
    from sector_map.analysis.matching import distances_km, to_metres, ward_shapes

    shape = ward_shapes(pack).get(ward_code)
    if shape is None:
        raise ValueError(f"no ward {ward_code!r} in this pack; use a code from its wards table")
    a = pack.assets[has_location(pack.assets.geometry)] if len(pack.assets) else pack.assets
    if a.empty:
        return pd.DataFrame(columns=s.PROFILE_ASSET_COLUMNS)
    x, y = to_metres(a.geometry.x.to_numpy(), a.geometry.y.to_numpy())
    d = distances_km(x, y, shape)
    keep = d <= near_km
    out = pd.DataFrame(
        {
            s.HEADER_NAME: a[s.ASSET_NAME].to_numpy()[keep],
            s.HEADER_KIND: a[s.ASSET_KIND].to_numpy()[keep],
            s.HEADER_STATUS: a[s.ASSET_STATUS].to_numpy()[keep],
            s.HEADER_WHERE: np.where(d[keep] == 0, "in the ward", "nearby"),
            s.HEADER_DISTANCE_KM: np.round(d[keep], 1),
        }
    )
    status_order = (
        out[s.HEADER_STATUS]
        .map({v: i for i, v in enumerate(ASSET_STATUS_ORDER)})
        .fillna(len(ASSET_STATUS_ORDER))
    )
    out = out.assign(_o=status_order).sort_values(["_o", s.HEADER_DISTANCE_KM, s.HEADER_NAME], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)
