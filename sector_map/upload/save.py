"""Saving an upload: as a new pack, or added to the current pack as it is *now*.

Both go through :func:`sector_map.pack.io.save_pack` (the pack's file lock, a fresh temporary
folder, an atomic swap). *Add to the current pack* holds the lock while it compares the pack on
disk with the one the upload was checked against: if another session saved the pack meanwhile,
the same import is run again against the pack as it is now, so both sessions' rows are kept;
if that cannot be done (the uploaded file is gone) it refuses with :data:`CHANGED_SINCE_CHECK`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from sector_map.pack.errors import InputError
from sector_map.pack.io import Pack, load_pack, pack_revision, save_pack
from sector_map.pack.store import pack_lock
from sector_map.upload.files import import_upload, slugify
from sector_map.upload.merge import UploadResult, now

__all__ = ["CHANGED_SINCE_CHECK", "Added", "add_to_current", "save_as_new_pack"]

DEMO_FOLDER = "demo"
CHANGED_SINCE_CHECK = "this pack changed since you checked it; check again"


@dataclass(frozen=True)
class Added:
    """What *Add to the current pack* did: where, and whether the import had to be run again."""

    folder: Path
    result: UploadResult
    redone: bool = False

    def message(self, pack_name: str) -> str:
        """One plain sentence for the page (no markup)."""
        if self.redone:
            return (
                f"The pack had changed since you checked; your file was added to the pack as it is now. "
                f"{self.result.file}: {self.result.summary()}"
            )
        return f"Added {self.result.file} to {pack_name}."


def _slug_folder(packs_dir: str | Path, name: str) -> Path:
    slug = slugify(name)
    if not slug:
        raise InputError("pack name", "give the new pack a name with at least one letter or digit")
    if slug == DEMO_FOLDER:
        raise InputError(
            "pack name", "'demo' is the fictional demo pack's folder", hint="Choose another name"
        )
    return Path(packs_dir) / slug


def save_as_new_pack(pack: Pack, packs_dir: str | Path, name: str) -> Path:
    """Write ``pack`` as a new pack called ``name`` in ``packs_dir`` (folder: the name's slug).

    The demo's fictional flag is kept (a copy of the demo with uploads is still mostly fictional).
    The files hold the organisations' themes as built, and the officers' theme corrections of
    the pack it came from are copied beside the new one.
    The folder is checked under the pack's lock, so a pack of the same name saved meanwhile (by
    another session or process) is never overwritten.

    Raises:
        InputError: an empty name, the demo's folder, or a folder that already exists.
        PackError: the pack would not be valid (nothing is written).
    """
    from sector_map.pack.corrections import copy_corrections

    folder = _slug_folder(packs_dir, name)
    manifest = dict(pack.manifest)
    manifest.update(name=str(name).strip(), built_at=now())
    manifest.pop("updated_at", None)
    saved = save_pack(replace(pack, manifest=manifest, path=None), folder, new=True)
    copy_corrections(pack.as_built, saved)  # the new pack shows the officers' corrections too
    return saved


def add_to_current(pack: Pack, result: UploadResult) -> Added:
    """Merge the upload into the current pack as it is on disk now, and write it (atomically).

    Under the pack's lock: if the pack's revision is still the one the upload was checked
    against, ``result.pack`` is written; otherwise the same import (``result.request``) is run
    against the pack as it is now and that is written, so nobody's rows are lost.

    Raises:
        InputError: the current pack is the demo, has no folder (or it is gone), the upload makes
            a pack of its own (boundaries), or the pack changed and the import cannot be redone
            (:data:`CHANGED_SINCE_CHECK`); or the redone import fails.
        PackError: the pack would not be valid (the current pack is left as it was).
    """
    where = pack.path.name if pack.path is not None else pack.name
    if pack.is_demo or (pack.path is not None and pack.path.name == DEMO_FOLDER):
        raise InputError(
            where, "the fictional demo pack cannot be changed", hint="Save as a new pack instead"
        )
    if pack.path is None:
        raise InputError(where, "this pack has no folder to write to", hint="Save as a new pack instead")
    if result.new_pack_only:
        raise InputError(
            result.file,
            "new ward boundaries make a pack of their own (the current pack's figures belong to its wards)",
            hint="Save as a new pack instead",
        )
    folder = pack.path
    base = result.base_revision or pack.revision
    with pack_lock(folder):
        current = pack_revision(folder)
        if not current:
            raise InputError(
                where,
                "this pack is no longer there (its folder was removed or renamed)",
                hint="Save as a new pack instead",
            )
        redone = current != base
        if redone:
            result = _redo(result, folder)
        manifest = dict(result.pack.manifest)
        manifest["updated_at"] = now()
        save_pack(replace(result.pack, manifest=manifest, path=None), folder, locked=True)
    return Added(folder, result, redone)


def _redo(result: UploadResult, folder: Path) -> UploadResult:
    """The same import against the pack in ``folder`` as it is now (the caller holds its lock)."""
    path = result.request.get("path")
    if not result.request or path is None or not Path(path).is_file():
        raise InputError(folder.name, CHANGED_SINCE_CHECK)
    fresh = load_pack(folder)
    if fresh.is_demo:
        raise InputError(
            folder.name, "the fictional demo pack cannot be changed", hint="Save as a new pack instead"
        )
    return import_upload(**{**result.request, "pack": fresh})
