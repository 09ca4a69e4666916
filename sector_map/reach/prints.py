"""Our reach for a report: the ratio map, the decile chart and the concentration curve as PNG, SVG or
PDF pages with the print conventions every export shares (title, subtitle, source line with
attributions and date, the demo badge, alt text in the file's metadata, text kept as text).

Only protected figures are drawn: a ward whose count is hidden is grey and dashed, a decile whose
count is hidden has no bar, and the rule for small numbers is printed on the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from sector_map.export import layout as lay
from sector_map.export import maps as ex
from sector_map.pack import schema as s
from sector_map.pack.io import Pack
from sector_map.reach import display
from sector_map.reach.report import Report, concentration_words
from sector_map.views.classify import NO_DATA_COLOUR, NO_DATA_LABEL, LegendEntry

CHARTS = ("map", "deciles", "curve")


def _subtitle(pack: Pack, rep: Report) -> str:
    return f"{pack.name}: residents of {rep.catchment.words}; deprivation: {rep.domain_label} (English Indices of Deprivation)"


def ratio_map(pack: Pack, rep: Report, *, options: ex.ExportOptions) -> tuple[bytes, str]:
    """The representation ratio by ward, with hidden and out-of-catchment wards grey and dashed."""
    wards = rep.wards.set_index(s.WARD_CODE)
    classes = display.ratio_classes(wards)
    colours = pd.Series(list(display.RATIO_COLOURS), dtype=object)
    fills = classes.class_of.map(lambda c: colours[c] if c >= 0 else None).dropna()
    title = options.title or "Reach against population, by ward"
    subtitle = options.subtitle or _subtitle(pack, rep)
    n_low = int((classes.class_of == 0).sum()) + int((classes.class_of == 1).sum())
    alt = (
        f"Map of {pack.name}'s {len(wards)} wards coloured by how many beneficiaries each has against "
        f"what its population would give: {n_low} ward{'s' if n_low != 1 else ''} below expected. "
        f"{rep.summary[0] if rep.summary else ''}"
    ).strip()
    entries = display.legend_entries(classes)
    hidden = int((classes.class_of < 0).sum())
    if hidden:
        entries.append(LegendEntry(NO_DATA_COLOUR, NO_DATA_LABEL, hidden))
    notes = [
        "Ratio = beneficiaries ÷ the number expected if reach followed population within the catchment.",
        f"No data: {display.HIDDEN_TEXT}, or {display.OUTSIDE_TEXT}.",
        rep.rule,
    ]

    def legend(ax: Axes, fontsize: float, extra: Sequence[tuple[str, str]]) -> None:
        lay.draw_class_legend(
            ax,
            heading="Reach against population",
            notes=notes,
            entries=entries,
            fontsize=fontsize,
            extra=extra,
        )

    data = ex.render(pack, fills, legend, orgs=None, title=title, subtitle=subtitle, alt=alt, options=options)
    return data, alt


def _chart_page(
    pack: Pack,
    rep: Report,
    *,
    title: str,
    alt: str,
    options: ex.ExportOptions,
    draw: Callable[[Axes, float], None],
    lead: Sequence[str] = (),
) -> bytes:
    with mpl.rc_context(ex.PRINT_RC):
        fig = ex.new_figure(options)
        frame = ex.draw_frame(
            fig, pack, title=title, subtitle=options.subtitle or _subtitle(pack, rep), options=options
        )
        pw, ph = frame.page
        body_h = frame.top - frame.bottom
        note_h = 30 * frame.scale
        left, bottom = frame.margin + 18 * frame.scale, frame.bottom + note_h + 14 * frame.scale
        width, height = pw - 2 * frame.margin - 22 * frame.scale, body_h - note_h - 16 * frame.scale
        ax = fig.add_axes((left / pw, bottom / ph, width / pw, height / ph))
        draw(ax, frame.fontsize)
        notes = lay.panel(fig, frame.margin, frame.bottom, pw - 2 * frame.margin, note_h, page=frame.page)
        y = note_h
        for line in [*lead, *rep.summary[:2], rep.rule]:
            for part in lay.wrap(line, pw - 2 * frame.margin, frame.fontsize * 0.9):
                notes.text(0, y, part, va="top", fontsize=frame.fontsize * 0.9, color=lay.MUTED)
                y -= lay.line_height_mm(frame.fontsize * 0.9)
        return ex.save_figure(fig, options=options, title=title, alt=alt)


def decile_chart(pack: Pack, rep: Report, *, options: ex.ExportOptions) -> tuple[bytes, str]:
    """Each national decile's share of beneficiaries, with its share of residents beside it."""
    d = rep.deciles
    title = options.title or f"Beneficiaries and residents by national decile of {rep.domain_label}"
    alt = (
        f"Bar chart of the share of beneficiaries and of residents in each national decile of {rep.domain_label}. "
        + (rep.summary[0] if rep.summary else "")
    )

    def draw(ax: Axes, fs: float) -> None:
        x = np.arange(len(d))
        res = [float(v) * 100 if display.is_number(v) else 0.0 for v in d["share_residents"]]
        ben = [float(v) * 100 if display.is_number(v) else np.nan for v in d["share_beneficiaries"]]
        ax.bar(x - 0.2, res, 0.4, color=display.RESIDENT_COLOUR, label="Share of residents")
        ax.bar(x + 0.2, ben, 0.4, color=display.BENEFICIARY_COLOUR, label="Share of beneficiaries")
        for xi, b, r in zip(x, ben, res, strict=True):
            if np.isnan(b) and r > 0:
                ax.text(
                    xi + 0.2,
                    0.3,
                    "hidden",
                    rotation=90,
                    ha="center",
                    va="bottom",
                    fontsize=fs * 0.7,
                    color=lay.MUTED,
                )
        ax.set_xticks(x, [str(int(v)) for v in d["decile"]], fontsize=fs)
        ax.set_xlabel("National decile (1 = most deprived 10% of England)", fontsize=fs)
        ax.set_ylabel("Share (%)", fontsize=fs)
        ax.tick_params(labelsize=fs)
        ax.legend(fontsize=fs, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)

    return _chart_page(pack, rep, title=title, alt=alt, options=options, draw=draw), alt


