"""CSV and XLSX tables for reports."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd

from sector_map.table_export import to_csv, to_xlsx
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
