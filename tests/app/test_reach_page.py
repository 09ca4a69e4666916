"""The Our reach page under AppTest on the demo pack: the example, the summary, the map, the tables,
the choices of domain and catchment, and a pack without LSOAs."""

from __future__ import annotations

import dataclasses

import pytest

from sector_map.pack.io import save_pack

PAGE = "app_pages/reach.py"


def _text(at) -> str:
    parts = [
        str(e.value)
        for kind in ("title", "subheader", "markdown", "caption", "info", "error")
        for e in getattr(at, kind)
    ]
    return "\n".join(parts)


@pytest.fixture
def example(open_app):
    at = open_app(PAGE)
    assert "Try an example" in [b.label for b in at.button]
    at.button(key="reach_try").click().run()
    assert not at.exception
    return at


def test_the_example_gives_a_summary_map_charts_and_protected_tables(example):
    text = _text(example)
    assert "fictional example" in text
    assert "People living in the most deprived fifth of Marrowby" in text
    assert "Where need is high and reach is low" in text
    assert 'Counts of 1 to 9 beneficiaries are shown as "fewer than 10"' in text
    frames = [d.value for d in example.dataframe]
    assert any(list(f.columns)[:3] == ["National decile", "Beneficiaries", "Residents"] for f in frames)
    assert len(example.get("plotly_chart")) == 2


def test_a_catchment_of_listed_wards_compares_with_their_residents_only(example, demo):
    example.selectbox(key="reach_catchment").set_value("wards").run()
    assert "Pick the wards you work in." in _text(example)
    first_two = list(demo.wards["ward_code"][:2])
    example.multiselect(key="reach_wards").set_value(first_two).run()
    assert not example.exception
    assert "Residents of 2 wards" in _text(example)


def test_the_domain_can_be_health(example):
    example.selectbox(key="reach_domain").set_value("health").run()
    assert not example.exception
    assert "by Health deprivation and disability" in _text(example)


def test_a_pack_without_lsoas_says_why_there_is_nothing_to_compare(open_app, demo, tmp_path):
    save_pack(dataclasses.replace(demo, lsoas=None, path=None), tmp_path / "demo")
    at = open_app(PAGE, packs=tmp_path)
    assert "no neighbourhood (LSOA) deprivation table" in _text(at)
    assert not [b for b in at.button if b.label == "Try an example"]


def _file(demo) -> bytes:
    """Two postcode columns: home (spread over the borough) and office (all one postcode)."""
    import numpy as np
    import pandas as pd

    pcs = demo.postcodes.dropna(subset=["lsoa_code"])["postcode"].tolist()
    rng = np.random.default_rng(1)
    home = list(rng.choice(pcs, 300))
    return (
        pd.DataFrame(
            {
                "Home postcode": home,
                "Office postcode": [pcs[0]] * 300,
                "Programme": ["Lunch club", "Advice"] * 150,
            }
        )
        .to_csv(index=False)
        .encode()
    )


def test_the_columns_can_be_changed_and_a_service_chosen(open_app, demo):
    import hashlib

    data = _file(demo)
    at = open_app(PAGE)
    at.session_state["reach_example"] = data  # as "Try an example" holds its bytes
    at.run()
    assert not at.exception
    key = f"reach_mapping|{hashlib.sha256(data).hexdigest()}"
    role = at.selectbox(key=f"reach_role|postcode|{key}")
    assert role.value == "Home postcode"
    before = [d.value for d in at.dataframe if "Ward" in d.value.columns][-1]
    role.set_value("Office postcode").run()
    assert not at.exception
    after = [d.value for d in at.dataframe if "Ward" in d.value.columns][-1]
    shown = (after["Beneficiaries"] != "0").sum()
    assert shown < (before["Beneficiaries"] != "0").sum()  # everyone now in one ward (or hidden)
    at.multiselect(key="reach_services").set_value(["Advice"]).run()
    assert not at.exception
    assert "150 people" in _text(at)


def test_an_editor_sends_measured_reach_as_a_listings_service_area(open_app, demo, directory_url):
    from tests.app.directory_seed import EDITOR, OFFICER, open_store, signed_in

    store = open_store(directory_url)
    store.create_user(EDITOR, "editor")
    row = demo.organisations.iloc[2]
    claim = store.claim_pack_organisation({"pack_org_id": row["org_id"], "name": row["name"]}, by=EDITOR)
    store.review_claim(claim.id, "approved", by=OFFICER)
    rev = store.submit(
        {"name": "Lunch club", "delivery": {"mode": "whole_area"}},
        by=OFFICER,
        organisation_id=claim.organisation_id,
    )
    service = store.approve(rev.id, by=OFFICER)

    at = open_app(PAGE)
    at.button(key="reach_try").click().run()
    assert "Sign in as your organisation's editor (on the Our listing page) to save your reach." in [
        i.value for i in at.info
    ]
    signed_in(at, EDITOR).run()
    assert not at.exception
    at.number_input(key="reach_save_rate").set_value(5.0).run()
    wards_line = next(m.value for m in at.markdown if " ward" in str(m.value) and ":" in str(m.value))
    at.button(key="reach_save_send").click().run()
    assert not at.exception
    assert any("Sent for review" in s.value for s in at.success)
    pending = store.pending(service_id=service.id)
    assert len(pending) == 1
    delivery = pending[0].content["service"]["delivery"]
    assert delivery["mode"] == "wards" and len(delivery["wards"]) == int(wards_line.split(" ward")[0])
    store.engine.dispose()


def test_reach_prints_offer_no_organisation_points(example):
    from tests.conftest import open_expanders

    at = open_expanders(example, "ex_open|reach map")
    assert not at.exception
    assert at.button(key="ex_make|reach map")  # the export form is drawn
    assert not [c for c in at.checkbox if c.key == "ex_orgs|reach map"]
