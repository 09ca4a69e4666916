"""Excel workbooks (.xlsx), read within limits: the zip is checked before openpyxl opens it.

An XLSX is a zip of XML. A 1 MB workbook can unzip to gigabytes, and openpyxl's normal mode
builds every cell in memory, so :func:`check_workbook` reads the zip's directory first (member
sizes and compression ratios, which :mod:`zipfile` holds the members to) and refuses a
workbook that would unzip past the limit. :func:`read_sheet` then streams one sheet with
openpyxl's read-only mode, counting rows and columns and measuring cells as it goes. Both take a
path or an open binary file (an upload held in memory).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from sector_map.importers.limits import Limits

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

# A member that unzips to more than this many times its size (and is big) is a zip bomb: real
# sheets compress 5 to 30 times.
MAX_RATIO = 200
MAX_MEMBERS = 10_000


class WorkbookError(Exception):
    """A workbook that cannot be read; ``text`` and ``hint`` are for the user, ``rows``/``column`` say where."""

    def __init__(
        self, text: str, hint: str | None = None, *, rows: Iterable[int] = (), column: str | None = None
    ) -> None:
        super().__init__(text)
        self.text, self.hint, self.rows, self.column = text, hint, tuple(rows), column


def check_workbook(path: Path | BinaryIO, limits: Limits) -> None:
    """Refuse a zip that is not a workbook, or would unzip past ``limits.bytes`` or looks like a bomb."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise WorkbookError(f"is a damaged zip/Excel file ({e})", "Save it again from Excel") from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise WorkbookError("is a Word document, not a table", "Save the table in it as CSV from Excel")
        if "mimetype" in names and any(n == "content.xml" for n in names):
            raise WorkbookError(
                "is an OpenDocument file, not an Excel workbook", "Save it as .xlsx or CSV (File → Save As)"
            )
        raise WorkbookError(
            "is a zip archive, not an Excel workbook or CSV", "Unzip it and upload the table inside"
        )
    if len(infos) > MAX_MEMBERS:
        raise WorkbookError(
            f"holds {len(infos):,} parts; a workbook has a few dozen", "Save it again from Excel"
        )
    total = sum(i.file_size for i in infos)
    if total > limits.bytes:
        raise WorkbookError(
            f"unzips to {total / 1e6:,.0f} MB; {limits.label} can unzip to at most {limits.mb()}",
            "Delete the sheets and columns you do not need, or filter the rows to your area, and save it "
            f"again; or save the sheet as CSV and gzip it; {limits.elsewhere}".rstrip("; "),
        )
    for i in infos:
        if i.file_size > 20_000_000 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise WorkbookError(
                f"part {i.filename} unzips to {i.file_size / max(i.compress_size, 1):,.0f} times its size, "
                "which real workbooks never do (it looks like a zip bomb)",
                "Save the sheet again from Excel, or save it as CSV",
            )


def sheet_names(path: Path, limits: Limits) -> list[str]:
    """The workbook's sheet names, in order."""
    check_workbook(path, limits)
    wb = _open(path)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _open(path: Path | BinaryIO) -> Workbook:
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds on a damaged workbook
        raise WorkbookError(
            f"could not be opened as a workbook ({type(e).__name__})", "Save it again from Excel"
        ) from None


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    return str(value)


def read_sheet(
    path: Path | BinaryIO, sheet: str | int | None, limits: Limits
) -> tuple[list[str], list[list], str, list[str]]:
    """One sheet's header and rows as text (``None`` for empty cells), within ``limits``.

    Returns:
        ``(header, rows, sheet name, all sheet names)``; trailing empty rows and columns dropped.
    """
    check_workbook(path, limits)
    wb = _open(path)
    try:
        names = list(wb.sheetnames)
        if sheet is None or sheet == 0:
            name = names[0] if names else None
        elif isinstance(sheet, int):
            name = names[sheet] if 0 <= sheet < len(names) else None
        else:
            name = sheet if sheet in names else None
        if name is None:
            raise WorkbookError(
                f"has no sheet {sheet!r}", "Choose one of its sheets: " + ", ".join(repr(n) for n in names)
            )
        rows: list[list] = []
        width = pending = 0
        try:
            for i, values in enumerate(wb[name].iter_rows(values_only=True)):
                row = [_cell(v) for v in values]
                while row and row[-1] is None:
                    row.pop()
                if not row:  # empty rows count only if a filled one follows (formatting runs on)
                    pending += 1
                    continue
                rows.extend([] for _ in range(pending))
                pending = 0
                if len(rows) > limits.rows:
                    raise WorkbookError(
                        f"sheet '{name}' has more than {limits.rows:,} rows, the most {limits.label} can have",
                        _split_hint(limits),
                    )
                if len(row) > limits.columns:
                    raise WorkbookError(
                        f"sheet '{name}' has {len(row):,} columns; {limits.label} can have at most {limits.columns:,}",
                        "Delete the columns you do not need and save it again",
                        rows=(i + 1,),
                    )
                for j, v in enumerate(row):
                    if v is not None and len(v) > limits.cell_chars:
                        raise WorkbookError(
                            f"a cell holds {len(v):,} characters; a cell can hold at most {limits.cell_chars:,}",
                            "Shorten that cell (or delete the column) and save it again",
                            rows=(i + 1,),
                            column=str(rows[0][j]) if rows and j < len(rows[0]) else None,
                        )
                width = max(width, len(row))
                rows.append(row)
        except WorkbookError:
            raise
        except Exception as e:  # a damaged sheet (bad XML, bad CRC...)
            raise WorkbookError(
                f"sheet '{name}' could not be read ({type(e).__name__})", "Save it again from Excel"
            ) from None
    finally:
        wb.close()
    if not rows:
        return [], [], name, names
    rows = [r + [None] * (width - len(r)) for r in rows]
    header = ["" if v is None else str(v) for v in rows[0]]
    return header, rows[1:], name, names


def _split_hint(limits: Limits) -> str:
    return (
        f"Split it into files of up to {limits.rows:,} rows and upload each, or filter it to your area "
        f"(e.g. by local authority) first; {limits.elsewhere}"
    ).rstrip("; ")
