"""Reading user files as they come: CSV/TSV (plain or gzipped), XLSX and JSON.

Real files carry UTF-8 byte-order marks, Windows-1252 text from Excel, thousands separators,
semicolons, ONS suppression markers and, sometimes, the wrong content altogether. Every
importer reads through here so each of those gets the same clear answer: an
:class:`InputError` that names the file, the column and the rows, and says what to do.

Row numbers given to users are *file* rows: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import csv
import json
import re
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from sector_map.importers import xlsx
from sector_map.importers.limits import Limits, current_limits
from sector_map.importers.streams import LimitedReader, OverLimit, Sniffed, TextStream, sniff
from sector_map.validate import Problem

__all__ = [
    "InputError",
    "Notes",
    "file_kind",
    "file_rows",
    "find_column",
    "read_json",
    "read_table",
    "sheet_names",
    "to_number",
]

Progress = Callable[[str], None]
MAX_EXAMPLES = 5
CHUNK_ROWS = 5_000
CHUNK_BYTES = 16_000_000
# Values statistical publishers use for "not available" / "suppressed".
# Cells that mean "empty" in any column: R and database exports write NA / NULL.
EMPTY_CELLS = ["", "NA", "N/A", "#N/A", "NULL", "null", "None", "nan", "NaN"]
MISSING_MARKERS = {"", "-", "..", ".", ":", "x", "*", "n/a", "na", "#n/a", "null", "none", "c", "z"}


class InputError(ValueError):
    """An input file that cannot be used; the message names file, column, rows and what to do."""

    def __init__(
        self,
        file: str,
        text: str,
        *,
        column: str | None = None,
        rows: tuple[int, ...] | list[int] = (),
        hint: str | None = None,
    ):
        self.problem = Problem(file, text, column, tuple(int(r) for r in rows))
        self.hint = hint
        msg = self.problem.message()
        super().__init__(msg + (f". {hint}" if hint else ""))


class Notes(list):
    """Warnings gathered while importing: the file can be used, but the user should know."""

    def add(self, file: str, text: str, *, column: str | None = None, rows=(), limit: int = 50) -> None:
        self.append(Problem(file, text, column, tuple(int(r) for r in list(rows)[:limit])))


def file_rows(index) -> list[int]:
    """File row numbers (header = row 1) for positional index labels 0, 1, ..."""
    return [int(i) + 2 for i in index]


def examples(values, n: int = MAX_EXAMPLES) -> str:
    """'a, b, c and 4 more' for messages."""
    values = [str(v) for v in values]
    more = f" and {len(values) - n} more" if len(values) > n else ""
    return ", ".join(values[:n]) + more


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


def _too_big(file: str, limits: Limits, *, gz: bool) -> InputError:
    return InputError(
        file,
        f"{'unzips to' if gz else 'holds'} more than {limits.mb()}, the most a file read here can hold",
        hint=_split_hint(limits),
    )


def _rows_hint(limits: Limits) -> str:
    return (
        f"Split it into files of up to {limits.rows:,} rows and upload each, or filter it to your area "
        f"(e.g. by local authority) first; {limits.elsewhere}"
    ).rstrip("; ")


def _split_hint(limits: Limits) -> str:
    return (
        f"Split it into smaller files, or filter it to your area (e.g. by local authority) first; "
        f"{limits.elsewhere}"
    ).rstrip("; ")


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
        raise _too_big(path.name, limits, gz=found.gzip) from None
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
_CACHE: OrderedDict[tuple, tuple[pd.DataFrame, list] | InputError] = OrderedDict()
_CACHE_LOCK = threading.Lock()
CACHE_ENTRIES = 6
CACHE_BYTES = 400_000_000


def clear_cache() -> None:
    """Forget every parsed table (tests; a long-running process that wants its memory back)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def _cache_key(path: Path, file: str, sheet, limits: Limits) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (str(path.resolve()), st.st_size, st.st_mtime_ns, file, sheet, limits)


def _cache_get(key):
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
        return hit


def _cache_put(key, value) -> None:
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
) -> pd.DataFrame:
    """Read a CSV/TSV (plain or gzipped, any of UTF-8, Windows-1252, UTF-16) or XLSX file as text columns.

    Column names are stripped of byte-order marks and surrounding spaces; a repeated name is kept
    as ``name (2)`` (and noted). Cells are stripped and empty cells (or R/SQL's ``NA``/``NULL``)
    become ``<NA>`` (publishers' markers such as ``..`` are left for :func:`to_number`). The index
    is 0-based positional; :func:`file_rows` turns it into file rows.

    The file is read a block at a time within the limits in force
    (:func:`sector_map.importers.limits.reading_limits`); under upload limits the parsed table is
    cached by path, size, modification time and sheet, so the Data page's reruns parse it once.

    Raises:
        InputError: missing or empty file, a file of another kind (JSON, PDF, HTML, zip...), ragged
            rows, a header with no data rows, or a file over a limit (naming the limit).
    """
    path = Path(path)
    file = display_name or path.name
    limits = current_limits()
    key = _cache_key(path, file, sheet, limits) if limits.cache else None
    hit = _cache_get(key) if key is not None else None
    if isinstance(hit, InputError):
        raise hit
    if hit is None:
        found = Notes()
        try:
            df = _read_any(path, file, what, sheet, limits, found)
        except InputError as e:
            if key is not None:
                _cache_put(key, e)
            raise
        if key is not None:
            _cache_put(key, (df, list(found)))
    else:
        df, found = hit[0], hit[1]
    if notes is not None:
        notes.extend(found)
    return df.copy(deep=False)


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


