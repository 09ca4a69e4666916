"""Print-ready charts: the need-against-provision scatter and a ward's map, as PNG, SVG or PDF.

Same page as the print maps of :mod:`sector_map.export.maps`: title, subtitle, "Fictional demo data"
on demo packs, a key, and the source line with publishers, vintages, licences, attributions and
the date made; alt text (:mod:`sector_map.export.alt_text`) is returned and written into the metadata.

The scatter is drawn with matplotlib, not by exporting the app's plotly figure: plotly's static
export (kaleido) needs a headless Chrome at render time, which servers and the command line may
not have. The colours, dotted lines at the thirds and axis words are those of
:func:`sector_map.views.charts.need_provision_scatter`; the ward map follows
:func:`sector_map.views.ward_map.map_figure` (the ward outlined, neighbours in grey, organisations
coloured by whether they are based in the ward, reach it or are based near it).

Example:
    >>> label_offsets(1.0)[:2]
    [(6.0, 6.0), (6.0, -6.0)]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import matplotlib as mpl
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox
from shapely.geometry import box as shapely_box

from sector_map.analysis import gaps
from sector_map.analysis import ward_profile as wp
from sector_map.export import alt_text
from sector_map.export import layout as lay
from sector_map.export import maps as ex
from sector_map.pack import schema as s
from sector_map.pack.io import Pack
from sector_map.views import gap_colours

NEED_AXIS = "need index (0–100, higher = more need)"
MAX_LABELS = 8
GRID = "#eeeeee"
THIRDS_LINE = "#999999"
POINT_EDGE = "#444444"
# Ward map colours: those of views.ward_map.map_figure.
WARD_FILL, WARD_EDGE = "#fde9c9", "#b35806"
NEIGHBOUR_FILL, NEIGHBOUR_EDGE = "#eeeeee", "#b0b0b0"
NEIGHBOUR_TEXT = "#777777"
WHERE_COLOURS = {wp.NEARBY: "#9e9e9e", wp.REACHES: "#4575b4", wp.BASED_HERE: "#b2182b"}


def label_offsets(scale: float) -> list[tuple[float, float]]:
    """Where a point's label may go, in points from the point, tried in this order."""
    steps = [
        (6, 6),
        (6, -6),
        (-6, 6),
        (-6, -6),
        (0, 11),
        (0, -11),
        (14, 14),
        (-14, -14),
        (14, -14),
        (-14, 14),
    ]
    return [(dx * scale, dy * scale) for dx, dy in steps]


# --- the scatter ------------------------------------------------------------------------------
def scatter_chart(
    pack: Pack,
    table: pd.DataFrame,
    *,
    themes: Sequence[str],
    options: ex.ExportOptions,
    measure: str = s.ACCESS,
) -> tuple[bytes, str]:
    """The need-against-provision chart (one point per ward) as file bytes, with its alt text.

    Each ward is a point coloured by its 3×3 class (:func:`sector_map.analysis.gap_colours.bivariate_colour`),
    with dotted lines at the thirds; the top :data:`MAX_LABELS` wards of the priority list (the
    table's order) are named. ``options.show_organisations`` does not apply.

    Args:
        pack: the pack charted.
        table: the table of :func:`sector_map.analysis.tables.gap_table_for` for ``themes``.
        themes: theme ids the table was made for.
        options: paper, orientation, format, titles.
        measure: the provision measure the table used (a key of :data:`sector_map.analysis.gaps.MEASURES`).

    Returns:
        ``(bytes of the PNG/SVG/PDF file, alt text)``.
    """
    words = alt_text.theme_words(themes)
    n = len(pack.wards)
    title = options.title or f"{words[0].upper()}{words[1:]}: need against provision in each ward"
    subtitle = options.subtitle or (
        f"{pack.name}, {n} ward{'' if n == 1 else 's'}; each dot is a ward, red = high need with little provision"
    )
    alt = alt_text.scatter_alt(pack, table, themes)
    data = table[table[s.NEED].notna()]
    n_labels = min(MAX_LABELS, int(data[s.RANK].notna().sum()))
    notes = [
        f"Need: the {words} need index, in thirds within the area.",
        f"Provision: {gaps.MEASURES.get(measure, measure)}, in thirds within the area.",
        "Dotted lines mark the thirds; red, top left: high need with little provision (the gap).",
        f"Named: the top {n_labels} wards of the priority list.",
    ]
    with mpl.rc_context(ex.PRINT_RC):
        fig = ex.new_figure(options)
        FigureCanvasAgg(fig)  # a renderer, to measure labels while placing them
        frame = ex.draw_frame(fig, pack, title=title, subtitle=subtitle, options=options)
        chart_box, key_box = frame.body_boxes()
        ax = _chart_axes(fig, chart_box, frame)
        _draw_scatter(ax, data, provision_label=gaps.MEASURES.get(measure, measure), frame=frame)
        _label_points(ax, data[data[s.RANK].notna()].head(n_labels), data, frame=frame)
        _draw_scatter_key(fig, table, key_box, notes=notes, frame=frame)
        return ex.save_figure(fig, options=options, title=title, alt=alt), alt


