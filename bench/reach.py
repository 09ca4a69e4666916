"""``python -m bench.reach [--pack DIR] [--people N ...] [--repeats N]``: what Our reach costs a run.

The page reads the uploaded file again from memory on every run (no parsed copy of the postcodes is
kept between runs: decision 0009), so the cost of a rerun is reading + placing + the statistics. For
each file size (a fictional file from ``sector_map.reach.generate``, fixed seed), prints the median,
fastest and slowest of N runs of:

- reading and placing the file (``read_beneficiaries``);
- the statistics with their simulated intervals, protection and summary (``report.analyse``);
- the three print files at 150 dpi PNG (``prints.make``), once per size;

and the process's peak memory (VmHWM) at the end.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.timing import Laps, repeat
from sector_map.export.maps import ExportOptions
from sector_map.pack.io import load_pack
from sector_map.reach import beneficiaries, prints, report
from sector_map.reach.generate import example_file

ROOT = Path(__file__).resolve().parent.parent


def _peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reach", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pack", default=str(ROOT / "data" / "packs" / "demo"), help="a pack with an LSOA table"
    )
    parser.add_argument("--people", type=int, nargs="+", default=[3_000, 30_000, 300_000])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    pack = load_pack(args.pack)
    if pack.lsoas is None:
        print(f"{args.pack}: no LSOA table; rebuild it with build-pack", file=sys.stderr)
        return 1
    print(
        f"pack {pack.name}: {len(pack.wards)} wards, {len(pack.lsoas)} LSOAs; medians of {args.repeats} runs"
    )
    print(f"{'people':>9} {'file MB':>8} {'read + place':>22} {'statistics':>22} {'3 prints':>9}")
    for n in args.people:
        data = example_file(pack, n=n, bias=0.5, seed=1)
        held: dict[str, beneficiaries.BeneficiaryCounts] = {}

        def scenario(laps: Laps, i: int, data: bytes = data, held: dict = held) -> None:
            held["c"] = laps.run("read", beneficiaries.read_beneficiaries, data, "bench.csv", pack)
            laps.run("stats", report.analyse, pack, held["c"].by_lsoa)

        stats = repeat(scenario, repeats=args.repeats)
        rep = report.analyse(pack, held["c"].by_lsoa)
        laps = Laps()
        for chart in prints.CHARTS:
            laps.run("prints", prints.make, pack, rep, chart, ExportOptions(dpi=150))
        printed = sum(laps.stats()["prints"].samples)

        def cell(name: str, stats: dict = stats) -> str:
            st = stats[name]
            return f"{st.median:6.2f} s ({st.minimum:.2f}–{st.maximum:.2f})"

        print(f"{n:>9,} {len(data) / 2**20:>8.1f} {cell('read'):>22} {cell('stats'):>22} {printed:>7.2f} s")
    print(f"peak memory (VmHWM): {_peak_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