def _read_any(path: Path, file: str, what: str, sheet, limits: Limits, notes: Notes) -> pd.DataFrame:
    found = _sniff_or_fail(path, file, what)
    if found.kind == "zip" and not found.gzip:
        df, header = _read_xlsx(path, file, sheet, limits, notes)
    elif found.kind == "text":
        df, header = _read_text_table(path, file, found, limits, notes)
    else:
        raise _wrong_kind(file, found.kind, what)
    return _finish(df, header, file, what, notes)


def _read_xlsx(path: Path, file: str, sheet, limits: Limits, notes: Notes) -> tuple[pd.DataFrame, list[str]]:
    try:
        header, rows, name, names = xlsx.read_sheet(path, sheet, limits)
    except xlsx.WorkbookError as e:
        raise InputError(file, e.text, hint=e.hint, rows=e.rows, column=e.column) from None
    if len(names) > 1 and sheet is None:
        notes.add(
            file,
            f"the workbook has {len(names)} sheets ({examples(names)}); read the first, '{name}'. "
            "Choose another sheet if the table is on another one",
        )
    if not header:
        raise InputError(file, f"sheet '{name}' is empty", hint="Choose the sheet that holds the table")
    rows = [r for r in rows if any(v is not None for v in r)]
    return pd.DataFrame(rows, columns=range(len(header)), dtype=object), header


