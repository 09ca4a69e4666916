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
    # Plotly reads tags (<a href>, <b>) in hover labels and point text: names go in escaped.
    names = pd.Series([html.escape(str(n)) for n in data[s.WARD_NAME]], index=data.index, dtype=object)
    fig = go.Figure()
    # One trace per 3×3 class, each in one colour: a colour per point made plotly check 7,000
    # colour strings one by one (0.3 s a run on England); a trace's one colour is checked once.
    # dropna=False: a ward with need but no provision class (provision not known) is drawn too, grey.
    groups = data.groupby([s.NEED_LEVEL, s.PROVISION_LEVEL], sort=True, dropna=False)
    for (need_level, provision_level), rows in groups:
        fig.add_trace(
            go.Scatter(
                x=rows[s.PROVISION],
                y=rows[s.NEED],
                mode="markers",
                marker={
                    "size": 12,
                    "color": gap_colours.bivariate_colour(str(need_level), str(provision_level)),
                    "line": {"width": 1, "color": "#444"},
                },
                # one object array, which plotly takes as it is (a list of tuples it checks cell by cell)
                customdata=np.column_stack(
                    [
                        rows.index.astype(str).to_numpy(object),
                        names.loc[rows.index].to_numpy(object),
                        rows[s.GAP_CLASS].astype(str).to_numpy(object),
                    ]
                ),  # fmt: skip
                hovertemplate=(
                    "<b>%{customdata[1]}</b><br>need %{y:.0f}/100<br>provision %{x:.2f}<br>%{customdata[2]}"
                    "<extra></extra>"
                ),
                name=str(rows[s.GAP_CLASS].iloc[0]),
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
