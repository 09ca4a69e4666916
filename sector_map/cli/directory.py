"""``python -m sector_map directory --db URL COMMAND``: the live directory's admin commands.

init, create-user, import-oruk, submit, approve, export-oruk, stale-report, backup (see
``--help``). ``--db`` defaults to ``$SECTOR_MAP_DATABASE_URL``, else ``data/directory.sqlite``.
Every command but ``init`` needs a database at the newest migration. Exit codes: 0 done,
1 refused or failed (the message says why), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def add_directory_command(sub: Any) -> None:
    parser = sub.add_parser(
        "directory",
        help="the live directory's store: init, users, ORUK import/export, submissions, review",
        description="Admin commands for the directory database (see README: The live directory).",
    )
    parser.add_argument(
        "--db", help="database URL (default: $SECTOR_MAP_DATABASE_URL, else data/directory.sqlite)"
    )
    cmds = parser.add_subparsers(dest="directory_command", required=True)
    cmds.add_parser("init", help="create the database, or upgrade it to the newest schema")
    user = cmds.add_parser("create-user", help="add a user (editor, officer or admin)")
    user.add_argument("email")
    user.add_argument("--role", required=True, choices=("editor", "officer", "admin"))
    user.add_argument("--org", help="for an editor: the organisation id they edit")
    user.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    imp = cmds.add_parser(
        "import-oruk", help="import an Open Referral UK services feed (JSON) as approved listings"
    )
    imp.add_argument("file", type=Path)
    submit = cmds.add_parser("submit", help="one pending revision per row of a CSV (organisations template)")
    submit.add_argument("file", type=Path)
    submit.add_argument("--as", dest="by", required=True, metavar="EMAIL")
    approve = cmds.add_parser("approve", help="approve pending revisions (officers and admins)")
    approve.add_argument("--all", action="store_true", required=True, help="every pending revision")
    approve.add_argument("--as", dest="by", required=True, metavar="EMAIL")
    export = cmds.add_parser("export-oruk", help="approved, non-defunct services as Open Referral UK JSON")
    export.add_argument("--out", required=True, type=Path)
    cmds.add_parser(
        "stale-report", help="listings by the staleness rule (12 months stale, 18 out of provision)"
    )
    backup = cmds.add_parser(
        "backup", help="every table as JSON (any database), restorable by a later session"
    )
    backup.add_argument("--out", required=True, type=Path)
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from sector_map.directory import db
    from sector_map.directory.store import DirectoryError, Store

    start = time.perf_counter()
    try:
        store = Store.open(args.db)
        if args.directory_command == "init":
            before = db.current_revision(store.engine)
            after = db.init(store.engine)
            print(f"Directory at migration {after} (was {before or 'empty'}).")
            return 0
        current = db.current_revision(store.engine)
        if current != db.head_revision():
            print(
                f"The directory database is at migration {current or 'none'}: run `directory init` first.",
                file=sys.stderr,
            )
            return 1
        code = _COMMANDS[args.directory_command](store, args)
    except (DirectoryError, ValueError, OSError) as exc:
        print(f"Refused: {exc}", file=sys.stderr)
        return 1
    print(f"({time.perf_counter() - start:.1f} s)", file=sys.stderr)
    return code


def _create_user(store: Any, args: argparse.Namespace) -> int:
    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    user = store.create_user(args.email, args.role, password=password, organisation_id=args.org)
    print(
        f"Created {user.role} {user.email}"
        + (f" for organisation {user.organisation_id}" if user.organisation_id else "")
    )
    return 0


def _import_oruk(store: Any, args: argparse.Namespace) -> int:
    from sector_map.directory.oruk import read_feed

    report = read_feed(args.file)
    counts = store.import_feed(report.services, source=f"Open Referral UK feed {args.file.name}")
    print(
        f"Imported {len(report.services)} services from {args.file.name}: {counts['new']} new, "
        f"{counts['updated']} updated, {counts['unchanged']} unchanged."
    )
    if counts["kept"]:
        print(
            f"Kept {counts['kept']} listings as their organisations described them (the feed's version not applied)."
        )
    if counts["held"]:
        print(
            f"Held {counts['held']} listings with a change waiting for review (the feed's version not "
            "applied; import again after the review)."
        )
    for why, n in sorted(report.skipped.items()):
        print(f"Skipped {n}: {why}")
    if report.renamed_ids:
        print(
            f"{report.renamed_ids} service ids appeared twice in the file; later copies were given ~2, ~3..."
        )
    return 0


def _submit(store: Any, args: argparse.Namespace) -> int:
    from sector_map.directory.models import SERVICE_NAME
    from sector_map.directory.store import DirectoryError
    from sector_map.directory.submissions import read_rows

    rows, problems = read_rows(args.file)
    done = 0
    for row in rows:
        try:
            revision = store.submit(
                row.service,
                by=args.by,
                service_id=row.service_id,
                base_version=row.base_version,
                organisation=row.organisation if row.service_id is None else None,
            )
        except DirectoryError as exc:
            problems.append(f"line {row.line}: {exc}")
            continue
        done += 1
        print(f"line {row.line}: revision {revision.id} for {row.service[SERVICE_NAME]!r} waits for review")
    print(f"Submitted {done} of {done + len(problems)} rows from {args.file.name}.")
    for problem in problems:
        print(f"Not submitted: {problem}", file=sys.stderr)
    return 1 if problems else 0


def _approve(store: Any, args: argparse.Namespace) -> int:
    done, refused = store.approve_all(by=args.by)
    print(f"Approved {len(done)} revisions; {len(refused)} refused (left pending).")
    for message in refused:
        print(f"Refused: {message}", file=sys.stderr)
    return 1 if refused else 0


def _export_oruk(store: Any, args: argparse.Namespace) -> int:
    from sector_map.directory.oruk import export_services

    records = export_services(store.services(include_defunct=False))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".part")
    tmp.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(args.out)
    print(f"Wrote {len(records)} services to {args.out}")
    return 0


def _stale_report(store: Any, args: argparse.Namespace) -> int:
    from sector_map.directory.store import OUT_OF_PROVISION_AFTER_MONTHS, STALE_AFTER_MONTHS

    rows = store.stale_report()
    by_state: dict[str, int] = {}
    for row in rows:
        by_state[row.state] = by_state.get(row.state, 0) + 1
        if row.state != "current":
            confirmed = row.assured_date.isoformat() if row.assured_date else "never"
            print(f"{row.state}\t{confirmed}\t{row.service_id}\t{row.name}\t{row.organisation}")
    print(
        f"{len(rows)} listings: {by_state.get('current', 0)} current, {by_state.get('stale', 0)} stale "
        f"(not confirmed for {STALE_AFTER_MONTHS} months), {by_state.get('out of provision', 0)} out of "
        f"provision ({OUT_OF_PROVISION_AFTER_MONTHS} months or never)."
    )
    return 0


def _backup(store: Any, args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from sector_map.directory import db
    from sector_map.directory.models import Base

    tables: dict[str, list[dict[str, Any]]] = {}
    with store.transaction() as s:  # one transaction: a consistent snapshot
        for table in Base.metadata.sorted_tables:
            tables[table.name] = [
                dict(row._mapping) for row in s.execute(select(table).order_by(*table.primary_key))
            ]
    payload = {
        "format": "sector-map directory backup",
        "migration": db.current_revision(store.engine),
        "written": datetime.now(UTC).isoformat(),
        "tables": tables,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".part")
    tmp.write_text(json.dumps(payload, default=str, ensure_ascii=False), encoding="utf-8")
    tmp.replace(args.out)
    print(f"Backed up {sum(len(v) for v in tables.values())} rows of {len(tables)} tables to {args.out}")
    return 0


_COMMANDS = {
    "create-user": _create_user,
    "import-oruk": _import_oruk,
    "submit": _submit,
    "approve": _approve,
    "export-oruk": _export_oruk,
    "stale-report": _stale_report,
    "backup": _backup,
}
