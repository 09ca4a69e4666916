"""Data page: an officer corrects an organisation's themes, sees it listed, and undoes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sector_map.pack import schema as s
from sector_map.pack.corrections import corrections_path, read_corrections
from sector_map.pack.io import load_pack, save_pack
from tests.conftest import make_tiny_pack


@pytest.fixture
def app_packs(tmp_path) -> Path:
    """One small pack that is not a demo (so it can be corrected), in a folder of this test's own."""
    root = tmp_path / "packs"
    tiny = make_tiny_pack()
    tiny.manifest = {**tiny.manifest, "demo": False}
    save_pack(tiny, root / "testshire")
    return root


def _text(app: AppTest) -> str:
    return "\n".join(m.value for m in [*app.markdown, *app.caption, *app.success, *app.error])


def test_correct_list_and_undo(open_app, app_packs):
    app = open_app("app_pages/data.py", pack="testshire", timeout=60)
    assert "No corrections yet." in _text(app)

    app.selectbox(key="corr_org").set_value("o1").run()
    [themes] = [m for m in app.multiselect if m.label == "Themes it should have"]
    assert themes.value == ["poverty_food"]
    themes.set_value(["older_people"])
    [note] = [t for t in app.text_input if t.label.startswith("Why")]
    note.set_value("a lunch club, not a food bank")
    [submit] = [b for b in app.button if b.label == "Save correction"]
    submit.click().run()
    assert not app.exception, [e.message for e in app.exception]

    folder = app_packs / "testshire"
    [c] = read_corrections(folder)
    assert (c.charity_number, c.themes, c.note) == (
        "1000001",
        ("older_people",),
        "a lunch club, not a food bank",
    )
    assert corrections_path(folder).exists()
    org = load_pack(folder).organisations.set_index(s.ORG_ID).loc["o1"]
    assert org[s.THEMES] == ["older_people"]
    assert "Themes of" in _text(app) and "corrected" in _text(app)
    [listed] = [t.value for t in app.table if "Matched on" in t.value.columns]
    assert "charity 1000001" in listed.to_string() and "Older people" in listed.to_string()

    [undo] = [b for b in app.button if b.label == "Undo"]
    undo.click().run()
    assert read_corrections(folder) == []
    assert load_pack(folder).organisations.set_index(s.ORG_ID).loc["o1"][s.THEMES] == ["poverty_food"]
