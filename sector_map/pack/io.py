"""Load, validate and save a data pack: the one contract between importers and pages.

A pack is a folder: ``manifest.json``, ``wards.parquet`` (GeoParquet), ``indicators.parquet`` +
``indicators.json``, ``organisations.parquet`` (GeoParquet), ``services.parquet`` and
``assets.parquet`` (GeoParquet), and optionally ``postcodes.parquet`` and ``lsoas.parquet``; the contract is written out in ``docs/data-pack.md``. Validation
names the file, the column and the rows at fault, in plain English, so a user can fix the input.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import geopandas as gpd
import numpy as np
import pandas as pd

from sector_map.pack import schema as s
from sector_map.pack.validate import PackError, Problem, has_location, validate_pack

if TYPE_CHECKING:
    from sector_map.pack.corrections import AsBuilt

_Frame = TypeVar("_Frame", bound=pd.DataFrame)

__all__ = [
    "Pack",
    "PackError",
    "Problem",
    "find_packs",
    "load_pack",
    "pack_revision",
    "pack_version",
    "save_pack",
    "validate_pack",
]


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
    postcodes: pd.DataFrame | None = None  # optional: postcode, lon, lat (, lsoa_code) for placing uploads
    # optional: the LSOAs best-fitted to the wards, their population and national IoD ranks/deciles
    lsoas: pd.DataFrame | None = None
    revision: str = ""  # the folder's revision when loaded or saved (see pack_revision)
    # the themes officers' corrections replaced on load (corrections.AsBuilt); saves write these
    as_built: AsBuilt | None = None
    # what was laid over the published pack ("" for none): the live directory's stamp, for cache
    # keys (sector_map.directory.overlay)
    overlay: str = ""

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
    """A cheap fingerprint of a pack folder (file names, sizes, mtimes, revision) for cache keys."""
    from sector_map.pack.corrections import corrections_path  # corrections beside the pack count too

    stamps = _file_stamps(Path(path)) + _file_stamps(corrections_path(path))
    return hashlib.sha1("|".join([pack_revision(path), *stamps]).encode()).hexdigest()[:12]


def _file_stamps(path: Path) -> list[str]:
    """``name:size:mtime`` of each file in the folder (files removed meanwhile are skipped)."""
    stamps = []
    for f in sorted(path.glob("*")) if path.is_dir() else [path]:
        try:
            st = f.stat()
        except OSError:
            continue
        stamps.append(f"{f.name}:{st.st_size}:{st.st_mtime_ns}")
    return stamps


def pack_revision(path: str | os.PathLike) -> str:
    """The revision of the pack in folder ``path``: new with every save ("" if there is no pack).

    :func:`save_pack` writes a fresh ``revision`` into the manifest; for a pack written by an
    older version it is a hash of the manifest and the files' names, sizes and times.
    """
    path = Path(path)
    try:
        raw = (path / s.MANIFEST_FILE).read_bytes()
    except OSError:
        return ""
    try:
        manifest = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        manifest = None
    if isinstance(manifest, dict) and manifest.get("revision"):
        return str(manifest["revision"])
    parts = [hashlib.sha1(raw).hexdigest(), *_file_stamps(path)]
    return "files-" + hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


# --- loading ------------------------------------------------------------------------------
_READ_ATTEMPTS = 5


def load_pack(path: str | os.PathLike) -> Pack:
    """Read and validate the pack in folder ``path``; raise :class:`PackError` if unusable.

    Packs are read without a lock, so a save may swap the folder while it is read: the read is
    repeated when the pack's revision changed meanwhile, and the pack returned is one revision.
    List columns (themes, client groups, wards served...) come back as Python lists, never as
    the numpy arrays Parquet hands back.
    """
    path = Path(path)
    for attempt in range(_READ_ATTEMPTS):
        before = pack_revision(path)
        try:
            pack = _load_once(path)
        except PackError:
            if attempt + 1 < _READ_ATTEMPTS and pack_revision(path) != before:
                continue
            raise
        if pack_revision(path) == before:
            pack.revision = before
            return pack
    pack.revision = before
    return pack


def _lists_from_arrays(df: _Frame) -> _Frame:
    """Object columns holding numpy arrays (Parquet list columns) as Python lists, in place."""
    for col in df.columns:
        if df[col].dtype != object:
            continue
        values = df[col].tolist()
        if any(isinstance(v, np.ndarray) for v in values):
            df[col] = pd.Series(
                [v.tolist() if isinstance(v, np.ndarray) else v for v in values], index=df.index, dtype=object
            )
    return df


def _load_once(path: Path) -> Pack:
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
    # A table is None only when a problem was recorded, so none is None here.
    assert wards is not None and indicators is not None and organisations is not None
    assert services is not None and assets is not None

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

    postcodes = lsoas = None
    if (path / s.POSTCODES_FILE).exists():
        postcodes = _read_table(path / s.POSTCODES_FILE, problems, geo=False)
    if (path / s.LSOAS_FILE).exists():
        lsoas = _read_table(path / s.LSOAS_FILE, problems, geo=False)
    if problems:
        raise PackError(problems)
    from sector_map.pack.corrections import apply_saved_corrections  # officers' theme corrections

    organisations, services, corrected, built = apply_saved_corrections(path, organisations, services)
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
        lsoas=lsoas,
        as_built=built,
    )
    pack.warnings = validate_pack(pack) + corrected
    return pack


def _read_json(path: Path, problems: list[Problem]) -> Any:
    if not path.exists():
        problems.append(Problem(path.name, "file is missing"))
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem(path.name, f"is not valid JSON ({exc})"))
        return None


@overload
def _read_table(path: Path, problems: list[Problem], *, geo: Literal[True]) -> gpd.GeoDataFrame | None: ...
@overload
def _read_table(path: Path, problems: list[Problem], *, geo: Literal[False]) -> pd.DataFrame | None: ...
def _read_table(path: Path, problems: list[Problem], *, geo: bool) -> pd.DataFrame | None:
    """The table at ``path``, or None when it is missing or unreadable (a problem says so)."""
    if not path.exists():
        problems.append(Problem(path.name, "file is missing"))
        return None
    try:
        return _lists_from_arrays(gpd.read_parquet(path) if geo else pd.read_parquet(path))
    except Exception as exc:  # noqa: BLE001 - any reader failure is reported in plain words
        kind = "GeoParquet" if geo else "Parquet"
        problems.append(Problem(path.name, f"could not be read as {kind} ({exc})"))
        return None


# --- saving -------------------------------------------------------------------------------
def save_pack(pack: Pack, path: str | os.PathLike, *, new: bool = False, locked: bool = False) -> Path:
    """Validate ``pack`` and write it to folder ``path``, replacing the pack there if any.

    Goes through :func:`sector_map.pack.store.write_folder`: the pack's file lock, a fresh
    temporary folder and an atomic swap, so a failed or concurrent save never leaves a half-written
    or mixed pack, and an existing pack is either replaced whole or left byte-for-byte as it was.
    Each write gets a new ``revision`` in the manifest (see :func:`pack_revision`).

    Args:
        new: refuse if ``path`` exists (checked under the lock).
        locked: the caller already holds :func:`sector_map.pack.store.pack_lock` for ``path``.

    Raises:
        PackError: the pack is not valid (nothing is written).
        InputError: ``path`` is taken (``new``), is a file, or is a non-empty folder that is
            not a pack; or another write of it did not finish in time.
    """
    from sector_map.pack.store import new_revision, write_folder

    pack.warnings = validate_pack(pack)
    manifest = dict(pack.manifest)
    manifest.setdefault("built_at", datetime.now(UTC).isoformat(timespec="seconds"))
    manifest["revision"] = new_revision()
    path = Path(path)
    write_folder(path, lambda tmp: _write_files(pack, manifest, tmp), new=new, locked=locked)
    pack.manifest = manifest
    pack.path = path
    pack.revision = manifest["revision"]
    return path


def _write_files(pack: Pack, manifest: dict, folder: Path) -> None:
    (folder / s.MANIFEST_FILE).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    meta = [m.to_dict() for m in pack.indicator_meta.values()]
    (folder / s.INDICATOR_META_FILE).write_text(
        json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    pack.wards.to_parquet(folder / s.WARDS_FILE, index=False)
    pack.indicators.to_parquet(folder / s.INDICATORS_FILE, index=False)
    from sector_map.pack.corrections import as_built  # the files keep the themes as built

    organisations, services = as_built(pack.organisations, pack.services, pack.as_built)
    organisations.to_parquet(folder / s.ORGANISATIONS_FILE, index=False)
    services.to_parquet(folder / s.SERVICES_FILE, index=False)
    pack.assets.to_parquet(folder / s.ASSETS_FILE, index=False)
    if pack.postcodes is not None:
        pack.postcodes.to_parquet(folder / s.POSTCODES_FILE, index=False)
    if pack.lsoas is not None:
        pack.lsoas.to_parquet(folder / s.LSOAS_FILE, index=False)


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
        *([f"  LSOAs:         {len(pack.lsoas)}"] if pack.lsoas is not None else []),
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
    """Pack folders (those holding a manifest) directly under ``root``, demo first, then by name.

    Hidden folders (a leading dot) are never packs: that is where pack writes keep their
    temporary folders (see :mod:`sector_map.pack.store`), as are the names older versions used.
    """
    from sector_map.pack.store import is_leftover

    root = Path(root)
    if not root.is_dir():
        return []
    found = [
        p
        for p in root.iterdir()
        if not p.name.startswith(".")
        and not is_leftover(p.name)
        and p.is_dir()
        and (p / s.MANIFEST_FILE).exists()
    ]
    return sorted(found, key=lambda p: (p.name != "demo", p.name.lower()))
