"""Classify ward values into a few map classes, and colour them so darker always means more need.

One small facade over the schemes as mapclassify defines them (quantiles, equal interval; Fisher-Jenks
natural breaks from jenkspy),
plus colour-blind-safe sequential palettes as plain hex lists, so the same colours serve the
interactive map (folium) and print exports (matplotlib).

Example:
    >>> import pandas as pd
    >>> c = classify(pd.Series([1.0, 2.0, 3.0, 4.0, None], index=list("abcde")), k=2)
    >>> c.labels, c.class_of.tolist(), c.n_missing
    (['1.0 to 2.5', '2.5 to 4.0'], [0, 0, 1, 1, -1], 1)
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import to_hex, to_rgb

from sector_map.pack import schema as s
from sector_map.pack.values import format_number

SCHEMES = {
    "quantiles": "Quantiles (equal counts)",
    "natural_breaks": "Natural breaks (Jenks)",
    "equal_interval": "Equal interval",
}
DEFAULT_SCHEME = "quantiles"
DEFAULT_K = 5

# Sequential palettes that stay readable with the common colour-vision deficiencies
# (ColorBrewer single/multi-hue sequential, and viridis). id -> label.
PALETTES = {
    "YlOrRd": "Yellow, orange, red",
    "RdPu": "Pink to purple",
    "YlGnBu": "Yellow, green, blue",
    "viridis": "Viridis (yellow to purple)",
}
DEFAULT_PALETTE = "YlOrRd"
# matplotlib colormap and the part of it used; the very lightest ends are skipped so the
# lowest class still stands out from the map background.
_PALETTE_RANGE = {"YlOrRd": (0.12, 1.0), "RdPu": (0.2, 1.0), "YlGnBu": (0.12, 1.0), "viridis": (0.0, 0.92)}

NO_DATA_COLOUR = "#bdbdbd"
NO_DATA_LABEL = "No data"

# Fisher-Jenks is O(k·n²) in pure Python; above this many values it runs on an evenly spaced
# (by rank) sample, which is deterministic and keeps the breaks close to the full optimum.
_JENKS_MAX_N = 500


@dataclass(frozen=True)
class Classes:
    """The result of :func:`classify`.

    Attributes:
        scheme: scheme id (a key of :data:`SCHEMES`).
        k: number of classes asked for.
        bins: upper bound of each class, lowest first (``len(bins)`` classes in use).
        labels: plain-English range of each class, e.g. ``"4.9 to 12.3"``.
        class_of: class index per ward (0 = lowest values), -1 where the value is missing;
            same index as the input values.
        counts: number of wards in each class.
        n_missing: number of wards with no value.
        note: plain-English remark when fewer classes than asked were possible, else "".
    """

    scheme: str
    k: int
    bins: list[float]
    labels: list[str]
    class_of: pd.Series
    counts: list[int]
    n_missing: int
    note: str = ""

    @property
    def k_effective(self) -> int:
        """Number of classes actually in use."""
        return len(self.bins)


class LegendEntry(NamedTuple):
    """One legend row: a swatch colour, its plain-English label and how many wards it covers."""

    colour: str
    label: str
    count: int  # type: ignore[assignment]  # a field named like tuple.count; readers use .count


def classify(values: pd.Series, *, scheme: str = DEFAULT_SCHEME, k: int = DEFAULT_K) -> Classes:
    """Put ward values into at most ``k`` classes; missing values get class -1.

    Args:
        values: one number per ward (index: ward codes); NaN/None means no data.
        scheme: ``"quantiles"``, ``"natural_breaks"`` or ``"equal_interval"``.
        k: classes wanted (1–9). Fewer are used when there are fewer distinct values,
            and quantile/natural-break classes that would be empty are merged away;
            :attr:`Classes.note` then says so.

    Returns:
        The classes, their labels and each ward's class.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown classification {scheme!r}; choose one of {', '.join(SCHEMES)}")
    if not 1 <= k <= 9:
        raise ValueError(f"k must be between 1 and 9 classes, not {k}")
    numeric = pd.to_numeric(values, errors="coerce").astype("float64")
    present = numeric.dropna()
    n_missing = int(numeric.isna().sum())
    class_of = pd.Series(-1, index=values.index, dtype="int64", name="class")
    if present.empty:
        return Classes(scheme, k, [], [], class_of, [], n_missing, "No ward has a value to map.")

    y = present.to_numpy()
    n_unique = int(np.unique(y).size)
    notes = []
    # Equal intervals split the range, whatever the values; the other schemes split the values.
    k_use = k if scheme == "equal_interval" and n_unique > 1 else min(k, n_unique)
    if k_use < k:
        few = "one value" if n_unique == 1 else f"{n_unique} different values"
        notes.append(f"The wards have only {few}, so the map uses {k_use} {_classes(k_use)} instead of {k}.")

    bins = _bins(y, scheme, k_use)
    yb = np.searchsorted(bins, y, side="left")
    if scheme != "equal_interval":
        used = np.unique(yb)
        if used.size < len(bins):
            bins = bins[used]
            yb = np.searchsorted(bins, y, side="left")
            notes.append(f"Tied values leave {len(bins)} {_classes(len(bins))} with wards in them.")
    yb = np.minimum(yb, len(bins) - 1)
    class_of.loc[present.index] = yb
    counts = np.bincount(yb, minlength=len(bins)).tolist()
    labels = _labels(float(y.min()), [float(b) for b in bins])
    return Classes(scheme, k, [float(b) for b in bins], labels, class_of, counts, n_missing, " ".join(notes))


