"""Tables for reports: CSV that Excel opens cleanly, and XLSX with an 'About' sheet of sources."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date

import pandas as pd

from sector_map.export_layout import source_line
from sector_map.pack import Pack

MAX_SHEET_NAME = 31  # Excel's limit


def to_csv(table: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark, so Excel shows £, é and en dashes correctly."""
    return table.to_csv(index=False).encode("utf-8-sig")


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join(c for c in name if c not in "[]:*?/\\")[:MAX_SHEET_NAME] or "Sheet"
    out, n = base, 2
    while out in used:
        out = f"{base[: MAX_SHEET_NAME - len(str(n)) - 1]} {n}"
        n += 1
    used.add(out)
    return out


def to_xlsx(
    sheets: Mapping[str, pd.DataFrame], *, title: str, pack: Pack, made_on: date | None = None
) -> bytes:
    """A workbook: an 'About' sheet (title, area, sources, attribution, date, demo mark), then one
    sheet per table.

    Example:
        >>> from tests.conftest import make_tiny_pack
        >>> data = to_xlsx({"Wards": pd.DataFrame({"a": [1]})}, title="T", pack=make_tiny_pack())
        >>> data[:2]
        b'PK'
    """
    made_on = made_on or date.today()
    about = [
        ("Title", title),
        ("Area", pack.name),
        ("Sources", source_line(pack, made_on=made_on)),
        ("Made", f"with sector-map on {made_on:%d %B %Y}"),
    ]
    if pack.is_demo:
        about.insert(0, ("Warning", "Fictional demo data: not a real place. Do not use for decisions."))
    buffer = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.DataFrame(about, columns=["", title]).to_excel(
            writer, sheet_name=_sheet_name("About", used), index=False
        )
        for name, table in sheets.items():
            table.to_excel(writer, sheet_name=_sheet_name(name, used), index=False)
        for ws in writer.book.worksheets:
            for column in ws.columns:
                width = max(len(str(c.value or "")) for c in column[:200])
                ws.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 80)
    return buffer.getvalue()
