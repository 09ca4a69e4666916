import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb

from sector_map.analysis import need
from sector_map.pack import schema as s
from sector_map.views import classify as c

CODES = [f"E0500000{i}" for i in range(10)]


def series(values, codes=None):
    return pd.Series(values, index=codes or CODES[: len(values)], dtype="float64")


# --- classify -------------------------------------------------------------------------------
def test_quantiles_put_equal_counts_in_each_class():
    got = c.classify(series(range(1, 11)), scheme="quantiles", k=5)
    assert got.counts == [2, 2, 2, 2, 2]
    assert got.class_of.tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert got.bins == pytest.approx([2.8, 4.6, 6.4, 8.2, 10.0])
    assert got.labels == ["1.0 to 2.8", "2.8 to 4.6", "4.6 to 6.4", "6.4 to 8.2", "8.2 to 10.0"]
    assert got.class_of.index.tolist() == CODES and got.note == ""


def test_natural_breaks_find_the_gaps():
    values = series([1, 2, 3, 10, 11, 12, 30, 31])
    got = c.classify(values, scheme="natural_breaks", k=3)
    assert got.class_of.tolist() == [0, 0, 0, 1, 1, 1, 2, 2]
    assert got.bins == [3.0, 12.0, 31.0]
    assert got.labels == ["1 to 3", "3 to 12", "12 to 31"]


def test_equal_interval_has_equal_widths_and_keeps_empty_classes():
    got = c.classify(series([0, 1, 2, 10]), scheme="equal_interval", k=5)
    assert got.bins == pytest.approx([2, 4, 6, 8, 10])
    assert got.counts == [3, 0, 0, 0, 1]


def test_missing_values_get_class_minus_one_and_are_counted():
    values = series([5.0, np.nan, 7.0, None, 9.0])
    got = c.classify(values, k=3)
    assert got.class_of.tolist() == [0, -1, 1, -1, 2]
    assert got.n_missing == 2 and sum(got.counts) == 3


def test_fewer_distinct_values_than_classes_reduces_k_and_says_so():
    got = c.classify(series([1, 1, 2, 2, 3, 3]), scheme="natural_breaks", k=5)
    assert got.k_effective == 3 and got.k == 5
    assert got.class_of.tolist() == [0, 0, 1, 1, 2, 2]
    assert "3 different values" in got.note and "3 classes instead of 5" in got.note


def test_quantile_ties_never_leave_empty_classes():
    got = c.classify(series([1, 1, 1, 1, 1, 1, 2, 3]), scheme="quantiles", k=3)
    assert 0 not in got.counts
    assert sum(got.counts) == 8
    assert got.class_of.tolist()[:6] == [0] * 6


def test_all_missing_gives_no_classes():
    got = c.classify(series([np.nan, np.nan]), k=5)
    assert got.bins == [] and got.labels == [] and got.counts == []
    assert got.class_of.tolist() == [-1, -1] and got.n_missing == 2
    assert "No ward has a value" in got.note


def test_single_ward_is_one_class_labelled_with_its_value():
    got = c.classify(series([12.34]), k=5)
    assert got.k_effective == 1 and got.class_of.tolist() == [0]
    assert got.labels == ["12.34"] and got.counts == [1]
    assert "only one value" in got.note


def test_large_natural_breaks_are_deterministic():
    values = pd.Series(np.random.default_rng(1).gamma(2.0, 10.0, 3000))
    first = c.classify(values, scheme="natural_breaks", k=5)
    assert first.bins == c.classify(values, scheme="natural_breaks", k=5).bins
    assert first.k_effective == 5 and sum(first.counts) == 3000
    assert first.bins[-1] == pytest.approx(values.max())


def test_labels_use_thousands_separators_and_no_overlapping_text():
    got = c.classify(series([1200, 2500, 48000, 51000]), scheme="quantiles", k=2)
    assert got.labels[0].startswith("1,200 to ")
    assert len(set(got.labels)) == 2


def test_unknown_scheme_and_bad_k_are_refused():
    with pytest.raises(ValueError, match="unknown classification"):
        c.classify(series([1, 2]), scheme="jenks")
    with pytest.raises(ValueError, match="between 1 and 9"):
        c.classify(series([1, 2]), k=12)


# --- colours --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(c.PALETTES))
@pytest.mark.parametrize("k", [1, 3, 5, 7, 9])
def test_palettes_run_light_to_dark_and_stay_clear_of_no_data_grey(name, k):
    colours = c.palette(k, name=name)
    assert len(colours) == k and all(x.startswith("#") and len(x) == 7 for x in colours)
    lum = [c.luminance(x) for x in colours]
    assert lum == sorted(lum, reverse=True) and len(set(colours)) == k
    grey = _lab(c.NO_DATA_COLOUR)
    assert min(np.linalg.norm(_lab(x) - grey) for x in colours) > 15  # CIE76 colour difference


def _lab(colour: str) -> np.ndarray:
    rgb = np.array(to_rgb(colour))
    rgb = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ rgb / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_more_need_colours_darken_with_value_and_less_need_reverses():
    more = c.class_colours(5, higher_is=s.HIGHER_IS_MORE_NEED)
    less = c.class_colours(5, higher_is=s.HIGHER_IS_LESS_NEED)
    assert c.luminance(more[-1]) < c.luminance(more[0])  # highest values darkest
    assert c.luminance(less[0]) < c.luminance(less[-1])  # lowest values (rank 1) darkest
    assert less == more[::-1]
    with pytest.raises(ValueError):
        c.class_colours(5, higher_is="up")