def _draw_scatter_key(
    fig: Figure,
    table: pd.DataFrame,
    box: tuple[float, float, float, float],
    *,
    notes: Sequence[str],
    frame: ex.Frame,
) -> None:
    """The 3×3 key and the wards in each class: one column beside the chart (landscape), or two
    side by side below it (portrait, where one column would not fit)."""
    heading = "Need against provision"
    counts = table[s.GAP_CLASS].value_counts()
    n_missing = int(table[s.NEED].isna().sum())
    fs = frame.fontsize
    left, bottom, width, height = box
    if frame.page[0] > frame.page[1]:
        key = lay.panel(fig, left, bottom, width, height, page=frame.page)
        lay.draw_bivariate_legend(
            key, heading=heading, notes=notes, counts=counts, n_missing=n_missing, fontsize=fs
        )
        return
    width = frame.page[0] - 2 * frame.margin
    half = (width - 6 * frame.scale) / 2
    key = lay.panel(fig, left, bottom, half, height, page=frame.page)
    lay.draw_bivariate_key(key, heading=heading, notes=notes, fontsize=fs)
    rows = lay.panel(fig, left + half + 6 * frame.scale, bottom, half, height, page=frame.page)
    entries = lay.bivariate_entries(counts, n_missing)
    lay.draw_class_legend(rows, heading="Wards in each class", notes=(), entries=entries, fontsize=fs)


def _chart_axes(fig: Figure, box: tuple[float, float, float, float], frame: ex.Frame) -> Axes:
    """Axes inside ``box`` (mm), leaving room on the left and below for ticks and axis labels."""
    left, bottom, width, height = box
    pw, ph = frame.page
    pad_l, pad_b, pad_t = 18 * frame.scale, 15 * frame.scale, 2 * frame.scale
    return fig.add_axes(
        ((left + pad_l) / pw, (bottom + pad_b) / ph, (width - pad_l - 2) / pw, (height - pad_b - pad_t) / ph)
    )


def _draw_scatter(ax: Axes, data: pd.DataFrame, *, provision_label: str, frame: ex.Frame) -> None:
    fs = frame.fontsize
    colours = [
        gap_colours.bivariate_colour(n, p)
        for n, p in zip(data[s.NEED_LEVEL], data[s.PROVISION_LEVEL], strict=True)
    ]
    diameter = 8.5 * frame.scale  # points
    ax.scatter(
        data[s.PROVISION],
        data[s.NEED],
        s=diameter**2,
        c=colours,
        edgecolors=POINT_EDGE,
        linewidths=0.7 * frame.scale,
        zorder=3,
    )
    line: dict[str, Any] = {
        "linestyle": ":",
        "color": THIRDS_LINE,
        "linewidth": 1.0 * frame.scale,
        "zorder": 2,
    }
    for cut in (1 / 3, 2 / 3):
        if len(data):
            ax.axhline(float(data[s.NEED].quantile(cut)), **line)
            ax.axvline(float(data[s.PROVISION].quantile(cut)), **line)
    ax.set_ylim(-5, 105)
    if len(data):
        lo, hi = float(data[s.PROVISION].min()), float(data[s.PROVISION].max())
        pad = (hi - lo) * 0.08 if hi > lo else (abs(hi) * 0.5 or 1.0)
        # Provision is never negative: do not run the axis far below zero.
        low = max(lo - pad, -0.03 * (hi + pad)) if lo >= 0 else lo - pad
        ax.set_xlim(low, hi + pad)
    ax.set_xlabel(provision_label, fontsize=fs * 1.05, color=lay.TEXT)
    ax.set_ylabel(NEED_AXIS, fontsize=fs * 1.05, color=lay.TEXT)
    ax.tick_params(labelsize=fs * 0.95, colors=lay.TEXT, length=2 * frame.scale)
    ax.grid(True, color=GRID, linewidth=0.6 * frame.scale)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#888888")


