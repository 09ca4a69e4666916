"""Drive a file through the Data page's own calls, and check what a user would be told.

:func:`drive` does what ``ui/data_panel.py`` does with an uploaded file: ``save_upload``,
``check_upload``, ``parts_of`` (sheet/layer chooser), ``preview``, ``columns_of`` and
``import_upload`` (the *Check* button). It returns an :class:`Outcome`; the only exceptions it
catches are :class:`InputError` and :class:`PackError`, so anything else (a traceback) fails the
test that called it. :func:`refused` and :func:`accepted` assert on what the user would see.

:func:`packs_on_disk` is a fixture: a packs folder holding the tiny test pack and a copy of the
demo, hashed file by file before the test and checked byte for byte afterwards.
"""

from __future__ import annotations

import gzip
import hashlib
import resource
import struct
import tempfile
import tracemalloc
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from sector_map import upload
from sector_map.importers.tables import InputError, clear_cache
from sector_map.pack.io import Pack, PackError, load_pack, save_pack
from sector_map.upload.merge import UploadResult
from tests.conftest import make_tiny_pack

ROOT = Path(__file__).resolve().parents[2]
MB = 1 << 20
# Ward squares of the tiny pack: x from -2.30 in steps of 0.01, y 53.40-53.41.
POSTCODES = pd.DataFrame(
    {"postcode": ["DM1 1AA", "DM1 3CD"], "lon": [-2.295, -2.275], "lat": [53.405, 53.405]}
)


@dataclass
class Outcome:
    """What the Data page would have shown for one file."""

    file: str
    error: InputError | PackError | None = None
    step: str = ""  # the step that refused the file
    parts: list[str] = field(default_factory=list)
    preview: pd.DataFrame | None = None
    columns: list[str] | None = None
    result: UploadResult | None = None
    notes: list[str] = field(default_factory=list)  # preview's and the import's
    peak_mb: float = 0.0  # Python allocations (tracemalloc), when measured
    rss_growth_mb: float = 0.0  # how far the process's peak resident memory rose, when measured

    @property
    def message(self) -> str:
        return str(self.error) if self.error is not None else ""


def drive(
    kind: str,
    filename: str,
    data: bytes,
    options: dict | None = None,
    *,
    pack: Pack,
    measure: bool = False,
) -> Outcome:
    """Upload ``data`` as ``filename`` and take it as far as the Data page would.

    ``options`` are :func:`sector_map.upload.import_upload`'s keywords (``part`` too).
    """
    options = dict(options or {})
    part = options.pop("part", None)
    clear_cache()  # each case parses afresh (the cache is tested on its own)
    path = upload.save_upload(data, filename)
    out = Outcome(path.name)
    if measure:
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
    step = "check_upload"
    try:
        upload.check_upload(path, kind)
        step = "parts_of"
        out.parts = upload.parts_of(path, kind)
        step = "preview"
        shown = upload.preview(path, kind, part=part)
        out.preview = shown.table
        out.notes += shown.notes
        step = "columns_of"
        out.columns = upload.columns_of(path, kind, part=part)
        step = "import_upload"
        out.result = upload.import_upload(kind, path, pack=pack, part=part, **options)
        out.notes += [n.message() for n in out.result.notes]
    except (InputError, PackError) as exc:
        out.error, out.step = exc, step
    finally:
        if measure:
            out.peak_mb = tracemalloc.get_traced_memory()[1] / MB
            tracemalloc.stop()
            out.rss_growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
        upload.discard_upload(path)
    assert not path.parent.exists(), "the upload's temporary folder was left behind"
    return out


def _no_server_path(text: str) -> None:
    for where in {tempfile.gettempdir(), "/tmp/", str(ROOT)}:
        assert where not in text, f"the message shows a server path ({where}): {text}"


def refused(out: Outcome, *phrases: str, rows: tuple[int, ...] = (), column: str | None = None) -> str:
    """Assert the file was refused with a message naming it (and the rows/column) and saying ``phrases``."""
    assert out.error is not None, f"{out.file} was accepted: {out.result and out.result.summary()}"
    msg = out.message
    assert msg.startswith(out.file), f"the message does not start with the file's name: {msg}"
    _no_server_path(msg)
    assert "Traceback" not in msg
    for p in phrases:
        assert p.lower() in msg.lower(), f"{p!r} not in: {msg}"
    if column is not None:
        assert f"column `{column}`" in msg, f"column {column!r} not named: {msg}"
    for r in rows:
        assert out.error.problem.rows and r in out.error.problem.rows, f"row {r} not named: {msg}"
    return msg


def accepted(out: Outcome) -> UploadResult:
    """Assert the file went all the way through the Check step; the result."""
    assert out.error is None, f"{out.file} refused at {out.step}: {out.message}"
    assert out.result is not None
    for note in out.notes:
        _no_server_path(note)
    return out.result


def note_with(out: Outcome, *phrases: str) -> str:
    """The first note holding every phrase (case-insensitive); fails if there is none."""
    for note in out.notes:
        if all(p.lower() in note.lower() for p in phrases):
            return note
    raise AssertionError(f"no note says {phrases}: {out.notes}")


# --- making hostile files --------------------------------------------------------------------------
def deflate_repeated(head: bytes, chunk: bytes, repeat: int) -> tuple[bytes, int, int]:
    """Raw deflate data of ``head + chunk * repeat``, compressed once per piece (full flushes),
    with its CRC-32 and size: cheap to make however big it unzips."""
    pieces = []
    for data in (head, chunk):
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        pieces.append(c.compress(data) + c.flush(zlib.Z_FULL_FLUSH))
    crc = zlib.crc32(head)
    for _ in range(repeat):
        crc = zlib.crc32(chunk, crc)
    return pieces[0] + pieces[1] * repeat + b"\x03\x00", crc, len(head) + len(chunk) * repeat


def gzip_bomb(head: bytes, chunk: bytes, repeat: int, *, claimed_size: int | None = None) -> bytes:
    """A gzip file of ``head`` then ``chunk`` repeated ``repeat`` times.

    ``claimed_size`` puts another unzipped size in the trailer (a bomb that lies about its size).
    """
    body, crc, size = deflate_repeated(head, chunk, repeat)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    isize = size if claimed_size is None else claimed_size
    return header + body + struct.pack("<II", crc, isize & 0xFFFFFFFF)


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6)


# --- the packs on disk -----------------------------------------------------------------------------
def tree_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder``, by relative path (a pack byte for byte)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def _packs_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("packs")
    tiny = make_tiny_pack()
    tiny.postcodes = POSTCODES.copy()
    save_pack(tiny, root / "tiny")
    return root


@pytest.fixture
def packs_on_disk(_packs_root):
    """A packs folder (the tiny pack, with a postcode table); every pack unchanged after the test.

    Yields ``(packs folder, current pack)``; the repository's own ``data/packs`` are checked too.
    """
    folders = [_packs_root]
    repo_packs = ROOT / "data" / "packs"
    if repo_packs.is_dir():
        folders.append(repo_packs)
    before = {f: tree_hashes(f) for f in folders}
    yield _packs_root, load_pack(_packs_root / "tiny")
    for f in folders:
        assert tree_hashes(f) == before[f], f"a pack in {f} changed"
