"""What the Our reach page draws: the ratio map's classes and colours, the decile chart, the
concentration curve, and tables in words.

The map's classes are fixed, not fitted to the data, so two maps read the same way: a ratio of 1
is reach in line with population, below it fewer beneficiaries than residents would give, above it
more. The palette diverges from a pale middle (purple below, green above: both read in grey and by
people with the common colour-vision deficiencies).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sector_map.views.classify import Classes, LegendEntry

# Upper bounds of the classes: below half, half to 0.8, 0.8 to 1.25, 1.25 to 2, 2 and over.
RATIO_BINS = (0.5, 0.8, 1.25, 2.0, np.inf)
RATIO_LABELS = (
    "under 0.5: less than half the expected reach",
    "0.5 to 0.8: below expected",
    "0.8 to 1.25: about as expected",
    "1.25 to 2: above expected",
    "2 or more: at least twice the expected reach",
)
RATIO_COLOURS = ("#762a83", "#c2a5cf", "#f7f7f7", "#a6dba0", "#1b7837")
HIDDEN_TEXT = "fewer than 10 beneficiaries: not shown"
OUTSIDE_TEXT = "outside the catchment"
BENEFICIARY_COLOUR = "#1b7837"
RESIDENT_COLOUR = "#9e9e9e"


def is_number(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and bool(np.isfinite(value))


def ratio_classes(wards: pd.DataFrame) -> Classes:
    """Fixed ratio classes for the protected ward table (index: ward code); hidden ratios and wards
    outside the catchment get class -1."""
    ratio = pd.to_numeric(wards["ratio"].where(wards["ratio"].map(is_number)), errors="coerce")
    ratio = ratio.where(wards["in_catchment"].astype(bool))
    class_of = pd.Series(-1, index=wards.index, dtype="int64", name="class")
    present = ratio.dropna()
    cls = np.searchsorted(np.asarray(RATIO_BINS), present.to_numpy("float64"), side="right")
    class_of.loc[present.index] = np.minimum(cls, len(RATIO_BINS) - 1)
    counts = np.bincount(class_of[class_of >= 0], minlength=len(RATIO_BINS)).tolist()
    return Classes(
        "fixed",
        len(RATIO_BINS),
        list(RATIO_BINS),
        list(RATIO_LABELS),
        class_of,
        counts,
        int(ratio.isna().sum()),
    )


def ward_texts(wards: pd.DataFrame) -> pd.Series:
    """The map tooltip's value per ward: the ratio and its interval, or why there is none."""

    def one(row: pd.Series) -> str:
        if not bool(row["in_catchment"]):
            return OUTSIDE_TEXT
        if not is_number(row["ratio"]):
            return HIDDEN_TEXT if not is_number(row["beneficiaries"]) else "no residents"
        ci = (
            f" (95% interval {row['ratio_low']:.2f}–{row['ratio_high']:.2f})"
            if is_number(row["ratio_low"]) and is_number(row["ratio_high"])
            else ""
        )
        return f"ratio {row['ratio']:.2f}{ci}; {row['beneficiaries']:,.0f} beneficiaries"

    return wards.apply(one, axis=1) if len(wards) else pd.Series(dtype=object)


def legend_entries(classes: Classes) -> list[LegendEntry]:
    return [
        LegendEntry(c, label, n)
        for c, label, n in zip(RATIO_COLOURS, RATIO_LABELS, classes.counts, strict=True)
    ]