def _label_points(ax: Axes, rows: pd.DataFrame, everyone: pd.DataFrame, *, frame: ex.Frame) -> None:
    """Name the wards of ``rows`` beside their points, trying a few offsets so names do not collide.

    Crude on purpose: each name takes the first offset (:func:`label_offsets`) whose box stays in the
    axes and misses the names already placed and every point (``everyone``); failing that, the first
    that misses the names and the named points; failing that, the first offset.
    """
    renderer = cast(FigureCanvasAgg, ax.figure.canvas).get_renderer()  # the scatter made it an Agg canvas
    inside = ax.get_window_extent(renderer)
    r = 4.25 * frame.scale * ax.figure.dpi / 72  # marker radius in pixels

    def marks(frame_rows: pd.DataFrame) -> list[Bbox]:
        xy = ax.transData.transform(frame_rows[[s.PROVISION, s.NEED]].to_numpy(dtype=float))
        return [Bbox.from_extents(x - r, y - r, x + r, y + r) for x, y in xy]

    all_marks, named_marks = marks(everyone), marks(rows)
    names: list[Bbox] = []
    halo = {"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.8, "linewidth": 0}
    leader = {
        "arrowstyle": "-",
        "color": "#777777",
        "linewidth": 0.5 * frame.scale,
        "shrinkA": 0,
        "shrinkB": 4,
    }
    offsets = label_offsets(frame.scale)
    for _, row in rows.iterrows():

        def make(dx: float, dy: float, row: pd.Series = row) -> Annotation:
            return ax.annotate(
                str(row[s.WARD_NAME]),
                (row[s.PROVISION], row[s.NEED]),
                xytext=(dx, dy),
                textcoords="offset points",
                ha="left" if dx > 0 else "right" if dx < 0 else "center",
                va="bottom" if dy > 0 else "top",
                fontsize=frame.fontsize * 0.9,
                color=lay.TEXT,
                bbox=halo,
                arrowprops=leader if abs(dx) + abs(dy) > 12 * frame.scale else None,
                zorder=5,
            )

        placed = None
        for avoid in (all_marks, named_marks):
            for dx, dy in offsets:
                text = make(dx, dy)
                bb = text.get_window_extent(renderer)
                ok = inside.x0 <= bb.x0 and bb.x1 <= inside.x1 and inside.y0 <= bb.y0 and bb.y1 <= inside.y1
                if ok and not any(bb.overlaps(o) for o in [*names, *avoid]):
                    placed = (text, bb)
                    break
                text.remove()
            if placed:
                break
        if placed is None:
            text = make(*offsets[0])
            placed = (text, text.get_window_extent(renderer))
        names.append(placed[1])


# --- the ward map -----------------------------------------------------------------------------
def ward_map(pack: Pack, ward_code: str, *, options: ex.ExportOptions) -> tuple[bytes, str]:
    """A ward's map for print (as on the Ward profile page) as file bytes, with its alt text.

    The ward is outlined on a view reaching :data:`sector_map.analysis.ward_profile.NEAR_KM` beyond it;
    neighbouring wards are light grey with their names; organisations based in the ward, whose
    services reach it, or based near it (:func:`sector_map.analysis.ward_profile.organisations`) are points
    when their location is known and inside the view. Organisations are always shown.

    Raises:
        ValueError: when the pack has no ward ``ward_code``.
    """
    name = wp.heading(pack, ward_code).name
    orgs = wp.organisations(pack, ward_code)
    alt = alt_text.ward_map_alt(pack, ward_code, orgs=orgs)
    title = options.title or f"{name} ward and its neighbours"
    subtitle = options.subtitle or f"{pack.name}: {wp.organisation_summary(orgs)}"
    with mpl.rc_context(ex.PRINT_RC):
        fig = ex.new_figure(options)
        frame = ex.draw_frame(fig, pack, title=title, subtitle=subtitle, options=options)
        map_box, key_box = frame.body_boxes()
        shown = _draw_ward(fig, pack, ward_code, orgs, box=map_box, frame=frame)
        _draw_ward_key(lay.panel(fig, *key_box, page=frame.page), name, orgs, shown, frame=frame)
        return ex.save_figure(fig, options=options, title=title, alt=alt), alt


def _draw_ward(
    fig: Figure,
    pack: Pack,
    ward_code: str,
    orgs: pd.DataFrame,
    *,
    box: tuple[float, float, float, float],
    frame: ex.Frame,
) -> pd.Series:
    """Draw the ward, its neighbours and the organisations in view; returns points drawn per "Where"."""
    from sector_map.analysis.matching import organisation_table

    left, bottom, width, height = box
    pw, ph = frame.page
    fs = frame.fontsize
    ax = fig.add_axes((left / pw, bottom / ph, width / pw, height / ph))
    wards = alt_text.wards_in_metres(pack)
    shape = wards.geometry[ward_code]
    (x0, x1), (y0, y1) = lay.fit_limits(shape.buffer(wp.NEAR_KM * 1000).bounds, width, height, pad=0)
    view = shapely_box(x0, y0, x1, y1)
    others = wards[(wards.index != ward_code) & wards.intersects(view)]
    if len(others):
        others.plot(ax=ax, color=NEIGHBOUR_FILL, edgecolor=NEIGHBOUR_EDGE, linewidth=0.6 * frame.scale)
    inner = view.buffer(-0.06 * min(x1 - x0, y1 - y0))  # keep names clear of the frame
    for code, geom in others.geometry.items():
        part = geom.intersection(inner)
        if part.is_empty or part.area < 0.01 * inner.area:
            continue
        p = part.representative_point()
        ax.text(p.x, p.y, str(wards.at[code, s.WARD_NAME]), ha="center", va="center", fontsize=fs * 0.85,
                color=NEIGHBOUR_TEXT, zorder=2)  # fmt: skip
    wards.loc[[ward_code]].plot(ax=ax, facecolor=WARD_FILL, edgecolor=WARD_EDGE, linewidth=2.2 * frame.scale)
    xy = organisation_table(pack)[[s.X_METRES, s.Y_METRES]].reindex(orgs[s.ORG_ID].astype(str))
    xy["where"] = orgs[s.HEADER_WHERE].to_numpy()
    xy = xy.dropna(subset=[s.X_METRES, s.Y_METRES])
    xy = xy[xy[s.X_METRES].between(x0, x1) & xy[s.Y_METRES].between(y0, y1)]
    for where in (wp.NEARBY, wp.REACHES, wp.BASED_HERE):
        pts = xy[xy["where"] == where]
        if len(pts):
            ax.scatter(pts[s.X_METRES], pts[s.Y_METRES], s=(5 * frame.scale) ** 2, color=WHERE_COLOURS[where],
                       edgecolor="white", linewidth=0.5 * frame.scale, zorder=4)  # fmt: skip
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="#bbbbbb", linewidth=0.6))
    lay.draw_scale_bar(ax, fontsize=fs * 0.9)
    lay.draw_north_arrow(ax, fontsize=fs * 1.1)
    return xy["where"].value_counts()


