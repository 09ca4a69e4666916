"""``gaps`` and ``fit``: the analyst's command-line view of gaps and of where an offer fits."""

from __future__ import annotations

import argparse
import os
import sys

import pandas as pd

from sector_map import schema as s
from sector_map.pack import PackError, load_pack

GAP_COLUMNS = [s.WARD_CODE, s.WARD_NAME, "need", "provision", "gap", "gap_class", "reason"]
FIT_COLUMNS = ["rank", s.WARD_CODE, s.WARD_NAME, "score", "reason"]


def _themes(args: argparse.Namespace) -> list[str]:
    themes = []
    if getattr(args, "theme", None):
        themes.append(args.theme)
    if getattr(args, "themes", None):
        themes += [t.strip() for t in args.themes.split(",") if t.strip()]
    return list(dict.fromkeys(themes))


def _print(table: pd.DataFrame, columns: list[str], as_csv: bool) -> None:
    table = table[columns]
    try:
        _write(table, as_csv)
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115


def _write(table: pd.DataFrame, as_csv: bool) -> None:
    if as_csv:
        table.to_csv(sys.stdout, index=False, float_format="%.3f", lineterminator="\n")
    else:
        with pd.option_context("display.max_colwidth", 140, "display.width", 220):
            print(table.to_string(index=False, float_format=lambda v: f"{v:.1f}"))


def cmd_gaps(args: argparse.Namespace) -> int:
    from sector_map.analysis import gap_table_for
    from sector_map.provision import ProvisionOptions

    try:
        pack = load_pack(args.pack)
        options = ProvisionOptions(radius_km=args.radius_km, decay=args.decay)
        table = gap_table_for(pack, _themes(args), options=options, measure=args.measure)
    except (PackError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    _print(table.reset_index(), GAP_COLUMNS, args.csv)
    return 0


def cmd_fit(args: argparse.Namespace) -> int:
    from sector_map import matching
    from sector_map.analysis import need_and_gap_by_theme
    from sector_map.provision import ProvisionOptions

    try:
        pack = load_pack(args.pack)
        if args.org:
            offer = matching.offer_from_org(pack, args.org)
        else:
            themes = _themes(args)
            if not themes:
                raise ValueError(
                    "give --org ORG_ID, or --themes A,B (with --postcode and --reach-km if local)"
                )
            offer = matching.offer_from_description(
                pack, themes=themes, postcode=args.postcode, reach_km=args.reach_km
            )
        need, gap = need_and_gap_by_theme(pack, options=ProvisionOptions(radius_km=args.radius_km))
        table = matching.rank_wards_for_offer(pack, offer, need=need, gap=gap)
    except (PackError, ValueError, KeyError) as exc:
        print(exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc), file=sys.stderr)
        return 1
    _print(table, FIT_COLUMNS, args.csv)
    return 0


def add_commands(sub) -> None:
    """Register ``gaps`` and ``fit`` on the main parser's subcommands."""
    from sector_map.gaps import MEASURES
    from sector_map.provision import DECAYS, DEFAULT_RADIUS_KM

    gaps = sub.add_parser(
        "gaps",
        help="need against provision per ward for a theme: gap score, class and reason",
        description="One row per ward: ward_code, ward_name, need, provision, gap, gap_class, reason.",
    )
    gaps.add_argument("pack", help="pack folder")
    gaps.add_argument("--theme", help=f"a theme id: {', '.join(s.THEME_IDS)}")
    gaps.add_argument("--themes", help="several theme ids, comma-separated (need is their mean)")
    gaps.add_argument("--radius-km", type=float, default=DEFAULT_RADIUS_KM, help="catchment radius")
    gaps.add_argument("--decay", choices=DECAYS, default="none", help="distance decay in the catchment")
    gaps.add_argument("--measure", choices=list(MEASURES), default="access", help="provision measure")
    gaps.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    gaps.set_defaults(func=cmd_gaps)

    fit = sub.add_parser(
        "fit",
        help="wards ranked by the unmet need an organisation's offer could meet",
        description="Ranked wards: rank, ward_code, ward_name, score, reason.",
    )
    fit.add_argument("pack", help="pack folder")
    fit.add_argument("--org", help="an organisation's org_id in the pack")
    fit.add_argument("--themes", help="the offer's theme ids, comma-separated")
    fit.add_argument("--postcode", help="the offer's base postcode (must be in the pack's postcode table)")
    fit.add_argument(
        "--reach-km", type=float, help="how far the offer reaches from its base (none = whole area)"
    )
    fit.add_argument("--radius-km", type=float, default=DEFAULT_RADIUS_KM, help="catchment for provision")
    fit.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    fit.set_defaults(func=cmd_fit)
