"""``python -m bench.directory_overlay [--pack DIR] [--listings N ...] [--repeats N] [--gaps]``: what the
live directory costs the analysis pages (sector_map.directory.overlay).

For each number of approved listings (fictional, from a fixed seed: half of them of organisations the
pack has, half new; 60% at one or two sites at the pack's postcodes, 20% in listed wards, 10% around
a postcode, 10% across the whole area; 80% current, 15% stale, 5% out of provision), written to a
fresh SQLite directory, prints the median, fastest and slowest of N runs of:

- the stamp: the one small query every run makes (``overlay.stamp``);
- reading the approved listings (``Store.services`` → ``overlay.listings``);
- laying them over the pack (``overlay.overlay``; the pack's postcode index is built once per pack,
  in the unrecorded first run, and timed on its own);
- with ``--gaps``: the first gap table of one theme on the overlaid pack, which includes the
  provision context a new stamp makes the app work out again (seconds to minutes on a national pack).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from bench.timing import Laps, Stats, repeat
from sector_map.directory import db
from sector_map.directory import overlay as ov
from sector_map.directory.models import Organisation, Service
from sector_map.directory.store import Store, months_before
from sector_map.pack import schema as s
from sector_map.pack.io import Pack, load_pack

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 30)
THEME = "poverty_food"


def fill(store: Store, pack: Pack, n: int, *, seed: int = 1) -> None:
    """``n`` approved listings in ``store`` (see the module docstring)."""
    rng = random.Random(seed)
    postcodes = pack.postcodes[s.POSTCODE].astype(str).tolist() if pack.postcodes is not None else []
    # without a postcode table (England), sites are map points inside the wards
    inside = pack.wards.geometry.representative_point()
    points = list(zip(inside.y.tolist(), inside.x.tolist(), strict=True))

    def site() -> dict:
        if postcodes:
            return {"postcode": rng.choice(postcodes), "reach_km": 1.0}
        lat, lon = rng.choice(points)
        return {"latitude": lat, "longitude": lon, "reach_km": 1.0}

    wards = pack.wards[s.WARD_CODE].astype(str).tolist()
    org_ids = pack.organisations[s.ORG_ID].astype(str).tolist()
    now = datetime.now(UTC)
    with store.transaction() as session:
        for i in range(n):
            linked = rng.random() < 0.5 and org_ids
            session.add(
                Organisation(
                    id=f"org-{i}",
                    name=f"Bench organisation {i}",
                    pack_org_id=rng.choice(org_ids) if linked else None,
                    source="described by the organisation",
                    created_at=now,
                )
            )
            roll = rng.random()
            if roll < 0.6:
                delivery: dict = {"mode": "sites", "sites": [site() for _ in range(rng.randint(1, 2))]}
            elif roll < 0.8:
                delivery = {"mode": "wards", "wards": rng.sample(wards, min(3, len(wards)))}
            elif roll < 0.9 and postcodes:
                delivery = {"mode": "radius", "postcode": rng.choice(postcodes), "radius_km": 3.0}
            else:
                delivery = {"mode": "whole_area"}
            age = rng.random()
            months = 1 if age < 0.8 else 13 if age < 0.95 else 19
            session.add(
                Service(
                    id=f"svc-{i}",
                    organisation_id=f"org-{i}",
                    version=1,
                    name=f"Bench service {i}",
                    themes=rng.sample(s.THEME_IDS, 2),
                    client_groups=["families"],
                    delivery=delivery,
                    capacity=str(rng.randint(5, 50)),
                    source="described by the organisation",
                    assured_date=months_before(TODAY, months),
                    last_modified=now,
                )
            )


def measure(pack: Pack, n: int, *, repeats: int, gaps: bool) -> tuple[dict[str, Stats], float, ov.Overlay]:
    """Timings of each step (after one unrecorded run), the postcode index's one-off build, the overlay."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'directory.sqlite'}")
        db.init(store.engine)
        fill(store, pack, n)
        start = time.perf_counter()
        result = ov.overlay(pack, ov.listings(store.services(include_defunct=False)), today=TODAY)
        first = time.perf_counter() - start

        def scenario(laps: Laps, _: int) -> None:
            laps.run("stamp (every run)", ov.stamp, store, TODAY)
            rows = laps.run(
                "read the approved listings", lambda: ov.listings(store.services(include_defunct=False))
            )
            done = laps.run("overlay", ov.overlay, pack, rows, today=TODAY, stamp="bench")
            if gaps:
                from sector_map.analysis.tables import gap_table_for

                laps.run(f"first gap table ({THEME}) on the overlaid pack", gap_table_for, done.pack, [THEME])

        stats = repeat(scenario, repeats=repeats, warmup=0)
        store.engine.dispose()
    return stats, first, result


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.directory_overlay", description=__doc__.splitlines()[0])
    p.add_argument("--pack", type=Path, default=ROOT / "data" / "packs" / "demo")
    p.add_argument("--listings", type=int, nargs="+", default=[50, 2000])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--gaps", action="store_true", help="also time the first gap table on the overlaid pack")
    args = p.parse_args(argv)
    if not args.pack.is_dir():
        print(f"No pack at {args.pack}", file=sys.stderr)
        return 2
    pack = load_pack(args.pack)
    print(
        f"{pack.name}: {len(pack.wards):,} wards, {len(pack.organisations):,} organisations, "
        f"{len(pack.services):,} services; {args.repeats} runs each"
    )
    for n in args.listings:
        stats, first, result = measure(pack, n, repeats=args.repeats, gaps=args.gaps)
        print(
            f"\n{n:,} approved listings: {result.added:,} added, {result.replacing:,} replacing "
            f"({result.organisations_replaced:,} organisations), {result.stale:,} stale, "
            f"{result.out_of_provision:,} out of provision, {len(result.problems):,} problems; "
            f"first overlay (with the pack's postcode index) {first * 1000:.0f} ms"
        )
        print(f"{'step':<52} {'median ms':>10} {'min':>9} {'max':>9}")
        for name, st in stats.items():
            print(f"{name:<52} {st.median * 1000:>10.1f} {st.minimum * 1000:>9.1f} {st.maximum * 1000:>9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
