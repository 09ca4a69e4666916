"""Default need indices on the real Trafford pack count each need once."""

from __future__ import annotations

import itertools

import pytest

from sector_map.analysis import need
from sector_map.analysis import tables as analysis
from sector_map.pack import schema as s
from sector_map.pack.io import load_pack

pytestmark = pytest.mark.data

LIMIT = 0.95


@pytest.fixture(scope="module")
def trafford(trafford_pack_dir):
    pack = load_pack(trafford_pack_dir)
    return pack, pack.indicator_wide(), analysis.need_scores(pack)


def _used(pack, scores, theme) -> list[str]:
    return [i for i, w in need.default_weights(pack.indicator_meta, theme, scores=scores).items() if w > 0]


@pytest.mark.parametrize("theme", s.THEME_IDS)
def test_no_default_theme_uses_two_indicators_that_move_together(trafford, theme):
    pack, wide, scores = trafford
    used = _used(pack, scores, theme)
    if not need.theme_indicators(pack.indicator_meta, theme):
        assert used == [], f"{theme}: the pack has no indicator for it, yet the index uses {used}"
        return
    assert used, f"{theme}: the default index uses no indicator"
    too_close = []
    for a, b in itertools.combinations(used, 2):
        pearson = abs(wide[a].corr(wide[b]))
        spearman = abs(wide[a].corr(wide[b], method="spearman"))
        if max(pearson, spearman) > LIMIT:
            too_close.append(f"{a} ~ {b}: Pearson {pearson:.3f}, Spearman {spearman:.3f}")
    assert not too_close, f"{theme} counts the same need twice: {too_close}"


def test_trafford_poverty_uses_one_income_measure(trafford):
    pack, _, scores = trafford
    used = _used(pack, scores, "poverty_food")
    assert used[0] == "indices_of_deprivation_income"
    income_like = [i for i in used if need.concept(pack.indicator_meta[i]) == s.DOMAIN_INCOME]
    assert income_like == ["indices_of_deprivation_income"]
    for dropped in ("imd_score", "income_pct_most_deprived_10", "income_pct_most_deprived_20"):
        assert dropped not in used


def test_every_trafford_theme_drops_the_most_deprived_10_20_percent_copies(trafford):
    pack, _, scores = trafford
    for theme in s.THEME_IDS:
        for i in _used(pack, scores, theme):
            assert "most_deprived" not in i, f"{theme} uses {i} beside its domain score"
