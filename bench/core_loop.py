"""``python -m bench.core_loop [--pack DIR] [--repeats N]``: provision, gaps and matching timings.

Prints the median, fastest and slowest of N runs of each step as a page or the CLI calls it.
The pages cache need scores and provision per (pack, themes, catchment), so the "page rerun"
line is what a weight or theme change costs once those are cached.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sector_map.analysis import matching, partners
from sector_map.analysis import tables as analysis
from sector_map.analysis.provision import ProvisionOptions, provision_by_theme, provision_table
from sector_map.pack import schema as s
from sector_map.pack.io import load_pack

ROOT = Path(__file__).resolve().parent.parent


def _time(fn: Callable[[], object], repeats: int) -> tuple[float, float, float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), min(samples), max(samples)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.core_loop", description=__doc__.splitlines()[0])
    p.add_argument("--pack", type=Path, default=ROOT / "data" / "packs" / "demo")
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--theme", default="poverty_food")
    args = p.parse_args(argv)
    if not args.pack.is_dir():
        print(f"No pack at {args.pack}", file=sys.stderr)
        return 2
    pack = load_pack(args.pack)
    options = ProvisionOptions()
    scores = analysis.need_scores(pack)
    prov = provision_table(pack, [args.theme], options=options)
    need, gap = analysis.need_and_gap_by_theme(pack, options=options, scores=scores)
    ward = pack.wards[s.WARD_CODE].iloc[0]
    org = pack.organisations[s.ORG_ID].iloc[0]
    offer = matching.offer_from_org(pack, org)
    steps = {
        "provision_table (one theme)": lambda: provision_table(pack, [args.theme], options=options),
        "provision_by_theme (all themes)": lambda: provision_by_theme(pack, options=options),
        "page rerun: gap table (need + provision cached)": lambda: analysis.gap_table_for(
            pack, [args.theme], scores=scores, provision=prov, options=options
        ),
        "need and gap for every theme (fit, uncached)": lambda: analysis.need_and_gap_by_theme(
            pack, options=options, scores=scores
        ),
        "rank_wards_for_offer": lambda: matching.rank_wards_for_offer(pack, offer, need=need, gap=gap),
        "rank_organisations_for_ward": lambda: partners.rank_organisations_for_ward(pack, ward, [args.theme]),
        "consortium (3 themes)": lambda: partners.consortium(
            pack, ward, [args.theme, "older_people", "children_young_people"]
        ),
    }
    print(f"{pack.name}: {len(pack.wards)} wards, {len(pack.services)} services; {args.repeats} runs each")
    print(f"{'step':<50} {'median ms':>10} {'min':>8} {'max':>8}")
    for name, fn in steps.items():
        med, lo, hi = _time(fn, args.repeats)
        print(f"{name:<50} {med * 1000:>10.1f} {lo * 1000:>8.1f} {hi * 1000:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
