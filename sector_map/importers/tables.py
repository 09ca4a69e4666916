"""Reading user files as they come: CSV/TSV (plain or gzipped), XLSX and JSON.

Real files carry UTF-8 byte-order marks, Windows-1252 text from Excel, thousands separators,
semicolons, ONS suppression markers and, sometimes, the wrong content altogether. Every
importer reads through here so each of those gets the same clear answer: an
:class:`InputError` that names the file, the column and the rows, and says what to do.

Row numbers given to users are *file* rows: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from sector_map.validate import Problem

__all__ = [
    "InputError",
    "Notes",
    "file_rows",
    "find_column",
    "read_json",
    "read_table",
    "to_number",
]

Progress = Callable[[str], None]
MAX_EXAMPLES = 5
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


def _sniff_kind(raw: bytes) -> str:
    if raw[:2] == b"\x1f\x8b":
        return "gzip"
    if raw[:4] == b"PK\x03\x04":
        return "zip"
    if raw[:5] == b"%PDF-":
        return "pdf"
    head = raw[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return "json"
    if head[:5].lower() in (b"<?xml", b"<html", b"<!doc"):
        return "markup"
    if b"\x00" in raw[:4096]:
        return "binary"
    return "text"


def _decode(raw: bytes, file: str, notes: Notes | None) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    text = raw.decode("cp1252", errors="replace")
    if notes is not None:
        notes.add(file, "is not UTF-8; read it as Windows-1252 (Excel's usual encoding)")
    return text


def read_bytes(path: Path | str, *, what: str) -> tuple[bytes, str]:
    """The file's bytes (gunzipped if needed) and its sniffed kind; errors for missing/empty files."""
    path = Path(path)
    if not path.is_file():
        raise InputError(
            path.name,
            "file not found",
            hint=f"Check the path ({path}); relative paths in a recipe resolve from the recipe's folder",
        )
    raw = path.read_bytes()
    kind = _sniff_kind(raw)
    if kind == "gzip":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise InputError(path.name, f"is a damaged gzip file ({e})", hint="Download it again") from None
        kind = _sniff_kind(raw)
    if not raw.strip(b"\xef\xbb\xbf \t\r\n"):
        raise InputError(path.name, "the file is empty", hint=f"Expected {what}")
    return raw, kind


def _wrong_kind(file: str, kind: str, what: str) -> InputError:
    names = {
        "json": "JSON (perhaps GeoJSON)",
        "zip": "a zip archive",
        "pdf": "a PDF document",
        "markup": "a web page or XML",
        "binary": "a binary file",
    }
    return InputError(file, f"this is {names.get(kind, kind)}, not a table", hint=f"Expected {what}")


def _read_xlsx(raw: bytes, file: str, sheet: str | int | None) -> pd.DataFrame:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            if "xl/workbook.xml" not in z.namelist():
                raise InputError(file, "is a zip archive, not an Excel workbook or CSV")
    except zipfile.BadZipFile:
        raise InputError(file, "is a damaged zip/Excel file", hint="Save it again from Excel") from None
    try:
        df = pd.read_excel(io.BytesIO(raw), sheet_name=sheet or 0, dtype=str, engine="openpyxl")
    except ValueError as e:
        raise InputError(file, f"could not read the workbook ({e})") from None
    return df


def _read_text_table(text: str, file: str) -> pd.DataFrame:
    sample = text[:65536]
    try:
        sep = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",;\t|").delimiter
    except csv.Error:
        sep = ","
    # Tab-separated exports (the Charity Commission's register extract) are unquoted: a cell may
    # start with a quote mark that is just text.
    quoting = csv.QUOTE_NONE if sep == "\t" else csv.QUOTE_MINIMAL
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, quoting=quoting)
    except pd.errors.ParserError as e:
        line = re.search(r"line (\d+)", str(e))
        rows = (int(line.group(1)),) if line else ()
        raise InputError(
            file,
            f"rows do not all have the same number of columns ({str(e).strip()})",
            rows=rows,
            hint="Check for unquoted commas in that row, or save the file again as CSV",
        ) from None
    except pd.errors.EmptyDataError:
        raise InputError(file, "the file is empty") from None


def read_table(
    path: Path | str,
    *,
    what: str = "a CSV or Excel table with a header row",
    sheet: str | int | None = None,
    notes: Notes | None = None,
    display_name: str | None = None,
) -> pd.DataFrame:
    """Read a CSV/TSV (plain or gzipped) or XLSX file as text columns.

    Column names are stripped of byte-order marks and surrounding spaces; cells are stripped
    and empty cells (or R/SQL's ``NA``/``NULL``) become ``<NA>`` (publishers' markers such as ``..`` are left for
    :func:`to_number`). The index is 0-based positional; :func:`file_rows` turns it into file rows.

    Raises:
        InputError: missing or empty file, a file of another kind (JSON, PDF, zip...), ragged
            rows, or a header with no data rows.
    """
    path = Path(path)
    file = display_name or path.name
    raw, kind = read_bytes(path, what=what)
    if kind == "zip":
        df = _read_xlsx(raw, file, sheet)
    elif kind == "text":
        df = _read_text_table(_decode(raw, file, notes), file)
    else:
        raise _wrong_kind(file, kind, what)
    df.columns = [str(c).replace("\ufeff", "").strip() for c in df.columns]
    if df.empty:
        raise InputError(file, "has a header row but no data rows", hint=f"Expected {what}")
    blank = [c for c in df.columns if c == "" or c.startswith("Unnamed:")]
    df = df.drop(columns=[c for c in blank if df[c].replace("", np.nan).isna().all()])
    df = df.astype("string")
    for c in df.columns:
        df[c] = df[c].str.strip().replace(EMPTY_CELLS, pd.NA)
    df = df.reset_index(drop=True)
    return df


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
    (``..``, ``-``, ``x``, ``c`` ...), and brackets for negatives.

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
    bad = nums.isna() & ~missing
    return nums, bad.fillna(False).astype(bool)
