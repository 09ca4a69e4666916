"""Eight real processes save and add to packs at once; afterwards nothing told 'saved' is missing.

Writers (spawned processes, see :mod:`tests.concurrency`) run for a fixed time after a barrier:
saving a new pack under one name they all use and under their own names, checking uploads
against one shared pack and adding them, and reading packs while others write. Afterwards every
pack loads, no temporary folder is left or listed, exactly one writer was told it saved the
shared name, and every row any writer was told was added is in the shared pack. The figures are
printed (run with ``-s``) for the issue note.
"""

from __future__ import annotations

import json
import multiprocessing as mp

from sector_map.pack.io import find_packs, load_pack, save_pack
from sector_map.pack.store import is_leftover
from sector_map.upload import slugify
from sector_map.views.pack_report import pack_catalogue
from tests.concurrency import SHARED_NAME, worker
from tests.unit.test_upload import POSTCODES

WRITERS = 8
SECONDS = 12.0


def test_writers_in_parallel_lose_nothing(tiny_pack, tmp_path):
    packs, work = tmp_path / "packs", tmp_path / "work"
    work.mkdir()
    tiny_pack.manifest = {**tiny_pack.manifest, "demo": False, "name": "Common"}
    tiny_pack.postcodes = POSTCODES.copy()
    save_pack(tiny_pack, packs / "common")
    start_rows = len(tiny_pack.organisations)

    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(WRITERS)
    procs = [
        ctx.Process(target=worker, args=(w, str(packs), str(work), barrier, SECONDS)) for w in range(WRITERS)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0] * WRITERS

    logs = [json.loads((work / f"writer-{w}.json").read_text()) for w in range(WRITERS)]
    errors = [e for log in logs for e in log["errors"]]
    assert not errors, errors[0]

    # Every pack on disk loads; nothing temporary is left, listed or hidden.
    folders = find_packs(packs)
    for folder in folders:
        load_pack(folder)
    leftovers = [
        p.name for p in packs.iterdir() if p.is_dir() and (p.name.startswith(".") or is_leftover(p.name))
    ]
    assert leftovers == []
    assert set(pack_catalogue(packs)["Folder"]) == {f.name for f in folders}

    # Exactly one writer was told it saved the shared name; all others were refused.
    told_shared = [log["writer"] for log in logs if log["shared_saved"]]
    assert len(told_shared) == 1
    assert (packs / slugify(SHARED_NAME)).is_dir()

    # Every writer's own new packs are there, with the name it gave.
    own = [pair for log in logs for pair in log["own_saved"]]
    for folder, name in own:
        assert load_pack(packs / folder).name == name
    assert {f.name for f in folders} == {"common", slugify(SHARED_NAME), *(f for f, _ in own)}

    # Every row any writer was told was added is in the shared pack, once.
    common = load_pack(packs / "common")
    names = list(common.organisations["name"])
    told = [row for log in logs for row in log["rows_saved"]]
    lost = [row for row in told if row not in names]
    assert len(set(told)) == len(told)
    assert not lost, f"{len(lost)} rows told saved are missing, e.g. {lost[:3]}"
    assert len(names) == start_rows + len(told)
    themes = dict(zip(common.organisations["name"], common.organisations["themes"], strict=True))
    assert all(sorted(themes[row]) == ["older_people", "poverty_food"] for row in told)
    assert sorted(themes["Alpha Food Share"]) == ["poverty_food"]  # the original rows keep theirs

    ops = {k: sum(log["ops"][k] for log in logs) for k in logs[0]["ops"]}
    reads_failed = sum(len(log["read_failures"]) for log in logs)
    refused_adds = sum(len(log["add_refused"]) for log in logs)
    assert reads_failed == 0 and refused_adds == 0
    total = {key: sum(log[key] for log in logs) for key in ("shared_refused", "adds_saved", "redone")}
    print(
        f"\nconcurrency: {WRITERS} writer processes for {SECONDS:.0f} s, {sum(ops.values())} operations {ops}; "
        f"shared-name saves: 1 told saved, {total['shared_refused']} refused; own new packs saved {len(own)}; "
        f"adds saved {total['adds_saved']} ({total['redone']} redone on a newer pack, {refused_adds} refused) "
        f"with {len(told)} rows told saved, rows lost {len(lost)}; read failures {reads_failed}; "
        f"packs on disk {len(folders)}, leftover folders {len(leftovers)}"
    )
