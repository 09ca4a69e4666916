"""Opening boundary files safely: kinds of file, gzip and zip, unpacked with limits.

Boundary files arrive as uploads and through recipes, so they may be anything: a named pipe
called ``wards.shp`` (which would block a reader for ever), a folder, a device, a gzip or zip
that unpacks to gigabytes, or a zip whose members point outside it. :func:`unpacked` refuses
each of those in plain words, *before* anything reads or unpacks it, and otherwise hands GDAL
an ordinary file in a private temporary folder that is removed afterwards.

Limits (each message names its limit and the fix):

* :data:`MAX_UNPACKED_MB` (500 MB) for everything unpacked from one file. Full-resolution
  ward boundaries for all of England are ~77 MB as GeoJSON (less as Shapefile or GeoPackage),
  so national files fit six times over; one council's wards are usually under 20 MB. GDAL
  needs about four times a GeoJSON's size in memory to read it (38 MB for the 9.6 MB UK wards
  file in ``../shared/data``), so 500 MB keeps one read near 2 GB.
* :data:`MAX_RATIO` (100): published boundaries pack 3–7 times smaller (the England and UK ward
  and LSOA files in ``../shared/data`` pack 4.0–6.7 times); a member or gzip that has unpacked
  more than :data:`RATIO_FLOOR_MB` at over 100 times its packed size is a zip bomb
  (deflate reaches ~1,000), refused after at most that much.
* :data:`MAX_MEMBERS` (1,000) entries in a zip, read from its end record before the central
  directory is parsed (a Shapefile zip has 4–10 files; a directory of millions of entries costs
  memory by itself).
"""

from __future__ import annotations

import glob
import gzip
import io
import re
import stat
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from sector_map.importers.tables import InputError, examples

__all__ = [
    "MAX_MEMBERS",
    "MAX_RATIO",
    "MAX_UNPACKED_MB",
    "Unpacked",
    "check_file",
    "sniff",
    "unpacked",
]

