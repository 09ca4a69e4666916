"""A writer killed with SIGKILL at any moment of a save never loses the pack.

A real process saves a pack over itself in a loop and is killed at random moments; after each
kill the pack loads with every row, nothing temporary is listed as a pack, and the next save
clears what the killed one left.
"""

from __future__ import annotations

import multiprocessing as mp
import random
import time

from sector_map.pack.io import find_packs, load_pack, save_pack
from tests.concurrency import save_forever

KILLS = 6


def test_a_writer_killed_mid_save_never_loses_the_pack(tiny_pack, tmp_path):
    packs = tmp_path / "packs"
    tiny_pack.manifest = {**tiny_pack.manifest, "demo": False, "name": "Killed"}
    folder = save_pack(tiny_pack, packs / "killed")
    rows = (len(tiny_pack.organisations), len(tiny_pack.services), len(tiny_pack.wards))
    ctx = mp.get_context("spawn")
    rng = random.Random(7)
    revisions = set()
    for _ in range(KILLS):
        saved = ctx.Event()
        proc = ctx.Process(target=save_forever, args=(str(folder), saved))
        proc.start()
        # Kill at a random moment once the writer is in its save loop (however slow the machine).
        assert saved.wait(timeout=300), "the writer never finished a save"
        time.sleep(rng.uniform(0.0, 0.3))
        proc.kill()
        proc.join()
        assert [p.name for p in find_packs(packs)] == ["killed"]
        pack = load_pack(folder)
        assert (len(pack.organisations), len(pack.services), len(pack.wards)) == rows
        revisions.add(pack.revision)
    assert len(revisions) > 1, "every kill found the same revision: the saves did not land"
    save_pack(load_pack(folder), folder)
    assert sorted(p.name for p in packs.iterdir() if p.is_dir()) == ["killed"]
