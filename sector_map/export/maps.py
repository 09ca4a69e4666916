"""Print-ready static maps (PNG at 300 dpi, SVG, PDF) of the need map and the gap map.

Built with matplotlib and geopandas in British National Grid (metres), without a browser, on a
:class:`matplotlib.figure.Figure` of the paper's size, so they work under any backend. Each map
has a title, a subtitle, a legend in plain English (with "No data" when a ward has no value), a
scale bar, a north arrow, optional organisation points and a source line with every source, the
attributions and the date; demo packs are marked "Fictional demo data". Each export comes with
alt text (:mod:`sector_map.export.alt_text`), which is also written into the file's metadata.

Colours are those of the app: callers pass the same classes and colours the page uses.

Example:
    >>> figure_size_inches(ExportOptions(paper="a4", orientation="landscape"))
    (11.69, 8.27)
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import geopandas as gpd
import matplotlib as mpl
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sector_map.analysis import gaps, need
from sector_map.analysis.subject import MapSubject
from sector_map.export import alt_text
from sector_map.export import layout as lay
from sector_map.pack import schema as s
from sector_map.pack.io import Pack
from sector_map.pack.validate import has_location
from sector_map.views import gap_colours
from sector_map.views.classify import NO_DATA_COLOUR, Classes, legend_entries, legend_text, ward_colours

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

PAPER = {"a4": (210, 297), "a3": (297, 420)}  # mm, portrait
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ORIENTATIONS = ("portrait", "landscape")
FORMATS = ("png", "svg", "pdf")
ORG_COLOUR = "#1b1b1b"
# Ward names are printed on the map up to this many wards; more would crowd it.
MAX_LABELLED_WARDS = 60
# Draws the legend panel: (axes, font size, extra rows of (colour, label)).
Legend = Callable[[Axes, float, Sequence[tuple[str, str]]], None]
# Text stays text: SVG <text> elements, PDF Type 42 fonts (searchable). Names come from data
# files, so every Text is literal: "Fund $5 to $10" is not mathtext and never goes to LaTeX.
PRINT_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
    "font.family": "DejaVu Sans",
    "text.parse_math": False,
    "text.usetex": False,
}


@dataclass(frozen=True)
class ExportOptions:
    """How an export looks. ``title``/``subtitle`` of None are written from what is shown.

    ``made_on`` is the date printed on the map (today when None).
    """

    paper: str = "a4"
    orientation: str = "landscape"
    fmt: str = "png"
    title: str | None = None
    subtitle: str | None = None
    show_organisations: bool = False
    dpi: int = 300
    made_on: date | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.paper not in PAPER:
            raise ValueError(f"unknown paper size {self.paper!r}; use one of {', '.join(PAPER)}")
        if self.orientation not in ORIENTATIONS:
            raise ValueError(f"unknown orientation {self.orientation!r}; use portrait or landscape")
        if self.fmt not in FORMATS:
            raise ValueError(f"unknown format {self.fmt!r}; use one of {', '.join(FORMATS)}")
        if not 50 <= self.dpi <= 1200:
            raise ValueError(f"dpi must be between 50 and 1200, not {self.dpi}")


def page_mm(options: ExportOptions) -> tuple[float, float]:
    """Page width and height in mm for the paper and orientation."""
    short, long = PAPER[options.paper]
    return (long, short) if options.orientation == "landscape" else (short, long)


def figure_size_inches(options: ExportOptions) -> tuple[float, float]:
    """Figure size in inches (rounded to 0.01 for display; the figure uses the exact value)."""
    w, h = page_mm(options)
    return round(w / lay.MM_PER_INCH, 2), round(h / lay.MM_PER_INCH, 2)


# --- the two maps ---------------------------------------------------------------------------
def need_map(
    pack: Pack, subject: MapSubject, classes: Classes, colours: list[str], *, options: ExportOptions
) -> tuple[bytes, str]:
    """A need map (one indicator or a theme's need index) as file bytes, with its alt text.

    Args:
        pack: the pack mapped.
        subject: what is mapped (:mod:`sector_map.analysis.subject`).
        classes: :func:`sector_map.views.classify.classify` of ``subject.values``, as on the page.
        colours: :func:`sector_map.views.classify.class_colours` for those classes, as on the page.
        options: paper, orientation, format, titles, organisations.

    Returns:
        ``(bytes of the PNG/SVG/PDF file, alt text)``.
    """
    meta = subject.meta
    n = len(pack.wards)
    darker = legend_text(meta)
    title = options.title or (f"{meta.label}, {meta.year}" if meta.year else meta.label)
    subtitle = (
        options.subtitle or f"{pack.name}, {n} ward{'' if n == 1 else 's'}; {darker[0].lower()}{darker[1:]}"
    )
    alt = alt_text.need_map_alt(pack, subject)
    fills = ward_colours(classes, colours)
    entries = legend_entries(classes, colours, higher_is=meta.higher_is)
    unit = f" ({meta.unit})" if meta.unit and meta.unit.lower() not in meta.label.lower() else ""
    notes = [darker + ".", meta.worse_phrase[0].upper() + meta.worse_phrase[1:] + "."]
    if subject.weights is not None:
        used = need.weights_used(pack.indicator_meta, subject.weights)
        equal = len({w for _, w in used}) <= 1
        if not used:
            notes.append("Computed by sector-map from no indicators (every weight is zero).")
        else:
            how = "weighted equally" if equal else "with their weights"
            notes.append(f"Computed by sector-map from these indicators, {how}:")
            notes.extend(f"• {label}" + ("" if equal else f" ({w:g})") for label, w in used)
    elif meta.source:
        notes.append(f"Source: {meta.source}{f', {meta.year}' if meta.year else ''}.")

    def legend(ax: Axes, fontsize: float, extra: Sequence[tuple[str, str]]) -> None:
        lay.draw_class_legend(
            ax, heading=f"{meta.label}{unit}", notes=notes, entries=entries, fontsize=fontsize, extra=extra
        )

    orgs = _organisations(pack) if options.show_organisations else None
    data = render(pack, fills, legend, orgs=orgs, title=title, subtitle=subtitle, alt=alt, options=options)
    return data, alt


def gap_map(
    pack: Pack,
    table: pd.DataFrame,
    *,
    themes: Sequence[str],
    options: ExportOptions,
    measure: str = s.ACCESS,
    weights: Mapping[str, Mapping[str, float]] | None = None,
) -> tuple[bytes, str]:
    """A gap (need against provision, 3×3 bivariate) map as file bytes, with its alt text.

    Args:
        pack: the pack mapped.
        table: the table of :func:`sector_map.analysis.tables.gap_table_for` for ``themes``.
        themes: theme ids the table was made for.
        options: paper, orientation, format, titles, organisations (those working in ``themes``).
        measure: the provision measure the table used (a key of :data:`sector_map.analysis.gaps.MEASURES`).
        weights: per theme, the need weights the table used (default: each theme's defaults).
    """
    need_from = need_sources(pack, themes, weights=weights)
    words = alt_text.theme_words(themes)
    n = len(pack.wards)
    title = options.title or f"{words[0].upper()}{words[1:]}: need against provision"
    subtitle = options.subtitle or (
        f"{pack.name}, {n} ward{'' if n == 1 else 's'}; red = high need with little provision"
    )
    alt = alt_text.gap_map_alt(pack, table, themes, need_from=need_from)
    classes, colours = gap_colours.map_classes(table)
    fills = ward_colours(classes, colours)
    counts = table[s.GAP_CLASS].value_counts()
    notes = [
        f"Need: the {words} need index, in thirds within the area.",
        *need_from,
        f"Provision: {gaps.MEASURES.get(measure, measure)}, in thirds within the area.",
        "Red, top left of the key: high need with little provision (the gap).",
    ]

    def legend(ax: Axes, fontsize: float, extra: Sequence[tuple[str, str]]) -> None:
        y = lay.draw_bivariate_legend(
            ax,
            heading="Need against provision",
            notes=notes,
            counts=counts,
            n_missing=classes.n_missing,
            fontsize=fontsize,
        )
        if extra:
            sub = ax.inset_axes((0, 0, 1, max(y, 1) / ax.get_ylim()[1]))
            sub.set_xlim(0, ax.get_xlim()[1])
            sub.set_ylim(0, max(y, 1))
            sub.set_axis_off()
            lay.draw_class_legend(sub, heading="", notes=(), entries=(), fontsize=fontsize, extra=extra)

    orgs = _organisations(pack, themes=themes) if options.show_organisations else None
    data = render(pack, fills, legend, orgs=orgs, title=title, subtitle=subtitle, alt=alt, options=options)
    return data, alt


def need_sources(
    pack: Pack, themes: Sequence[str], *, weights: Mapping[str, Mapping[str, float]] | None = None
) -> list[str]:
    """One line per theme naming the indicators and weights behind its need index."""
    scores = need.need_score_table(pack.indicator_wide(), pack.indicator_meta)
    text = need.themes_weights_text(pack.indicator_meta, themes, weights=weights, scores=scores)
    return [f"{line}." for line in text.splitlines() if line]


# --- shared drawing -------------------------------------------------------------------------
def _organisations(pack: Pack, *, themes: Sequence[str] | None = None) -> gpd.GeoSeries:
    """Located organisations (optionally only those working in ``themes``) as points in metres."""
    orgs = pack.organisations
    keep = has_location(orgs.geometry)
    if themes:
        wanted = set(themes)
        keep &= orgs[s.THEMES].map(lambda v: bool(wanted.intersection(v if v is not None else ())))
    return orgs.loc[keep].geometry.to_crs(s.METRE_CRS)


def render(
    pack: Pack,
    fills: pd.Series,
    legend: Legend,
    *,
    orgs: gpd.GeoSeries | None,
    title: str,
    subtitle: str,
    alt: str,
    options: ExportOptions,
) -> bytes:
    """A ward map page: ``fills`` (colour per ward code; missing = no data, grey and dashed) with
    ``legend`` drawn beside or below it, the frame every export shares, as file bytes."""
    with mpl.rc_context(PRINT_RC):
        fig = _draw_page(pack, fills, legend, orgs=orgs, title=title, subtitle=subtitle, options=options)
        return save_figure(fig, options=options, title=title, alt=alt)


@dataclass(frozen=True)
class Frame:
    """Where the body of a page goes once the header and footer are drawn (all in mm).

    ``page`` is (width, height); the body spans ``bottom``..``top`` between the side ``margin``s;
    ``scale`` grows type sizes with the paper (1 on A4) and ``fontsize`` is the body text size.
    """

    page: tuple[float, float]
    scale: float
    margin: float
    top: float
    bottom: float
    fontsize: float

    def body_boxes(self) -> tuple[tuple[float, float, float, float], tuple[float, float, float, float]]:
        """``(main box, legend box)`` as (left, bottom, width, height) in mm: the legend beside the
        main panel on landscape pages, below it on portrait ones."""
        pw, ph = self.page
        scale, margin = self.scale, self.margin
        body_h = self.top - self.bottom
        if pw > ph:
            leg_w = 72 * scale
            main = (margin, self.bottom, pw - 2 * margin - leg_w - 6 * scale, body_h)
            return main, (pw - margin - leg_w, self.bottom, leg_w, body_h)
        leg_h = 70 * scale
        main = (margin, self.bottom + leg_h + 4 * scale, pw - 2 * margin, body_h - leg_h - 4 * scale)
        return main, (margin, self.bottom, (pw - 2 * margin) / 2, leg_h)


def new_figure(options: ExportOptions) -> Figure:
    """A blank figure of the page's size at the export's dpi (no pyplot state)."""
    pw, ph = page_mm(options)
    return Figure(figsize=(pw / lay.MM_PER_INCH, ph / lay.MM_PER_INCH), dpi=options.dpi)


def draw_frame(fig: Figure, pack: Pack, *, title: str, subtitle: str, options: ExportOptions) -> Frame:
    """The page furniture every export shares: title and subtitle (wrapped), the demo badge on demo
    packs, and the source line with attributions and the date along the bottom."""
    pw, ph = page_mm(options)
    scale = min(pw, ph) / 210  # type sizes grow with the paper
    margin = 10 * scale
    # Header: title (wrapped), subtitle, and the demo badge on the right.
    badge_w = 48 * scale if pack.is_demo else 0
    y = ph - margin
    ax_head = lay.panel(fig, margin, 0, pw - 2 * margin, ph, page=(pw, ph))
    # Bold type is wider than the wrapping estimate: wrap the title a little shorter.
    for line in lay.wrap(title, (pw - 2 * margin - badge_w) * 0.88, 16 * scale):
        ax_head.text(0, y, line, va="top", fontsize=16 * scale, weight="bold", color=lay.TEXT)
        y -= lay.line_height_mm(16 * scale)
    for line in lay.wrap(subtitle, pw - 2 * margin - badge_w, 10.5 * scale):
        ax_head.text(0, y, line, va="top", fontsize=10.5 * scale, color=lay.MUTED)
        y -= lay.line_height_mm(10.5 * scale)
    top = y - 3 * scale
    if pack.is_demo:
        lay.draw_demo_badge(fig, x=1 - margin / pw, y=1 - margin / ph, fontsize=12 * scale)
    # Footer: the source line, wrapped, along the bottom.
    foot_fs = 6.5 * scale
    made_on = options.made_on or date.today()
    source = lay.source_line(pack, made_on=made_on)
    if pack.is_demo:
        source = f"{lay.DEMO_TEXT}. {source}"
    lines = lay.wrap(source, pw - 2 * margin, foot_fs)
    yf = margin + len(lines) * lay.line_height_mm(foot_fs)
    for line in lines:
        ax_head.text(0, yf, line, va="top", fontsize=foot_fs, color=lay.MUTED)
        yf -= lay.line_height_mm(foot_fs)
    bottom = margin + len(lines) * lay.line_height_mm(foot_fs) + 4 * scale
    return Frame(page=(pw, ph), scale=scale, margin=margin, top=top, bottom=bottom, fontsize=8.0 * scale)


def _draw_page(
    pack: Pack,
    fills: pd.Series,
    legend: Legend,
    *,
    orgs: gpd.GeoSeries | None,
    title: str,
    subtitle: str,
    options: ExportOptions,
) -> Figure:
    fig = new_figure(options)
    frame = draw_frame(fig, pack, title=title, subtitle=subtitle, options=options)
    # Body: map with the legend beside it (landscape) or below it (portrait).
    map_box, leg_box = frame.body_boxes()
    fs = frame.fontsize
    _draw_map(fig, pack, fills, orgs, box=map_box, page=frame.page, fontsize=fs)
    extra = [(ORG_COLOUR, f"Organisation ({len(orgs)} with a location)")] if orgs is not None else []
    legend(lay.panel(fig, *leg_box, page=frame.page), fs, extra)
    return fig


def _draw_map(
    fig: Figure,
    pack: Pack,
    fills: pd.Series,
    orgs: gpd.GeoSeries | None,
    *,
    box: tuple[float, float, float, float],
    page: tuple[float, float],
    fontsize: float,
) -> None:
    left, bottom, width, height = box
    ax = fig.add_axes((left / page[0], bottom / page[1], width / page[0], height / page[1]))
    wards = alt_text.wards_in_metres(pack)
    colour = fills.reindex(wards.index).fillna(NO_DATA_COLOUR)
    missing = fills.reindex(wards.index).isna() | (colour == NO_DATA_COLOUR)
    have = wards[~missing.to_numpy()]
    if len(have):
        have.plot(ax=ax, color=colour[~missing].to_numpy(), edgecolor="white", linewidth=0.5)
    if missing.any():
        wards[missing.to_numpy()].plot(
            ax=ax, facecolor=NO_DATA_COLOUR, edgecolor=lay.NO_DATA_EDGE, linewidth=0.7, linestyle="--"
        )
    gpd.GeoSeries([wards.geometry.union_all()], crs=wards.crs).boundary.plot(
        ax=ax, color="#444444", linewidth=0.8
    )
    if len(wards) <= MAX_LABELLED_WARDS:
        # A pale box rather than a path-effect halo: path effects turn SVG text into outlines.
        halo = {"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.7, "linewidth": 0}
        for code, geom in wards.geometry.items():
            p = geom.representative_point()
            ax.text(
                p.x,
                p.y,
                str(wards.at[code, s.WARD_NAME]),
                ha="center",
                va="center",
                fontsize=fontsize * 0.7,
                color=lay.TEXT,
                bbox=halo,
                zorder=5,
            )
    if orgs is not None and len(orgs):
        ax.scatter(
            orgs.x,
            orgs.y,
            s=6,
            color=ORG_COLOUR,
            edgecolor="white",
            linewidth=0.3,
            zorder=4,
            rasterized=True,
        )
    xlim, ylim = lay.fit_limits(wards.total_bounds, width, height)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    lay.draw_scale_bar(ax, fontsize=fontsize * 0.9)
    lay.draw_north_arrow(ax, fontsize=fontsize * 1.1)


def save_figure(fig: Figure, *, options: ExportOptions, title: str, alt: str) -> bytes:
    """The figure as PNG/SVG/PDF bytes, with the title and alt text in the file's metadata."""
    buf = io.BytesIO()
    if options.fmt == "png":
        metadata = {"Title": title, "Description": alt, "Software": "sector-map"}
    elif options.fmt == "pdf":
        metadata = {"Title": title, "Subject": alt, "Creator": "sector-map"}
    else:
        metadata = {"Title": title, "Description": alt, "Creator": "sector-map"}
    fig.savefig(buf, format=options.fmt, dpi=options.dpi, metadata=metadata, facecolor="white")
    data = buf.getvalue()
    if options.fmt == "svg":
        data = _svg_title(data, title, alt)
    return data


def _svg_title(data: bytes, title: str, alt: str) -> bytes:
    """Put ``<title>`` and ``<desc>`` first inside the ``<svg>`` element, where screen readers look."""
    # Control characters in a name (a stray BEL or ESC from a spreadsheet) are not allowed in XML.
    text = _NOT_XML.sub("", data.decode("utf-8"))
    start = text.index("<svg")
    end = text.index(">", start) + 1
    extra = (
        f"\n <title>{escape(_NOT_XML.sub('', title))}</title>\n <desc>{escape(_NOT_XML.sub('', alt))}</desc>"
    )
    return (text[:end] + extra + text[end:]).encode("utf-8")
