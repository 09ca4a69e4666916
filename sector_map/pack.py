"""Load, validate and save a data pack: the one contract between importers and pages.

A pack is a folder (see DESIGN.md): ``manifest.json``, ``wards.parquet`` (GeoParquet),
``indicators.parquet`` + ``indicators.json``, ``organisations.parquet`` (GeoParquet),
``services.parquet`` and ``assets.parquet`` (GeoParquet). Validation names the file, the
column and the rows at fault, in plain English, so a user can fix the input.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from sector_map import schema as s
from sector_map.validate import PackError, Problem, has_location, validate_pack

__all__ = ["Pack", "PackError", "Problem", "load_pack", "save_pack", "validate_pack", "find_packs"]


@dataclass
class Pack:
    """Everything the app shows about one area, already validated."""

    manifest: dict
    wards: gpd.GeoDataFrame
    indicators: pd.DataFrame
    indicator_meta: dict[str, s.IndicatorMeta]
    organisations: gpd.GeoDataFrame
    services: pd.DataFrame
    assets: gpd.GeoDataFrame
    path: Path | None = None
    warnings: list[Problem] = field(default_factory=list)
    postcodes: pd.DataFrame | None = None  # optional: postcode, lon, lat for placing uploads

    @property
    def name(self) -> str:
        return str(self.manifest.get("name", "Unnamed area"))

    @property
    def is_demo(self) -> bool:
        return bool(self.manifest.get("demo", False))

    @property
    def sources(self) -> list[dict]:
        return list(self.manifest.get("sources", []))

    def indicator_wide(self) -> pd.DataFrame:
        """Indicator values as one row per ward and one column per indicator id."""
        wide = self.indicators.pivot_table(
            index=s.WARD_CODE, columns=s.INDICATOR_ID, values=s.VALUE, aggfunc="first"
        )
        wide = wide.reindex(index=self.wards[s.WARD_CODE], columns=list(self.indicator_meta))
        wide.columns.name = None
        return wide

    def summary(self) -> dict[str, int]:
        return {
            "wards": len(self.wards),
            "indicators": len(self.indicator_meta),
            "organisations": len(self.organisations),
            "services": len(self.services),
            "assets": len(self.assets),
            "sources": len(self.sources),
        }


def pack_version(path: Path) -> str:
    """A cheap fingerprint of a pack folder (file names, sizes, mtimes) for cache keys."""
    parts = []
    for f in sorted(Path(path).glob("*")):
        st = f.stat()
        parts.append(f"{f.name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:12]


# --- loading ------------------------------------------------------------------------------
def load_pack(path: str | os.PathLike) -> Pack:
    """Read and validate the pack in folder ``path``; raise :class:`PackError` if unusable."""
    path = Path(path)
    if not path.is_dir():
        raise PackError([Problem(str(path), "this folder does not exist; build a pack there first")])
    problems: list[Problem] = []

    manifest = _read_json(path / s.MANIFEST_FILE, problems)
    meta_raw = _read_json(path / s.INDICATOR_META_FILE, problems)
    wards = _read_table(path / s.WARDS_FILE, problems, geo=True)
    indicators = _read_table(path / s.INDICATORS_FILE, problems, geo=False)
    organisations = _read_table(path / s.ORGANISATIONS_FILE, problems, geo=True)
    services = _read_table(path / s.SERVICES_FILE, problems, geo=False)
    assets = _read_table(path / s.ASSETS_FILE, problems, geo=True)
    if problems:
        raise PackError(problems)

    meta: dict[str, s.IndicatorMeta] = {}
    if not isinstance(meta_raw, list):
        raise PackError([Problem(s.INDICATOR_META_FILE, "must be a JSON list of indicator entries")])
    for i, entry in enumerate(meta_raw):
        if not isinstance(entry, dict) or "id" not in entry:
            problems.append(Problem(s.INDICATOR_META_FILE, "entry has no `id`", rows=(i,)))
            continue
        m = s.IndicatorMeta.from_dict(entry)
        meta[m.id] = m
    if problems:
        raise PackError(problems)

    postcodes = None
    if (path / s.POSTCODES_FILE).exists():
        postcodes = _read_table(path / s.POSTCODES_FILE, problems, geo=False)
        if problems:
            raise PackError(problems)
    pack = Pack(
        manifest=manifest,
        wards=wards,
        indicators=indicators,
        indicator_meta=meta,
        organisations=organisations,
        services=services,
        assets=assets,
        path=path,
        postcodes=postcodes,
    )
    pack.warnings = validate_pack(pack)
    return pack


def _read_json(path: Path, problems: list[Problem]):
    if not path.exists():
        problems.append(Problem(path.name, "file is missing"))
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem(path.name, f"is not valid JSON ({exc})"))
        return None


def _read_table(path: Path, problems: list[Problem], *, geo: bool):
    if not path.exists():
        problems.append(Problem(path.name, "file is missing"))
        return None
    try:
        if geo:
            return gpd.read_parquet(path)
        return pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is reported in plain words
        kind = "GeoParquet" if geo else "Parquet"
        problems.append(Problem(path.name, f"could not be read as {kind} ({exc})"))
        return None


# --- saving -------------------------------------------------------------------------------
def save_pack(pack: Pack, path: str | os.PathLike) -> Path:
    """Validate ``pack`` and write it to folder ``path`` (created if needed).

    Files are written to a temporary folder first and swapped in, so a failed save never
    leaves a half-written pack behind.
    """
    pack.warnings = validate_pack(pack)
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp-writing")
    if tmp.exists():
        _remove_tree(tmp)
    tmp.mkdir(parents=True)
    manifest = dict(pack.manifest)
    manifest.setdefault("built_at", datetime.now(UTC).isoformat(timespec="seconds"))
    (tmp / s.MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    meta = [m.to_dict() for m in pack.indicator_meta.values()]
    (tmp / s.INDICATOR_META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    pack.wards.to_parquet(tmp / s.WARDS_FILE, index=False)
    pack.indicators.to_parquet(tmp / s.INDICATORS_FILE, index=False)
    pack.organisations.to_parquet(tmp / s.ORGANISATIONS_FILE, index=False)
    pack.services.to_parquet(tmp / s.SERVICES_FILE, index=False)
    pack.assets.to_parquet(tmp / s.ASSETS_FILE, index=False)
    if pack.postcodes is not None:
        pack.postcodes.to_parquet(tmp / s.POSTCODES_FILE, index=False)
    if path.exists():
        old = path.with_name(path.name + ".tmp-old")
        if old.exists():
            _remove_tree(old)
        path.rename(old)
        tmp.rename(path)
        _remove_tree(old)
    else:
        tmp.rename(path)
    pack.path = path
    return path


def _remove_tree(path: Path) -> None:
    for child in path.iterdir():
        child.unlink()
    path.rmdir()


def describe(pack: Pack) -> str:
    """A short plain-text summary for the command line."""
    counts = pack.summary()
    located = has_location(pack.organisations.geometry)
    lines = [
        f"{pack.name}{' (fictional demo data)' if pack.is_demo else ''}",
        f"  wards:         {counts['wards']}",
        f"  indicators:    {counts['indicators']}",
        f"  organisations: {counts['organisations']} ({int(located.sum())} with a location)",
        f"  services:      {counts['services']}",
        f"  assets:        {counts['assets']}",
        f"  sources:       {counts['sources']}",
    ]
    for src in pack.sources:
        lines.append(
            f"    - {src.get('title')} ({src.get('publisher')}, {src.get('vintage', '')}; {src.get('licence')})"
        )
    if pack.warnings:
        lines.append("  warnings:")
        lines.extend(f"    - {w.message()}" for w in pack.warnings)
    return "\n".join(lines)


def find_packs(root: str | os.PathLike) -> list[Path]:
    """Pack folders (those holding a manifest) directly under ``root``, demo first, then by name."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.is_dir() and (p / s.MANIFEST_FILE).exists()]
    return sorted(found, key=lambda p: (p.name != "demo", p.name.lower()))
