"""Command line: ``python -m bench [--pack DIR] [--repeats N] [--page-repeats N] [--no-browser]
[--no-peer] [--steps] [--timeout S] [--memory-limit-gb GB] [--json PATH]``.

Prints issue 12's figures measured on the real app (:mod:`bench.national`), with the naive peer;
``--steps`` adds the Need map's server-side steps one by one (:mod:`bench.run`). Always exits 0
once the figures are printed: a figure over its target is reported, not failed.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from bench import national_report
from bench.national import GB, collect_national
from bench.report import table, to_json
from bench.run import collect
from sector_map.pack.io import PackError, load_pack

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PACK = ROOT / "data" / "packs" / "demo"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Time the app's pages on a data pack, beside a naive peer, and print medians next to the targets.",
    )
    p.add_argument("--pack", type=Path, default=DEFAULT_PACK, help="pack folder (default: the demo pack)")
    p.add_argument("--repeats", type=int, default=5, help="timed reruns per figure (default 5)")
    p.add_argument("--page-repeats", type=int, default=3, help="fresh browser contexts timed (default 3)")
    p.add_argument("--no-browser", action="store_true", help="skip the figures taken in Chromium")
    p.add_argument("--no-peer", action="store_true", help="skip the naive peer")
    p.add_argument("--no-pages", action="store_true", help="skip the server-side page runs (AppTest)")
    p.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        help="seconds one step may take before it is not measured (300)",
    )
    p.add_argument(
        "--memory-limit-gb",
        type=float,
        default=8.0,
        help="address-space cap of the app server and each AppTest child, in GB (default 8)",
    )
    p.add_argument(
        "--steps", action="store_true", help="also time the Need map's server-side steps one by one"
    )
    p.add_argument("--theme", help="with --steps: theme whose need index is timed (default: the page's)")
    p.add_argument("--json", type=Path, metavar="PATH", help="also write the figures to this JSON file")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # a plain `kill` unwinds like Ctrl-C, so the app server and Chromium are stopped too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.repeats < 1 or args.page_repeats < 1:
        print("--repeats and --page-repeats must be at least 1.", file=sys.stderr)
        return 2
    pack_dir = args.pack.resolve()
    if not pack_dir.is_dir():
        hint = " Build it with `make demo`." if pack_dir == DEFAULT_PACK else ""
        print(f"No pack folder at {pack_dir}.{hint}", file=sys.stderr)
        return 2
    try:
        pack = load_pack(pack_dir)
        national = collect_national(
            pack,
            pack_dir,
            repeats=args.repeats,
            page_repeats=args.page_repeats,
            timeout=args.timeout,
            memory_limit=int(args.memory_limit_gb * GB),
            browser=not args.no_browser,
            peer=not args.no_peer,
            pages=not args.no_pages,
        )
        steps = None
        if args.steps:
            steps = collect(pack_dir, repeats=args.repeats, page_repeats=1, browser=False, theme=args.theme)
    except (PackError, ValueError) as exc:
        print(f"Cannot benchmark {pack_dir}: {exc}", file=sys.stderr)
        return 2
    print(national_report.table(national))
    if steps is not None:
        print("\n" + table(steps))
    if args.json:
        data = national_report.to_json(national)
        if steps is not None:
            data["steps"] = to_json(steps)
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
        print(f"Figures written to {args.json}")
    return 0
