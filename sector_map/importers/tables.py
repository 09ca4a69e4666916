"""Reading user files as they come: CSV/TSV (plain or gzipped), XLSX and JSON.

Real files carry UTF-8 byte-order marks, Windows-1252 text from Excel, thousands separators,
semicolons, ONS suppression markers and, sometimes, the wrong content altogether. Every
importer reads through here so each of those gets the same clear answer: an
:class:`InputError` that names the file, the column and the rows, and says what to do.

Row numbers given to users are *file* rows: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import io
import json
import re
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sector_map.importers import xlsx
from sector_map.importers.limits import Limits, current_limits
from sector_map.importers.streams import LimitedReader, OverLimit, Sniffed, sniff, sniff_bytes
from sector_map.importers.table_read import (
    EMPTY_CELLS,
    RowFilter,
    finish,
    read_text_table,
    read_xlsx,
    too_big,
)
from sector_map.pack.errors import MAX_EXAMPLES, InputError, Notes, examples, file_rows

__all__ = [
    "EMPTY_CELLS",
    "MAX_EXAMPLES",
    "InputError",
    "Notes",
    "examples",
    "file_kind",
    "file_rows",
    "find_column",
    "read_json",
    "read_table",
    "read_table_bytes",
    "sheet_names",
    "to_number",
]

Progress = Callable[[str], None]
# Values statistical publishers use for "not available" / "suppressed".
MISSING_MARKERS = {"", "-", "..", ".", ":", "x", "*", "n/a", "na", "#n/a", "null", "none", "c", "z"}


def _decode(raw: bytes, file: str, notes: Notes | None) -> str:
    for bom, enc in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            return raw[2:].decode(enc, errors="replace")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    text = raw.decode("cp1252", errors="replace")
    if notes is not None:
        notes.add(file, "is not UTF-8; read it as Windows-1252 (Excel's usual encoding)")
    return text


_LEGACY_KIND = {"html": "markup", "xml": "markup"}


def _sniff_or_fail(path: Path, file: str, what: str) -> Sniffed:
    if not path.is_file():
        raise InputError(
            file,
            "file not found",
            hint=f"Check the path ({path}); relative paths in a recipe resolve from the recipe's folder",
        )
    try:
        found = sniff(path)
    except (OSError, EOFError, zlib.error) as e:
        raise InputError(file, f"is a damaged gzip file ({e})", hint="Download it again") from None
    if found.kind == "empty":
        raise InputError(file, "the file is empty", hint=f"Expected {what}")
    return found


def read_bytes(path: Path | str, *, what: str) -> tuple[bytes, str]:
    """The file's bytes (gunzipped if needed) and its sniffed kind; errors for missing/empty files.

    Kinds: ``text``, ``json``, ``zip``, ``pdf``, ``markup`` (HTML/XML) or ``binary``. Reading
    stops at the byte limit in force (:mod:`sector_map.importers.limits`).
    """
    path = Path(path)
    found = _sniff_or_fail(path, path.name, what)
    limits = current_limits()
    reader = LimitedReader(path, gz=found.gzip, max_bytes=limits.bytes)
    try:
        raw = reader.read_all()
    except OverLimit:
        raise too_big(path.name, limits, gz=found.gzip) from None
    except (OSError, EOFError, zlib.error) as e:
        raise InputError(path.name, f"is a damaged gzip file ({e})", hint="Download it again") from None
    finally:
        reader.close()
    kind = found.kind
    if kind not in ("text", "json", "zip", "pdf", "html", "xml"):
        kind = "binary"
    return raw, _LEGACY_KIND.get(kind, kind)


def file_kind(path: Path | str, *, what: str) -> str:
    """The kind :func:`read_bytes` would say, from the file's first 64 KB only."""
    path = Path(path)
    kind = _sniff_or_fail(path, path.name, what).kind
    if kind not in ("text", "json", "zip", "pdf", "html", "xml"):
        kind = "binary"
    return _LEGACY_KIND.get(kind, kind)


_KIND_NAMES = {
    "json": "JSON (perhaps GeoJSON)",
    "zip": "a zip archive",
    "pdf": "a PDF document",
    "xml": "XML",
    "binary": "a binary file",
    "ole": "an old-style Excel .xls workbook (or another old Office file)",
    "image": "an image",
    "sqlite": "a database (SQLite or GeoPackage)",
    "parquet": "a Parquet file",
    "archive": "a compressed archive",
}


def _wrong_kind(file: str, kind: str, what: str) -> InputError:
    if kind == "html":
        return InputError(
            file,
            "this is a web page (HTML), not a CSV file, though its name ends in .csv",
            hint="Open it in Excel and save it as CSV (File → Save As → 'CSV UTF-8'), then upload that",
        )
    hint = f"Expected {what}"
    if kind in ("ole", "xml"):
        hint = "Open it in Excel and save it as .xlsx or CSV (File → Save As), then upload that"
    return InputError(file, f"this is {_KIND_NAMES.get(kind, kind)}, not a table", hint=hint)


