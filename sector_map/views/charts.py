"""Plotly figures: need against provision per ward, coloured by the 3×3 gap class."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sector_map.pack import schema as s
from sector_map.views import gap_colours


def need_provision_scatter(
    table: pd.DataFrame,
    *,
    title: str,
    provision_label: str,
    selected: str | None = None,
) -> go.Figure:
    """Each ward as a point: provision across, need up; colour = its 3×3 class.

    Args:
        table: the table of :func:`sector_map.analysis.gaps.gap_table` (indexed by ward code).
        title: chart title.
        provision_label: what the x axis measures, in words with units.
        selected: ward code to ring.

    The ward code rides in ``customdata`` so a selection in the app can select the ward.
    """
    data = table[table[s.NEED].notna()]
    levels = list(zip(data[s.NEED_LEVEL], data[s.PROVISION_LEVEL], strict=True))
    by_levels = {pair: gap_colours.bivariate_colour(*pair) for pair in set(levels)}  # 9 classes, 7,000 wards
    colours = [by_levels[pair] for pair in levels]
    # Plotly reads tags (<a href>, <b>) in hover labels and point text: names go in escaped.
    names = [html.escape(str(n)) for n in data[s.WARD_NAME]]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=data[s.PROVISION],
            y=data[s.NEED],
            mode="markers",
            marker={"size": 12, "color": colours, "line": {"width": 1, "color": "#444"}},
            # one object array, which plotly takes as it is (a list of tuples it checks cell by cell)
            customdata=np.column_stack(
                [
                    data.index.astype(str).to_numpy(object),
                    np.array(names, dtype=object),
                    data[s.GAP_CLASS].astype(str).to_numpy(object),
                ]
            ),  # fmt: skip
            hovertemplate=(
                "<b>%{customdata[1]}</b><br>need %{y:.0f}/100<br>provision %{x:.2f}<br>%{customdata[2]}"
                "<extra></extra>"
            ),
            name="wards",
            showlegend=False,
        )
    )
    if selected is not None and selected in data.index:
        row = data.loc[selected]
        fig.add_trace(
            go.Scatter(
                x=[row[s.PROVISION]],
                y=[row[s.NEED]],
                mode="markers+text",
                marker={"size": 20, "color": "rgba(0,0,0,0)", "line": {"width": 3, "color": "#111"}},
                text=[html.escape(str(row[s.WARD_NAME]))],
                textposition="top center",
                hoverinfo="skip",
                showlegend=False,
            )
        )
    for cut in (1 / 3, 2 / 3):
        fig.add_hline(y=data[s.NEED].quantile(cut), line={"dash": "dot", "color": "#999", "width": 1})
        fig.add_vline(x=data[s.PROVISION].quantile(cut), line={"dash": "dot", "color": "#999", "width": 1})
    fig.update_layout(
        title={"text": title, "x": 0},
        xaxis_title=provision_label,
        yaxis_title="need index (0–100, higher = more need)",
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=420,
        plot_bgcolor="white",
        clickmode="event+select",
    )
    fig.update_xaxes(showgrid=True, gridcolor="#eee", zeroline=False)
    fig.update_yaxes(showgrid=True, gridcolor="#eee", range=[-5, 105])
    return fig
