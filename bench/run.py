"""Run every benchmark on one pack and gather the figures, with the totals the targets apply to."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from bench import scenarios as sc
from bench.browser import PageResult, time_first_page
from bench.payload import Payload
from bench.timing import Stats, total
from sector_map.pack.io import Pack, load_pack

TARGET_RECOMPUTE_MS = 150.0
TARGET_PAYLOAD_KB = 500.0
TARGET_PAGE_S = 5.0
KB = 1000  # bytes

# Steps summed into each total. The need table is cached by the app (ui/cache.py), so a rerun
# after a widget change does not recompute it.
RECOMPUTE = (sc.NEED_TABLE, sc.THEME_SUBJECT, sc.CLASSIFY, sc.COLOURS)
SWITCH = (sc.INDICATOR_SUBJECT, sc.CLASSIFY, sc.COLOURS)
MAP_BUILD = (sc.BASE_MAP, sc.CHOROPLETH, sc.ORGANISATIONS, sc.ASSETS)
RERUN = (sc.THEME_SUBJECT, sc.CLASSIFY, sc.COLOURS, sc.CHOROPLETH, sc.ORGANISATIONS, sc.ASSETS)
RERUN_FULL = (*RERUN, sc.BASE_MAP, sc.ST_FOLIUM)


@dataclass
class Results:
    """Everything measured on one pack."""

    pack: Pack
    pack_dir: Path
    choice: sc.Choice
    repeats: int
    load: Stats
    simplify: Stats
    rerun: dict[str, Stats]
    switch: dict[str, Stats]
    page_bytes: int
    sent: Payload
    page: PageResult | None

    def totals(self) -> dict[str, Stats]:
        """Per-repeat totals: recompute, indicator switch, map build, rerun and full rerun."""
        return {
            "recompute": total(self.rerun, RECOMPUTE),
            "indicator_switch": total(self.switch, SWITCH),
            "map_build": total(self.rerun, MAP_BUILD),
            "rerun": total(self.rerun, RERUN),
            "rerun_full": total(self.rerun, RERUN_FULL),
        }


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def collect(
    pack_dir: Path, *, repeats: int, page_repeats: int, browser: bool, theme: str | None = None
) -> Results:
    """Load the pack, time the server-side steps, size the payload and (optionally) the first page."""
    _say(f"Loading {pack_dir} …")
    pack = load_pack(pack_dir)
    choice = sc.default_choice(pack, theme)
    _say(f"Timing pack load, simplification and reruns ({repeats} repeats each) …")
    load = sc.time_pack_load(pack_dir, repeats=repeats)
    simplify = sc.time_simplify(pack, repeats=repeats)
    rerun = sc.time_theme_rerun(pack, choice, repeats=repeats)
    switch = sc.time_indicator_switch(pack, choice, repeats=repeats)
    page_bytes, sent = sc.payload_sizes(pack, choice)
    page = None
    if browser:
        _say(f"Starting the app and timing the first page in Chromium ({page_repeats} fresh contexts) …")
        page = time_first_page(pack_dir, wards=len(pack.wards), repeats=page_repeats)
    return Results(pack, pack_dir, choice, repeats, load, simplify, rerun, switch, page_bytes, sent, page)