def test_ward_colours_give_no_data_grey_for_missing():
    classes = c.classify(series([1.0, np.nan, 3.0]), k=2)
    colours = c.class_colours(2, higher_is=s.HIGHER_IS_LESS_NEED)
    got = c.ward_colours(classes, colours)
    assert got.tolist() == [colours[0], c.NO_DATA_COLOUR, colours[1]]
    assert got.index.tolist() == CODES[:3]


def test_legend_reads_most_need_first_and_ends_with_no_data():
    classes = c.classify(series([1, 2, 3, 4, np.nan, np.nan]), k=2)
    more = c.class_colours(2, higher_is=s.HIGHER_IS_MORE_NEED)
    rows = c.legend_entries(classes, more, higher_is=s.HIGHER_IS_MORE_NEED)
    assert [r.label for r in rows] == ["2.5 to 4.0", "1.0 to 2.5", "No data"]
    assert rows[0].colour == more[-1] and rows[-1] == (c.NO_DATA_COLOUR, "No data", 2)

    less = c.class_colours(2, higher_is=s.HIGHER_IS_LESS_NEED)
    rows = c.legend_entries(classes, less, higher_is=s.HIGHER_IS_LESS_NEED)
    assert [r.label for r in rows][:2] == ["1.0 to 2.5", "2.5 to 4.0"]
    assert c.luminance(rows[0].colour) < c.luminance(rows[1].colour)
    assert [r.count for r in rows] == [2, 2, 2]


def test_legend_without_missing_has_no_no_data_row():
    classes = c.classify(series([1, 2, 3]), k=3)
    rows = c.legend_entries(classes, c.class_colours(3, higher_is="more_need"), higher_is="more_need")
    assert all(r.label != c.NO_DATA_LABEL for r in rows) and len(rows) == 3


def meta(label, unit, higher_is, domain=""):
    return s.IndicatorMeta("x", label, unit, higher_is, "test", "2019", domain=domain)


def test_legend_text_in_plain_english():
    assert (
        c.legend_text(meta("IMD score", "score", s.HIGHER_IS_MORE_NEED, s.DOMAIN_IMD))
        == "Darker = more deprived (higher score)"
    )
    assert (
        c.legend_text(meta("IMD rank", "rank", s.HIGHER_IS_LESS_NEED, s.DOMAIN_IMD))
        == "Darker = more deprived (lower rank; rank 1 = most deprived)"
    )
    assert (
        c.legend_text(meta("Need index: older people", "need index", s.HIGHER_IS_MORE_NEED))
        == "Darker = more need (need index 0–100)"
    )
    assert (
        c.legend_text(meta("Life expectancy", "years", s.HIGHER_IS_LESS_NEED))
        == "Darker = more need (lower value)"
    )


def test_ranks_put_most_need_first():
    values = series([10.0, 40.0, np.nan, 25.0, 40.0])
    more = need.ranks_within_area(values, higher_is=s.HIGHER_IS_MORE_NEED)
    assert more.tolist()[:2] == [4, 1] and more.iloc[3] == 3 and more.iloc[4] == 1
    assert pd.isna(more.iloc[2])
    less = need.ranks_within_area(series([300.0, 10.0, 120.0]), higher_is=s.HIGHER_IS_LESS_NEED)
    assert less.tolist() == [3, 1, 2]


@pytest.mark.parametrize("scheme", ["quantiles", "equal_interval"])
@pytest.mark.parametrize("k", [3, 5, 7])
def test_numpy_bins_match_mapclassify(scheme, k):
    import mapclassify

    rng = np.random.default_rng(k)
    y = np.round(rng.lognormal(2.5, 0.6, size=215), 2)
    ours = c.classify(pd.Series(y), scheme=scheme, k=k)
    ref = (mapclassify.Quantiles if scheme == "quantiles" else mapclassify.EqualInterval)(y, k=k)
    np.testing.assert_allclose(ours.bins, ref.bins, rtol=1e-12)
    assert ours.counts == list(ref.counts)


@pytest.mark.parametrize("k", [2, 3, 5, 7])
@pytest.mark.parametrize("n", [40, 215, 500])
def test_natural_breaks_match_mapclassify_fisher_jenks(k, n):
    import mapclassify

    rng = np.random.default_rng(n + k)
    y = rng.lognormal(2.5, 0.6, size=n)  # continuous: no ties to break either way
    ours = c.classify(pd.Series(y), scheme="natural_breaks", k=k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mapclassify warns that numba is absent
        ref = mapclassify.FisherJenks(y, k=k)
    np.testing.assert_allclose(ours.bins, ref.bins, rtol=1e-9)
    assert ours.counts == list(ref.counts)


def test_natural_breaks_with_fewer_distinct_values_than_classes():
    ours = c.classify(pd.Series([1.0, 1.0, 2.0, 2.0, 3.0]), scheme="natural_breaks", k=5)
    assert ours.bins == [1.0, 2.0, 3.0] and ours.counts == [2, 2, 1]