def _read_text_table(
    path: Path, file: str, found: Sniffed, limits: Limits, notes: Notes
) -> tuple[pd.DataFrame, list[str]]:
    reader = LimitedReader(path, gz=found.gzip, max_bytes=limits.bytes)
    stream = TextStream(reader, encoding=found.encoding, max_line=limits.line_bytes)
    try:
        head = stream.peek_text(65536)
        _raise_if_stopped(stream, file, limits, gz=found.gzip)
        first = re.split("\r\n|\r|\n", head, maxsplit=1)[0]
        try:
            sep = csv.Sniffer().sniff(first, delimiters=",;\t|").delimiter
        except csv.Error:
            sep = ","
        # Tab-separated exports (the Charity Commission's register extract) are unquoted: a cell may
        # start with a quote mark that is just text.
        quoting = csv.QUOTE_NONE if sep == "\t" else csv.QUOTE_MINIMAL
        header = next(csv.reader([first], delimiter=sep, quoting=quoting), [])
        if len(header) > limits.columns:
            raise InputError(
                file,
                f"has {len(header):,} columns; a file read here can have at most {limits.columns:,}",
                hint="Delete the columns you do not need and save it again",
            )
        chunks: list[pd.DataFrame] = []
        n = 0
        # Rows per chunk: about CHUNK_BYTES of text by the longest line read so far, so a cell
        # or byte limit is seen after a few rows of a file of very long ones.
        longest = max(map(len, stream.buffered().splitlines()), default=1)
        per_chunk = max(8, min(CHUNK_ROWS, CHUNK_BYTES // max(longest, 1)))
        try:
            with pd.read_csv(
                stream, sep=sep, dtype=str, keep_default_na=False, quoting=quoting, chunksize=per_chunk
            ) as chunked:
                for chunk in chunked:
                    _check_cells(chunk, n, file, limits)
                    n += len(chunk)
                    if n > limits.rows:
                        raise InputError(
                            file,
                            f"has more than {limits.rows:,} rows, the most a file read here can have",
                            hint=_rows_hint(limits),
                        )
                    chunks.append(chunk)
        except pd.errors.ParserError as e:
            _raise_if_stopped(stream, file, limits, gz=found.gzip)
            quote = re.search(r"EOF inside string starting at row (\d+)", str(e))
            if quote:  # pandas counts rows from 0 (the header)
                raise InputError(
                    file,
                    "a quote mark opened in this row is never closed, so the rest of the file reads as one cell",
                    rows=(int(quote.group(1)) + 1,),
                    hint="Close the quote (or delete it) in that row, and save the file again",
                ) from None
            line = re.search(r"(?:line|row) (\d+)", str(e))
            rows = (int(line.group(1)),) if line else ()
            raise InputError(
                file,
                f"rows do not all have the same number of columns ({str(e).strip()})",
                rows=rows,
                hint="Check for unquoted commas or an unclosed quote mark in that row, or save the file "
                "again as CSV",
            ) from None
        except pd.errors.EmptyDataError:
            raise InputError(file, "the file is empty") from None
        _raise_if_stopped(stream, file, limits, gz=found.gzip)
    finally:
        reader.close()
    _encoding_notes(stream, found, file, notes)
    df = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=header)
    return df, header


def _raise_if_stopped(stream: TextStream, file: str, limits: Limits, *, gz: bool) -> None:
    f = stream.found
    if f.stopped == "bytes":
        raise _too_big(file, limits, gz=gz)
    if f.stopped == "line":
        raise InputError(
            file,
            f"line {f.stopped_line:,} runs on for more than {limits.line_bytes / 1e6:,.0f} MB without a line "
            "break; "
            "this is not a table of rows",
            hint="Check it is the file you meant, and save it again as CSV",
        )
    if f.stopped == "damaged":
        raise InputError(file, f"is a damaged gzip file ({f.damage})", hint="Download it again")


def _check_cells(chunk: pd.DataFrame, before: int, file: str, limits: Limits) -> None:
    for c in chunk.columns:
        lengths = chunk[c].str.len()
        if len(lengths) and lengths.max() > limits.cell_chars:
            at = int(lengths.to_numpy().argmax())
            raise InputError(
                file,
                f"a cell holds {int(lengths.iloc[at]):,} characters; a cell can hold at most "
                f"{limits.cell_chars:,} (Excel's own limit)",
                column=str(c),
                rows=(before + at + 2,),
                hint="Shorten that cell, or delete the column if you do not need it, and save it again",
            )


def _encoding_notes(stream: TextStream, found: Sniffed, file: str, notes: Notes) -> None:
    f = stream.found
    if found.encoding:
        notes.add(file, "is UTF-16 text (Excel's 'Unicode Text'); read it as UTF-16")
    if f.cp1252 and not f.utf8_non_ascii:
        notes.add(file, "is not UTF-8; read it as Windows-1252 (Excel's usual encoding)")
    elif f.cp1252:
        notes.add(
            file,
            "mixes two encodings: these lines are Windows-1252 and the rest UTF-8; each line was read in "
            "its own, so check their accented letters, and save the file as 'CSV UTF-8' next time",
            rows=f.cp1252,
        )
    if f.nul:
        notes.add(
            file,
            "holds NUL bytes (an invisible character some systems write); they were removed and the rest "
            "of each line read",
            rows=f.nul,
        )
    if f.garbled:
        notes.add(
            file,
            "has text that looks garbled, like 'CafÃ©' for 'Café' (UTF-8 read as Windows-1252 before the "
            "file was saved); fix these lines in the file, or export it again as 'CSV UTF-8'",
            rows=f.garbled,
        )


def _finish(df: pd.DataFrame, header: list[str], file: str, what: str, notes: Notes) -> pd.DataFrame:
    raw = header if len(header) == df.shape[1] else [str(c) for c in df.columns]
    names = [str(c).replace("\ufeff", "").strip() for c in raw]
    if names and not any(names):
        raise InputError(
            file,
            "the first row (the header) is empty",
            rows=(1,),
            hint="Put the column names in the first row and save it again",
        )
    names = [n or f"Unnamed: {i}" for i, n in enumerate(names)]
    df.columns = _dedupe(names, file, notes)
    if df.empty:
        raise InputError(file, "has a header row but no data rows", hint=f"Expected {what}")
    blank = [c for c in df.columns if c.startswith("Unnamed:")]
    df = df.drop(columns=[c for c in blank if df[c].replace("", np.nan).isna().all()])
    df = df.astype("string")
    for c in df.columns:
        df[c] = df[c].str.strip().replace(EMPTY_CELLS, pd.NA)
    return df.reset_index(drop=True)


def _dedupe(names: list[str], file: str, notes: Notes) -> list[str]:
    """Keep every column: the second 'name' becomes 'name (2)', and the note says which columns."""
    out: list[str] = []
    seen: dict[str, list[int]] = {}
    for i, n in enumerate(names):
        seen.setdefault(n.lower(), []).append(i)
    taken = {n.lower() for n in names}
    for i, n in enumerate(names):
        same = seen[n.lower()]
        if len(same) == 1 or i == same[0] or n.startswith("Unnamed:"):
            out.append(n)
            continue
        k = same.index(i) + 1
        new = f"{n} ({k})"
        while new.lower() in taken:
            k += 1
            new = f"{n} ({k})"
        taken.add(new.lower())
        out.append(new)
    for same in seen.values():
        if len(same) > 1 and not names[same[0]].startswith("Unnamed:"):
            cols = ", ".join(str(i + 1) for i in same)
            kept = ", ".join(f"'{out[i]}'" for i in same)
            notes.add(
                file,
                f"columns {cols} have the same name, '{names[same[0]]}'; all are kept, as {kept}. "
                "Rename them in the file if one is not the column you meant",
                column=names[same[0]],
            )
    return out


def read_json(path: Path | str, *, what: str, display_name: str | None = None):
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


def find_column(columns, candidates, *, contains: bool = False) -> str | None:
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