def _classes(n: int) -> str:
    return "class" if n == 1 else "classes"


def _fisher_jenks(values: np.ndarray, k: int) -> np.ndarray:
    """Fisher-Jenks natural breaks: each class's upper bound, as mapclassify's ``FisherJenks(...).bins``.

    jenkspy's C implementation: mapclassify's runs in pure Python without numba, 0.4-0.9 s a map
    on England's 500-value sample (a test checks the two agree). Fewer distinct values than
    classes: each distinct value is a bound.
    """
    distinct = np.unique(values)
    if distinct.size <= k:
        return distinct
    import jenkspy

    return np.asarray(jenkspy.jenks_breaks(values, n_classes=k), dtype="float64")[1:]


def _bins(y: np.ndarray, scheme: str, k: int) -> np.ndarray:
    if k == 1:
        return np.array([y.max()])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Quantiles and equal intervals are mapclassify's definitions in numpy (a test checks they
        # agree): importing mapclassify costs ~1.7 s (scipy.stats, sklearn, pyplot), which the
        # first visitor after a server start would wait for. Natural breaks are jenkspy's (C).
        if scheme == "quantiles":
            step = 100.0 / k
            bins = np.percentile(y, np.minimum(np.arange(step, 100 + step, step)[:k], 100))
        elif scheme == "equal_interval":
            lo, hi = float(y.min()), float(y.max())
            bins = lo + (hi - lo) / k * np.arange(1, k + 1)
        else:
            sample = y if y.size <= _JENKS_MAX_N else np.quantile(y, np.linspace(0, 1, _JENKS_MAX_N))
            if np.unique(sample).size < k:
                sample = y
            bins = _fisher_jenks(sample, k)
    bins = np.asarray(bins, dtype="float64")
    # A break that floating point puts a hair's breadth from a ward's value is that value, so the
    # ward falls in the lower class whatever the rounding (values equal to a break are inclusive).
    near = np.isclose(bins[:, None], y[None, :], rtol=1e-9, atol=0)
    has = near.any(axis=1)
    bins[has] = y[near[has].argmax(axis=1)]
    bins = np.unique(bins)
    bins[-1] = max(bins[-1], y.max())
    return bins


def _labels(lowest: float, bins: list[float]) -> list[str]:
    bounds = [lowest, *bins]
    span = bounds[-1] - bounds[0]
    whole = all(float(b).is_integer() for b in bounds)
    decimals = 0 if whole or span >= 100 else 1 if span >= 1 else 2
    while decimals < 4:
        texts = [format_number(b, decimals) for b in bounds]
        if len(set(texts)) == len(set(bounds)):
            break
        decimals += 1
    texts = [format_number(b, decimals) for b in bounds]
    if len(bins) == 1 and bounds[0] == bounds[1]:
        return [texts[1]]
    return [f"{texts[i]} to {texts[i + 1]}" for i in range(len(bins))]