MAX_UNPACKED_MB = 500
MAX_RATIO = 100
RATIO_FLOOR_MB = 20
MAX_MEMBERS = 1_000
_CHUNK = 1 << 20
_MB = 1_000_000
GEO_EXTS = (".shp", ".gpkg", ".geojson", ".json")
_CUT = "Boundaries for one council are usually under 20 MB: cut the file to your area (or simplify it) and try again"
_SQLITE = b"SQLite format 3\x00"
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def check_file(path: Path, *, name: str | None = None) -> None:
    """Refuse a path that is missing or is not an ordinary file (folder, named pipe, device, socket).

    Only ``stat`` is called, so a named pipe or device is never opened. Messages name the file,
    never the folder it is in.
    """
    file = name or path.name or str(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError(file, "file not found", hint="Check the file name and where it is") from None
    except OSError as e:
        raise InputError(file, f"cannot be opened ({e.strerror or 'not allowed'})") from None
    kind = not_a_file(mode)
    if kind:
        raise InputError(file, f"is {kind}", hint="Give the path of the boundary file itself")


def not_a_file(mode: int) -> str | None:
    """What a path whose ``stat`` mode is ``mode`` is, when it is not an ordinary file.

    Example:
        >>> not_a_file(stat.S_IFIFO), not_a_file(stat.S_IFREG)
        ('a named pipe, not a file', None)
    """
    if stat.S_ISREG(mode):
        return None
    what = next((what for test, what in _KINDS if test(mode)), None)
    return f"{what}, not a file" if what else "not an ordinary file"


def sniff(head: bytes) -> str:
    """The kind of file from its first bytes: gzip, zip, gpkg, pdf, json, markup, binary or text."""
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if head[:16] == _SQLITE:
        return "gpkg"
    if head[:5] == b"%PDF-":
        return "pdf"
    text = head[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"{", b"["):
        return "json"
    if text[:5].lower() in (b"<?xml", b"<html", b"<!doc"):
        return "markup"
    if b"\x00" in head[:4096]:
        return "binary"
    return "text" if text or len(head) >= 4096 else "empty"


@dataclass(frozen=True)
class Unpacked:
    """A boundary file ready for GDAL: its path, its kind, and the other layers a zip offered."""

    path: Path
    kind: str
    choices: tuple[str, ...] = ()


def _too_big(file: str, what: str) -> InputError:
    return InputError(
        file, f"{what} unpacks to more than {MAX_UNPACKED_MB} MB, the limit for boundaries", hint=_CUT
    )


def _bomb(file: str, member: str, out: int, packed: int) -> InputError:
    return InputError(
        file,
        f"{'it' if member == file else member} unpacks to over {out / max(packed, 1):,.0f} times its packed size "
        f"(boundary files pack 3 to 7 times; the limit is {MAX_RATIO}), so it looks like a zip bomb",
        hint="Download the boundaries again from their publisher",
    )


def _copy(
    src: IO[bytes] | io.BufferedIOBase,
    dest: Path,
    *,
    file: str,
    member: str,
    packed: Callable[..., int],
    budget: int,
) -> int:
    """Copy a stream in chunks, stopping at the running ``budget`` or a bomb's ratio; bytes written."""
    written = 0
    with open(dest, "wb") as out:
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            if written > budget:
                raise _too_big(file, "the file" if member == file else "the zip")
            if written > RATIO_FLOOR_MB * _MB and written > MAX_RATIO * max(packed(), 1):
                raise _bomb(file, member, written, packed())
            out.write(chunk)
    return written


def _gunzip(path: Path, folder: Path, file: str) -> Path:
    inner = Path(path.name[:-3] if path.name.lower().endswith(".gz") else path.stem + ".geojson").name
    dest = folder / (inner or "boundaries.geojson")
    with open(path, "rb") as raw:
        try:
            with gzip.GzipFile(fileobj=raw) as src:
                _copy(src, dest, file=file, member=file, packed=raw.tell, budget=MAX_UNPACKED_MB * _MB)
        except (OSError, EOFError, zlib.error) as e:
            text = "is cut short" if isinstance(e, EOFError) else "is a damaged gzip file"
            raise InputError(file, text, hint="Download it again") from None
    return dest


# --- zip archives -------------------------------------------------------------------------------
def _entry_count(path: Path, file: str) -> int:
    """Entries in a zip, from its end record (and the Zip64 one), without reading the directory."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        f.seek(max(0, size - 65_557))
        tail = f.read()
        at = tail.rfind(b"PK\x05\x06")
        # The end record is followed only by its comment: skip look-alikes inside a comment.
        while at >= 0 and (
            len(tail) - at < 22 or at + 22 + struct.unpack("<H", tail[at + 20 : at + 22])[0] != len(tail)
        ):
            at = tail.rfind(b"PK\x05\x06", 0, at)
        if at < 0:
            raise InputError(file, "is a damaged or cut-short zip archive", hint="Download it again")
        entries = struct.unpack("<H", tail[at + 10 : at + 12])[0]
        if entries != 0xFFFF:
            return entries
        loc = tail.rfind(b"PK\x06\x07", 0, at)
        if loc < 0:
            raise InputError(file, "is a damaged zip archive", hint="Download it again")
        f.seek(struct.unpack("<Q", tail[loc + 8 : loc + 16])[0])
        record = f.read(56)
    if record[:4] != b"PK\x06\x06" or len(record) < 40:
        raise InputError(file, "is a damaged zip archive", hint="Download it again")
    return struct.unpack("<Q", record[32:40])[0]


def _unsafe(info: zipfile.ZipInfo) -> str | None:
    """Why a member may not be unpacked, in plain words (None when it is fine)."""
    name = info.filename
    parts = re.split(r"[\\/]", name)
    shown = parts[-1] or name.strip("/\\")
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return f"a member with an absolute path (ending {shown!r})"
    if ".." in parts:
        return f"a member that points outside the archive ({name!r})"
    if "\x00" in name:
        return "a member whose name holds a NUL character"
    mode = info.external_attr >> 16
    if info.create_system == 3 and mode:
        if stat.S_ISLNK(mode):
            return f"a link (symlink) called {shown!r} instead of a file"
        if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
            return f"a device or named pipe entry called {shown!r} instead of a file"
    if info.flag_bits & 0x1:
        return f"a password-protected member ({shown!r})"
    return None


def _candidates(names: list[str], file: str) -> tuple[list[str], tuple[str, ...]]:
    """The members that may be boundaries, and their names without extension (the layers)."""
    lower = {n.lower() for n in names}
    if "xl/workbook.xml" in lower:
        raise InputError(file, "this is an Excel workbook, not boundaries")
    geo = [n for n in names if n.lower().endswith(GEO_EXTS) and not n.endswith("/")]
    if not geo:
        raise InputError(
            file,
            f"the zip archive holds no .shp, .gpkg or .geojson file (it has {examples(names) or 'nothing'})",
            hint="Zip the boundary files themselves (.shp with its .dbf, .shx and .prj, or a .gpkg or .geojson)",
        )
    return geo, tuple(PurePosixPath(n.replace("\\", "/")).stem for n in geo)


def _choose(names: list[str], file: str, layer: str | None) -> tuple[str, tuple[str, ...]]:
    """The boundary member to read, and the layer names a chooser should offer."""
    geo, stems = _candidates(names, file)
    if len(geo) == 1:
        return geo[0], stems
    wanted = [n for n, st in zip(geo, stems, strict=True) if layer in (st, n)]
    if layer is not None and len(wanted) != 1:
        raise InputError(
            file, f"has no layer {layer!r}; its layers are {examples(stems, 10)}", hint="Choose one of those"
        )
    if layer is None:
        raise InputError(
            file,
            f"this zip has {len(geo)} layers ({examples(stems, 10)}); choose one",
            hint="Choose the layer holding the ward boundaries",
        )
    return wanted[0], stems


def _zip_infos(path: Path, file: str) -> list[zipfile.ZipInfo]:
    """The members of a zip worth reading, after refusing archives too large or with unsafe members."""
    if _entry_count(path, file) > MAX_MEMBERS:
        raise InputError(
            file,
            f"the zip holds more than {MAX_MEMBERS:,} files, the limit for boundaries",
            hint="Zip only the boundary files (a Shapefile is 4 to 10 files)",
        )
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except zipfile.BadZipFile:
        raise InputError(file, "is a damaged or cut-short zip archive", hint="Download it again") from None
    for info in infos:
        why = _unsafe(info)
        if why:
            raise InputError(
                file,
                f"the zip holds {why}, which is not allowed",
                hint="Zip the boundary files themselves, with no folders above them and no links",
            )
    return [i for i in infos if not i.filename.startswith("__MACOSX/") and not i.is_dir()]


def zip_layers(path: Path) -> tuple[str, ...]:
    """The boundary files (by name without extension) a zip offers, checked but not unpacked."""
    file = path.name
    check_file(path)
    return _candidates([i.filename for i in _zip_infos(path, file)], file)[1]


def _shapefile_parts(infos: list[zipfile.ZipInfo], shp: str, file: str) -> list[zipfile.ZipInfo]:
    stem = shp[:-4].lower()
    parts = [i for i in infos if i.filename.lower().rsplit(".", 1)[0] == stem and not i.is_dir()]
    have = {i.filename.lower()[len(stem) :] for i in parts}
    missing = [e for e in (".dbf", ".shx") if e not in have]
    if missing:
        raise InputError(
            file,
            f"the Shapefile {PurePosixPath(shp).name} in the archive lacks its {' and '.join(missing)} part",
            hint="Zip all the files that share the Shapefile's name (.shp, .dbf, .shx, .prj)",
        )
    return parts


def _unzip(path: Path, folder: Path, file: str, layer: str | None) -> tuple[Path, tuple[str, ...]]:
    infos = _zip_infos(path, file)
    try:
        with zipfile.ZipFile(path) as z:
            member, choices = _choose([i.filename for i in infos], file, layer)
            take = [i for i in infos if i.filename == member]
            if member.lower().endswith(".shp"):
                take = _shapefile_parts(infos, member, file)
            declared = sum(i.file_size for i in take)
            if declared > MAX_UNPACKED_MB * _MB:
                raise _too_big(file, "the zip")
            for i in take:
                if i.file_size > RATIO_FLOOR_MB * _MB and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                    raise _bomb(file, PurePosixPath(i.filename).name, i.file_size, i.compress_size)
            budget = MAX_UNPACKED_MB * _MB
            for i in take:
                dest = folder / PurePosixPath(i.filename.replace("\\", "/")).name
                with z.open(i) as src:
                    budget -= _copy(
                        src,
                        dest,
                        file=file,
                        member=dest.name,
                        packed=lambda i=i: i.compress_size,
                        budget=budget,
                    )
    except zipfile.BadZipFile as e:
        cut = "truncated" in str(e).lower() or "CRC" in str(e)
        text = "is cut short or damaged" if cut else "is a damaged zip archive"
        raise InputError(file, text, hint="Download it again") from None
    except (NotImplementedError, EOFError, zlib.error, RuntimeError):
        raise InputError(
            file,
            "is packed in a way that cannot be read (or is damaged)",
            hint="Zip it again with ordinary compression",
        ) from None
    return folder / PurePosixPath(member.replace("\\", "/")).name, choices


def _check_shapefile(path: Path) -> None:
    """A .shp read in place: its own parts (.dbf, .shx, .prj...) must be ordinary files too."""
    for sib in path.parent.glob(glob.escape(path.stem) + ".*"):
        if sib != path:
            check_file(sib)


@contextmanager
def unpacked(path: Path, *, layer: str | None = None) -> Iterator[Unpacked]:
    """The boundary file GDAL should read, unpacked (within limits) into a private temporary folder.

    Yields an :class:`Unpacked` whose ``kind`` is ``shp``, ``gpkg``, ``json``, or the kind of a file
    that is not boundaries (``text``, ``pdf``, ``markup``, ``binary``, ``empty``) for the caller to
    name. The temporary folder is removed on leaving the block.

    Raises:
        InputError: not an ordinary file, a damaged or cut-short archive, a zip bomb, a member that
            escapes or links, several layers in a zip and no ``layer``.
    """
    file = path.name
    check_file(path)
    size = path.stat().st_size
    if size > MAX_UNPACKED_MB * _MB:
        raise InputError(
            file,
            f"the file is {size / _MB:,.0f} MB, over the {MAX_UNPACKED_MB} MB limit for boundaries",
            hint=_CUT,
        )
    with open(path, "rb") as f:
        head = f.read(8192)
    kind = sniff(head)
    if path.suffix.lower() == ".shp" and kind not in ("zip", "gzip"):
        _check_shapefile(path)
        yield Unpacked(path, "shp")
        return
    if kind not in ("zip", "gzip"):
        yield Unpacked(path, kind)
        return
    with tempfile.TemporaryDirectory(prefix="sector-map-geo-") as tmp:
        folder = Path(tmp)
        choices: tuple[str, ...] = ()
        if kind == "gzip":
            inner = _gunzip(path, folder, file)
        else:
            inner, choices = _unzip(path, folder, file, layer)
        with open(inner, "rb") as f:
            head = f.read(8192)
        inner_kind = "shp" if inner.suffix.lower() == ".shp" else sniff(head)
        if inner_kind in ("zip", "gzip"):
            raise InputError(
                file, "holds another archive inside it", hint="Unpack it once and give the inner file"
            )
        yield Unpacked(inner, inner_kind, choices)
