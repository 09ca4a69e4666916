import numpy as np
import pandas as pd
import pytest

from sector_map.analysis import need
from sector_map.pack import schema as s


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


# --- default indicators: one per concept, none that rank the wards alike -------------------
def _meta(id_, label, theme_list, *, domain="", unit="score", higher_is=s.HIGHER_IS_MORE_NEED):
    return s.IndicatorMeta(id_, label, unit, higher_is, "test", "2019", list(theme_list), domain=domain)


def _poverty_meta() -> dict[str, s.IndicatorMeta]:
    """The shape of the Trafford pack's poverty indicators: four ways of saying 'income'."""
    pov = ["poverty_food"]
    rows = [
        _meta("imd", "Index of Multiple Deprivation: score", [*pov, "community_cohesion"], domain="imd"),
        _meta(
            "inc10", "Income: % of residents in England's most deprived 10% of LSOAs", pov, domain="income"
        ),
        _meta(
            "inc20", "Income: % of residents in England's most deprived 20% of LSOAs", pov, domain="income"
        ),
        _meta("clif", "Children in low income families (0-15 years) (percent)", pov),
        _meta("fuel", "Fuel poverty", pov),
        _meta("inc", "Indices of Deprivation: Income", pov, domain="income"),
        _meta("inc_rank", "Income rank", pov, domain="income", unit="rank", higher_is=s.HIGHER_IS_LESS_NEED),
    ]
    return {m.id: m for m in rows}


def test_poverty_default_counts_income_once_and_says_why():
    choices = need.default_choices(_poverty_meta(), "poverty_food")
    used = [c.id for c in choices if c.weight > 0]
    assert used == ["inc", "fuel"]  # the domain score first, then a different concept
    why = {c.id: c.reason for c in choices}
    for dup in ("inc10", "inc20", "clif", "inc_rank"):
        assert why[dup].startswith("measures the same thing (income) as Indices of Deprivation: Income")
    assert "overall IMD score" in why["imd"]
    assert need.default_weights(_poverty_meta(), "poverty_food")["imd"] == 0.0


def test_imd_score_is_used_where_no_domain_is():
    assert need.default_weights(_poverty_meta(), "community_cohesion") == {"imd": 1.0}


def test_without_a_domain_score_the_20_percent_form_beats_10_percent_and_rank():
    meta = {k: m for k, m in _poverty_meta().items() if k in ("inc10", "inc20", "inc_rank")}
    assert need.default_weights(meta, "poverty_food") == {"inc20": 1.0, "inc10": 0.0, "inc_rank": 0.0}
    only_rank_and_10 = {k: m for k, m in meta.items() if k != "inc20"}
    assert need.default_weights(only_rank_and_10, "poverty_food") == {"inc10": 1.0, "inc_rank": 0.0}


def test_the_themes_own_domain_wins_within_a_concept():
    kids = ["children_young_people"]
    meta = {
        "clif": _meta("clif", "Children in low income families (0-15 years)", kids),
        "idaci": _meta("idaci", "Income Deprivation Affecting Children", kids, domain="idaci"),
        "dev": _meta("dev", "Child development at age 5", kids, higher_is=s.HIGHER_IS_LESS_NEED),
    }
    assert need.default_weights(meta, "children_young_people") == {"idaci": 1.0, "dev": 1.0, "clif": 0.0}


def test_male_and_female_life_expectancy_are_one_concept():
    h = ["health_wellbeing"]
    meta = {
        "f": _meta("f", "Female life expectancy at birth", h, higher_is=s.HIGHER_IS_LESS_NEED),
        "m": _meta("m", "Male life expectancy at birth", h, higher_is=s.HIGHER_IS_LESS_NEED),
    }
    assert need.default_weights(meta, "health_wellbeing") == {"f": 1.0, "m": 0.0}


def _alike_scores(n: int) -> pd.DataFrame:
    """Two indicators that rank ``n`` wards identically (one is a linear rescaling of the other)."""
    a = np.arange(n, dtype=float)
    return pd.DataFrame({"inc": a, "fuel": a * 2 + 1})


def test_an_indicator_that_ranks_wards_as_a_used_one_does_is_left_out():
    meta = {k: m for k, m in _poverty_meta().items() if k in ("inc", "fuel")}
    assert need.default_weights(meta, "poverty_food") == {"inc": 1.0, "fuel": 1.0}  # no data: concepts only
    scores = _alike_scores(8)
    choices = {c.id: c for c in need.default_choices(meta, "poverty_food", scores=scores)}
    assert choices["inc"].weight == 1.0 and choices["fuel"].weight == 0.0
    assert (
        "ranks the wards almost as Indices of Deprivation: Income does here (r = 1.00)"
        in choices["fuel"].reason
    )


def test_a_moderate_correlation_or_too_few_wards_leaves_both_in():
    meta = {k: m for k, m in _poverty_meta().items() if k in ("inc", "fuel")}
    scores = pd.DataFrame({"inc": [1.0, 2, 3, 4, 5, 6], "fuel": [2.0, 1, 4, 3, 6, 5]})  # Spearman 0.83
    assert need.default_weights(meta, "poverty_food", scores=scores) == {"inc": 1.0, "fuel": 1.0}
    too_few = _alike_scores(need.MIN_WARDS_FOR_CORRELATION - 1)
    assert need.default_weights(meta, "poverty_food", scores=too_few) == {"inc": 1.0, "fuel": 1.0}


def test_negative_correlation_counts_as_alike_too():
    h = ["health_wellbeing"]
    meta = {
        "bad": _meta("bad", "People reporting bad health", h),
        "le": _meta("le", "Female life expectancy at birth", h, higher_is=s.HIGHER_IS_LESS_NEED),
    }
    raw = pd.DataFrame({"bad": [1.0, 2, 3, 4, 5, 6], "le": [86.0, 85, 84, 83, 82, 81]})
    assert need.default_weights(meta, "health_wellbeing", scores=raw) == {"bad": 1.0, "le": 0.0}


def test_weights_are_listed_in_words():
    meta = _poverty_meta()
    assert need.weights_text(meta, {"inc": 1, "fuel": 0.5, "imd": 0}) == (
        "Indices of Deprivation: Income (weight 1); Fuel poverty (weight 0.5)"
    )
    assert need.weights_text(meta, {"inc": 0}) == "no indicators (every weight is zero)"
    lines = need.themes_weights_text(meta, ["poverty_food", "community_cohesion"]).splitlines()
    assert lines == [
        "Poverty, food and money advice need index: Indices of Deprivation: Income (weight 1); "
        "Fuel poverty (weight 1)",
        "Community, faith and cohesion need index: Index of Multiple Deprivation: score (weight 1)",
    ]
    custom = need.themes_weights_text(meta, ["poverty_food"], weights={"poverty_food": {"inc10": 2}})
    assert custom.endswith("Income: % of residents in England's most deprived 10% of LSOAs (weight 2)")
