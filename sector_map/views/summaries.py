"""Small read-only views of a pack for pages: filtered organisations and a ward's key figures."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from sector_map.analysis import need
from sector_map.pack import schema as s
from sector_map.pack.io import Pack
from sector_map.pack.validate import has_location
from sector_map.pack.values import format_value


def filter_organisations(
    orgs: gpd.GeoDataFrame, *, themes: Iterable[str] | None = None, size_bands: Iterable[str] | None = None
) -> gpd.GeoDataFrame:
    """Organisations with any of ``themes`` and in one of ``size_bands`` (None = no filter)."""
    keep = pd.Series(True, index=orgs.index)
    if themes is not None:
        wanted = set(themes)
        keep &= orgs[s.THEMES].map(lambda ts: bool(wanted.intersection(ts if ts is not None else [])))
    if size_bands is not None:
        keep &= orgs[s.SIZE_BAND].isin(list(size_bands))
    return orgs[keep]


def located(orgs: gpd.GeoDataFrame) -> pd.Series:
    """True where an organisation has a point to draw."""
    geom = orgs.geometry
    return has_location(geom)


def organisations_in_ward(
    pack: Pack, ward_code: str, *, ward_of_each: np.ndarray | None = None
) -> gpd.GeoDataFrame:
    """Organisations whose point lies in the ward (area-only ones cannot be placed).

    ``ward_of_each``: the position of each organisation's ward in ``pack.wards`` (-1: none), as
    :func:`sector_map.views.web_map.ward_of_points` gives it once per pack; without it every
    organisation's point is tested against the ward.
    """
    at = np.flatnonzero(pack.wards[s.WARD_CODE].to_numpy() == ward_code)
    if not len(at):
        return pack.organisations.iloc[0:0]
    if ward_of_each is not None:
        return pack.organisations.iloc[np.flatnonzero(ward_of_each == at[0])]
    orgs = pack.organisations[located(pack.organisations)]
    return orgs[orgs.within(pack.wards.geometry.iloc[at[0]])]


def main_themes(orgs: pd.DataFrame) -> np.ndarray:
    """Each organisation's main (first) theme, or None; one pass over the list column.

    Example:
        >>> main_themes(pd.DataFrame({s.THEMES: [["poverty_food", "older_people"], [], None]})).tolist()
        ['poverty_food', None, None]
    """
    return np.array(
        [ts[0] if ts is not None and len(ts) else None for ts in orgs[s.THEMES].to_list()], dtype=object
    )


def common_themes(orgs: pd.DataFrame, *, most: int = 3) -> pd.Series:
    """How many organisations have each theme, the ``most`` common first (theme id → count).

    Example:
        >>> orgs = pd.DataFrame({s.THEMES: [["poverty_food"], ["poverty_food", "older_people"], []]})
        >>> common_themes(orgs).to_dict()
        {'poverty_food': 2, 'older_people': 1}
    """
    return orgs[s.THEMES].explode().value_counts().head(most)


def ward_key_figures(pack: Pack, ward_code: str, *, wide: pd.DataFrame) -> pd.DataFrame:
    """Every indicator for one ward: its value, rank within the area (1 = most need) and direction."""
    rows = []
    for ind, meta in pack.indicator_meta.items():
        col = wide[ind] if ind in wide.columns else pd.Series(np.nan, index=wide.index)
        ranks = need.ranks_within_area(col, higher_is=meta.higher_is)
        value = col.get(ward_code, np.nan)
        rows.append(
            {
                s.HEADER_INDICATOR: meta.label,
                s.HEADER_VALUE: format_value(value, unit=meta.unit),
                s.HEADER_RANK_IN_AREA: need.rank_text(ranks, ward_code),
                s.HEADER_WORSE: meta.worse_phrase,
            }
        )
    return pd.DataFrame(rows, columns=s.KEY_FIGURE_COLUMNS)


def ward_label(pack: Pack, ward_code: str) -> str:
    """'Name (code)' for a ward code, or the code itself if unknown.

    Reads every ward: for many labels (a picker of all wards) use :func:`ward_labels` once.
    """
    match = pack.wards.loc[pack.wards[s.WARD_CODE] == ward_code, s.WARD_NAME]
    return f"{match.iloc[0]} ({ward_code})" if len(match) else ward_code


def ward_labels(wards: pd.DataFrame) -> dict[str, str]:
    """Every ward's :func:`ward_label`, keyed by ward code, in the order of the labels.

    Computed once per pack, so a picker of all wards (7,219 in England) lists them in order and
    labels each option with a dictionary lookup rather than a scan of the wards per option.
    """
    labels = {c: f"{n} ({c})" for c, n in zip(wards[s.WARD_CODE], wards[s.WARD_NAME], strict=True)}
    return dict(sorted(labels.items(), key=lambda item: item[1]))


def wards_by_authority(wards: pd.DataFrame) -> dict[str, tuple[str, dict[str, str]]]:
    """Every ward's :func:`ward_label` grouped by local authority: ``{la_code: (la_name, labels)}``.

    Authorities are in name order and each one's wards in label order, so a two-step picker (an
    authority, then one of its wards) lists short, sorted option lists instead of all 6,800 wards of
    England at once. A ward with no authority code is grouped under "Authority not given".
    """
    la_codes = wards[s.LA_CODE].fillna("").astype(str)
    la_names = wards[s.LA_NAME].fillna("").astype(str)
    groups: dict[str, tuple[str, dict[str, str]]] = {}
    for code, name, la_code, la_name in zip(
        wards[s.WARD_CODE], wards[s.WARD_NAME], la_codes, la_names, strict=True
    ):
        entry = groups.setdefault(la_code, (la_name or la_code or "Authority not given", {}))
        entry[1][code] = f"{name} ({code})"
    for la_code, (la_name, labels) in groups.items():
        groups[la_code] = (la_name, dict(sorted(labels.items(), key=lambda item: item[1])))
    return dict(sorted(groups.items(), key=lambda item: (item[1][0], item[0])))


def subject_table(pack: Pack, values: pd.Series, ranks: pd.Series, *, unit: str) -> pd.DataFrame:
    """One row per ward, most need first: name, code, value (as a number) and rank in the area."""
    wards = pack.wards[[s.WARD_CODE, s.WARD_NAME]].set_index(s.WARD_CODE)
    out = pd.DataFrame(
        {
            "Ward": wards[s.WARD_NAME],
            "Code": wards.index,
            f"Value ({unit})" if unit else "Value": values.reindex(wards.index),
            "Rank in area (1 = most need)": ranks.reindex(wards.index),
        }
    )
    return out.sort_values("Rank in area (1 = most need)", na_position="last").reset_index(drop=True)
