"""Issue 13's end-to-end check through the command line, on SQLite and on PostgreSQL: init,
import the real Bristol ORUK feed, 8 parallel ``submit`` processes of 50 rows each, ``approve
--all``, ``export-oruk``: every service present exactly once. Plus faults: two editors racing on
one listing from two processes, and a writer killed mid-transaction."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sector_map.directory.models import ChangeLog, Revision, Service
from sector_map.directory.store import Store
from tests.conftest import ROOT, shared_data_or_skip

WRITERS, ROWS = 8, 50
OFFICER = "officer@cvs.example"
COLUMNS = [
    "name",
    "postcode",
    "charity_number",
    "company_number",
    "website",
    "email",
    "phone",
    "activities",
    "themes",
    "income",
    "kind",
]


def _cli(db_url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sector_map", "directory", "--db", db_url, *args]
    return subprocess.run(command, cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=300)


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def _write_batch(path: Path, writer: int) -> list[str]:
    names = []
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.DictWriter(handle, fieldnames=[*COLUMNS, "delivery", "wards"])
        out.writeheader()
        for row in range(ROWS):
            name = f"Writer {writer} group {row} (fictional)"
            names.append(name)
            wards = row % 5 == 0  # every fifth row names its wards; the rest are delivered at the postcode
            out.writerow(
                {
                    "name": name,
                    "postcode": f"BS{1 + row % 9} {row % 10}AB",
                    "activities": "Weekly drop-in with advice and a hot meal",
                    "themes": "poverty_food; older_people",
                    "delivery": "wards" if wards else "",
                    "wards": "E05010885; E05010886" if wards else "",
                }
            )
    return names


def test_import_parallel_submissions_approve_and_export(db_url: str, tmp_path: Path) -> None:
    feed = shared_data_or_skip() / "organisations/oruk_feeds/bristol_council_oruk_v1_services_2024-12-18.json"
    raw = json.loads(feed.read_text(encoding="utf-8-sig"))
    named = [item["id"] for item in raw if item["name"].strip()]  # the feed has one nameless service
    expected_feed_ids = {f"oruk-{i}" for i in named}
    clock = time.perf_counter()
    _ok(_cli(db_url, "init"))
    _ok(
        _cli(
            db_url,
            "create-user",
            OFFICER,
            "--role",
            "officer",
            "--password-stdin",
            stdin="a long enough password\n",
        )
    )
    imported = _ok(_cli(db_url, "import-oruk", str(feed)))
    assert f"Imported {len(named)} services" in imported
    times = {"init + import": time.perf_counter() - clock}
    clock = time.perf_counter()

    batches = {w: tmp_path / f"batch{w}.csv" for w in range(WRITERS)}
    names = [n for w, path in batches.items() for n in _write_batch(path, w)]
    command = [sys.executable, "-m", "sector_map", "directory", "--db", db_url, "submit"]
    writers = [
        subprocess.Popen(
            [*command, str(p), "--as", OFFICER],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in batches.values()
    ]
    for proc in writers:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert f"Submitted {ROWS} of {ROWS} rows" in out

    times["8 parallel submits"] = time.perf_counter() - clock
    clock = time.perf_counter()
    approved = _ok(_cli(db_url, "approve", "--all", "--as", OFFICER))
    times["approve --all"] = time.perf_counter() - clock
    clock = time.perf_counter()
    assert f"Approved {WRITERS * ROWS} revisions; 0 refused" in approved
    out_file = tmp_path / "export.json"
    _ok(_cli(db_url, "export-oruk", "--out", str(out_file)))
    exported = json.loads(out_file.read_text(encoding="utf-8"))
    times["export"] = time.perf_counter() - clock
    print(
        f"\n{db_url.split(':')[0]}: {len(exported)} exported; "
        + ", ".join(f"{k} {v:.1f} s" for k, v in times.items())
    )

    ids = Counter(record["id"] for record in exported)
    assert max(ids.values()) == 1
    assert {i.split("~")[0] for i in ids if i.startswith("oruk-")} == expected_feed_ids
    feed_ids = {i for i in ids if i.startswith("oruk-")}
    assert len(feed_ids) == len(named)  # the id the feed has twice is kept twice (~2), not merged
    submitted = Counter(record["name"] for record in exported if record["id"] not in feed_ids)
    assert submitted == Counter(names)  # each of the 400 rows once, nothing else
    assert len(exported) == len(named) + WRITERS * ROWS
    by_name = {record["name"]: record for record in exported}
    sited = by_name["Writer 3 group 1 (fictional)"]
    assert [a["location"]["physical_addresses"][0]["postal_code"] for a in sited["service_at_locations"]] == [
        "BS2 1AB"
    ]
    warded = by_name["Writer 3 group 5 (fictional)"]
    assert [a["service_area"] for a in warded["service_areas"]] == ["E05010885", "E05010886"]


def test_two_editors_racing_on_one_listing_from_two_processes(db_url: str, tmp_path: Path) -> None:
    store = Store.open(db_url)
    from sector_map.directory import db

    db.init(store.engine)
    store.create_user(OFFICER, "officer")
    first = store.submit({"name": "Lunch club"}, by=OFFICER, organisation={"name": "Example Pantry"})
    service = store.approve(first.id, by=OFFICER)
    editors = ["a@pantry.example", "b@pantry.example"]
    for email in editors:
        store.create_user(email, "editor", organisation_id=service.organisation_id)
    procs = []
    for n, email in enumerate(editors):
        path = tmp_path / f"edit{n}.csv"
        path.write_text(
            f"name,postcode,service_id,base_version,capacity\nExample Pantry,,{service.id},1,{n + 10} places\n",
            encoding="utf-8",
        )
        command = [
            sys.executable,
            "-m",
            "sector_map",
            "directory",
            "--db",
            db_url,
            "submit",
            str(path),
            "--as",
            email,
        ]
        procs.append(
            subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        )
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    assert sorted(code for code, _, _ in results) == [0, 1]  # exactly one is refused
    winner = editors[[code for code, _, _ in results].index(0)]
    refusal = next(err for code, _, err in results if code == 1)
    assert f"by {winner}" in refusal and "waiting for review" in refusal  # ... and told whose change
    with store.transaction() as s:
        pending = list(
            s.scalars(
                select(Revision).where(Revision.service_id == service.id, Revision.state == "submitted")
            )
        )
    assert [r.submitted_by for r in pending] == [winner]
    store.engine.dispose()


KILLED_WRITER = textwrap.dedent(
    """
    import sys, time
    from sector_map.directory.store import Store
    store = Store.open(sys.argv[1])
    with store.transaction() as s:
        from sector_map.directory.models import Revision
        revision = s.get(Revision, int(sys.argv[2]), with_for_update=True)
        store._apply(s, revision, sys.argv[3], None)
        s.flush()  # the service, revision and change-log rows are written, not committed
        print("ready", flush=True)
        time.sleep(60)
    """
)


def test_a_writer_killed_mid_transaction_leaves_the_store_consistent(db_url: str) -> None:
    store = Store.open(db_url)
    from sector_map.directory import db

    db.init(store.engine)
    store.create_user(OFFICER, "officer")
    first = store.submit({"name": "Lunch club"}, by=OFFICER, organisation={"name": "Example Pantry"})
    service = store.approve(first.id, by=OFFICER)
    revision = store.submit(
        {"name": "Lunch club (renamed)", "capacity": "20"}, by=OFFICER, service_id=service.id
    )
    with store.transaction() as s:
        logged_before = s.scalar(select(func.count()).select_from(ChangeLog))
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, db_url, str(revision.id), OFFICER],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "ready", child.stderr.read()  # type: ignore[union-attr]
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    with store.transaction() as s:  # nothing of the killed transaction is visible
        row = s.get(Service, service.id)
        assert (row.name, row.capacity, row.version) == ("Lunch club", "", 1)
        assert s.get(Revision, revision.id).state == "submitted"
        assert s.scalar(select(func.count()).select_from(ChangeLog)) == logged_before
    applied = store.approve(revision.id, by=OFFICER)  # and no lock is left behind
    assert (applied.name, applied.capacity, applied.version) == ("Lunch club (renamed)", "20", 2)
    store.engine.dispose()


def test_without_postgres_the_half_skips_unless_required(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests import postgres

    monkeypatch.setattr(postgres._Missing, "reason", "no server here")
    monkeypatch.delenv(postgres.REQUIRE_POSTGRES, raising=False)
    with pytest.raises(pytest.skip.Exception, match="no server here"):
        postgres.require_postgres(None)
    monkeypatch.setenv(postgres.REQUIRE_POSTGRES, "1")
    with pytest.raises(pytest.fail.Exception, match="no server here"):
        postgres.require_postgres(None)


def test_the_commands_check_roles_and_report_staleness_and_backups(db_url: str, tmp_path: Path) -> None:
    template = ROOT / "data/templates/organisations.csv"
    _ok(_cli(db_url, "init"))
    _ok(_cli(db_url, "create-user", OFFICER, "--role", "officer"))
    _ok(_cli(db_url, "create-user", "editor@pantry.example", "--role", "editor"))
    short = _cli(
        db_url, "create-user", "x@pantry.example", "--role", "editor", "--password-stdin", stdin="short\n"
    )
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    by_editor = _cli(db_url, "submit", str(template), "--as", "editor@pantry.example")
    assert by_editor.returncode == 1 and by_editor.stderr.count("own organisation") == 2
    assert "Submitted 2 of 2 rows" in _ok(_cli(db_url, "submit", str(template), "--as", OFFICER))
    refused = _cli(db_url, "approve", "--all", "--as", "editor@pantry.example")
    assert refused.returncode == 1 and "only officers and admins" in refused.stderr
    assert "Approved 2 revisions" in _ok(_cli(db_url, "approve", "--all", "--as", OFFICER))
    assert "2 listings: 2 current, 0 stale" in _ok(_cli(db_url, "stale-report"))
    _ok(_cli(db_url, "backup", "--out", str(tmp_path / "backup.json")))
    tables = json.loads((tmp_path / "backup.json").read_text(encoding="utf-8"))["tables"]
    assert (len(tables["services"]), len(tables["organisations"]), len(tables["users"])) == (2, 2, 2)
    assert {r["state"] for r in tables["revisions"]} == {"approved"}
    assert (
        all(r["previous_value"] is None for r in tables["change_log"]) and len(tables["change_log"]) >= 2 * 5
    )


def test_servers_starting_at_once_migrate_the_database_once(db_url: str) -> None:
    """Six processes run ``init`` on one empty database at the same moment (as app servers behind a
    proxy do when they start together): all succeed and the schema is made once, at head.

    Without the lock (an advisory lock on PostgreSQL, a file lock on SQLite) two of them can both
    find the schema one migration behind and both apply it (on SQLite, 3 inits in 48 failed so)."""
    command = [sys.executable, "-m", "sector_map", "directory", "--db", db_url, "init"]
    starts = [
        subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in starts]
    assert [code for code, _ in results] == [0] * 6, [err for _, err in results]
    from sector_map.directory import db

    engine = db.make_engine(db_url)
    assert db.current_revision(engine) == db.head_revision()
    engine.dispose()
