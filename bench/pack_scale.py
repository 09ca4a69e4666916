"""``python -m bench.pack_scale [--pack DIR] [--repeats N] [--with-scan]``: per-pack steps that grow
with the pack, timed on a large one (England's 7,219 wards; many organisations).

Prints the median, fastest and slowest of N runs of: ``load_pack`` (which validates),
``validate_pack`` on the loaded pack, the ward picker's labels (``summaries.ward_labels``, once
per pack: the app caches them) and the picker's own work on every rerun of every page (its option
list, and a label per option as Streamlit's ``format_func`` asks). ``--with-scan`` adds the picker
as it was before: ``summaries.ward_label`` per sort key and per option, a scan of the wards each
time (seconds per run on England).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from bench.timing import Laps, Stats, repeat
from sector_map.pack import schema as s
from sector_map.pack.io import Pack, load_pack, validate_pack
from sector_map.views import summaries

ROOT = Path(__file__).resolve().parent.parent

LOAD = "load_pack (validates)"
VALIDATE = "validate_pack"
LABELS = "ward picker: labels, once per pack"
PICKER = "ward picker: each rerun (labels cached)"
SCAN = "ward picker: each rerun, ward_label per call"


def picker_rerun(labels: Mapping[str, str]) -> list[str]:
    """What ``ui/widgets.ward_picker`` does with the cached labels: options, then a label each."""
    codes = list(labels)
    return [labels.get(c, c) for c in codes]


def picker_by_scan(pack: Pack) -> list[str]:
    """The picker before the labels were cached: a scan of the wards per sort key and per option."""
    codes = sorted(pack.wards[s.WARD_CODE], key=lambda c: summaries.ward_label(pack, c))
    return [summaries.ward_label(pack, c) for c in codes]


def measure(path: Path, *, repeats: int, with_scan: bool = False) -> dict[str, Stats]:
    """Timings of each step over ``repeats`` runs (after one unrecorded warm-up run)."""
    pack = load_pack(path)
    labels = MappingProxyType(summaries.ward_labels(pack.wards))
    steps: dict[str, Callable[[], object]] = {
        LOAD: lambda: load_pack(path),
        VALIDATE: lambda: validate_pack(pack),
        LABELS: lambda: summaries.ward_labels(pack.wards),
        PICKER: lambda: picker_rerun(labels),
    }
    if with_scan:
        steps[SCAN] = lambda: picker_by_scan(pack)

    def scenario(laps: Laps, _: int) -> None:
        for name, fn in steps.items():
            laps.run(name, fn)

    return repeat(scenario, repeats=repeats, warmup=0 if with_scan else 1)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.pack_scale", description=__doc__.splitlines()[0])
    p.add_argument("--pack", type=Path, default=ROOT / "data" / "packs" / "demo")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--with-scan", action="store_true", help="also time the picker's old per-option scan")
    args = p.parse_args(argv)
    if not args.pack.is_dir():
        print(f"No pack at {args.pack}", file=sys.stderr)
        return 2
    stats = measure(args.pack, repeats=args.repeats, with_scan=args.with_scan)
    pack = load_pack(args.pack)
    print(
        f"{pack.name}: {len(pack.wards):,} wards, {len(pack.organisations):,} organisations, "
        f"{len(pack.services):,} services; {args.repeats} runs each"
    )
    print(f"{'step':<46} {'median ms':>10} {'min':>9} {'max':>9}")
    for name, st in stats.items():
        print(f"{name:<46} {st.median * 1000:>10.1f} {st.minimum * 1000:>9.1f} {st.maximum * 1000:>9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
