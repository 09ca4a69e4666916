"""Every page on every valid pack: the degenerate ones of tests/degenerate.py, the demo, and the real
Trafford, Greater Manchester and England packs (built once per run from ../shared/data).

Each page must open without an exception and, where it has nothing to show, say what is missing and
how to add it. The messages are asserted, so the test fails if a crash or a message comes back.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sector_map.pack import schema as s
from sector_map.pack.io import load_pack
from tests import degenerate
from tests.conftest import ROOT, shared_data_or_skip

PAGES = {
    "need_map": "Need map",
    "gaps": "Gaps",
    "fit": "Where we fit",
    "ward": "Ward profile",
    "reach": "Our reach",
    "data": "Data",
    "about": "About the data",
}
NO_ORGS = "This pack has no organisations yet, so there is no provision to compare with need"
NO_FIGURES = "has no ward figures (indicators) yet"
ADD_ORGS = "Add your own data → Organisations"
BY_NEED = "Wards are ranked by need alone, not unmet need"

# What each page must say on each degenerate pack (page → phrases shown, all of them).
EXPECTED: dict[str, dict[str, list[str]]] = {
    "no-organisations": {
        "gaps": [NO_ORGS, ADD_ORGS, "Add data on the Data page", "See need on the Need map"],
        "data": [NO_ORGS],
        "ward": [NO_ORGS, "Gaps by theme", "need by theme alone"],
    },
    "no-services": {
        "gaps": ["organisations list no services"],
        "fit": [BY_NEED, "organisations list no services"],
        "ward": ["organisations list no services", "Beta Carers"],
    },
    "no-assets": {
        "ward": [
            "This pack has no community buildings or land",
            "Add your own data → Community buildings and land",
        ],
    },
    "no-indicators": {
        "need_map": [NO_FIGURES, "Ward figures / indicators", "Add data on the Data page"],
        "gaps": [NO_FIGURES],
        "fit": [NO_FIGURES],
        "ward": [NO_FIGURES, "Beta Carers"],
        "about": [NO_FIGURES],
    },
    "one-ward": {
        "need_map": ["has only one ward, so need scores and ranks"],
        "gaps": ["Only 1 ward of One ward has need data", "at least 3 are needed"],
        "ward": ["too few wards to compare", "not ranked"],
    },
    "boundaries-only": {
        "need_map": [NO_FIGURES],
        "gaps": [NO_FIGURES],
        "fit": [NO_FIGURES],
        "ward": [NO_FIGURES, NO_ORGS, "Local authority** not known", "no community buildings or land"],
        "about": [NO_FIGURES, "my_wards.geojson"],
    },
    "orgs-without-themes": {
        "gaps": ["services has a theme, so none can be counted as provision"],
        "fit": ["Alpha Food Share has no themes in this pack", "Describe its offer instead"],
    },
}
FIRST_WARD = "X05000002"  # Beta: in every degenerate pack, the one ward of "one-ward"
FIRST_ORG = "o1"


@pytest.fixture(scope="module")
def degenerate_root(tmp_path_factory) -> Path:
    """Every degenerate pack saved to disk and loaded back (pages read packs from disk)."""
    root = tmp_path_factory.mktemp("degenerate")
    degenerate.write_all(root)
    return root


def _go(at: AppTest, page: str) -> AppTest:
    if page != "need_map" or at.title[0].value.split(" — ")[0] != PAGES["need_map"]:
        at.switch_page(f"app_pages/{page}.py").run()
    _no_exception(at, page)
    assert at.title[0].value.startswith(PAGES[page] + " — "), f"{page}: {at.title[0].value}"
    return at


def _no_exception(at: AppTest, where: str) -> None:
    assert not at.exception, f"{where}: " + " | ".join(e.message for e in at.exception)


def _shown(at: AppTest) -> str:
    """All the text a person would read on the page, tables included."""
    parts = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
    ):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [b.label for b in at.button]
    parts += [link.proto.label for link in at.get("page_link")]
    for t in [*at.dataframe, *at.table]:
        frame = t.value
        parts.append(" ".join(map(str, [*frame.columns, *frame.index, *frame.to_numpy().ravel()])))
    return "\n".join(parts)


@pytest.mark.parametrize("name", list(degenerate.FACTORIES))
def test_every_page_opens_on_each_degenerate_pack_and_says_what_is_missing(name, degenerate_root, open_app):
    at = open_app(packs=degenerate_root, pack=name, check=False, ward=FIRST_WARD, org=FIRST_ORG)
    _no_exception(at, "first run")
    for page in PAGES:
        text = _shown(_go(at, page))
        for phrase in EXPECTED[name].get(page, []):
            assert phrase in text, f"{name} / {page}: {phrase!r} not shown"


def test_where_we_fit_without_organisations_starts_by_describing_an_offer(degenerate_root, open_app):
    at = _go(open_app(packs=degenerate_root, pack="no-organisations", check=False), "fit")
    assert at.radio(key="fit_mode").value == "Describe an offer"
    at.multiselect(key="fit_themes").set_value(["poverty_food"]).run()
    _no_exception(at, "described offer")
    text = _shown(at)
    assert BY_NEED in text and "Partners come from the organisations in a pack" in text
    wards = next(d.value for d in at.dataframe if "ward_name" in d.value.columns)
    assert list(wards["ward_name"][:3]) == ["Beta", "Gamma", "Alpha"]  # by IMD score: 40, 25, 10
    at.radio(key="fit_mode").set_value("An organisation in this pack").run()
    _no_exception(at, "organisation mode")
    assert NO_ORGS in _shown(at)


def test_where_we_fit_for_an_organisation_with_no_themes_offers_to_describe_it(degenerate_root, open_app):
    at = _go(open_app(packs=degenerate_root, pack="orgs-without-themes", check=False, org=FIRST_ORG), "fit")
    assert not at.dataframe  # nothing ranked for an offer of nothing
    at.button(key="fit_describe_no_themes").click().run()
    _no_exception(at, "after the button")
    assert at.radio(key="fit_mode").value == "Describe an offer"
    at.multiselect(key="fit_themes").set_value(["poverty_food"]).run()
    _no_exception(at, "described offer")
    assert BY_NEED in _shown(at)


def test_a_theme_no_service_offers_is_named_on_every_page_instead_of_failing(degenerate_root, open_app):
    # The tiny pack's services offer food and carers' support; its IMD score is also tagged
    # community, which no service offers (Nowhere Group says it does, but lists no service).
    community = "for community, faith and cohesion: no service in this pack offers it"
    at = open_app(
        "app_pages/gaps.py", packs=degenerate_root, pack="no-assets", check=False, themes="community_cohesion"
    )
    _no_exception(at, "gaps")
    assert community in _shown(at)
    at = _go(at, "fit")
    at.radio(key="fit_mode").set_value("Describe an offer").run()
    at.multiselect(key="fit_themes").set_value(["community_cohesion"]).run()
    _no_exception(at, "fit")
    text = _shown(at)
    assert BY_NEED in text and "No service in this pack offers Community" in text
    at = open_app("app_pages/ward.py", packs=degenerate_root, pack="no-assets", check=False, ward=FIRST_WARD)
    _no_exception(at, "ward")
    text = _shown(at)
    assert "Community, faith and cohesion" in text and "Beta Carers" in text


# --- the demo and the real packs ------------------------------------------------------------------
def _every_page(at: AppTest, label: str) -> dict[str, str]:
    _no_exception(at, f"{label} first run")
    return {page: _shown(_go(at, page)) for page in PAGES}


def test_every_page_opens_on_the_demo_pack(open_app, demo):
    ward = demo.wards[s.WARD_CODE].iloc[0]
    shown = _every_page(open_app(check=False, ward=ward), "demo")
    assert "Priority list" in shown["gaps"] and "high need, little provision" in shown["gaps"]
    assert "Gaps by theme" in shown["ward"] and "not ranked" not in shown["ward"]
    assert "no organisations yet" not in "".join(shown.values())


@pytest.fixture(scope="module")
def real_packs(tmp_path_factory) -> Path:
    """Greater Manchester and England built once for this module (Trafford comes from conftest)."""
    shared_data_or_skip()
    from sector_map.build.builder import build_pack

    root = tmp_path_factory.mktemp("real-packs")
    build_pack(ROOT / "recipes" / "greater_manchester.toml", root / "greater-manchester")
    build_pack(ROOT / "recipes" / "england.toml", root / "england")
    return root


@pytest.mark.data
def test_every_page_opens_on_trafford(trafford_pack_dir, open_app):
    pack = load_pack(trafford_pack_dir)
    ward = pack.wards.loc[pack.wards[s.WARD_NAME] == "Clifford", s.WARD_CODE].iloc[0]
    at = open_app(packs=trafford_pack_dir.parent, pack=trafford_pack_dir.name, check=False, ward=ward)
    shown = _every_page(at, "Trafford")
    assert "Priority list" in shown["gaps"] and "high need" in shown["gaps"]
    assert "Gaps by theme" in shown["ward"] and "Clifford" in shown["ward"]


@pytest.mark.data
def test_every_page_opens_on_trafford_today(trafford_current_dir, open_app):
    pack = load_pack(trafford_current_dir)
    ward = pack.wards.loc[pack.wards[s.WARD_NAME] == "Bucklow-St Martins", s.WARD_CODE].iloc[0]
    assert ward in set(pack.wards[s.WARD_CODE]) and ward.startswith("E050152")
    at = open_app(packs=trafford_current_dir.parent, pack=trafford_current_dir.name, check=False, ward=ward)
    shown = _every_page(at, "Trafford today")
    assert "Priority list" in shown["gaps"] and "high need" in shown["gaps"]
    assert "Gaps by theme" in shown["ward"] and "Bucklow-St Martins" in shown["ward"]
    # The About page names the release and the weights (the mid-2024 populations, not the denominators).
    assert "English Indices of Deprivation 2025: ward averages weighted by" in shown["about"]
    assert "2024POP" in shown["about"]


@pytest.mark.data
def test_every_page_opens_on_greater_manchester(real_packs, open_app):
    pack = load_pack(real_packs / "greater-manchester")
    ward = pack.wards[s.WARD_CODE].iloc[0]
    shown = _every_page(open_app(packs=real_packs, pack="greater-manchester", check=False, ward=ward), "GM")
    # 171 food banks, 166 placed at their sites by postcode (Code-Point Open; 5 postcodes retired):
    # provision is located, so wards are classed from it and each reason counts what reaches it.
    quality = pack.organisations[s.LOCATION_QUALITY].value_counts().to_dict()
    assert quality == {s.LOCATION_SITE: 166, s.LOCATION_AREA_ONLY: 5}
    assert "serves the whole area or has no location" not in shown["gaps"]
    assert "services reach it" in shown["gaps"]
    assert len(pack.wards) == 215


@pytest.mark.data
def test_every_page_opens_on_england(real_packs, open_app):
    pack = load_pack(real_packs / "england")
    assert len(pack.organisations) == 0 and len(pack.wards) > 6_000
    ward = pack.wards[s.WARD_CODE].iloc[0]
    at = open_app(packs=real_packs, pack="england", timeout=600, check=False, ward=ward)
    shown = _every_page(at, "England")
    assert NO_ORGS in shown["gaps"] and NO_ORGS in shown["ward"]
    assert "Rank in area" in shown["ward"]
    at = _go(at, "fit")
    assert at.radio(key="fit_mode").value == "Describe an offer"
    at.multiselect(key="fit_themes").set_value(["older_people"]).run()
    _no_exception(at, "England described offer")
    assert BY_NEED in _shown(at)
    wards = next(d.value for d in at.dataframe if "ward_name" in d.value.columns)
    assert len(wards) == len(pack.wards) and wards["rank"].iloc[0] == 1