def _draw_ward_key(ax: Axes, name: str, orgs: pd.DataFrame, shown: pd.Series, *, frame: ex.Frame) -> None:
    fs = frame.fontsize
    width = ax.get_xlim()[1]
    y = ax.get_ylim()[1]

    def lines(text: str, size: float, x: float = 0, **kw: Any) -> None:
        nonlocal y
        for line in lay.wrap(text, width - x, size):
            ax.text(
                x, y, line, va="top", fontsize=size, color=kw.get("color", lay.TEXT), weight=kw.get("weight")
            )
            y -= lay.line_height_mm(size)

    lines("Key", fs * 1.1, weight="bold")
    y -= 1.5
    sw, sh = 9.0, 5.0
    for face, edge, lw, label in (
        (WARD_FILL, WARD_EDGE, 1.6, f"{name} ward"),
        (NEIGHBOUR_FILL, NEIGHBOUR_EDGE, 0.6, "Neighbouring wards"),
    ):
        ax.add_patch(Rectangle((0, y - sh), sw, sh, facecolor=face, edgecolor=edge, linewidth=lw))
        top = y
        y -= 0.4
        lines(label, fs, x=sw + 3)
        y = min(y, top - sh) - 1.8
    total = orgs[s.HEADER_WHERE].value_counts()
    words = {
        wp.BASED_HERE: "Organisation based in the ward",
        wp.REACHES: "Organisation whose services reach the ward",
        wp.NEARBY: f"Organisation based within {wp.NEAR_KM:g} km",
    }
    for where in (wp.BASED_HERE, wp.REACHES, wp.NEARBY):
        n_all, n_shown = int(total.get(where, 0)), int(shown.get(where, 0))
        count = f"{n_shown} shown" + (f" of {n_all}" if n_all != n_shown else "")
        ax.plot([sw / 2], [y - sh / 2], "o", color=WHERE_COLOURS[where], markersize=5 * frame.scale,
                markeredgecolor="white", mew=0.5)  # fmt: skip
        top = y
        y -= 0.4
        lines(f"{words[where]} ({count})", fs, x=sw + 3)
        y = min(y, top - sh) - 1.8
    y -= 1
    lines(
        "Points are organisations with a known location; one placed only by a contact address may not "
        "be where it works. Organisations based beyond the map, or with no location, are not shown.",
        fs * 0.9,
        color=lay.MUTED,
    )
