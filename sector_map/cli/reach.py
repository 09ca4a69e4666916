"""``reach``: who an organisation reaches, against who lives in its catchment, by deprivation.

Prints the decile table (decile 1 = most deprived nationally), a blank line, then the ward table,
with small numbers protected as on the page. What was read and left out goes to stderr, so the CSV
stays clean. The beneficiaries' postcodes are read in memory and never printed or written.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sector_map.cli.analysis import write_table
from sector_map.pack import schema as s

MAX_FILE_BYTES = 200 * 1024 * 1024


def cmd_reach(args: argparse.Namespace) -> int:
    from sector_map.pack.errors import InputError
    from sector_map.pack.io import PackError, load_pack
    from sector_map.reach import beneficiaries, catchment, report

    path = Path(args.beneficiaries)
    try:
        pack = load_pack(args.pack)
        if not path.is_file():
            raise ValueError(f"{path}: no such file")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ValueError(f"{path.name}: larger than {MAX_FILE_BYTES // 2**20} MB")
        mapping = {s.POSTCODE: args.postcode_column} if args.postcode_column else None
        counts = beneficiaries.read_beneficiaries(
            path.read_bytes(), path.name, pack, mapping=mapping, postcodes_file=args.postcodes
        )
        area = catchment.parse(pack, args.catchment)
        result = report.analyse(pack, counts.by_lsoa, domain=args.domain, catchment=area)
    except (PackError, InputError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    for line in [*report.accounting_lines(counts), *counts.method, *result.summary, result.rule]:
        print(line, file=sys.stderr)
    try:
        write_table(result.deciles, args.csv, csv_digits=4, text_digits=3)
        print()
        write_table(result.wards, args.csv, csv_digits=4, text_digits=3)
    except BrokenPipeError:  # piped into `head`: stop quietly
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    return 0


def add_reach_command(sub: argparse._SubParsersAction) -> None:
    """Register ``reach`` on the main parser's subcommands."""
    from sector_map.importers.imd import DOMAIN_LABELS
    from sector_map.reach.report import DEFAULT_DOMAIN

    p = sub.add_parser(
        "reach",
        help="beneficiaries against residents by deprivation decile and by ward",
        description=(
            "Reads beneficiary records (one postcode per person or contact, or counts by postcode, "
            "postcode sector, LSOA or ward; CSV or XLSX) in memory and prints the decile table "
            "(decile, beneficiaries, residents, share_beneficiaries, share_residents, ratio, "
            "ratio_low, ratio_high; decile 1 = most deprived nationally), a blank line, then the ward "
            "table. Counts of 1 to 9 read 'fewer than 10'. Postcodes are never written anywhere."
        ),
    )
    p.add_argument("pack", help="pack folder (with an LSOA table: see README, Our reach)")
    p.add_argument("--beneficiaries", required=True, help="the CSV or XLSX file of beneficiaries")
    p.add_argument("--postcode-column", help="the column holding postcodes (default: guessed)")
    p.add_argument(
        "--domain",
        default=DEFAULT_DOMAIN,
        help=f"deprivation domain to rank by (default {DEFAULT_DOMAIN}): {', '.join(DOMAIN_LABELS)}",
    )
    p.add_argument(
        "--catchment",
        default="whole",
        help="whole (default), wards:CODE,CODE (codes or names) or radius:KM@POSTCODE",
    )
    p.add_argument(
        "--postcodes",
        help="a national postcode file (Code-Point Open or ONSPD CSV): postcodes outside the pack are "
        "then reported as outside the area rather than not found",
    )
    p.add_argument("--csv", action="store_true", help="print CSV instead of tables")
    p.set_defaults(func=cmd_reach)
