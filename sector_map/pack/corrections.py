"""Officers' corrections to organisations' themes, kept beside the pack so they survive a rebuild.

A pack folder ``packs/trafford`` has its corrections in ``packs/trafford.corrections.json``: beside
the folder, never inside it, because every save and rebuild replaces the folder. Each correction
names the organisation by charity number when it has one (the number survives a rebuild from a
newer register extract) and by org id otherwise, and gives the themes it should have and why::

    {"version": 1, "corrections": [
        {"charity_number": "1093101", "org_id": "ccew-1093101", "name": "Manchester Muslim Funeral
         Committee", "themes": ["community_cohesion"], "note": "funeral services, not poverty",
         "saved": "2026-11-30T03:10:00+00:00"}]}

:func:`apply_corrections` runs whenever a pack is loaded: the organisation's themes and its
services' themes are replaced, and every theme's reason says it was corrected and why. The pack
keeps the themes they replaced (:class:`AsBuilt`), and every save writes those back
(:func:`as_built`), so the pack's files always hold the themes as built: undoing a correction
after a file was added to the pack gives the built themes back. Writes go
through the pack's lock (:func:`sector_map.pack.store.pack_lock`) and an atomic rename.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pandas as pd

from sector_map.pack import schema as s
from sector_map.pack.errors import InputError
from sector_map.pack.schema import THEMES_REASON
from sector_map.pack.store import pack_lock
from sector_map.pack.validate import Problem
from sector_map.pack.values import as_list

__all__ = [
    "CORRECTED",
    "AsBuilt",
    "Correction",
    "apply_corrections",
    "as_built",
    "apply_saved_corrections",
    "copy_corrections",
    "corrections_path",
    "read_corrections",
    "remove_correction",
    "save_correction",
]

CORRECTED = "corrected by an officer"
_VERSION = 1
# The tables come back as the kind they came in (a GeoDataFrame stays one).
_Orgs = TypeVar("_Orgs", bound=pd.DataFrame)
_Services = TypeVar("_Services", bound=pd.DataFrame)


@dataclass(frozen=True)
class Correction:
    """The themes one organisation should have, and why."""

    themes: tuple[str, ...]
    note: str = ""
    charity_number: str = ""
    org_id: str = ""
    name: str = ""
    saved: str = field(default="", compare=False)

    @property
    def key(self) -> str:
        """What it is matched on: the charity number if known, else the org id."""
        return f"charity {self.charity_number}" if self.charity_number else f"org {self.org_id}"

    def reason(self) -> str:
        return f"{CORRECTED}: {self.note}" if self.note else CORRECTED


def corrections_path(folder: str | os.PathLike) -> Path:
    """``NAME.corrections.json`` beside the pack folder ``NAME``."""
    folder = Path(folder)
    return folder.parent / f"{folder.name}.corrections.json"


def read_corrections(folder: str | os.PathLike) -> list[Correction]:
    """The corrections of the pack in ``folder`` ([] when there are none).

    Raises:
        InputError: the file is not a corrections file; the message names it and the fix.
    """
    path = corrections_path(folder)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return []
    try:
        data = json.loads(raw)
        rows = data["corrections"]
        return [
            Correction(
                themes=tuple(str(t) for t in row.get("themes", [])),
                note=str(row.get("note", "")),
                charity_number=str(row.get("charity_number") or ""),
                org_id=str(row.get("org_id") or ""),
                name=str(row.get("name", "")),
                saved=str(row.get("saved", "")),
            )
            for row in rows
        ]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(
            path.name,
            f"is not a list of theme corrections ({exc.__class__.__name__}: {exc})",
            hint=f"Fix or delete {path} to drop the corrections; the pack itself is unaffected",
        ) from exc


def _write(folder: Path, corrections: list[Correction]) -> None:
    path = corrections_path(folder)
    body = {"version": _VERSION, "corrections": [asdict(c) | {"themes": list(c.themes)} for c in corrections]}
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(body, f, indent=1, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_correction(folder: str | os.PathLike, correction: Correction) -> list[Correction]:
    """Add or replace the correction for one organisation, under the pack's lock; all corrections.

    Raises:
        InputError: unknown theme ids, no charity number or org id, or the lock is held too long.
    """
    file = corrections_path(folder).name
    unknown = sorted(set(correction.themes) - set(s.THEME_IDS))
    if unknown:
        raise InputError(file, f"unknown theme(s) {', '.join(unknown)}", hint=f"Use {', '.join(s.THEME_IDS)}")
    if not (correction.charity_number or correction.org_id):
        raise InputError(file, "a correction needs the organisation's charity number or org id")
    order = {t: i for i, t in enumerate(s.THEME_IDS)}
    fixed = Correction(
        themes=tuple(sorted(set(correction.themes), key=order.__getitem__)),
        note=correction.note.strip(),
        charity_number=correction.charity_number.strip(),
        org_id=correction.org_id.strip(),
        name=correction.name,
        saved=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    folder = Path(folder)
    with pack_lock(folder):
        kept = [c for c in read_corrections(folder) if c.key != fixed.key]
        _write(folder, [*kept, fixed])
        return [*kept, fixed]


def remove_correction(folder: str | os.PathLike, key: str) -> list[Correction]:
    """Drop the correction with this :attr:`Correction.key`, under the pack's lock; those left."""
    folder = Path(folder)
    with pack_lock(folder):
        kept = [c for c in read_corrections(folder) if c.key != key]
        _write(folder, kept)
        return kept


