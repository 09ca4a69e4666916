"""The core loop on a whole pack: need → provision → gap, as used by the pages and the CLI."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from sector_map.analysis import gaps, need
from sector_map.analysis.provision import ProvisionOptions, provision_table
from sector_map.pack import schema as s
from sector_map.pack.io import Pack


def need_scores(pack: Pack) -> pd.DataFrame:
    """0–100 need scores, wards × indicators (rank method, as on the Need map)."""
    return need.need_score_table(pack.indicator_wide(), pack.indicator_meta, method="rank")


def check_themes(themes: Sequence[str]) -> list[str]:
    """The theme ids, or a ValueError naming the unknown ones and the known ones."""
    return s.check_theme_ids(themes)


def gap_table_for(
    pack: Pack,
    themes: Sequence[str],
    *,
    scores: pd.DataFrame | None = None,
    provision: pd.DataFrame | None = None,
    weights: Mapping[str, Mapping[str, float]] | None = None,
    options: ProvisionOptions | None = None,
    measure: str = "access",
) -> pd.DataFrame:
    """The gap table (:func:`sector_map.analysis.gaps.gap_table`) for a set of themes on a pack.

    ``scores`` and ``provision`` may be passed in when the caller has them cached.
    """
    themes = check_themes(themes)
    options = options or ProvisionOptions()
    scores = need_scores(pack) if scores is None else scores
    provision = provision_table(pack, themes, options=options) if provision is None else provision
    need_values, used = gaps.themes_need(scores, pack.indicator_meta, themes, weights=weights)
    return gaps.gap_table(
        need_values,
        provision,
        measure=measure,
        names=pack.wards.set_index(s.WARD_CODE)[s.WARD_NAME],
        need_driver=gaps.need_drivers(scores, used, pack.indicator_meta),
        services_word=gaps.services_word(themes),
        radius_km=options.radius_km,
    )


def need_and_gap_by_theme(
    pack: Pack, *, options: ProvisionOptions | None = None, scores: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Need index and gap score per ward × theme, for every theme with indicators."""
    from sector_map.analysis.provision import provision_by_theme

    options = options or ProvisionOptions()
    scores = need_scores(pack) if scores is None else scores
    need_frame = need.theme_need_table(scores, pack.indicator_meta)
    provision = provision_by_theme(pack, options=options, themes=list(need_frame.columns))
    gap_frame = pd.DataFrame(index=need_frame.index)
    for theme in need_frame.columns:
        table = gap_table_for(pack, [theme], scores=scores, options=options, provision=provision.get(theme))
        gap_frame[theme] = table["gap"].reindex(need_frame.index)
    return need_frame, gap_frame
