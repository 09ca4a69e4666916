"""The Data page's sheet chooser and reading notes, with AppTest (the file's path set as the page keeps it)."""

from __future__ import annotations

import shutil

import openpyxl
import pytest

from ui import data_panel


@pytest.fixture
def app_packs(demo_pack_dir, tmp_path):
    """A copy of the demo pack of this test's own: the Data page may write beside it."""
    root = tmp_path / "packs"
    shutil.copytree(demo_pack_dir, root / "demo")
    return root


@pytest.fixture
def at(open_app):
    return open_app("app_pages/data.py")


def _book(path, sheets: dict[str, list[list]]):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def _upload(at, path, kind: str):
    at.session_state[data_panel.UPLOAD_PATH_KEY] = str(path)
    at.selectbox(key=data_panel.KIND_KEY).set_value(kind).run()
    assert not at.exception, [e.message for e in at.exception]


def test_a_workbook_with_several_sheets_offers_them_and_reads_the_one_chosen(at, demo, tmp_path):
    postcode = demo.postcodes["postcode"].iloc[0]
    book = _book(
        tmp_path / "groups.xlsx",
        {
            "About": [["This list"], ["was made in May"]],
            "Groups": [["name", "postcode"], ["Tide Pantry", postcode]],
        },
    )
    _upload(at, book, "organisations")
    chooser = at.selectbox(key="data_part|groups.xlsx|organisations")
    assert chooser.options == ["About", "Groups"] and chooser.value == "About"
    chooser.set_value("Groups").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="data_map|groups.xlsx|organisations|name|Groups").value == "name"
    at.button(key="data_check").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(x.value.startswith("1 of 1 rows accepted") for x in at.success)


def test_a_single_sheet_has_no_chooser_and_duplicate_headers_are_named(at, tmp_path):
    csv = tmp_path / "dupes.csv"
    csv.write_text("name,postcode,name\nTide Pantry,DM1 1AA,Tide Trust\n")
    _upload(at, csv, "organisations")
    assert not [sb for sb in at.selectbox if str(sb.key).startswith("data_part|")]
    assert any("columns 1, 3 have the same name" in t.value for t in at.text)
    assert "name (2)" in at.selectbox(key="data_map|dupes.csv|organisations|name").options


def test_a_bomb_is_refused_with_the_limit(at, tmp_path):
    import gzip

    bomb = tmp_path / "orgs.csv.gz"
    with gzip.open(bomb, "wb") as f:
        f.write(b"name,postcode\n" + b"Food Share,DM1 1AA\n" * 150_000)
    _upload(at, bomb, "organisations")
    assert any("more than 100,000 rows" in e.value and e.value.startswith("orgs.csv.gz") for e in at.error)
    assert not [b for b in at.button if b.key == "data_check"]  # nothing to check
