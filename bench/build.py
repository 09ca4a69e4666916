"""``python -m bench.build``: how long ``build-pack`` takes on the recipes in recipes/.

Prints the median, fastest and slowest of a few builds per recipe, each written to a fresh
temporary folder, the size of the pack written, and the process's peak resident memory so far
(a high-water mark: time one recipe per run for its own figure). Needs ../shared/data beside the repository.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from sector_map.build.builder import build_pack

ROOT = Path(__file__).resolve().parent.parent
RECIPES = ("trafford", "greater_manchester", "england")


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.iterdir()) / 1e6


def _peak_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.build", description=__doc__.splitlines()[0])
    p.add_argument("recipes", nargs="*", default=RECIPES, help="recipe names in recipes/ (default: all)")
    p.add_argument("--repeats", type=int, default=3, help="builds per recipe (default 3)")
    args = p.parse_args(argv)
    if not (ROOT.parent / "shared" / "data").is_dir():
        print("../shared/data is missing: the recipes read the real files there.", file=sys.stderr)
        return 2
    print(
        f"{'recipe':<20} {'wards':>6} {'orgs':>6} {'median s':>9} {'min s':>7} {'max s':>7} {'pack MB':>8} {'peak MB':>8}"
    )
    for name in args.recipes:
        times, result, size = [], None, 0.0
        for _ in range(args.repeats):
            with tempfile.TemporaryDirectory() as tmp:
                start = time.perf_counter()
                result = build_pack(ROOT / "recipes" / f"{name}.toml", Path(tmp) / "pack")
                times.append(time.perf_counter() - start)
                size = _size_mb(Path(tmp) / "pack")
        counts = result.pack.summary()
        print(
            f"{name:<20} {counts['wards']:>6,} {counts['organisations']:>6,} {statistics.median(times):>9.2f}"
            f" {min(times):>7.2f} {max(times):>7.2f} {size:>8.2f} {_peak_mb():>8,.0f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