def copy_corrections(built: AsBuilt | None, target: str | os.PathLike) -> list[Correction]:
    """Give the pack in ``target`` (one saved as a new pack from a corrected pack) the corrections
    that were applied to it, under the target's lock; the corrections written ([] for none).
    """
    corrections = list(built.corrections) if built is not None else []
    if corrections:
        target = Path(target)
        with pack_lock(target):
            _write(target, corrections)
    return corrections


def _matches(orgs: pd.DataFrame, c: Correction) -> pd.Series:
    if c.charity_number and s.CHARITY_NUMBER in orgs:
        return orgs[s.CHARITY_NUMBER].astype("string").str.strip().eq(c.charity_number).fillna(False)
    return orgs[s.ORG_ID].astype("string").eq(c.org_id).fillna(False)


@dataclass(frozen=True)
class AsBuilt:
    """The themes that corrections replaced, as the pack's files hold them, so a save can write
    the files back as built (corrections stay beside the pack and are applied again on load).

    ``organisations`` maps an org id to its built (themes, themes reason); ``services`` a
    service id to its built themes; ``reason_column`` says whether the files had a reason column;
    ``corrections`` are the corrections read with the pack (a pack saved as a new one takes them).
    """

    organisations: dict[str, tuple[list, object]] = field(default_factory=dict)
    services: dict[str, list] = field(default_factory=dict)
    reason_column: bool = True
    corrections: tuple[Correction, ...] = ()  # all the corrections read with the pack


