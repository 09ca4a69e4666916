"""The figures of issue 12's table, measured on the real app, with the naive peer beside them.

Server-side page runs come from :mod:`bench.server_pages` (AppTest in capped child processes),
browser figures from :mod:`bench.browser_pages` (one capped server, headless Chromium), and the
peer from :mod:`bench.peer` (built here, in the benchmark's own process). A figure that fails or
runs out of time is recorded with its reason and the rest go on.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bench import server_pages
from bench.browser_pages import BrowserFigures, measure_browser
from bench.peer import PeerFigures, measure_peers
from sector_map.pack import schema as s
from sector_map.pack.io import Pack

GB = 1_000_000_000
NATIONAL_WARDS = 400  # above this many wards a pack is judged on the national targets


@dataclass(frozen=True)
class Targets:
    """Issue 12's targets: national (item 6) or one council's."""

    kind: str
    rerun_s: float
    rerun_bytes: int
    first_load_bytes: int | None
    drawn_s: float
    click_s: float
    page_first_s: float
    page_rerun_s: float
    peak_bytes: int | None
    payload_ratio: float | None
    rerun_ratio: float | None


NATIONAL = Targets("national", 1.0, 1_000_000, 5_000_000, 5.0, 1.5, 2.0, 1.0, int(1.5 * GB), 10.0, 5.0)
COUNCIL = Targets("one council", 0.15, 500_000, None, 5.0, 1.5, 2.0, 1.0, None, None, None)


def targets_for(wards: int) -> Targets:
    return NATIONAL if wards > NATIONAL_WARDS else COUNCIL


@dataclass
class NationalResults:
    """Everything measured on one pack."""

    pack: Pack
    pack_dir: Path
    targets: Targets
    timeout: float
    memory_limit: int
    need_map: server_pages.PageFigures
    pages: dict[str, server_pages.PageFigures] = field(default_factory=dict)
    browser: BrowserFigures | None = None
    peer: PeerFigures | None = None


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def busiest_ward(pack: Pack) -> str:
    """The ward with the most organisations based in it (the first ward when there are none)."""
    orgs = pack.organisations
    located = orgs[~orgs.geometry.isna() & ~orgs.geometry.is_empty]
    if not len(located):
        return str(pack.wards[s.WARD_CODE].iloc[0])
    import geopandas as gpd

    joined = gpd.sjoin(located[["geometry"]], pack.wards[[s.WARD_CODE, "geometry"]], predicate="within")
    counts = pd.Series(joined[s.WARD_CODE]).value_counts()
    return str(counts.index[0]) if len(counts) else str(pack.wards[s.WARD_CODE].iloc[0])


def collect_national(
    pack: Pack,
    pack_dir: Path,
    *,
    repeats: int,
    page_repeats: int,
    timeout: float,
    memory_limit: int,
    browser: bool,
    peer: bool,
    pages: bool = True,
) -> NationalResults:
    """Take every figure; see the module docstring."""
    ward = busiest_ward(pack)
    results = NationalResults(
        pack,
        pack_dir,
        targets_for(len(pack.wards)),
        timeout,
        memory_limit,
        server_pages.PageFigures("need_map"),
    )
    cap = f"{memory_limit / GB:.1f} GB"
    if pages:
        _say(f"Server side (AppTest, one capped child per page, {cap}, {timeout:.0f} s a run) …")
        results.need_map = server_pages.time_page(
            pack_dir,
            server_pages.NEED_MAP,
            repeats=repeats,
            timeout=timeout,
            memory_limit=memory_limit,
            say=_say,
        )
    for page in server_pages.PAGES if pages else ():
        results.pages[page] = server_pages.time_page(
            pack_dir,
            page,
            repeats=max(1, repeats // 2),
            timeout=timeout,
            memory_limit=memory_limit,
            ward=ward,
            say=_say,
        )
    with tempfile.TemporaryDirectory(prefix="sector-map-peer-") as tmp:
        if peer:
            _say("Naive peer (folium Choropleth + GeoJson tooltips + MarkerCluster; plotly choropleth_map) …")
            results.peer = measure_peers(pack, Path(tmp), repeats=3)
        if browser:
            _say(f"Browser (headless Chromium, server capped at {cap}) …")
            results.browser = measure_browser(
                pack_dir,
                wards=len(pack.wards),
                ward_names=set(pack.wards[s.WARD_NAME].astype(str)),
                ward_code=ward,
                loads=page_repeats,
                reruns=repeats,
                clicks=max(1, min(3, repeats)),
                timeout=timeout,
                memory_limit=memory_limit,
                peer_html=results.peer.html_path if results.peer else None,
                say=_say,
            )
    return results