# --- colour ---------------------------------------------------------------------------------
def palette(k: int, *, name: str = DEFAULT_PALETTE) -> list[str]:
    """``k`` hex colours from a sequential palette, lightest first.

    Args:
        k: number of colours (classes).
        name: a key of :data:`PALETTES`.
    """
    if name not in PALETTES:
        raise ValueError(f"unknown palette {name!r}; choose one of {', '.join(PALETTES)}")
    if k < 1:
        return []
    lo, hi = _PALETTE_RANGE[name]
    points = [lo + (hi - lo) * 0.6] if k == 1 else np.linspace(lo, hi, k)
    cmap = colormaps[name]
    colours = [to_hex(cmap(float(p))) for p in points]
    return sorted(colours, key=luminance, reverse=True)


def luminance(colour: str) -> float:
    """Relative luminance (WCAG) of a colour, 0 = black, 1 = white."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def class_colours(k: int, *, higher_is: str, palette_name: str = DEFAULT_PALETTE) -> list[str]:
    """Colour of each class (index 0 = lowest values) such that darker always means more need.

    For ``more_need`` indicators the highest values are darkest; for ``less_need`` ones
    (ranks where 1 is most deprived, life expectancy) the lowest values are darkest.
    """
    if higher_is not in s.HIGHER_IS:
        raise ValueError(f"higher_is must be one of {s.HIGHER_IS}, not {higher_is!r}")
    colours = palette(k, name=palette_name)
    return colours if higher_is == s.HIGHER_IS_MORE_NEED else colours[::-1]


def ward_colours(classes: Classes, colours: list[str]) -> pd.Series:
    """Fill colour per ward (same index as the classified values); no data -> NO_DATA_COLOUR."""
    if len(colours) != classes.k_effective:
        raise ValueError(f"need {classes.k_effective} colours, got {len(colours)}")
    lookup = np.array([*colours, NO_DATA_COLOUR], dtype=object)
    return pd.Series(lookup[classes.class_of.to_numpy()], index=classes.class_of.index, name="colour")


def legend_entries(classes: Classes, colours: list[str], *, higher_is: str) -> list[LegendEntry]:
    """Legend rows, read top to bottom: most need first, then less, then "No data" if any."""
    if len(colours) != classes.k_effective:
        raise ValueError(f"need {classes.k_effective} colours, got {len(colours)}")
    rows = [LegendEntry(c, lab, n) for c, lab, n in zip(colours, classes.labels, classes.counts, strict=True)]
    if higher_is == s.HIGHER_IS_MORE_NEED:
        rows.reverse()
    if classes.n_missing:
        rows.append(LegendEntry(NO_DATA_COLOUR, NO_DATA_LABEL, classes.n_missing))
    return rows


def legend_text(meta: s.IndicatorMeta) -> str:
    """One plain-English line for the top of a legend, e.g. "Darker = more deprived (higher score)"."""
    unit = meta.unit.strip().lower()
    text = f"{meta.label} {meta.source} {meta.domain}".lower()
    deprivation = bool(meta.domain) or "deprivation" in text or "imd" in text.split()
    worse = "more deprived" if deprivation else "more need"
    if "need index" in unit or "need index" in meta.label.lower():
        return "Darker = more need (need index 0–100)"
    if "rank" in unit:
        if meta.higher_is == s.HIGHER_IS_LESS_NEED:
            return (
                f"Darker = {worse} (lower rank; rank 1 = {'most deprived' if deprivation else 'most need'})"
            )
        return f"Darker = {worse} (higher rank)"
    what = "score" if "score" in unit else "value"
    direction = "higher" if meta.higher_is == s.HIGHER_IS_MORE_NEED else "lower"
    return f"Darker = {worse} ({direction} {what})"
