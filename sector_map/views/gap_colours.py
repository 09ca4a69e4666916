"""The colours of the Gaps page's 3×3 classes (need against provision): one palette for the app,
its legend and every export, and the classes as map classes for the choropleth.

Example:
    >>> bivariate_colour("low", "low"), bivariate_colour("high", "low")
    ('#ededed', '#c72921')
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sector_map.analysis.gaps import CLASS_ORDER, HIGH, LEVELS, LOW, MEDIUM, NEED_WORDS, PROVISION_WORDS
from sector_map.pack import schema as s
from sector_map.views.classify import NO_DATA_COLOUR, Classes

# Bivariate colours: bilinear between four corner colours chosen here: light grey (low need,
# little provision), red (high need, little provision: the gap), blue (low need, well served)
# and a muted purple (high need, well served), so the gap is the strongest colour on the map.
_CORNERS = {
    (0, 0): np.array([0.93, 0.93, 0.93]),
    (1, 0): np.array([0.78, 0.16, 0.13]),
    (0, 1): np.array([0.20, 0.47, 0.73]),
    (1, 1): np.array([0.45, 0.36, 0.55]),
}
_STRENGTH = {LOW: 0.0, MEDIUM: 0.5, HIGH: 1.0}


def bivariate_colour(need_level: str, provision_level: str) -> str:
    """Hex colour of a 3×3 class (the same in the app, the legend and exports).

    Example:
        >>> bivariate_colour("low", "low"), bivariate_colour("high", "low")
        ('#ededed', '#c72921')

    A ward without a class (no data, provision not known) gets the no-data grey.
    """
    if need_level not in _STRENGTH or provision_level not in _STRENGTH:
        return NO_DATA_COLOUR
    a, b = _STRENGTH[need_level], _STRENGTH[provision_level]
    rgb = (
        (1 - a) * (1 - b) * _CORNERS[0, 0]
        + a * (1 - b) * _CORNERS[1, 0]
        + (1 - a) * b * _CORNERS[0, 1]
        + a * b * _CORNERS[1, 1]
    )
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def text_colour_on(hex_colour: str) -> str:
    """Black or white, whichever reads better on ``hex_colour`` (by relative luminance)."""
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "#111111" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "#ffffff"


def bivariate_legend() -> pd.DataFrame:
    """The 3×3 legend: rows need high → low, columns provision low → high, cells hex colours."""
    return pd.DataFrame(
        {PROVISION_WORDS[p]: [bivariate_colour(n, p) for n in (HIGH, MEDIUM, LOW)] for p in LEVELS},
        index=[NEED_WORDS[n] for n in (HIGH, MEDIUM, LOW)],
    )


def map_classes(table: pd.DataFrame) -> tuple[Classes, list[str]]:
    """The nine 3×3 classes as map classes: ``(classify.Classes, colours)`` for the choropleth.

    Class order follows :data:`CLASS_ORDER` reversed (least urgent first), so the legend and the
    map agree; wards with no need data are "no data".
    """
    order = list(reversed(CLASS_ORDER))
    lookup = {label: i for i, label in enumerate(order)}
    class_of = table[s.GAP_CLASS].map(lookup).fillna(-1).astype(int)
    colours = []
    for label in order:
        need_word, prov_word = label.split(", ")
        n = next(k for k, v in NEED_WORDS.items() if v == need_word)
        p = next(k for k, v in PROVISION_WORDS.items() if v == prov_word)
        colours.append(bivariate_colour(n, p))
    counts = [int((class_of == i).sum()) for i in range(len(order))]
    classes = Classes(
        scheme="bivariate",
        k=9,
        bins=[float(i) for i in range(9)],
        labels=order,
        class_of=class_of,
        counts=counts,
        n_missing=int((class_of < 0).sum()),
    )
    return classes, colours
