"""The Gaps page's scatter of need against provision: one trace per 3×3 class, every ward once."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sector_map.pack import schema as s
from sector_map.views import charts, gap_colours

LEVELS = ["low", "medium", "high"]


def _table(n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    table = pd.DataFrame(
        {
            s.NEED: rng.uniform(0, 100, n),
            s.PROVISION: rng.uniform(0, 5, n),
            s.NEED_LEVEL: rng.choice(LEVELS, n),
            s.PROVISION_LEVEL: rng.choice(LEVELS, n).astype(object),
            s.WARD_NAME: [f"Ward {i}" for i in range(n)],
            s.GAP_CLASS: [f"class {i % 9}" for i in range(n)],
        },
        index=[f"E05{i:06d}" for i in range(n)],
    )
    table.loc["E05000001", s.WARD_NAME] = "<b>Bold</b> & <a href='x'>link</a>"
    table.loc["E05000002", s.NEED] = np.nan  # no need figure: not plotted
    table.loc[["E05000003", "E05000004"], s.PROVISION_LEVEL] = None  # provision not known: grey
    table.loc[["E05000003", "E05000004"], s.NEED_LEVEL] = "high"
    return table


def test_every_ward_with_need_is_one_point_in_its_class_colour():
    table = _table()
    fig = charts.need_provision_scatter(table, title="t", provision_label="p")
    points = [(row[0], trace) for trace in fig.data for row in trace.customdata]
    codes = [code for code, _ in points]
    assert sorted(codes) == sorted(table.index.drop("E05000002"))  # each once, the NaN one left out
    for code, trace in points:
        row = table.loc[code]
        provision_level = row[s.PROVISION_LEVEL] if isinstance(row[s.PROVISION_LEVEL], str) else ""
        assert trace.marker.color == gap_colours.bivariate_colour(row[s.NEED_LEVEL], provision_level)
    for trace in fig.data:  # the positions travel with their codes
        got = dict(zip(trace.customdata[:, 0], zip(trace.x, trace.y, strict=True), strict=True))
        for code, (x, y) in got.items():
            assert (x, y) == (table.loc[code, s.PROVISION], table.loc[code, s.NEED])
    grey = {trace.marker.color for trace in fig.data if "E05000003" in trace.customdata[:, 0]}
    assert grey == {gap_colours.NO_DATA_COLOUR}
    assert len(fig.data) == 9 + 1  # the nine classes (all present here) and the unclassed


def test_names_are_escaped_and_the_selected_ward_is_ringed():
    table = _table()
    fig = charts.need_provision_scatter(table, title="t", provision_label="p", selected="E05000001")
    names = {row[0]: row[1] for trace in fig.data[:-1] for row in trace.customdata}
    assert names["E05000001"] == "&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;a href=&#x27;x&#x27;&gt;link&lt;/a&gt;"
    ring = fig.data[-1]
    assert ring.text == (names["E05000001"],) and ring.x == (table.loc["E05000001", s.PROVISION],)
