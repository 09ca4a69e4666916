"""Parsing a table's text or an Excel sheet into text columns, within limits.

:func:`read_text_table` feeds a :class:`~sector_map.importers.streams.TextStream` to
``pandas.read_csv`` a chunk of rows at a time, so the row, column and cell limits are checked as
the file is read; :func:`read_xlsx` does the same for a sheet through
:mod:`sector_map.importers.xlsx`. :func:`finish` gives both the same clean-up: column names
stripped, repeated names kept as ``name (2)`` (and noted), cells stripped, empty markers to <NA>.
Used by :func:`sector_map.importers.tables.read_table`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np
import pandas as pd

from sector_map.importers import xlsx
from sector_map.importers.limits import Limits
from sector_map.importers.streams import HEAD, LimitedReader, Sniffed, TextStream
from sector_map.pack.errors import InputError, Notes, examples

# Keeps the rows of one chunk that a caller wants (see ``read_table(rows=...)``).
RowFilter = Callable[[pd.DataFrame], pd.DataFrame]

CHUNK_ROWS = 5_000
CHUNK_BYTES = 16_000_000
# Cells that mean "empty" in any column: R and database exports write NA / NULL.
EMPTY_CELLS = ["", "NA", "N/A", "#N/A", "NULL", "null", "None", "nan", "NaN"]


def too_big(file: str, limits: Limits, *, gz: bool) -> InputError:
    return InputError(
        file,
        f"{'unzips to' if gz else 'holds'} more than {limits.mb()}, the most {limits.label} can hold",
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


def read_xlsx(
    path: Path | BinaryIO,
    file: str,
    sheet: str | int | None,
    limits: Limits,
    notes: Notes,
    *,
    keep_blank: bool = False,
) -> tuple[pd.DataFrame, list[str]]:
    """The sheet as raw cells; with ``keep_blank``, blank rows stay (as empty rows), so the index
    is the file row minus 2."""
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
    if not keep_blank:
        rows = [r for r in rows if any(v is not None for v in r)]
    return pd.DataFrame(rows, columns=range(len(header)), dtype=object), header


def read_text_table(
    path: Path | BinaryIO,
    file: str,
    found: Sniffed,
    limits: Limits,
    notes: Notes,
    rows: RowFilter | None = None,
    *,
    keep_blank: bool = False,
) -> tuple[pd.DataFrame, list[str]]:
    """The text table as raw string cells; with ``rows``, only the rows it keeps from each chunk
    (their index still the 0-based position in the file), so a national file is never held whole.
    With ``keep_blank``, blank lines stay as empty rows, so the index is the file line minus 2
    (unless a quoted cell runs over several lines)."""
    reader = LimitedReader(path, gz=found.gzip, max_bytes=limits.bytes)
    stream = TextStream(reader, encoding=found.encoding, max_line=limits.line_bytes)
    try:
        head = stream.peek_text(HEAD)
        _raise_if_stopped(stream, file, limits, gz=found.gzip)
        first = re.split("\r\n|\r|\n", head, maxsplit=1)[0]
        try:
            sep = csv.Sniffer().sniff(first, delimiters=",;\t|").delimiter
        except csv.Error:
            sep = ","
        # Tab-separated exports (the Charity Commission's register extract) are unquoted: a cell may
        # start with a quote mark that is just text.
        quoting: Literal[0, 1, 2, 3] = csv.QUOTE_NONE if sep == "\t" else csv.QUOTE_MINIMAL
        header = next(csv.reader([first], delimiter=sep, quoting=quoting), [])
        if len(header) > limits.columns:
            raise InputError(
                file,
                f"has {len(header):,} columns; {limits.label} can have at most {limits.columns:,}",
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
                stream,
                sep=sep,
                dtype=str,
                keep_default_na=False,
                quoting=quoting,
                chunksize=per_chunk,
                skip_blank_lines=not keep_blank,
            ) as chunked:
                for chunk in chunked:
                    _check_cells(chunk, n, file, limits)
                    n += len(chunk)
                    if n > limits.rows:
                        raise InputError(
                            file,
                            f"has more than {limits.rows:,} rows, the most {limits.label} can have",
                            hint=_rows_hint(limits),
                        )
                    chunks.append(chunk if rows is None else rows(chunk))
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
            raise InputError(
                file,
                f"rows do not all have the same number of columns ({str(e).strip()})",
                rows=(int(line.group(1)),) if line else (),
                hint="Check for unquoted commas or an unclosed quote mark in that row, or save the file "
                "again as CSV",
            ) from None
        except pd.errors.EmptyDataError:
            raise InputError(file, "the file is empty") from None
        _raise_if_stopped(stream, file, limits, gz=found.gzip)
    finally:
        reader.close()
    _encoding_notes(stream, found, file, notes)
    if chunks and rows is not None:
        df = pd.concat(chunks)
        df.attrs["rows_read"] = n
    else:
        df = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=header)
    return df, header


def _raise_if_stopped(stream: TextStream, file: str, limits: Limits, *, gz: bool) -> None:
    f = stream.found
    if f.stopped == "bytes":
        raise too_big(file, limits, gz=gz)
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


def finish(df: pd.DataFrame, header: list[str], file: str, what: str, notes: Notes) -> pd.DataFrame:
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
    if df.empty and not df.attrs.get("rows_read"):
        raise InputError(file, "has a header row but no data rows", hint=f"Expected {what}")
    blank = [c for c in df.columns if c.startswith("Unnamed:")]
    df = df.drop(columns=[c for c in blank if df[c].replace("", np.nan).isna().all()])
    df = df.astype("string")
    for c in df.columns:
        df[c] = df[c].str.strip().replace(EMPTY_CELLS, pd.NA)  # type: ignore[call-overload]  # pandas-stubs: replace() takes no pd.NA
    return df


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
