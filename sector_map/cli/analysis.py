"""``gaps`` and ``fit``: the analyst's command-line view of gaps and of where an offer fits."""

from __future__ import annotations

import argparse
import os
import sys

import pandas as pd

from sector_map.pack import schema as s
from sector_map.pack.io import PackError, load_pack

# What `gaps` prints: the priority list without its rank (the rows come in rank order).
GAP_COLUMNS = [c for c in s.GAP_LIST_COLUMNS if c != s.RANK]


def _themes(args: argparse.Namespace) -> list[str]:
    themes = []
    if getattr(args, "theme", None):
        themes.append(args.theme)
    if getattr(args, "themes", None):
        themes += [t.strip() for t in args.themes.split(",") if t.strip()]
    return list(dict.fromkeys(themes))


def _print(table: pd.DataFrame, columns: list[str], as_csv: bool) -> None:
    table = table[[c for c in columns if c in table.columns]]
    try:
        write_table(table, as_csv)
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115


def write_table(table: pd.DataFrame, as_csv: bool, *, csv_digits: int = 3, text_digits: int = 1) -> None:
    """A table on stdout: CSV (formula-safe cells) or aligned text, floats to the places given."""
    if as_csv:
        from sector_map.export.tables import safe_table

        safe_table(table).to_csv(
            sys.stdout, index=False, float_format=f"%.{csv_digits}f", lineterminator="\n"
        )
    else:
        with pd.option_context("display.max_colwidth", 140, "display.width", 220):
            print(table.to_string(index=False, float_format=lambda v: f"{v:.{text_digits}f}"))


def cmd_gaps(args: argparse.Namespace) -> int:
    from sector_map.analysis import gaps
    from sector_map.analysis.provision import ProvisionOptions
    from sector_map.analysis.tables import gap_table_for
    from sector_map.views import missing

    try:
        pack = load_pack(args.pack)
        options = ProvisionOptions(radius_km=args.radius_km, decay=args.decay)
        themes = _themes(args)
        result = gap_table_for(pack, themes, options=options, measure=args.measure)
    except (PackError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    # What set the classes (or why none could be set) goes to stderr, so the CSV stays clean.
    said = missing.unclassed_gaps(pack, themes, result) or gaps.provision_basis(
        result, gaps.services_word(themes)
    )
    if said:
        print(said, file=sys.stderr)
    table = result.table
    if args.csv:
        from sector_map.export.tables import with_need_indicators

        table = with_need_indicators(table, pack, themes)
    _print(table.reset_index(), GAP_COLUMNS, args.csv)
    return 0


def cmd_fit(args: argparse.Namespace) -> int:
    from sector_map.analysis import matching
    from sector_map.analysis.provision import ProvisionOptions
    from sector_map.analysis.tables import need_and_gap_by_theme

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
        table = matching.rank_wards_for_offer(pack, offer, need=need, gap=gap).table
        if args.csv:
            from sector_map.export.tables import with_need_indicators

            table = with_need_indicators(table, pack, offer.themes)
    except (PackError, ValueError, KeyError) as exc:
        print(exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc), file=sys.stderr)
        return 1
    _print(table, s.FIT_LIST_COLUMNS, args.csv)
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``gaps`` and ``fit`` on the main parser's subcommands."""
    from sector_map.analysis.gaps import MEASURES
    from sector_map.analysis.provision import DECAYS, DEFAULT_RADIUS_KM

    gaps = sub.add_parser(
        "gaps",
        help="need against provision per ward for a theme: gap score, class and reason",
        description=(
            "One row per ward: ward_code, ward_name, need, provision (from located services: a site "
            "or listed wards), provision_area_wide, services_located, services_area_wide, gap, "
            "gap_class, reason (and with --csv, need_indicators: the indicators and weights behind "
            "need). A line on stderr says what set the classes, or why provision cannot tell wards "
            "apart (then every gap_class is 'provision not known')."
        ),
    )
    gaps.add_argument("pack", help="pack folder")
    gaps.add_argument("--theme", help=f"a theme id: {', '.join(s.THEME_IDS)}")
    gaps.add_argument("--themes", help="several theme ids, comma-separated (need is their mean)")
    gaps.add_argument("--radius-km", type=float, default=DEFAULT_RADIUS_KM, help="catchment radius")
    gaps.add_argument("--decay", choices=DECAYS, default="none", help="distance decay in the catchment")
    gaps.add_argument("--measure", choices=list(MEASURES), default=s.ACCESS, help="provision measure")
    gaps.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    gaps.set_defaults(func=cmd_gaps)

    fit = sub.add_parser(
        "fit",
        help="wards ranked by the unmet need an organisation's offer could meet",
        description=(
            "Ranked wards: rank, ward_code, ward_name, score, in_reach, reason (and with --csv, "
            "need_indicators). Wards beyond the offer's reach have no rank."
        ),
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


def cmd_export(args: argparse.Namespace) -> int:
    from sector_map.analysis import subject
    from sector_map.analysis import tables as analysis
    from sector_map.export import maps as export
    from sector_map.views import classify

    try:
        pack = load_pack(args.pack)
        options = export.ExportOptions(
            paper=args.paper,
            orientation=args.orientation,
            fmt=args.format,
            title=args.title,
            show_organisations=args.organisations,
            dpi=args.dpi,
        )
        if args.kind == "ward-map":
            from sector_map.export import charts as export_charts

            if not args.ward:
                raise ValueError("give --ward CODE for a ward map")
            data, alt = export_charts.ward_map(pack, args.ward, options=options)
        elif args.kind == "chart":
            from sector_map.export import charts as export_charts

            themes = analysis.check_themes(_themes(args))
            table = analysis.gap_table_for(pack, themes).table
            data, alt = export_charts.scatter_chart(pack, table, themes=themes, options=options)
        elif args.kind == "gap-map":
            themes = _themes(args)
            table = analysis.gap_table_for(pack, themes).table
            data, alt = export.gap_map(pack, table, themes=analysis.check_themes(themes), options=options)
        else:
            if bool(args.indicator) == bool(args.theme):
                raise ValueError("give either --indicator ID or --theme THEME")
            if args.indicator:
                subj = subject.indicator_subject(pack, args.indicator, wide=pack.indicator_wide())
            else:
                analysis.check_themes([args.theme])
                subj = subject.theme_subject(pack, args.theme, scores=analysis.need_scores(pack))
            classes = classify.classify(subj.values, scheme=args.classes, k=args.k)
            colours = classify.class_colours(
                classes.k_effective, higher_is=subj.meta.higher_is, palette_name=args.palette
            )
            data, alt = export.need_map(pack, subj, classes, colours, options=options)
    except (PackError, ValueError, KeyError) as exc:
        print(exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc), file=sys.stderr)
        return 1
    out = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"Wrote {out} ({len(data) / 1000:,.0f} KB).")
    print(f"Alt text: {alt}")
    return 0


