"""``python -m bench.core_loop [--pack DIR] [--repeats N]``: provision, gaps and matching timings.

Prints, first, what a pack costs once (load, need scores, the provision context, the tables of
organisations and services, need and gaps for every theme: what the app keeps per pack), each
timed once, cold. Then the median, fastest and slowest of N runs of each step as a page or the
CLI calls it, with the pack's caches warm: the Gaps page's work for one theme, the Where we fit
ranking (wards, partners and overlap, a consortium) and the Ward profile (organisations,
indicators, gaps, buildings). The app caches each page's results too, so a rerun with the same
choices costs a cache look-up; "page rerun" lines are what a weight change costs. Last, the
process's peak memory (resident set).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import cast

import pandas as pd

from sector_map.analysis import matching, partners
from sector_map.analysis import tables as analysis
from sector_map.analysis import ward_profile as wp
from sector_map.analysis.gaps import GapResult
from sector_map.analysis.places import places
from sector_map.analysis.provision import ProvisionOptions, provision_by_theme, provision_table
from sector_map.pack import schema as s
from sector_map.pack.io import Pack, load_pack

ROOT = Path(__file__).resolve().parent.parent


def _time(fn: Callable[[], object], repeats: int) -> tuple[float, float, float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), min(samples), max(samples)


def _once(name: str, fn: Callable[[], object]) -> object:
    start = time.perf_counter()
    out = fn()
    print(f"{name:<58} {(time.perf_counter() - start) * 1000:>10.1f}")
    return out


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.core_loop", description=__doc__.splitlines()[0])
    p.add_argument("--pack", type=Path, default=ROOT / "data" / "packs" / "demo")
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--theme", default="poverty_food")
    p.add_argument("--all-themes", action="store_true", help="also time provision for every theme, uncached")
    args = p.parse_args(argv)
    if not args.pack.is_dir():
        print(f"No pack at {args.pack}", file=sys.stderr)
        return 2
    options = ProvisionOptions()
    print(f"{args.pack}: once per pack, cold (ms)")
    pack = cast(Pack, _once("load_pack", lambda: load_pack(args.pack)))
    scores = analysis.need_scores(pack)
    _once(
        "provision context (first provision_table)",
        lambda: provision_table(pack, [args.theme], options=options),
    )
    _once("places (organisations, services, wards in metres)", lambda: places(pack))
    need, gap = cast(
        tuple[pd.DataFrame, pd.DataFrame],
        _once(
            "need and gap for every theme (Where we fit's cache)",
            lambda: analysis.need_and_gap_by_theme(pack, options=options),
        ),
    )
    gap_tables = cast(
        dict[str, GapResult],
        _once(
            "gap tables for every theme (Ward profile's: shared, kept)",
            lambda: wp.theme_gap_tables(pack, options=options),
        ),
    )
    print(
        f"{len(pack.wards):,} wards, {len(pack.organisations):,} organisations, {len(pack.services):,} services"
    )

    prov = provision_table(pack, [args.theme], options=options)
    ward = str(pack.wards[s.WARD_CODE].iloc[0])
    offer = None
    if len(pack.organisations):
        found = matching.organisation_table(pack)
        with_themes = found.index[found[s.THEMES].map(bool)]
        offer = matching.offer_from_org(pack, str(with_themes[0])) if len(with_themes) else None
    if offer is None:
        offer = matching.offer_from_description(pack, themes=[args.theme])
    consortium_themes = [args.theme, "older_people", "children_young_people"]

    def gaps_page() -> object:
        result = provision_table(pack, [args.theme], options=options)
        return analysis.gap_table_for(pack, [args.theme], scores=scores, provision=result, options=options)

    def fit_page() -> object:
        if offer.org_id is not None:
            matching.offer_from_org(pack, offer.org_id)
        matching.rank_wards_for_offer(pack, offer, need=need, gap=gap)
        partners.partners_and_overlap(pack, offer, need=need)
        return partners.consortium(pack, ward, consortium_themes)

    def ward_page() -> object:
        wp.organisations(pack, ward)
        wp.indicator_rows(pack, ward, wide=pack.indicator_wide())
        wp.gap_rows(gap_tables, ward)
        return wp.assets(pack, ward)

    steps = {
        "Gaps page: provision + gap table (one theme)": gaps_page,
        "page rerun: gap table (need + provision cached)": lambda: analysis.gap_table_for(
            pack, [args.theme], scores=scores, provision=prov, options=options
        ),
        "Where we fit: wards, partners, consortium": fit_page,
        "  rank_wards_for_offer": lambda: matching.rank_wards_for_offer(pack, offer, need=need, gap=gap),
        "  partners_and_overlap": lambda: partners.partners_and_overlap(pack, offer, need=need),
        "  consortium (3 themes)": lambda: partners.consortium(pack, ward, consortium_themes),
        "Ward profile: organisations, indicators, gaps, buildings": ward_page,
        "  ward_profile.organisations": lambda: wp.organisations(pack, ward),
        "rank_organisations_for_ward": lambda: partners.rank_organisations_for_ward(pack, ward, [args.theme]),
    }
    if args.all_themes:
        steps["provision_by_theme (all themes, context cached)"] = lambda: provision_by_theme(
            pack, options=options
        )
    print(f"\nwith the pack's caches warm; {args.repeats} runs each")
    print(f"{'step':<58} {'median ms':>10} {'min':>8} {'max':>8}")
    for name, fn in steps.items():
        med, lo, hi = _time(fn, args.repeats)
        print(f"{name:<58} {med * 1000:>10.1f} {lo * 1000:>8.1f} {hi * 1000:>8.1f}")
    print(f"\npeak memory (resident) {_peak_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
