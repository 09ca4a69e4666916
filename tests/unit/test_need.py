import numpy as np
import pandas as pd
import pytest

from sector_map import need
from sector_map import schema as s


def test_rank_scores_run_0_to_100_and_respect_direction():
    v = pd.Series([5.0, 20.0, 10.0, np.nan], index=list("abcd"))
    more = need.need_scores(v, higher_is=s.HIGHER_IS_MORE_NEED)
    less = need.need_scores(v, higher_is=s.HIGHER_IS_LESS_NEED)
    assert more.tolist()[:3] == [0.0, 100.0, 50.0]
    assert less.tolist()[:3] == [100.0, 0.0, 50.0]
    assert np.isnan(more["d"]) and np.isnan(less["d"])


def test_minmax_scores_are_proportional():
    v = pd.Series([0.0, 30.0, 40.0])
    assert need.need_scores(v, higher_is="more_need", method="minmax").tolist() == [0.0, 75.0, 100.0]


def test_ties_and_single_values():
    assert need.need_scores(pd.Series([1.0, 1.0, 2.0]), higher_is="more_need").tolist() == [25.0, 25.0, 100.0]
    one = need.need_scores(pd.Series([np.nan, 7.0]), higher_is="more_need")
    assert np.isnan(one[0]) and one[1] == 50.0


def test_bad_direction_or_method():
    with pytest.raises(ValueError, match="higher_is"):
        need.need_scores(pd.Series([1.0]), higher_is="up")
    with pytest.raises(ValueError, match="method"):
        need.need_scores(pd.Series([1.0, 2.0]), higher_is="more_need", method="zscore")


def test_ranks_within_area_put_most_need_first():
    v = pd.Series([300.0, 10.0, np.nan, 120.0], index=list("abcd"))
    r = need.ranks_within_area(v, higher_is=s.HIGHER_IS_LESS_NEED)
    assert r.tolist()[:2] == [3, 1] and r["d"] == 2 and r.isna()["c"]
    r2 = need.ranks_within_area(v, higher_is=s.HIGHER_IS_MORE_NEED)
    assert r2["a"] == 1


def test_need_index_weights_and_missing():
    scores = pd.DataFrame({"a": [0.0, 100.0, np.nan], "b": [100.0, np.nan, np.nan]})
    idx = need.need_index(scores, {"a": 3, "b": 1})
    assert idx[0] == pytest.approx(25.0)
    assert idx[1] == 100.0
    assert np.isnan(idx[2])
    assert need.need_index(scores, {"a": 0, "b": 1}).tolist()[0] == 100.0
    assert need.coverage(scores, {"a": 3, "b": 1}).tolist() == [1.0, 0.75, 0.0]


def test_need_index_rejects_bad_weights():
    scores = pd.DataFrame({"a": [1.0]})
    with pytest.raises(ValueError):
        need.need_index(scores, {"a": -1})
    with pytest.raises(KeyError):
        need.need_index(scores, {"zz": 1})
    assert need.need_index(scores, {"a": 0}).isna().all()


def test_default_weights_do_not_double_count_ranks(tiny_pack):
    w = need.default_weights(tiny_pack.indicator_meta, "poverty_food")
    assert w == {"imd_score": 1.0, "imd_rank": 0.0}
    assert need.theme_indicators(tiny_pack.indicator_meta, "older_people") == []
    with pytest.raises(ValueError):
        need.theme_indicators(tiny_pack.indicator_meta, "nope")


def test_theme_index_on_tiny_pack(tiny_pack):
    table = need.need_score_table(tiny_pack.indicator_wide(), tiny_pack.indicator_meta)
    idx = need.need_index(table, need.default_weights(tiny_pack.indicator_meta, "poverty_food"))
    assert idx.idxmax() == "X05000002"
    assert np.isnan(idx["X05000004"])
