"""``python -m bench.directory_approval --pack DIR [--listings N] [--approvals K]``: what one approval
in the live directory costs the app on the next run (docs/decisions/0008, "Cost of an approval").

One process per pack and directory size (peak memory is the process's). The directory (a fresh
SQLite file, ``N`` approved listings from bench.directory_overlay.fill) is opened the way the app
opens it (``SECTOR_MAP_DATABASE_URL``), and the app's own code runs outside a Streamlit server
(``st.cache_resource`` / ``st.cache_data`` keep their entries and limits there too):

1. **open the pack**: ``cache.get_pack`` → ``cache.with_directory`` (the overlaid pack the pages
   read) → ``warm.start``, waiting for the background warm-up;
2. ``K`` times: **approve** one more listing (a new approved service: the stamp changes), then the
   **next run**: ``cache.with_directory`` + ``warm.start`` as ``ui.sidebar.open_pack`` does, and the
   Gaps page's first table (``ui.gaps_panel.gap_table``'s calls: need table, provision of one theme,
   gap table) while the warm-up runs beside it; then the warm-up is waited for.

Printed: the median (and range) over the ``K`` approvals of the time from the approval to the first
Gaps table, and of the background warm-up; the resident memory after each step (after a garbage
collection) and the process's peak. The sessions' own references are kept as the app keeps them:
the previous run's overlay stays referenced until the next run replaces it.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THEME = "poverty_food"


def rss_mb() -> float:
    """Resident memory now, MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def approve_one(store, i: int) -> None:
    """One more approved listing (a current whole-area service of a new organisation)."""
    from sector_map.directory.models import Organisation, Service

    now = datetime.now(UTC)
    with store.transaction() as session:
        session.add(Organisation(id=f"new-{i}", name=f"Approved {i}", source="x", created_at=now))
        session.add(
            Service(
                id=f"new-svc-{i}",
                organisation_id=f"new-{i}",
                version=1,
                name=f"Approved service {i}",
                themes=[THEME],
                client_groups=["families"],
                delivery={"mode": "whole_area"},
                capacity="10",
                source="described by the organisation",
                assured_date=now.date(),
                last_modified=now,
            )
        )


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.directory_approval", description=__doc__.splitlines()[0]
    )
    p.add_argument("--pack", type=Path, default=ROOT / "data" / "packs" / "demo")
    p.add_argument("--listings", type=int, default=50)
    p.add_argument("--approvals", type=int, default=3)
    args = p.parse_args(argv)
    if not args.pack.is_dir():
        print(f"No pack at {args.pack}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-approval-", ignore_cleanup_errors=True) as tmp:
        return run(args, f"sqlite:///{Path(tmp) / 'directory.sqlite'}")


def run(args: argparse.Namespace, url: str) -> int:
    os.environ["SECTOR_MAP_DATABASE_URL"] = url
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # "no runtime found": expected here
    from bench.directory_overlay import fill
    from sector_map.analysis import need, warm
    from sector_map.analysis.provision import ProvisionOptions
    from sector_map.analysis.tables import gap_table_for
    from sector_map.pack.io import load_pack
    from ui import cache
    from ui.directory import store as app_store

    store = app_store()
    fill(store, load_pack(args.pack), args.listings)
    gc.collect()
    print(f"{args.pack.name}, {args.listings:,} approved listings, {args.approvals} approvals")
    print(f"  before opening: {rss_mb():,.0f} MB")

    def next_run():
        published = cache.get_pack(args.pack, warm=False)
        result = cache.with_directory(published)
        thread = warm.start(result.pack)
        key = cache.pack_key(result.pack)
        options = ProvisionOptions()
        gap_table_for(
            result.pack,
            [THEME],
            scores=cache.need_table(key, need.BY_RANK),
            provision=cache.provision(key, (THEME,), options.radius_km, options.decay, options.own_radius),
            options=options,
        )
        return result, thread

    start = time.perf_counter()
    session, thread = next_run()  # this session's pack, kept until its next run
    first = time.perf_counter() - start
    thread.join()
    opened = time.perf_counter() - start
    gc.collect()
    print(
        f"  open: first Gaps table {first:.1f} s, warmed {opened:.1f} s, "
        f"{len(session.pack.services):,} services; RSS {rss_mb():,.0f} MB (peak {peak_mb():,.0f})"
    )
    to_gaps, warming = [], []
    for i in range(args.approvals):
        approve_one(store, i)
        start = time.perf_counter()
        session, thread = next_run()
        to_gaps.append(time.perf_counter() - start)
        began = time.perf_counter()
        thread.join()
        warming.append(time.perf_counter() - began + to_gaps[-1])
        gc.collect()
        print(
            f"  approval {i + 1}: first Gaps table {to_gaps[-1]:.1f} s, warm-up {warming[-1]:.1f} s; "
            f"RSS {rss_mb():,.0f} MB (peak {peak_mb():,.0f})"
        )

    def line(name: str, xs: list[float]) -> str:
        return f"  {name:<38} median {statistics.median(xs):6.1f} s  (min {min(xs):.1f}, max {max(xs):.1f})"

    print(line("approval → first Gaps table", to_gaps))
    print(line("approval → background warm-up done", warming))
    print(f"  RSS at the end {rss_mb():,.0f} MB; peak {peak_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
