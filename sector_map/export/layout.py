"""Page furniture for print exports: panels in millimetres, scale bar, north arrow, legends, source line.

Everything is drawn on a :class:`matplotlib.figure.Figure` passed in (never pyplot's global state),
so these work under any backend and in threads. Panels use millimetre data coordinates, which
makes layout arithmetic the same on A4 and A3.

Example:
    >>> nice_length(5_300)
    5000
    >>> nice_length(1_450)
    1000
    >>> distance_label(2500), distance_label(500)
    ('2.5 km', '500 m')
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle

from sector_map.analysis import gaps
from sector_map.pack.io import Pack
from sector_map.views import gap_colours
from sector_map.views.classify import NO_DATA_COLOUR, NO_DATA_LABEL, LegendEntry

MM_PER_INCH = 25.4
NO_DATA_EDGE = "#6c757d"  # the app's dashed outline for wards with no data
TEXT = "#212529"
MUTED = "#555555"
DEMO_RED = "#b00020"
DEMO_TEXT = "Fictional demo data"
# Average glyph width of DejaVu Sans as a share of the font size, for wrapping text to a width.
_CHAR_WIDTH = 0.55


def chars_per_line(width_mm: float, fontsize_pt: float) -> int:
    """How many characters of ``fontsize_pt`` text fit in ``width_mm`` (a safe estimate)."""
    return max(10, int(width_mm / (fontsize_pt * _CHAR_WIDTH * MM_PER_INCH / 72)))


def wrap(text: str, width_mm: float, fontsize_pt: float) -> list[str]:
    """``text`` wrapped into lines that fit ``width_mm``."""
    return textwrap.wrap(text, chars_per_line(width_mm, fontsize_pt)) or [""]


def line_height_mm(fontsize_pt: float) -> float:
    """Baseline-to-baseline distance for ``fontsize_pt`` text (1.3 × the size)."""
    return fontsize_pt * 1.3 * MM_PER_INCH / 72


def panel(fig: Figure, left: float, bottom: float, width: float, height: float, *, page: tuple) -> Axes:
    """An invisible axes at a rectangle given in mm from the page's lower-left corner, in mm units."""
    pw, ph = page
    ax = fig.add_axes((left / pw, bottom / ph, width / pw, height / ph))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    return ax


