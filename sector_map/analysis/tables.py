"""The core loop on a whole pack: need → provision → gap, as used by the pages and the CLI.

The examples run on the tiny four-ward pack of :func:`sector_map.demo.tiny.tiny_pack`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from sector_map.analysis import gaps, need
from sector_map.analysis.gaps import GapResult
from sector_map.analysis.places import per_pack
from sector_map.analysis.provision import ProvisionOptions, ProvisionResult, provision_table
from sector_map.pack import schema as s
from sector_map.pack.io import Pack


def need_scores(pack: Pack) -> pd.DataFrame:
    """0–100 need scores, wards × indicators (rank method, as on the Need map).

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> need_scores(tiny_pack()).round(1).to_dict("list")
        {'imd_score': [0.0, 100.0, 50.0, nan], 'imd_rank': [33.3, 100.0, 66.7, 0.0]}
    """
    return need.need_score_table(pack.indicator_wide(), pack.indicator_meta, method=need.BY_RANK)


def check_themes(themes: Sequence[str]) -> list[str]:
    """The theme ids, or a ValueError naming the unknown ones and the known ones.

    Example:
        >>> check_themes(["poverty_food", "older_people"])
        ['poverty_food', 'older_people']
    """
    return s.check_theme_ids(themes)


def gap_table_for(
    pack: Pack,
    themes: Sequence[str],
    *,
    scores: pd.DataFrame | None = None,
    provision: ProvisionResult | None = None,
    weights: Mapping[str, Mapping[str, float]] | None = None,
    options: ProvisionOptions | None = None,
    measure: str = s.ACCESS,
) -> GapResult:
    """The gaps (:func:`sector_map.analysis.gaps.gap_table`) for a set of themes on a pack.

    ``scores`` and ``provision`` may be passed in when the caller has them cached.

    Example:
        The tiny pack has one located food service, which cannot show how provision spreads
        over the area, so no ward gets a gap or a class ("provision not known"):

        >>> from sector_map.demo.tiny import tiny_pack
        >>> pack = tiny_pack()
        >>> gap_table_for(pack, ["poverty_food"]).table[s.GAP_CLASS].tolist()
        ['provision not known', 'provision not known', 'provision not known', 'no data']

        A second located service (a pantry for Alpha, listed by ward) lets wards be compared:
        Beta, the neediest, has the biggest gap and comes first; Delta has no need data:

        >>> pantry = pack.services.iloc[[1]].assign(
        ...     service_id="s3", name="Pantry", themes=[["poverty_food"]], area_wards=[["X05000001"]]
        ... )
        >>> pack.services = pd.concat([pack.services, pantry], ignore_index=True)
        >>> table = gap_table_for(pack, ["poverty_food"]).table
        >>> table[[s.WARD_NAME, s.NEED, s.GAP, s.GAP_CLASS]].round(1).values.tolist()
        [['Beta', 100.0, 68.8, 'high need, some provision'], ['Gamma', 50.0, 52.1, 'medium need, some provision'], ['Alpha', 0.0, 16.7, 'low need, well served'], ['Delta', nan, nan, 'no data']]
        >>> table[s.REASON].iloc[0]
        'need 100/100, in the top 35% of wards (IMD score); 1 located poverty, food and money advice service reaches it (Food bank); nearest 0.3 km away'
    """
    themes = check_themes(themes)
    options = options or ProvisionOptions()
    scores = need_scores(pack) if scores is None else scores
    provision = provision_table(pack, themes, options=options) if provision is None else provision
    need_values, used = gaps.themes_need(scores, pack.indicator_meta, themes, weights=weights)
    return gaps.gap_table(
        need_values,
        provision.table,
        services_by_reach=provision.services_by_reach,
        measure=measure,
        names=pack.wards.set_index(s.WARD_CODE)[s.WARD_NAME],
        need_driver=gaps.need_drivers(scores, used, pack.indicator_meta),
        services_word=gaps.services_word(themes),
        radius_km=options.radius_km,
    )


def theme_gaps(pack: Pack, *, options: ProvisionOptions | None = None) -> dict[str, GapResult]:
    """The gaps (:func:`gap_table_for`) of every theme with indicators, default weights, in theme order.

    Worked out once per pack and catchment setting and kept with the pack (two settings, as the
    provision context): Where we fit (:func:`need_and_gap_by_theme`) and the Ward profile
    (:func:`sector_map.analysis.ward_profile.theme_gap_tables`) both read it, so a user visiting
    both pays once. The results are shared: never change them.

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> pack = tiny_pack()
        >>> list(theme_gaps(pack))
        ['poverty_food', 'community_cohesion']
        >>> theme_gaps(pack) is theme_gaps(pack)
        True
    """
    options = options or ProvisionOptions()
    return per_pack(pack, (THEME_GAPS, options), lambda p: gaps_by_theme(p, options), keep=THEME_GAPS_KEPT)


THEME_GAPS = "theme_gaps"
THEME_GAPS_KEPT = 2


def gaps_by_theme(
    pack: Pack,
    options: ProvisionOptions,
    scores: pd.DataFrame | None = None,
    themes: Sequence[str] | None = None,
) -> dict[str, GapResult]:
    """:func:`theme_gaps` worked out afresh, for given need ``scores`` or ``themes`` (not kept)."""
    from sector_map.analysis.provision import provision_by_theme
    from sector_map.analysis.subject import themes_with_indicators

    scores = need_scores(pack) if scores is None else scores
    themes = list(themes) if themes is not None else themes_with_indicators(pack)
    provision = provision_by_theme(pack, options=options, themes=themes)
    return {
        t: gap_table_for(pack, [t], scores=scores, options=options, provision=provision.get(t))
        for t in themes
    }


def need_and_gap_by_theme(
    pack: Pack, *, options: ProvisionOptions | None = None, scores: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Need index and gap score per ward × theme, for every theme with indicators.

    The gaps come from :func:`theme_gaps` (kept with the pack) unless ``scores`` are given.

    Example:
        On the tiny pack no theme has enough located services to tell wards apart, so every
        gap is unknown (NaN) while need is known:

        >>> from sector_map.demo.tiny import tiny_pack
        >>> need_frame, gap_frame = need_and_gap_by_theme(tiny_pack())
        >>> need_frame["poverty_food"].tolist(), gap_frame["poverty_food"].tolist()
        ([0.0, 100.0, 50.0, nan], [nan, nan, nan, nan])
    """
    options = options or ProvisionOptions()
    if scores is None:  # kept with the pack beside the gap tables it reads (copies: callers may change them)
        kept = per_pack(
            pack, (NEED_AND_GAP, options), lambda p: _need_and_gap(p, options), keep=THEME_GAPS_KEPT
        )
        return kept[0].copy(), kept[1].copy()
    return _need_and_gap(pack, options, scores)


NEED_AND_GAP = "need_and_gap"


def _need_and_gap(
    pack: Pack, options: ProvisionOptions, scores: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    results = theme_gaps(pack, options=options) if scores is None else gaps_by_theme(pack, options, scores)
    scores = need_scores(pack) if scores is None else scores
    need_frame = need.theme_need_table(scores, pack.indicator_meta)
    gap_frame = pd.DataFrame(
        {theme: results[theme].table[s.GAP].reindex(need_frame.index) for theme in need_frame.columns},
        index=need_frame.index,
    )
    return need_frame, gap_frame
