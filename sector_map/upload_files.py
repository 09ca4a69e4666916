"""Uploaded files on disk: one temporary folder per upload, removed when no longer needed.

The Data page writes each uploaded file under its own name (so every message names the file the
user chose) in a folder of its own, ``<temp>/sector-map-upload-*``. A new file removes the folder
of the one it replaces; the page removes it when the file is taken out of the picker or saved;
and :func:`sweep_stale_uploads` removes any of those folders untouched for a day (a session that
ended without clearing its file). Only folders with that prefix, directly in the temporary
directory, are ever removed.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

__all__ = ["STALE_AFTER_S", "UPLOAD_PREFIX", "discard_upload", "save_upload", "sweep_stale_uploads"]

UPLOAD_PREFIX = "sector-map-upload-"
STALE_AFTER_S = 24 * 3600


def save_upload(
    data: bytes, filename: str, *, folder: str | Path | None = None, replaces: str | Path | None = None
) -> Path:
    """Write uploaded bytes to a new temporary folder under the file's own (base) name.

    The folder of the upload it ``replaces`` is removed, and so are upload folders left over for
    more than a day (a session that ended without clearing its file).

    Example:
        >>> p = save_upload(b"name\\nA\\n", "../../my list.csv")
        >>> p.name, p.read_bytes()
        ('my list.csv', b'name\\nA\\n')
    """
    if replaces is not None:
        discard_upload(replaces)
    sweep_stale_uploads()
    name = Path(str(filename).replace("\\", "/")).name.strip() or "upload"
    folder = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix=UPLOAD_PREFIX))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def _is_upload_folder(folder: Path) -> bool:
    return folder.name.startswith(UPLOAD_PREFIX) and folder.parent == Path(tempfile.gettempdir())


def discard_upload(path: str | Path | None) -> None:
    """Remove an uploaded file's temporary folder (only folders :func:`save_upload` made)."""
    if not path:
        return
    from sector_map.importers.tables import forget_folder

    folder = Path(path).parent
    if _is_upload_folder(folder) and not folder.is_symlink():
        forget_folder(folder)
        shutil.rmtree(folder, ignore_errors=True)


def sweep_stale_uploads(*, older_than_s: float = STALE_AFTER_S) -> int:
    """Remove upload folders (our prefix only) untouched for ``older_than_s`` seconds; how many."""
    cutoff = time.time() - older_than_s
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(UPLOAD_PREFIX + "*"):
        try:
            if folder.is_dir() and not folder.is_symlink() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed
