"""The Data page from app.py with AppTest: the figures shown, switching packs, and the upload flow.

AppTest cannot drive ``st.file_uploader``, so the upload tests put the file's path where the page
keeps an uploaded file (``ui.data_panel.UPLOAD_PATH_KEY``) and carry on from there.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sector_map.pack import schema as s
from sector_map.pack.io import load_pack, save_pack
from sector_map.pack.validate import has_location
from tests.conftest import make_tiny_pack


@pytest.fixture(scope="module")
def packs_dir(tmp_path_factory, demo_pack_dir) -> Path:
    """The demo pack and a small real-looking pack ('testshire', not a demo) in a temporary folder."""
    root = tmp_path_factory.mktemp("packs")
    shutil.copytree(demo_pack_dir, root / "demo")
    tiny = make_tiny_pack()
    tiny.manifest = {**tiny.manifest, "demo": False}
    save_pack(tiny, root / "testshire")
    return root


@pytest.fixture
def app_packs(packs_dir, tmp_path) -> Path:
    """A fresh copy per test (tests save packs into it); ``open_app`` points the app at it."""
    root = tmp_path / "packs"
    shutil.copytree(packs_dir, root)
    return root


@pytest.fixture
def packs(app_packs) -> Path:
    return app_packs


@pytest.fixture
def at(open_app) -> AppTest:
    return open_app("app_pages/data.py", timeout=60)


def _metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def _table(app: AppTest, column: str):
    for df in [*app.dataframe, *app.table]:
        frame = df.value
        if column in frame.columns or frame.index.name == column:
            return frame.reset_index() if frame.index.name else frame
    raise AssertionError(f"no table with a column {column!r}")


def _text(app: AppTest) -> str:
    return "\n".join(m.value for m in [*app.markdown, *app.caption, *app.success, *app.error, *app.info])


def test_figures_are_the_demo_packs(at, packs):
    demo = load_pack(packs / "demo")
    assert at.title[0].value == f"Data — {demo.name}"
    assert any("Fictional demo data" in w.value for w in at.warning)
    m = _metrics(at)
    assert m["Wards"] == f"{len(demo.wards):,}" and m["Indicators"] == f"{len(demo.indicator_meta):,}"
    assert m["Organisations"] == f"{len(demo.organisations):,}"
    assert m["Services"] == f"{len(demo.services):,}" and m["Buildings and land"] == f"{len(demo.assets):,}"
    placed = has_location(demo.organisations.geometry).mean()
    assert m["Placed on the map"] == f"{placed:.0%}"
    quality = _table(at, "Location").set_index("Location")["Organisations"]
    assert quality.sum() == len(demo.organisations)
    assert quality["Area only (not on the map)"] == int(
        (demo.organisations[s.LOCATION_QUALITY] == s.LOCATION_AREA_ONLY).sum()
    )
    coverage = _table(at, "Wards with a value").set_index("Id")
    assert sorted(coverage.index) == sorted(demo.indicator_meta)
    wide = demo.indicator_wide()
    assert wide["life_expectancy"].isna().sum() == 1  # the demo leaves one value out on purpose
    assert coverage.loc["life_expectancy", "Wards with a value"] == len(demo.wards) - 1
    assert _table(at, "Licence")["Publisher"].tolist() == [src["publisher"] for src in demo.sources]


def test_switching_packs(at):
    catalogue = _table(at, "Folder")
    assert catalogue["Folder"].tolist() == ["demo", "testshire"]
    assert catalogue.set_index("Folder").loc["testshire", "Wards"] == len(make_tiny_pack().wards)
    at.session_state["selected_ward"] = "X05000001"
    at.selectbox(key="data_switch_to").set_value("testshire").run()
    at.button(key="data_switch").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["pack_name"] == "testshire"
    assert at.session_state["selected_ward"] is None
    assert at.title[0].value == "Data — Testshire"
    assert not any("Fictional demo data" in w.value for w in at.warning)
    assert _metrics(at)["Wards"] == str(len(make_tiny_pack().wards))


def _upload(at: AppTest, path: Path, kind: str) -> None:
    at.session_state["data_upload_path"] = str(path)
    at.selectbox(key="data_upload_kind").set_value(kind).run()
    assert not at.exception, [e.message for e in at.exception]


def test_upload_organisations_to_the_demo_saves_a_new_pack(at, packs, tmp_path):
    demo_postcode = load_pack(packs / "demo").postcodes["postcode"].iloc[0]
    csv = tmp_path / "pantries.csv"
    csv.write_text(f"Organisation,Post code,Notes\nHarbour Pantry,{demo_postcode},weekly\n,DM2 2AB,no name\n")
    _upload(at, csv, "organisations")
    assert _table(at, "Organisation")["Organisation"].iloc[0] == "Harbour Pantry"
    assert at.selectbox(key="data_map|pantries.csv|organisations|name").value == "Organisation"
    assert at.selectbox(key="data_map|pantries.csv|organisations|postcode").value == "Post code"
    at.multiselect(key="data_themes").set_value(["poverty_food"]).run()
    at.button(key="data_check").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(x.value.startswith("1 of 2 rows accepted") for x in at.success)
    rejected = _table(at, "Reason")
    assert rejected["File row"].tolist() == [3]
    assert at.button(key="data_add").disabled  # the demo cannot be changed
    assert "save as a new pack instead" in _text(at)
    at.text_input(key="data_new_name").set_value("Marrowby pantries").run()
    at.button(key="data_save_new").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("Saved as a new pack" in x.value for x in at.success)
    saved = load_pack(packs / "marrowby-pantries")
    n_demo = len(load_pack(packs / "demo").organisations)
    assert len(saved.organisations) == n_demo + 1 and saved.is_demo  # the one row accepted
    pantry = saved.organisations.set_index(s.ORG_NAME).loc["Harbour Pantry"]
    assert pantry[s.LOCATION_QUALITY] == s.LOCATION_CONTACT  # placed by the demo's own postcode table
    assert saved.organisations.set_index("org_id").loc["upload-pantries-2", "themes"] == ["poverty_food"]
    at.button(key="data_switch_new").click().run()
    assert at.session_state["pack_name"] == "marrowby-pantries"
    assert at.title[0].value == "Data — Marrowby pantries"
    assert _metrics(at)["Organisations"] == f"{n_demo + 1:,}"


def test_upload_indicators_added_to_the_current_pack_reloads_it(at, packs, tmp_path):
    at.selectbox(key="data_switch_to").set_value("testshire").run()
    at.button(key="data_switch").click().run()
    csv = tmp_path / "figures.csv"
    csv.write_text("ward_code,Claimant rate\nX05000001,3.5\nX05000002,4\nE05000819,9\n")
    _upload(at, csv, "indicators")
    at.button(key="data_check").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert _table(at, "Reason")["Reason"].tolist() == ["ward code E05000819 is not one of this pack's wards"]
    assert not at.button(key="data_add").disabled
    at.button(key="data_add").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("Added figures.csv" in x.value for x in at.success)
    assert _metrics(at)["Indicators"] == str(len(make_tiny_pack().indicator_meta) + 1)
    assert "claimant_rate" in load_pack(packs / "testshire").indicator_meta


def test_a_bad_file_shows_a_plain_error(at, tmp_path):
    bad = tmp_path / "wards.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": []}')
    _upload(at, bad, "organisations")
    assert not at.exception
    assert any("goes in as Ward boundaries" in e.value for e in at.error)


def test_templates_are_offered(at):
    text = _text(at)
    for name in ("organisations.csv", "ward_indicators.csv", "assets.csv"):
        assert f"`{name}`" in text
    assert "charity_number" in _table(at, "What it means")["Column"].tolist()
