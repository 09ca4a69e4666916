"""Every page on the real Trafford pack on its 2004–2023 wards (built from ../shared/data by
recipes/trafford-2019.toml), whose ward names and IoD2019 figures are published."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from sector_map.analysis import matching, service_reach
from sector_map.pack import schema as s
from sector_map.pack.io import load_pack
from tests.conftest import open_expanders

pytestmark = pytest.mark.data


@pytest.fixture
def trafford_app(open_app, trafford_pack_dir) -> tuple[AppTest, object]:
    app = open_app(packs=trafford_pack_dir.parent, pack=trafford_pack_dir.name, timeout=90)
    return app, load_pack(trafford_pack_dir)


def _text(app: AppTest) -> str:
    return "\n".join(m.value for m in [*app.markdown, *app.caption])


def test_need_map_on_trafford_ranks_the_published_most_deprived_wards_first(trafford_app):
    at, pack = trafford_app
    assert at.title[0].value == "Need map — Trafford"
    assert not any("Fictional demo data" in w.value for w in at.warning)
    at.radio(key="nm_mode").set_value("Indicator").run()
    at.selectbox(key="nm_indicator").set_value("imd_score").run()
    open_expanders(at, "nm_table_open")
    assert not at.exception
    table = next(t.value for t in [*at.dataframe, *at.table] if "Ward" in t.value.columns)
    assert list(table["Ward"].iloc[:2]) == ["Bucklow-St Martins", "Clifford"]
    assert len(table) == len(pack.wards)


def test_selecting_a_trafford_ward_and_switching_pages(trafford_app):
    at, pack = trafford_app
    code = pack.wards.loc[pack.wards[s.WARD_NAME] == "Clifford", s.WARD_CODE].iloc[0]
    at.selectbox(key="nm_ward_pick").set_value(code).run()
    assert not at.exception
    assert any(h.value == "Clifford" for h in at.subheader)
    figures = next(t.value for t in [*at.dataframe, *at.table] if "Indicator" in t.value.columns)
    assert len(figures) == len(pack.indicator_meta)
    for page in ("app_pages/about.py", "app_pages/need_map.py"):
        at.switch_page(page).run()
        assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["selected_ward"] == code
    assert any(h.value == "Clifford" for h in at.subheader)


def test_about_page_names_the_real_sources(trafford_app):
    at, _ = trafford_app
    at.switch_page("app_pages/about.py").run()
    assert not at.exception
    cells = [
        " ".join(map(str, [*t.value.index, *t.value.to_numpy().ravel()])) for t in [*at.dataframe, *at.table]
    ]
    shown = _text(at) + " ".join(cells)
    assert "Charity Commission for England and Wales" in shown
    assert "Contains National Statistics and OS data" in shown


def test_gaps_page_on_trafford(trafford_app):
    at, pack = trafford_app
    at.switch_page("app_pages/gaps.py").run()
    assert not at.exception, [e.message for e in at.exception]
    table = next(t.value for t in at.dataframe if "Priority" in t.value.columns)
    assert len(table) == len(pack.wards) and table["Why"].str.startswith("need ").all()
    high = table[table["Ward"].isin(["Bucklow-St Martins", "Clifford"])]
    assert high["Class"].str.startswith("high need").all()
    services = service_reach.service_locations(pack)
    located = services[s.THEMES].map(lambda t: "poverty_food" in t) & services[service_reach.REACH].isin(
        service_reach.LOCATED
    )
    assert f"Wards are classed from the {int(located.sum())} located" in _text(at)
    # Children: no service has a site, so the page says so at the top and lists wards by need.
    at.multiselect(key="gp_themes").set_value(["children_young_people"]).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.warning[0].value.startswith(
        "Provision data cannot tell Trafford's wards apart for children and young people: "
    )
    table = next(t.value for t in at.dataframe if "Class" in t.value.columns)
    assert len(table) == len(pack.wards) and (table["Class"] == "provision not known").all()
    assert table["Need (0–100)"].is_monotonic_decreasing and (table["Located"] == 0).all()
    assert not {"Priority", "Provision", "Gap (0–100)"} & set(table.columns)  # nothing to rank by
    # A ward picked there shows its name, class and reason, as on a classed page (no priority).
    code = pack.wards.loc[pack.wards[s.WARD_NAME] == "Clifford", s.WARD_CODE].iloc[0]
    at.selectbox(key="nm_ward_pick").set_value(code).run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(h.value == "Clifford" for h in at.subheader)
    assert "**Provision not known**" in [m.value for m in at.markdown]  # no priority: nothing ranks it
    why = table.set_index("Ward code").loc[code, "Why"]
    assert why in _text(at)


def test_where_we_fit_on_trafford_for_a_partington_food_bank(trafford_app):
    at, pack = trafford_app
    at.switch_page("app_pages/fit.py").run()
    at.text_input(key="fit_query").set_value("Trussell Trust").run()
    assert not at.exception, [e.message for e in at.exception]
    # Trafford's food bank list has six "Trussell Trust" sites, told apart by address and ward.
    sites = pack.organisations[pack.organisations[s.ORG_NAME] == "Trussell Trust"]
    options = at.selectbox(key="fit_org").options
    assert len(options) == len(set(options)) == len(sites)
    [partington] = [o for o in options if "Partington" in o]
    assert partington.endswith("; Bucklow-St Martins ward)")  # Partington is in Bucklow-St Martins
    found = matching.find_organisations(pack, "Trussell Trust", limit=50).set_index("label")
    at.selectbox(key="fit_org").set_value(found.loc[partington, "org_id"]).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="fit_org").value == found.loc[partington, "org_id"]
    # Its food bank reaches 1.5 km from Partington: Bucklow-St Martins, where it is based, is in
    # reach, and every ward in reach is ranked and has people within that distance.
    radius = pack.services.loc[pack.services[s.ORG_ID] == found.loc[partington, "org_id"], s.RADIUS_KM]
    reach = float(radius.max())
    assert any(f"reaches {reach:g} km from its base" in m.value for m in at.markdown)
    tables = [d.value for d in at.dataframe if "ward_name" in d.value.columns]
    local, beyond = tables
    assert len(local) + len(beyond) == len(pack.wards)
    assert len(beyond) > len(local)  # a 1.5 km reach from the western edge leaves most wards out
    home = local.set_index("ward_name").loc["Bucklow-St Martins"]
    assert home["distance"] == "based here" and "your base is in this ward" in home["reason"]
    assert local["rank"].tolist() == list(range(1, len(local) + 1))
    assert local["reason"].str.contains("poverty, food and money advice", case=False).all()
    assert beyond["reason"].str.contains("beyond your reach").all()
    assert "Beyond your reach" in [h.value for h in at.subheader]


def test_size_filter_says_income_is_not_known_on_trafford(trafford_app):
    at, pack = trafford_app
    assert (pack.organisations[s.SIZE_BAND] == s.SIZE_BAND_UNKNOWN).all()
    assert not [m for m in at.multiselect if m.key == "nm_org_sizes"]
    assert any("Income is not known for any of Trafford" in c.value for c in at.sidebar.caption)