def concentration_chart(pack: Pack, rep: Report, *, options: ex.ExportOptions) -> tuple[bytes, str]:
    """The concentration curve against the line of equality."""
    curve = rep.curve
    words = concentration_words(rep.result.concentration)
    title = options.title or "Concentration curve: beneficiaries against residents, most deprived first"
    alt = f"Line chart of the cumulative share of beneficiaries against the cumulative share of residents, most deprived first. {words}"

    def draw(ax: Axes, fs: float) -> None:
        ax.plot([0, 100], [0, 100], linestyle="--", color="#777777", label="Reach in line with population")
        if curve is not None and len(curve):
            ax.plot(
                curve.iloc[:, 0] * 100,
                curve.iloc[:, 1] * 100,
                color=display.BENEFICIARY_COLOUR,
                lw=2,
                label="Beneficiaries",
            )
        ax.set_xlim(0, 100)
        ax.set_ylim(0, 100)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel("Residents, most deprived first (cumulative %)", fontsize=fs)
        ax.set_ylabel("Beneficiaries (cumulative %)", fontsize=fs)
        ax.tick_params(labelsize=fs)
        ax.legend(fontsize=fs, frameon=False, loc="upper left")
        ax.spines[["top", "right"]].set_visible(False)

    return _chart_page(pack, rep, title=title, alt=alt, options=options, draw=draw, lead=[words]), alt


def make(pack: Pack, rep: Report, chart: str, options: ex.ExportOptions) -> tuple[bytes, str]:
    """One of :data:`CHARTS` as file bytes and alt text."""
    if chart == "map":
        return ratio_map(pack, rep, options=options)
    if chart == "deciles":
        return decile_chart(pack, rep, options=options)
    if chart == "curve":
        return concentration_chart(pack, rep, options=options)
    raise ValueError(f"unknown chart {chart!r}: one of {', '.join(CHARTS)}")
