"""Writers for the concurrency test: real processes saving and adding to packs at the same time.

Each writer (a spawned process) waits at a barrier, then until its deadline repeats, in turn:
save a new pack under a name every writer uses; save a new pack under its own name; check an
upload against the shared pack and add it (through ``sector_map.upload``, as the Data page
does); and read a listed pack. It records what it was *told* (saved, refused, redone) and any
read failure in a JSON file, which the test then checks against the packs on disk.
"""

from __future__ import annotations

import json
import random
import time
import traceback
from pathlib import Path

SHARED_NAME = "Shared name"
POSTCODES = ("DM1 1AA", "DM1 3CD")


def letters(n: int) -> str:
    """A number as letters (names must differ after digits-insensitive matching too)."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(97 + r) + out
    return out.capitalize()


def worker(w: int, packs: str, work: str, barrier, seconds: float) -> None:
    """One writer: loop over the four operations until ``seconds`` after the barrier."""
    from sector_map import upload
    from sector_map.pack.errors import InputError
    from sector_map.pack.io import PackError, find_packs, load_pack

    packs_dir, work_dir = Path(packs), Path(work)
    rng = random.Random(w)
    log: dict = {
        "writer": w,
        "ops": {"new_same": 0, "new_own": 0, "add": 0, "read": 0},
        "shared_saved": False,
        "shared_refused": 0,
        "own_saved": [],
        "rows_saved": [],
        "adds_saved": 0,
        "redone": 0,
        "add_refused": [],
        "read_failures": [],
        "errors": [],
    }
    template = load_pack(packs_dir / "common")
    barrier.wait()
    deadline = time.monotonic() + seconds
    k = 0
    while time.monotonic() < deadline:
        op = ("new_same", "new_own", "add", "add", "read")[(k + w) % 5]
        k += 1
        log["ops"][op] += 1
        try:
            if op == "new_same":
                try:
                    upload.save_as_new_pack(template, packs_dir, SHARED_NAME)
                    log["shared_saved"] = True
                except InputError as exc:
                    assert "already exists" in str(exc), str(exc)
                    log["shared_refused"] += 1
            elif op == "new_own":
                name = f"Writer {letters(w)} pack {letters(k)}"
                folder = upload.save_as_new_pack(template, packs_dir, name)
                log["own_saved"].append([folder.name, name])
            elif op == "add":
                current = load_pack(packs_dir / "common")
                rows = [
                    f"Writer {letters(w)} op {letters(k)} row {letters(i)}" for i in range(rng.randint(1, 3))
                ]
                csv = work_dir / f"w{w}-op{k}.csv"
                csv.write_text(
                    "name,postcode,themes\n"
                    + "".join(f"{r},{rng.choice(POSTCODES)},poverty_food; older_people\n" for r in rows),
                    encoding="utf-8",
                )
                result = upload.import_upload("organisations", csv, pack=current)
                try:
                    added = upload.add_to_current(current, result)
                except InputError as exc:
                    log["add_refused"].append(str(exc))
                else:
                    log["rows_saved"] += rows
                    log["adds_saved"] += 1
                    log["redone"] += int(added.redone)
            else:
                listed = find_packs(packs_dir)
                try:
                    load_pack(rng.choice(listed))
                    load_pack(packs_dir / "common")
                except PackError as exc:
                    log["read_failures"].append(str(exc))
        except Exception:  # noqa: BLE001 - recorded; the test fails on any
            log["errors"].append(traceback.format_exc())
    (work_dir / f"writer-{w}.json").write_text(json.dumps(log), encoding="utf-8")


def save_forever(pack_dir: str, saved) -> None:
    """Save the pack in ``pack_dir`` over itself until killed (for the killed-writer test);
    ``saved`` (an Event) is set once the first save is done."""
    from sector_map.pack.io import load_pack, save_pack

    pack = load_pack(pack_dir)
    while True:
        save_pack(pack, pack_dir)
        saved.set()