# --- parsed tables, cached per file for the Data page's reruns -------------------------------------
# A table and its notes (with its size in bytes, for the cache's budget), or the error it raised.
_CACHE: OrderedDict[tuple, tuple[pd.DataFrame, list, int] | InputError] = OrderedDict()
_CACHE_LOCK = threading.Lock()
CACHE_ENTRIES = 6
CACHE_BYTES = 400_000_000


def clear_cache() -> None:
    """Forget every parsed table (tests; a long-running process that wants its memory back)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def forget_folder(folder: Path | str) -> None:
    """Drop the parsed tables of files in ``folder`` (an upload that was removed)."""
    prefix = str(Path(folder).resolve()) + "/"
    with _CACHE_LOCK:
        for key in [k for k in _CACHE if k[0].startswith(prefix)]:
            del _CACHE[key]


def _cache_key(path: Path, file: str, sheet: str | int | None, limits: Limits) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (str(path.resolve()), st.st_size, st.st_mtime_ns, file, sheet, limits)


def _cache_get(key: tuple) -> tuple[pd.DataFrame, list, int] | InputError | None:
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
        return hit


def _cache_put(key: tuple, value: tuple[pd.DataFrame, list] | InputError) -> None:
    size = int(value[0].memory_usage(deep=True).sum()) if isinstance(value, tuple) else 0
    if size > CACHE_BYTES // 2:
        return
    with _CACHE_LOCK:
        _CACHE[key] = (*value, size) if isinstance(value, tuple) else value
        total = sum(v[2] for v in _CACHE.values() if isinstance(v, tuple))
        while len(_CACHE) > CACHE_ENTRIES or total > CACHE_BYTES:
            _, old = _CACHE.popitem(last=False)
            total -= old[2] if isinstance(old, tuple) else 0


def read_table(
    path: Path | str,
    *,
    what: str = "a CSV or Excel table with a header row",
    sheet: str | int | None = None,
    notes: Notes | None = None,
    display_name: str | None = None,
    rows: RowFilter | None = None,
) -> pd.DataFrame:
    """Read a CSV/TSV (plain or gzipped, any of UTF-8, Windows-1252, UTF-16) or XLSX file as text columns.

    Column names are stripped of byte-order marks and surrounding spaces; a repeated name is kept
    as ``name (2)`` (and noted). Cells are stripped and empty cells (or R/SQL's ``NA``/``NULL``)
    become ``<NA>`` (publishers' markers such as ``..`` are left for :func:`to_number`). The index
    is 0-based positional; :func:`file_rows` turns it into file rows.

    The file is read a block at a time within the limits in force
    (:func:`sector_map.importers.limits.reading_limits`); under upload limits the parsed table is
    cached by path, size, modification time and sheet, so the Data page's reruns parse it once.

    ``rows``, if given, is called on each chunk of raw text cells (column names as in the file)
    and returns the rows to keep, so a large file is never held whole; the index stays the row's
    0-based position in the file. Such reads are not cached.

    Raises:
        InputError: missing or empty file, a file of another kind (JSON, PDF, HTML, zip...), ragged
            rows, a header with no data rows, or a file over a limit (naming the limit).
    """
    path = Path(path)
    file = display_name or path.name
    limits = current_limits()
    key = _cache_key(path, file, sheet, limits) if limits.cache and rows is None else None
    hit = _cache_get(key) if key is not None else None
    if isinstance(hit, InputError):
        raise hit
    if hit is None:
        found = Notes()
        try:
            df = _read_any(path, file, what, sheet, limits, found, rows)
        except InputError as e:
            if key is not None:
                _cache_put(key, e)
            raise
        if key is not None:
            _cache_put(key, (df, list(found)))
    else:
        df, found = hit[0], Notes(hit[1])
    if notes is not None:
        notes.extend(found)
    return df.copy(deep=False)


def read_table_bytes(
    data: bytes,
    file: str,
    *,
    what: str = "a CSV or Excel table with a header row",
    sheet: str | int | None = None,
    notes: Notes | None = None,
) -> pd.DataFrame:
    """:func:`read_table` for a file held in memory (CSV/TSV, gzipped or not, or XLSX), named ``file``.

    Nothing is written anywhere and nothing is cached: it is for uploads that must not leave the
    memory (beneficiaries' postcodes, :mod:`sector_map.reach.beneficiaries`). Wholly blank rows
    are left out but the index stays the file row minus 2, so messages can name file rows even
    below a blank line.

    Raises:
        InputError: as :func:`read_table`.
    """
    if not data:
        raise InputError(file, "the file is empty", hint=f"Expected {what}")
    try:
        found = sniff_bytes(data)
    except (OSError, EOFError, zlib.error) as e:
        raise InputError(
            file, f"is a damaged gzip file ({type(e).__name__})", hint="Download it again"
        ) from None
    if found.kind == "empty":
        raise InputError(file, "the file is empty", hint=f"Expected {what}")
    limits, got = current_limits(), Notes()
    if found.kind == "zip" and not found.gzip:
        df, header = read_xlsx(io.BytesIO(data), file, sheet, limits, got, keep_blank=True)
    elif found.kind == "text":
        df, header = read_text_table(io.BytesIO(data), file, found, limits, got, keep_blank=True)
    else:
        raise _wrong_kind(file, found.kind, what)
    df = finish(df, header, file, what, got)
    df = df.dropna(how="all")
    if df.empty:
        raise InputError(file, "has a header row but no data rows", hint=f"Expected {what}")
    if notes is not None:
        notes.extend(got)
    return df


def sheet_names(path: Path | str, *, display_name: str | None = None) -> list[str]:
    """The sheet names of an XLSX workbook ([] for any other file)."""
    path = Path(path)
    file = display_name or path.name
    found = _sniff_or_fail(path, file, "a workbook")
    if found.kind != "zip" or found.gzip:
        return []
    limits = current_limits()
    key = _cache_key(path, file, "(sheet names)", limits) if limits.cache else None
    hit = _cache_get(key) if key is not None else None
    if isinstance(hit, InputError):
        raise hit
    if hit is not None:
        return list(hit[1])
    try:
        names = xlsx.sheet_names(path, limits)
    except xlsx.WorkbookError as e:
        error = InputError(file, e.text, hint=e.hint)
        if key is not None:
            _cache_put(key, error)
        raise error from None
    if key is not None:
        _cache_put(key, (pd.DataFrame(), names))
    return names


def _read_any(
    path: Path,
    file: str,
    what: str,
    sheet: str | int | None,
    limits: Limits,
    notes: Notes,
    rows: RowFilter | None = None,
) -> pd.DataFrame:
    found = _sniff_or_fail(path, file, what)
    if found.kind == "zip" and not found.gzip:
        df, header = read_xlsx(path, file, sheet, limits, notes)
        df = finish(df, header, file, what, notes)
        return df if rows is None else df.loc[rows(df.fillna("")).index]
    if found.kind == "text":
        df, header = read_text_table(path, file, found, limits, notes, rows)
    else:
        raise _wrong_kind(file, found.kind, what)
    return finish(df, header, file, what, notes)


def read_json(path: Path | str, *, what: str, display_name: str | None = None) -> Any:
    """Parse a JSON file (plain or gzipped, with or without BOM)."""
    path = Path(path)
    file = display_name or path.name
    raw, kind = read_bytes(path, what=what)
    if kind == "text":
        raise InputError(file, "this is a text table (CSV?), not JSON", hint=f"Expected {what}")
    if kind != "json":
        raise _wrong_kind(file, kind, what)
    try:
        return json.loads(_decode(raw, file, None))
    except json.JSONDecodeError as e:
        raise InputError(file, f"is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None


def _norm_header(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(name).lower()).strip()


def find_column(columns: Iterable[str], candidates: Sequence[str], *, contains: bool = False) -> str | None:
    """The first of ``columns`` matching a candidate name, ignoring case, spaces and punctuation.

    Example:
        >>> find_column(["Charity Name", "Postcode"], ["charity_name", "name"])
        'Charity Name'
    """
    normed = {_norm_header(c): c for c in columns}
    for cand in candidates:
        hit = normed.get(_norm_header(cand))
        if hit is not None:
            return hit
    if contains:
        for cand in candidates:
            key = _norm_header(cand)
            for n, c in normed.items():
                if key and key in n:
                    return c
    return None


_NUMBER_JUNK = re.compile(r"[£$€,%\s]")


def to_number(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse numbers written by people and publishers.

    Handles thousands separators, currency and percent signs, spaces and suppression markers
    (``..``, ``-``, ``x``, ``c`` ...), and brackets for negatives. Infinity (``inf``, ``1e999``)
    is not a figure anyone published: it counts as unreadable.

    Returns:
        (float values with NaN where missing or unreadable, mask of cells that were filled in
        but could not be read as a number).

    Example:
        >>> to_number(pd.Series(["1,234", "£5", "..", "abc", None]))[0].tolist()
        [1234.0, 5.0, nan, nan, nan]
    """
    text = values.astype("string").str.strip()
    missing = text.isna() | text.str.lower().isin(MISSING_MARKERS)
    cleaned = text.str.replace(_NUMBER_JUNK, "", regex=True)
    cleaned = cleaned.str.replace(r"^\((.*)\)$", r"-\1", regex=True)
    nums = pd.to_numeric(cleaned.where(~missing), errors="coerce").astype("float64")
    nums = nums.where(np.isfinite(nums.to_numpy()))
    bad = nums.isna() & ~missing
    return nums, bad.fillna(False).astype(bool)
