"""Writing pack folders so that no write can lose data: a lock per pack, a fresh folder, a swap.

Every pack write (``demo`` and ``build-pack`` on the command line, *Save as a new pack* and
*Add to the current pack* on the Data page) goes through :func:`write_folder`:

1. take the pack's lock: a real file lock (``filelock``) on ``.NAME.lock`` *beside* the pack
   folder (never inside it, so it is never part of a pack and never listed as one);
2. write every file into a new, uniquely named folder ``.NAME.tmp-XXXX`` in the same parent
   (same file system, so the renames below are atomic) and flush it to disk;
3. swap: rename the old folder aside to ``.NAME.old-XXXX``, rename the new one in, then delete
   the old one. If anything fails before the new folder is in place, the old one is put back.

Leftovers of a write that was killed part-way (dot-prefixed ``.tmp-`` and ``.old-`` folders) are
never packs: :func:`is_leftover` names them, :func:`sector_map.pack.io.find_packs` hides them and
:func:`clean_leftovers` removes them once no writer holds their pack's lock. A ``.old-`` folder
left where the pack itself is missing is the last good copy, so it is put back, not deleted.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from filelock import FileLock, Timeout

from sector_map.pack import schema as s
from sector_map.pack.errors import InputError

__all__ = [
    "LOCK_TIMEOUT_S",
    "STALE_AFTER_S",
    "clean_leftovers",
    "is_leftover",
    "lock_path",
    "new_revision",
    "pack_lock",
    "write_folder",
]

LOCK_TIMEOUT_S = 120.0
"""How long a write waits for another write of the same pack before giving up with a message."""
STALE_AFTER_S = 10 * 60.0
"""Leftover temporary folders older than this are removed when packs are listed."""

PACK_FILES = frozenset(
    {
        s.MANIFEST_FILE,
        s.INDICATOR_META_FILE,
        s.WARDS_FILE,
        s.INDICATORS_FILE,
        s.ORGANISATIONS_FILE,
        s.SERVICES_FILE,
        s.ASSETS_FILE,
        s.POSTCODES_FILE,
    }
)
"""The files a pack writer owns: anything else found in a pack folder is carried over untouched."""

# ``.NAME.tmp-XXXX`` / ``.NAME.old-XXXX`` (this module) and ``NAME.tmp-writing`` /
# ``NAME.tmp-old`` (the fixed names earlier versions used, which could show up as packs).
_LEFTOVER = re.compile(
    r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-[A-Za-z0-9_]+$|^(?P<legacy>.+)\.tmp-(?P<lkind>writing|old)$"
)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_MODE = 0o777 & ~_umask()


def lock_path(folder: str | os.PathLike) -> Path:
    """The lock file of the pack in ``folder``: ``.NAME.lock`` in the same parent folder."""
    folder = Path(folder)
    return folder.parent / f".{folder.name}.lock"


def is_leftover(name: str) -> bool:
    """Whether a folder name is a temporary folder of a pack write (never a pack).

    Example:
        >>> is_leftover(".trafford.tmp-k2x9_a1"), is_leftover("trafford.tmp-old"), is_leftover("trafford")
        (True, True, False)
    """
    return _LEFTOVER.match(name) is not None


def new_revision() -> str:
    """A fresh revision id for a pack write (unique per write; compared, never ordered)."""
    return secrets.token_hex(10)


@contextmanager
def pack_lock(folder: str | os.PathLike, *, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the pack's file lock (across processes and threads) for the block.

    Raises:
        InputError: another write of the same pack held the lock for ``timeout`` seconds.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(lock_path(folder), timeout=timeout)
    try:
        lock.acquire()
    except Timeout as exc:
        raise InputError(
            folder.name,
            f"another save of this pack has not finished after {timeout:.0f} seconds; nothing was written",
            hint="Try again in a minute",
        ) from exc
    try:
        yield
    finally:
        lock.release()


def check_target(folder: Path, *, new: bool) -> None:
    """Refuse a write that could lose something: a taken name, a file, or a folder that is not a pack.

    Raises:
        InputError: ``new`` and the folder exists; it is a file or a link; or it is a non-empty
            folder without a ``manifest.json``.
    """
    if not os.path.lexists(folder):
        return
    where = folder.parent.name or str(folder.parent)
    if new:
        raise InputError(
            "pack name",
            f"a pack called {folder.name!r} already exists in {where}",
            hint="Choose another name, or switch to that pack and add the file to it",
        )
    if folder.is_symlink() or not folder.is_dir():
        raise InputError(
            str(folder),
            "is a file or a link, not a pack folder; nothing was written",
            hint="Choose a new folder, or an existing pack folder to replace",
        )
    if not (folder / s.MANIFEST_FILE).is_file() and any(folder.iterdir()):
        held = sorted(p.name for p in folder.iterdir())
        shown = ", ".join(held[:5]) + (f" and {len(held) - 5} more" if len(held) > 5 else "")
        raise InputError(
            str(folder),
            f"this folder is not empty and is not a data pack (it holds {shown}); nothing was written",
            hint="Choose a new or empty folder, or an existing pack folder to replace",
        )


def write_folder(
    folder: str | os.PathLike,
    fill: Callable[[Path], None],
    *,
    new: bool = False,
    locked: bool = False,
) -> Path:
    """Write a pack folder through a fresh temporary folder and an atomic swap.

    Args:
        folder: the pack folder to create or replace.
        fill: writes the pack's files into the folder it is given (the temporary folder).
        new: refuse if ``folder`` exists (checked under the lock, so a pack that appeared
            meanwhile is never overwritten).
        locked: the caller already holds :func:`pack_lock` for ``folder``.

    Files in the old folder that a pack writer does not own (see :data:`PACK_FILES`) are carried
    over into the new one. On any failure the old folder is left as it was and the temporary
    folder is removed.

    Raises:
        InputError: see :func:`check_target` and :func:`pack_lock`.
    """
    folder = Path(folder)
    with nullcontext() if locked else pack_lock(folder):
        _recover(folder)
        check_target(folder, new=new)
        clean_leftovers(folder.parent, name=folder.name)  # ours: we hold the lock
        clean_leftovers(folder.parent)  # other packs' stale ones, if their lock is free
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.tmp-"))
        try:
            os.chmod(tmp, _MODE)
            fill(tmp)
            if folder.is_dir():
                _carry_over(folder, tmp)
            _fsync_tree(tmp)
            _swap(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return folder


def _swap(new: Path, folder: Path) -> None:
    """Put ``new`` where ``folder`` is; the old folder is restored if that fails."""
    if not os.path.lexists(folder):
        os.rename(new, folder)
        _fsync_dir(folder.parent)
        return
    aside = folder.parent / f".{folder.name}.old-{secrets.token_hex(6)}"
    os.rename(folder, aside)
    try:
        os.rename(new, folder)
    except BaseException:
        os.rename(aside, folder)
        raise
    _fsync_dir(folder.parent)
    shutil.rmtree(aside, ignore_errors=True)


def _carry_over(old: Path, new: Path) -> None:
    """Copy what the writer does not own (a user's notes, say) from the old folder into the new one."""
    for entry in old.iterdir():
        if entry.name in PACK_FILES or os.path.lexists(new / entry.name):
            continue
        if entry.is_symlink():
            os.symlink(os.readlink(entry), new / entry.name)
        elif entry.is_dir():
            shutil.copytree(entry, new / entry.name, symlinks=True)
        else:
            try:
                os.link(entry, new / entry.name)
            except OSError:
                shutil.copy2(entry, new / entry.name)


def _fsync_tree(folder: Path) -> None:
    for entry in folder.iterdir():
        if entry.is_file() and not entry.is_symlink():
            fd = os.open(entry, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a folder; the renames are still atomic
    finally:
        os.close(fd)


def _leftovers(root: Path) -> Iterator[tuple[Path, str, str]]:
    """(folder, pack name, "tmp" or "old") for each leftover folder directly under ``root``."""
    try:
        entries = list(root.iterdir())
    except OSError:
        return
    for entry in entries:
        m = _LEFTOVER.match(entry.name)
        if m is None or entry.is_symlink() or not entry.is_dir():
            continue
        if m["name"] is not None:
            yield entry, m["name"], m["kind"]
        else:
            yield entry, m["legacy"], "tmp" if m["lkind"] == "writing" else "old"


def _recover(folder: Path) -> None:
    """Under the lock: if the pack is missing but a write left its old copy aside, put it back."""
    if os.path.lexists(folder):
        return
    olds = [
        p
        for p, name, kind in _leftovers(folder.parent)
        if name == folder.name and kind == "old" and (p / s.MANIFEST_FILE).is_file()
    ]
    if olds:
        newest = max(olds, key=lambda p: p.stat().st_mtime_ns)
        os.rename(newest, folder)


def clean_leftovers(
    root: str | os.PathLike, *, name: str | None = None, older_than_s: float = STALE_AFTER_S
) -> list[Path]:
    """Remove temporary folders that pack writes left behind in ``root``; return what was removed.

    With ``name`` (the caller holds that pack's lock) every leftover of that pack goes. Without,
    only leftovers older than ``older_than_s`` whose pack's lock is free right now are touched,
    so a write in progress is never disturbed. Only names matching this module's patterns
    (:func:`is_leftover`) are ever removed.
    """
    root = Path(root)
    removed: list[Path] = []
    now = time.time()
    for entry, owner, _kind in _leftovers(root):
        if name is not None:
            if owner == name:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
            continue
        try:
            if now - entry.stat().st_mtime < older_than_s:
                continue
        except OSError:
            continue
        lock = FileLock(lock_path(root / owner), timeout=0)
        try:
            lock.acquire()
        except (Timeout, OSError):
            continue
        try:
            _recover(root / owner)
            if entry.exists():
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
        except OSError:
            continue
        finally:
            lock.release()
    return removed