def decile_figure(deciles: pd.DataFrame) -> go.Figure:
    """Bars of each national decile's share of beneficiaries, with its share of residents beside."""
    d = deciles.copy()
    x = [str(int(v)) for v in d["decile"]]
    ben = [float(v) * 100 if is_number(v) else None for v in d["share_beneficiaries"]]
    res = [float(v) * 100 if is_number(v) else 0.0 for v in d["share_residents"]]
    hidden = [
        not is_number(v) and is_number(r) and r > 0
        for v, r in zip(d["share_beneficiaries"], res, strict=True)
    ]
    fig = go.Figure()
    fig.add_bar(
        x=x, y=res, name="Share of residents", marker_color=RESIDENT_COLOUR, hovertemplate="%{y:.1f}%"
    )
    fig.add_bar(
        x=x,
        y=ben,
        name="Share of your beneficiaries",
        marker_color=BENEFICIARY_COLOUR,
        hovertemplate="%{y:.1f}%",
    )
    for xi, h in zip(x, hidden, strict=True):
        if h:
            fig.add_annotation(x=xi, y=0, text="hidden", showarrow=False, yshift=10, font={"size": 10})
    fig.update_layout(
        barmode="group",
        xaxis_title="National decile (1 = most deprived 10% of England)",
        xaxis={"type": "category"},
        yaxis_title="Share (%)",
        legend={"orientation": "h", "y": 1.12},
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        height=360,
    )
    return fig


def concentration_figure(curve: pd.DataFrame) -> go.Figure:
    """The concentration curve against the line of equality."""
    fig = go.Figure()
    fig.add_scatter(
        x=[0, 100],
        y=[0, 100],
        mode="lines",
        name="Reach in line with population",
        line={"dash": "dash", "color": "#777"},
    )
    fig.add_scatter(
        x=curve.iloc[:, 0].to_numpy() * 100,
        y=curve.iloc[:, 1].to_numpy() * 100,
        mode="lines",
        name="Your beneficiaries",
        line={"color": BENEFICIARY_COLOUR, "width": 3},
    )
    fig.update_layout(
        xaxis={
            "title": "Residents, most deprived first (cumulative %)",
            "range": [0, 100],
            "constrain": "domain",
        },
        yaxis={"title": "Beneficiaries (cumulative %)", "range": [0, 100], "scaleanchor": "x"},
        legend={"orientation": "h", "y": 1.12},
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        height=380,
    )
    return fig


def _blank_or_text(value: object) -> str:
    """A hidden cell's words ("fewer than 10", "suppressed"), or blank for a withheld value."""
    return value if isinstance(value, str) else ""


def percent(value: object, digits: int = 0) -> str:
    return f"{float(value) * 100:.{digits}f}%" if is_number(value) else _blank_or_text(value)  # type: ignore[arg-type]


def _whole(value: object) -> str:
    return f"{float(value):,.0f}" if is_number(value) else _blank_or_text(value)  # type: ignore[arg-type]


def _two(value: object) -> str:
    return f"{float(value):.2f}" if is_number(value) else _blank_or_text(value)  # type: ignore[arg-type]


LABELS = {
    "ward_code": "Ward code",
    "ward_name": "Ward",
    "decile": "National decile",
    "quintile": "Local fifth",
    "lsoas": "Neighbourhoods (LSOAs)",
    "beneficiaries": "Beneficiaries",
    "residents": "Residents",
    "share_beneficiaries": "Share of beneficiaries",
    "share_residents": "Share of residents",
    "per_1000": "Per 1,000 residents",
    "per_1000_low": "Per 1,000: low",
    "per_1000_high": "Per 1,000: high",
    "expected": "Expected",
    "ratio": "Ratio",
    "ratio_low": "Ratio: low",
    "ratio_high": "Ratio: high",
    "in_catchment": "In the catchment",
    "deprived_share": "Residents in England's most deprived 20%",
}


def words_table(
    table: pd.DataFrame, shares: Sequence[str] = ("share_beneficiaries", "share_residents", "deprived_share")
) -> pd.DataFrame:
    """A protected table for the page: shares as percentages, counts with thousands separators,
    ratios and rates to two places; hidden cells keep their words, withheld values are blank."""
    out = table.copy()
    for col in out.columns:
        if col in shares:
            out[col] = out[col].map(lambda v: percent(v, 1))
        elif col in ("beneficiaries", "residents", "expected", "lsoas"):
            out[col] = out[col].map(_whole)
        elif col.startswith(("ratio", "per_1000")):
            out[col] = out[col].map(_two)
    return out.rename(columns=LABELS)


__all__ = [
    "HIDDEN_TEXT",
    "RATIO_BINS",
    "RATIO_COLOURS",
    "concentration_figure",
    "decile_figure",
    "legend_entries",
    "ratio_classes",
    "ward_texts",
    "words_table",
]
