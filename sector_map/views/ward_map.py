"""The Ward profile's small static map: the ward outlined, its neighbours, and its organisations."""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from sector_map.analysis.places import places
from sector_map.analysis.ward_profile import BASED_HERE, NEAR_KM, NEARBY, REACHES
from sector_map.pack import schema as s
from sector_map.pack.io import Pack

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def map_figure(
    pack: Pack, ward_code: str, orgs: pd.DataFrame | None = None, *, near_km: float = NEAR_KM
) -> Figure:
    """A small static map (matplotlib, British National Grid): the ward outlined, its neighbours in
    light grey, and the located organisations of ``orgs`` (rows of :func:`organisations`).

    Prints cleanly (no tiles, no interaction). Returns the matplotlib Figure.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    class _Canvas(FigureCanvasAgg):
        """geopandas asks for a redraw after each layer; the figure is drawn once, when it is saved."""

        def draw_idle(self, *args: object, **kwargs: object) -> None:
            pass

    pl = places(pack)  # ward polygons in metres, once per pack
    ward = int(pl.codes.get_indexer(pd.Index([ward_code]))[0])
    if ward < 0:
        raise ValueError(f"no ward {ward_code!r} in this pack; use a code from its wards table")
    shape = pl.shapes[ward]
    near = np.sort(pl.ward_tree.query(shape, predicate="dwithin", distance=near_km * 1000))
    around = gpd.GeoDataFrame(
        pack.wards[[s.WARD_CODE, s.WARD_NAME]].iloc[near].reset_index(drop=True),
        geometry=list(pl.shapes[near]),
        crs=s.METRE_CRS,
    )
    target = around[around[s.WARD_CODE] == ward_code]
    fig = Figure(figsize=(6, 4.2), dpi=100)  # not pyplot's: nothing to close, no idle redraws
    _Canvas(fig)
    ax = fig.subplots()
    around.plot(ax=ax, color="#eeeeee", edgecolor="#b0b0b0", linewidth=0.6)
    for _, w in around[around[s.WARD_CODE] != ward_code].iterrows():
        p = w.geometry.representative_point()
        # Literal text: a ward called "Fund $5 to $10" is not mathtext.
        ax.annotate(str(w[s.WARD_NAME]), (p.x, p.y), ha="center", fontsize=6.5, color="#777777",
                    parse_math=False, usetex=False)  # fmt: skip
    target.plot(ax=ax, facecolor="#fde9c9", edgecolor="#b35806", linewidth=2.2)
    drawn = 0
    if orgs is not None and len(orgs):
        from sector_map.analysis.matching import organisation_table

        xy = organisation_table(pack)[[s.X_METRES, s.Y_METRES]].reindex(orgs[s.ORG_ID])
        xy["where"] = orgs[s.HEADER_WHERE].to_numpy()
        xy = xy.dropna(subset=[s.X_METRES, s.Y_METRES])
        for where, colour in ((NEARBY, "#9e9e9e"), (REACHES, "#4575b4"), (BASED_HERE, "#b2182b")):
            pts = xy[xy["where"] == where]
            if len(pts):
                ax.scatter(
                    pts[s.X_METRES].to_numpy(float),  # arrays: matplotlib checks a Series' units slowly
                    pts[s.Y_METRES].to_numpy(float),
                    s=14,
                    color=colour,
                    edgecolor="white",
                    linewidth=0.4,
                    label=where,
                    zorder=3,
                )
                drawn += len(pts)
    minx, miny, maxx, maxy = shape.buffer(near_km * 1000).bounds
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if drawn:
        ax.legend(loc="lower left", fontsize=7, frameon=True, title="Organisations", title_fontsize=7)
    fig.tight_layout(pad=0.2)
    return fig