def fit_limits(
    bounds: Sequence[float] | np.ndarray, box_w: float, box_h: float, *, pad: float = 0.04
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Data limits that show ``bounds`` (minx, miny, maxx, maxy) at equal scale in a ``box_w × box_h`` box.

    Returns ``((xmin, xmax), (ymin, ymax))``: the bounds padded by ``pad`` and widened in one
    direction so that one metre is as long across as up, filling the box.
    """
    minx, miny, maxx, maxy = bounds
    w, h = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    w, h = w * (1 + 2 * pad), h * (1 + 2 * pad)
    if w / h < box_w / box_h:
        w = h * box_w / box_h
    else:
        h = w * box_h / box_w
    return (cx - w / 2, cx + w / 2), (cy - h / 2, cy + h / 2)


def nice_length(target: float) -> int:
    """The largest round length (1, 2 or 5 × a power of ten) not above ``target`` (at least 1)."""
    if target < 1:
        return 1
    power = 10 ** math.floor(math.log10(target))
    return int(max(m * power for m in (1, 2, 5) if m * power <= target))


def distance_label(metres: float) -> str:
    """``2500`` -> ``"2.5 km"``; below 1 km in metres."""
    if metres < 1000:
        return f"{metres:g} m"
    return f"{metres / 1000:g} km"


def draw_scale_bar(ax: Axes, *, fontsize: float) -> int:
    """A two-part scale bar at the lower left of a map in metres, about 1/5 of its width.

    Returns the bar's length in metres (a round number, see :func:`nice_length`).
    """
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    length = nice_length((x1 - x0) / 5)
    left, base = x0 + 0.03 * (x1 - x0), y0 + 0.035 * (y1 - y0)
    height = 0.012 * (y1 - y0)
    for i, fill in enumerate(("#222222", "#ffffff")):
        ax.add_patch(
            Rectangle(
                (left + i * length / 2, base),
                length / 2,
                height,
                facecolor=fill,
                edgecolor="#222222",
                linewidth=0.6,
                zorder=6,
            )
        )
    for x, text in ((left, "0"), (left + length, distance_label(length))):
        ax.text(
            x, base + height * 1.6, text, ha="center", va="bottom", fontsize=fontsize, color=TEXT, zorder=6
        )
    return length


def draw_north_arrow(ax: Axes, *, fontsize: float) -> None:
    """A north arrow in the map's upper right (British National Grid north is up)."""
    ax.add_patch(
        FancyArrowPatch(
            (0.96, 0.86),
            (0.96, 0.95),
            transform=ax.transAxes,
            arrowstyle="-|>",
            mutation_scale=fontsize * 1.6,
            color="#222222",
            linewidth=1.2,
            zorder=6,
        )
    )
    ax.text(0.96, 0.845, "N", transform=ax.transAxes, ha="center", va="top", fontsize=fontsize, weight="bold")


def _text_block(ax: Axes, x: float, y: float, lines: Sequence[str], *, fontsize: float, **kw: Any) -> float:
    for line in lines:
        ax.text(x, y, line, va="top", fontsize=fontsize, color=kw.get("color", TEXT), weight=kw.get("weight"))
        y -= line_height_mm(fontsize)
    return y


def draw_class_legend(
    ax: Axes,
    *,
    heading: str,
    notes: Sequence[str],
    entries: Sequence[LegendEntry],
    fontsize: float,
    extra: Sequence[tuple[str, str]] = (),
) -> float:
    """A legend panel (mm axes from :func:`panel`): heading, plain-English notes, one row per class.

    The "No data" row is drawn as in the app: grey with a dashed outline. ``extra`` adds point
    symbols as ``(colour, label)`` rows. Returns the y (mm) below the last row.
    """
    width = ax.get_xlim()[1]
    y = ax.get_ylim()[1]
    y = _text_block(ax, 0, y, wrap(heading, width, fontsize * 1.1), fontsize=fontsize * 1.1, weight="bold")
    for note in notes:
        y = _text_block(ax, 0, y, wrap(note, width, fontsize * 0.9), fontsize=fontsize * 0.9, color=MUTED)
    y -= 2
    sw, sh = 9.0, 5.0
    label_w = width - sw - 3
    for entry in entries:
        missing = entry.label == NO_DATA_LABEL
        ax.add_patch(
            Rectangle(
                (0, y - sh),
                sw,
                sh,
                facecolor=entry.colour,
                edgecolor=NO_DATA_EDGE if missing else "#ffffff",
                linestyle="--" if missing else "-",
                linewidth=0.9 if missing else 0.4,
            )
        )
        count = f"{entry.count} ward{'' if entry.count == 1 else 's'}"
        lines = wrap(f"{entry.label} ({count})", label_w, fontsize)
        _text_block(ax, sw + 3, y - 0.4, lines, fontsize=fontsize)
        y -= max(sh, len(lines) * line_height_mm(fontsize)) + 1.8
    for colour, label in extra:
        ax.plot([sw / 2], [y - sh / 2], "o", color=colour, markersize=4, markeredgecolor="white", mew=0.4)
        lines = wrap(label, label_w, fontsize)
        _text_block(ax, sw + 3, y - 0.4, lines, fontsize=fontsize)
        y -= max(sh, len(lines) * line_height_mm(fontsize)) + 1.8
    return y


def draw_bivariate_key(ax: Axes, *, heading: str, notes: Sequence[str], fontsize: float) -> float:
    """Heading, notes and the 3×3 need/provision key ("need" up, "provision" across).

    Returns the y (mm) of the key's bottom edge (its "more provision" label lies below it).
    """
    width = ax.get_xlim()[1]
    y = ax.get_ylim()[1]
    y = _text_block(ax, 0, y, wrap(heading, width, fontsize * 1.1), fontsize=fontsize * 1.1, weight="bold")
    for note in notes:
        y = _text_block(ax, 0, y, wrap(note, width, fontsize * 0.9), fontsize=fontsize * 0.9, color=MUTED)
    cell, left = 8.0, 9.0
    grid = gap_colours.bivariate_legend()  # rows need high -> low, columns provision low -> high
    top = y - 3
    for r in range(3):
        for c in range(3):
            ax.add_patch(
                Rectangle(
                    (left + c * cell, top - (r + 1) * cell),
                    cell,
                    cell,
                    facecolor=grid.iloc[r, c],
                    edgecolor="white",
                    linewidth=0.6,
                )
            )
    bottom = top - 3 * cell
    arrow: dict[str, Any] = {"arrowstyle": "-|>", "mutation_scale": fontsize, "color": TEXT, "linewidth": 0.8}
    ax.add_patch(FancyArrowPatch((left - 2, bottom), (left - 2, top), **arrow))
    ax.text(
        left - 3.5, (top + bottom) / 2, "more need", rotation=90, ha="right", va="center", fontsize=fontsize
    )
    ax.add_patch(FancyArrowPatch((left, bottom - 2), (left + 3 * cell, bottom - 2), **arrow))
    ax.text(left + 1.5 * cell, bottom - 3.5, "more provision", ha="center", va="top", fontsize=fontsize)
    return bottom


def bivariate_entries(counts: pd.Series, n_missing: int) -> list[LegendEntry]:
    """One legend row per 3×3 class that has wards (most urgent first), then "No data" if any."""
    entries = [
        LegendEntry(_class_colour(label), label, int(counts.get(label, 0)))
        for label in gaps.CLASS_ORDER
        if counts.get(label, 0)
    ]
    if n_missing:
        entries.append(LegendEntry(NO_DATA_COLOUR, NO_DATA_LABEL, n_missing))
    return entries


def draw_bivariate_legend(
    ax: Axes, *, heading: str, notes: Sequence[str], counts: pd.Series, n_missing: int, fontsize: float
) -> float:
    """The 3×3 need/provision key ("need" up, "provision" across), then each class with its ward count.

    ``counts`` is the number of wards per class label (:data:`sector_map.analysis.gaps.CLASS_ORDER`).
    Returns the y (mm) below the last row.
    """
    width = ax.get_xlim()[1]
    bottom = draw_bivariate_key(ax, heading=heading, notes=notes, fontsize=fontsize)
    entries = bivariate_entries(counts, n_missing)
    sub = ax.inset_axes((0, 0, 1, (bottom - 10) / ax.get_ylim()[1]), transform=ax.transAxes)
    sub.set_xlim(0, width)
    sub.set_ylim(0, bottom - 10)
    sub.set_axis_off()
    return draw_class_legend(sub, heading="Wards in each class", notes=(), entries=entries, fontsize=fontsize)


def _class_colour(label: str) -> str:
    need_word, prov_word = label.split(", ")
    n = next(k for k, v in gaps.NEED_WORDS.items() if v == need_word)
    p = next(k for k, v in gaps.PROVISION_WORDS.items() if v == prov_word)
    return gap_colours.bivariate_colour(n, p)


def source_line(pack: Pack, *, made_on: date) -> str:
    """Every source's title, publisher, vintage and licence, the attributions, and the date made.

    A licence shared by all sources is stated once; attribution sentences repeated across
    sources appear once. Ends with "Made with sector-map on <date>."
    """
    sources = pack.sources
    licences = {str(src.get("licence") or "").strip() for src in sources}
    one_licence = len(licences) == 1 and "" not in licences
    parts = []
    for src in sources:
        bits = [str(src.get(k) or "").strip() for k in ("publisher", "vintage")]
        if not one_licence:
            bits.append(str(src.get("licence") or "licence not stated").strip())
        detail = ", ".join(b for b in bits if b)
        title = str(src.get("title") or "").strip()
        parts.append(f"{title} ({detail})" if title and detail else title or detail)
    text = (
        "Sources: " + "; ".join(p for p in parts if p) + "."
        if parts
        else "Sources: not recorded in the pack."
    )
    if one_licence:
        text += f" Licence for all: {licences.pop()}."
    seen: list[str] = []
    for src in sources:
        for piece in str(src.get("attribution") or "").split(";"):
            piece = piece.strip().rstrip(".")
            if piece and piece not in seen:
                seen.append(piece)
    if seen:
        text += " " + "; ".join(seen) + "."
    return f"{text} Made with sector-map on {made_on.day} {made_on:%B %Y}."


def draw_demo_badge(fig: Figure, *, x: float, y: float, fontsize: float) -> None:
    """The "Fictional demo data" badge, top right at figure fraction (x, y)."""
    fig.text(
        x,
        y,
        DEMO_TEXT,
        ha="right",
        va="top",
        fontsize=fontsize,
        weight="bold",
        color="white",
        bbox={"boxstyle": "round,pad=0.4", "facecolor": DEMO_RED, "edgecolor": DEMO_RED},
    )
