"""Tables for reports: CSV that Excel opens cleanly, and XLSX with an 'About' sheet of sources.

Names in the tables come from data files, so a text cell that a spreadsheet would run as a formula
(one starting ``=``, ``+``, ``-``, ``@``, a tab or a carriage return: OWASP's CSV injection list)
is written with a leading ``'``, which shows it as text; numbers stay numbers.

Example:
    >>> safe_cell("=1+2"), safe_cell("-5"), safe_cell(-5), safe_cell("Café")
    ("'=1+2", '-5', -5, 'Café')
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from sector_map.analysis import need
from sector_map.export.layout import source_line
from sector_map.pack import schema as s
from sector_map.pack.io import Pack

MAX_SHEET_NAME = 31  # Excel's limit
# First characters that make a spreadsheet read a cell as a formula (OWASP), with the full-width
# forms some Excel locales also accept.
FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")


def safe_cell(value: object) -> object:
    """``value`` as a spreadsheet will show it, never run it: text a spreadsheet would read as a
    formula gets a leading ``'``; other values (numbers, dates, plain text) are returned as they are.

    Leading spaces are looked past, and a string that is only a number ("-5", "+44") is left alone
    (a spreadsheet reads it as that number, which is harmless).
    """
    if not isinstance(value, str):
        return value
    start = value.lstrip(" \n")
    if start[:1] in FORMULA_START and not _PLAIN_NUMBER.fullmatch(start.strip()):
        return "'" + value
    return value


def safe_table(table: pd.DataFrame, *, cell: Callable[[object], object] = safe_cell) -> pd.DataFrame:
    """A copy of ``table`` with every text cell and column name passed through ``cell``.

    Example:
        >>> safe_table(pd.DataFrame({"name": ["=HYPERLINK(1)", "Beta"], "need": [-5.0, 100.0]})).values.tolist()
        [["'=HYPERLINK(1)", -5.0], ['Beta', 100.0]]
    """
    out = table.rename(columns=cell)
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_datetime64_any_dtype(col)):
            out.isetitem(i, col.astype(object).map(cell, na_action="ignore").to_numpy())
    return out


def to_csv(table: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark, so Excel shows £, é and en dashes correctly.

    Lines end in CRLF (RFC 4180), so a cell holding a lone carriage return is quoted, not split.

    Example:
        The tiny pack's poverty gap table as a CSV (:func:`sector_map.analysis.tables.gap_table_for`):

        >>> from sector_map.demo.tiny import tiny_pack
        >>> from sector_map.analysis.tables import gap_table_for
        >>> table = gap_table_for(tiny_pack(), ["poverty_food"]).table[[s.WARD_NAME, s.NEED, s.GAP_CLASS]]
        >>> data = to_csv(table)
        >>> data[:3], data.decode("utf-8-sig").split("\\r\\n")
        (b'\\xef\\xbb\\xbf', ['ward_name,need,gap_class', 'Beta,100.0,provision not known', 'Gamma,50.0,provision not known', 'Alpha,0.0,provision not known', 'Delta,,no data', ''])
    """
    return safe_table(table).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _xlsx_cell(value: object) -> object:
    """:func:`safe_cell`, without the control characters an XLSX file cannot hold."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return safe_cell(value)


def _sheet_name(name: str, used: set[str]) -> str:
    # Excel forbids a sheet name starting with ', so formula characters are dropped instead.
    name = ILLEGAL_CHARACTERS_RE.sub("", name).lstrip("".join(FORMULA_START) + "' ").rstrip("'")
    base = "".join(c for c in name if c not in "[]:*?/\\")[:MAX_SHEET_NAME].rstrip("'") or "Sheet"
    out, n = base, 2
    while out in used:
        out = f"{base[: MAX_SHEET_NAME - len(str(n)) - 1]} {n}"
        n += 1
    used.add(out)
    return out


def to_xlsx(
    sheets: Mapping[str, pd.DataFrame],
    *,
    title: str,
    pack: Pack,
    made_on: date | None = None,
    about: Sequence[tuple[str, str]] = (),
) -> bytes:
    """A workbook: an 'About' sheet (title, area, sources, attribution, date, demo mark, and any
    ``about`` rows such as the indicators and weights of a need index), then one sheet per table.

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> wards = pd.DataFrame({"ward_name": ["Beta", "Gamma"], "need": [100, 50]})
        >>> data = to_xlsx({"Wards": wards}, title="Poverty", pack=tiny_pack(), made_on=date(2026, 1, 5))
        >>> sheets = pd.read_excel(io.BytesIO(data), sheet_name=None)
        >>> list(sheets), sheets["Wards"].values.tolist()
        (['About', 'Wards'], [['Beta', 100], ['Gamma', 50]])
        >>> sheets["About"].values.tolist()[:3]  # the tiny pack is marked as a demo
        [['Warning', 'Fictional demo data: not a real place. Do not use for decisions.'], ['Title', 'Poverty'], ['Area', 'Testshire']]
    """
    made_on = made_on or date.today()
    rows = [
        ("Title", title),
        ("Area", pack.name),
        *about,
        ("Sources", source_line(pack, made_on=made_on)),
        ("Made", f"with sector-map on {made_on:%d %B %Y}"),
    ]
    if pack.is_demo:
        rows.insert(0, ("Warning", "Fictional demo data: not a real place. Do not use for decisions."))
    buffer = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_table(pd.DataFrame(rows, columns=["", title]), cell=_xlsx_cell).to_excel(
            writer, sheet_name=_sheet_name("About", used), index=False
        )
        for name, table in sheets.items():
            safe_table(table, cell=_xlsx_cell).to_excel(
                writer, sheet_name=_sheet_name(name, used), index=False
            )
        for ws in writer.book.worksheets:
            for i, column in enumerate(ws.columns, start=1):  # columns start at A
                width = max(len(str(c.value or "")) for c in column[:200])
                ws.column_dimensions[get_column_letter(i)].width = min(max(10, width + 2), 80)
    return buffer.getvalue()


def need_about_rows(
    pack: Pack,
    themes: Sequence[str],
    *,
    weights: Mapping[str, Mapping[str, float]] | None = None,
    scores: pd.DataFrame | None = None,
) -> list[tuple[str, str]]:
    """'About' rows naming, per theme, the indicators and weights of its need index (for ``to_xlsx``).

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> need_about_rows(tiny_pack(), ["poverty_food"])
        [('Poverty, food and money advice need index', 'IMD score (weight 1)')]
    """
    if scores is None:  # the rank need scores, unless the caller has them
        scores = need.need_score_table(pack.indicator_wide(), pack.indicator_meta)
    text = need.themes_weights_text(pack.indicator_meta, themes, weights=weights, scores=scores)
    pairs = [line.split(": ", 1) for line in text.splitlines() if ": " in line]
    return [(name, value) for name, value in pairs]


def with_need_indicators(
    table: pd.DataFrame,
    pack: Pack,
    themes: Sequence[str],
    *,
    weights: Mapping[str, Mapping[str, float]] | None = None,
    scores: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``table`` with a ``need_indicators`` column naming the indicators and weights behind its
    ``need`` (the same text in every row), so a CSV says what its need was computed from.

    With several themes each is named: "Older people need index: A (weight 1) | Health …".

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> t = with_need_indicators(pd.DataFrame({s.NEED: [1.0]}), tiny_pack(), ["poverty_food"])
        >>> t[s.NEED_INDICATORS].tolist()
        ['IMD score (weight 1)']
    """
    rows = need_about_rows(pack, themes, weights=weights, scores=scores)
    text = rows[0][1] if len(rows) == 1 else " | ".join(f"{name}: {used}" for name, used in rows)
    out = table.copy()
    out[s.NEED_INDICATORS] = text
    return out