def add_export_command(sub: argparse._SubParsersAction) -> None:
    from pathlib import Path

    from sector_map.export import maps as export
    from sector_map.views import classify

    p = sub.add_parser(
        "export",
        help="a print-ready map (PNG 300 dpi, SVG or PDF) with legend, scale bar and sources",
        description="Writes the file and prints its alt text.",
    )
    p.add_argument("pack", help="pack folder")
    p.add_argument("--kind", choices=("need-map", "gap-map", "ward-map", "chart"), default="need-map")
    p.add_argument("--ward", help="a ward code (ward-map)")
    p.add_argument("--indicator", help="an indicator id (need-map)")
    p.add_argument("--theme", help="a theme id: its need index (need-map) or its gaps (gap-map)")
    p.add_argument("--themes", help="several theme ids, comma-separated (gap-map)")
    p.add_argument("--format", choices=export.FORMATS, default="png")
    p.add_argument("--paper", choices=tuple(export.PAPER), default="a4")
    p.add_argument("--orientation", choices=export.ORIENTATIONS, default="landscape")
    p.add_argument("--classes", choices=tuple(classify.SCHEMES), default=classify.DEFAULT_SCHEME)
    p.add_argument("--k", type=int, default=classify.DEFAULT_K, help="number of classes (3–7)")
    p.add_argument("--palette", choices=tuple(classify.PALETTES), default=classify.DEFAULT_PALETTE)
    p.add_argument("--title", help="title (default: written from what is shown)")
    p.add_argument("--organisations", action="store_true", help="draw organisations as points")
    p.add_argument("--dpi", type=int, default=300, help="PNG resolution (default 300, print quality)")
    p.add_argument("--out", type=Path, required=True, help="file to write")
    p.set_defaults(func=cmd_export)
