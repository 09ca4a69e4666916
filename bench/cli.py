"""Command line: ``python -m bench [--pack DIR] [--repeats N] [--page-repeats N] [--no-browser] [--json PATH]``.

Always exits 0 once the figures are printed: a figure over its target is reported, not failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.report import table, to_json
from bench.run import collect
from sector_map.pack.io import PackError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PACK = ROOT / "data" / "packs" / "demo"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Time the Need map page on a data pack and print medians next to the targets.",
    )
    p.add_argument("--pack", type=Path, default=DEFAULT_PACK, help="pack folder (default: the demo pack)")
    p.add_argument(
        "--repeats", type=int, default=15, help="timed repeats per server-side figure (default 15)"
    )
    p.add_argument("--page-repeats", type=int, default=5, help="fresh browser contexts timed (default 5)")
    p.add_argument("--no-browser", action="store_true", help="skip the first-page timing in Chromium")
    p.add_argument("--theme", help="theme whose need index is timed (default: the page's default theme)")
    p.add_argument("--json", type=Path, metavar="PATH", help="also write the figures to this JSON file")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.repeats < 1 or args.page_repeats < 1:
        print("--repeats and --page-repeats must be at least 1.", file=sys.stderr)
        return 2
    pack_dir = args.pack.resolve()
    if not pack_dir.is_dir():
        hint = " Build it with `make demo`." if pack_dir == DEFAULT_PACK else ""
        print(f"No pack folder at {pack_dir}.{hint}", file=sys.stderr)
        return 2
    try:
        results = collect(
            pack_dir,
            repeats=args.repeats,
            page_repeats=args.page_repeats,
            browser=not args.no_browser,
            theme=args.theme,
        )
    except (PackError, ValueError) as exc:
        print(f"Cannot benchmark {pack_dir}: {exc}", file=sys.stderr)
        return 2
    print(table(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(to_json(results), indent=2), encoding="utf-8")
        print(f"Figures written to {args.json}")
    return 0