def apply_corrections(
    organisations: _Orgs, services: _Services, corrections: list[Correction]
) -> tuple[_Orgs, _Services, list[Correction], AsBuilt | None]:
    """Organisations and services with corrected themes (copies), the corrections not matched,
    and the themes they replaced (``None`` when nothing was corrected).

    A corrected organisation's services all take its corrected themes; every theme's reason is
    "corrected by an officer: <note>". An organisation with no service gets none here: its
    themes change, and the service list is left as it was built.
    """
    if not corrections:
        return organisations, services, [], None
    orgs, svcs = organisations.copy(), services.copy()
    built = AsBuilt(reason_column=THEMES_REASON in orgs, corrections=tuple(corrections))
    if THEMES_REASON not in orgs:
        orgs[THEMES_REASON] = pd.Series(pd.NA, index=orgs.index, dtype="string")
    unmatched = []
    for c in corrections:
        hit = _matches(orgs, c)
        if not hit.any():
            unmatched.append(c)
            continue
        for org_id, themes, reason in orgs.loc[hit, [s.ORG_ID, s.THEMES, THEMES_REASON]].itertuples(
            index=False
        ):
            built.organisations.setdefault(str(org_id), (as_list(themes), reason))
        themes = list(c.themes)
        orgs.loc[hit, s.THEMES] = pd.Series([themes] * int(hit.sum()), index=orgs.index[hit], dtype=object)
        orgs.loc[hit, THEMES_REASON] = "; ".join([c.reason()] * len(themes))
        ids = set(orgs.loc[hit, s.ORG_ID])
        on = svcs[s.ORG_ID].isin(ids) if s.ORG_ID in svcs else pd.Series(False, index=svcs.index)
        if on.any():
            if s.SERVICE_ID in svcs:
                for service_id, was in svcs.loc[on, [s.SERVICE_ID, s.THEMES]].itertuples(index=False):
                    if pd.notna(service_id):
                        built.services.setdefault(str(service_id), as_list(was))
            svcs.loc[on, s.THEMES] = pd.Series([themes] * int(on.sum()), index=svcs.index[on], dtype=object)
    for df in (orgs, svcs):
        if s.THEMES in df:
            df[s.THEMES] = df[s.THEMES].map(as_list)
    return orgs, svcs, unmatched, built if built.organisations else None


def as_built(organisations: _Orgs, services: _Services, built: AsBuilt | None) -> tuple[_Orgs, _Services]:
    """Organisations and services with corrected themes put back as built, for writing the pack.

    Only rows that still carry a correction are put back: an organisation whose themes an upload
    has replaced since (its reason no longer says "corrected by an officer") keeps the upload's,
    and a service keeps its themes unless they are still its corrected organisation's.
    """
    if built is None or s.THEMES not in organisations:
        return organisations, services
    orgs, svcs = organisations.copy(), services.copy()
    corrected_themes: dict[str, list] = {}
    if THEMES_REASON in orgs:
        for i, org_id, themes, reason in orgs[[s.ORG_ID, s.THEMES, THEMES_REASON]].itertuples():
            was = built.organisations.get(str(org_id))
            if was is None or not str(reason if pd.notna(reason) else "").startswith(CORRECTED):
                continue
            corrected_themes[str(org_id)] = as_list(themes)
            # pandas-stubs types a cell as a scalar; these object columns hold lists and text
            orgs.at[i, s.THEMES] = was[0]  # type: ignore[assignment]
            orgs.at[i, THEMES_REASON] = was[1]  # type: ignore[assignment]
        if not built.reason_column and orgs[THEMES_REASON].isna().all():
            orgs = orgs.drop(columns=THEMES_REASON)  # only the corrections had put it there
    if {s.SERVICE_ID, s.ORG_ID, s.THEMES} <= set(svcs.columns):
        for i, service_id, org_id, themes in svcs[[s.SERVICE_ID, s.ORG_ID, s.THEMES]].itertuples():
            built_themes = built.services.get(str(service_id))
            if built_themes is not None and corrected_themes.get(str(org_id)) == as_list(themes):
                svcs.at[i, s.THEMES] = built_themes  # type: ignore[assignment]  # a list cell, as above
    return orgs, svcs


def apply_saved_corrections(
    folder: str | os.PathLike, organisations: _Orgs, services: _Services
) -> tuple[_Orgs, _Services, list[Problem], AsBuilt | None]:
    """:func:`apply_corrections` with the pack's saved corrections; problems become warnings.

    A broken corrections file never stops a pack from loading: it is reported and ignored.
    """
    try:
        saved = read_corrections(folder)
    except InputError as exc:
        return organisations, services, [exc.problem], None
    orgs, svcs, unmatched, built = apply_corrections(organisations, services, saved)
    problems = []
    if unmatched:
        which = ", ".join(c.name or c.key for c in unmatched[:5])
        problems.append(
            Problem(
                corrections_path(folder).name,
                f"{len(unmatched)} theme correction(s) match no organisation in this pack ({which})",
            )
        )
    return orgs, svcs, problems, built
