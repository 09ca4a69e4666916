"""Command line: ``check PACK_DIR``, ``demo --out DIR`` and ``build-pack RECIPE.toml --out DIR``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# Beside the repository (see README: real data); only the default of `demo --postcodes`.
CODEPOINT = Path(__file__).resolve().parents[3] / "shared/data/postcodes/codepoint_open_2025-10_gb_all.csv.gz"


def _cmd_check(args: argparse.Namespace) -> int:
    from sector_map.pack.io import PackError, describe, load_pack

    try:
        pack = load_pack(args.pack)
    except PackError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(describe(pack))
    print("OK: the pack is valid.")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from sector_map.demo.make import write_demo_pack
    from sector_map.demo.scale import write_scale_pack
    from sector_map.pack.errors import InputError
    from sector_map.pack.io import PackError, describe, load_pack

    if args.scale is not None and (args.base is None or args.scale < 1):
        print("--scale needs a number above 0 and --base, the pack to add organisations to", file=sys.stderr)
        return 2
    start = time.perf_counter()
    try:
        if args.scale is None:
            out = write_demo_pack(Path(args.out), seed=args.seed)
        else:
            out = write_scale_pack(
                args.base, args.postcodes, Path(args.out), organisations=args.scale, seed=args.seed
            )
    except (InputError, PackError, OSError, ValueError) as exc:
        print(f"Could not write the demo pack: {exc}", file=sys.stderr)
        return 1
    pack = load_pack(out)
    print(f"Wrote the fictional pack to {out} in {time.perf_counter() - start:.1f} s")
    print(describe(pack))
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from sector_map.build.builder import build_pack, summary_text
    from sector_map.pack.errors import InputError
    from sector_map.pack.io import PackError

    out = Path(args.out)
    try:
        result = build_pack(Path(args.recipe), out, progress=None if args.quiet else _say)
    except (InputError, PackError) as exc:
        print(f"\nCould not build the pack: {exc}", file=sys.stderr)
        state = "is unchanged" if out.exists() else "was not created"
        print(f"Nothing was written; {out} {state}.", file=sys.stderr)
        return 1
    print(summary_text(result))
    return 0


def _say(message: str) -> None:
    print(message, flush=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sector_map",
        description="sector-map: the voluntary and community sector over ward-level need.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate a data pack and print a short summary")
    check.add_argument("pack", help="folder holding manifest.json, wards.parquet, ...")
    check.set_defaults(func=_cmd_check)
    demo = sub.add_parser("demo", help="write the fictional demo borough as a data pack")
    demo.add_argument(
        "--out",
        required=True,
        help="folder to write: new, empty, or a pack (replaced whole); any other folder is refused",
    )
    demo.add_argument("--seed", type=int, default=20261122, help="random seed (same seed, same pack)")
    demo.add_argument(
        "--scale",
        type=int,
        metavar="N",
        help="instead of the demo borough: the --base pack's wards with N fictional organisations",
    )
    demo.add_argument("--base", help="with --scale: the pack whose wards and indicators are kept")
    demo.add_argument(
        "--postcodes",
        default=str(CODEPOINT),
        help="with --scale: a Code-Point Open CSV; organisations sit at its live English postcodes",
    )
    demo.set_defaults(func=_cmd_demo)
    build = sub.add_parser(
        "build-pack",
        help="build a pack for a real area from official downloads named in a TOML recipe",
        description="Build a data pack from the files a recipe names (see README: Build a pack).",
    )
    build.add_argument("recipe", help="the recipe (.toml); relative paths in it resolve from its folder")
    build.add_argument(
        "--out",
        required=True,
        help="pack folder to write: new, empty, or a pack (replaced whole, only on success); "
        "any other folder is refused and left as it is",
    )
    build.add_argument("--quiet", action="store_true", help="print only the closing summary")
    build.set_defaults(func=_cmd_build)
    from sector_map.cli.analysis import add_commands, add_export_command

    add_commands(sub)
    add_export_command(sub)
    from sector_map.cli.directory import add_directory_command

    add_directory_command(sub)
    from sector_map.cli.reach import add_reach_command

    add_reach_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["directory"]:  # its commands need none of the pack, analysis or export modules
        from sector_map.cli.directory import add_directory_command

        parser = argparse.ArgumentParser(prog="python -m sector_map")
        add_directory_command(parser.add_subparsers(dest="command", required=True))
        args = parser.parse_args(argv)
        return int(args.func(args))
    args = build_parser().parse_args(argv)
    return int(args.func(args))
