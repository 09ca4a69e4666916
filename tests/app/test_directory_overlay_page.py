"""The live directory on the analysis pages: an approval shows on the next rerun, the sidebar switch
compares with the published records alone (AppTest, on the demo pack)."""

from __future__ import annotations

import shapely
from streamlit.testing.v1 import AppTest

from sector_map.directory import db
from sector_map.directory.store import Store
from sector_map.pack import schema as s

OFFICER = "officer@example.org"
NAME = "Directory test pantry"


def _priority(at: AppTest):
    table = next(d.value for d in at.dataframe if "Priority" in d.value.columns)
    return table.set_index("Ward code")


def _site_in_a_ward(pack, located=None) -> tuple[str, str]:
    """A postcode of the pack and the ward it is in: of the wards with fewest ``located`` services
    (a Series by ward code), so that the reason's first three names include the new one."""
    pcs = pack.postcodes
    wards = pack.wards.set_index(s.WARD_CODE, drop=False)
    if located is not None:
        wards = wards.loc[located.reindex(wards.index).sort_values(kind="stable").index]
    for _, ward in wards.iterrows():
        inside = pcs[shapely.contains_xy(ward.geometry, pcs[s.LON], pcs[s.LAT])]
        if len(inside):
            return str(inside[s.POSTCODE].iloc[0]), str(ward[s.WARD_CODE])
    raise AssertionError("no postcode inside any ward")


def _approve_listing(url: str, pack, theme: str, postcode: str) -> None:
    store = Store.open(url)
    db.init(store.engine)
    store.create_user(OFFICER, "officer")
    org = pack.organisations.iloc[0]
    revision = store.submit(
        {
            "name": NAME,
            "themes": [theme],
            "delivery": {"mode": "sites", "sites": [{"postcode": postcode, "reach_km": 0.5}]},
        },
        by=OFFICER,
        organisation={"name": str(org[s.ORG_NAME]), "pack_org_id": str(org[s.ORG_ID])},
    )
    store.approve(revision.id, by=OFFICER)
    store.engine.dispose()


def test_an_approval_shows_on_the_next_rerun_and_the_switch_restores_the_published_result(
    open_app, demo, directory_url
):
    at = open_app("app_pages/gaps.py")
    published = _priority(at)
    assert any("no approved listings" in c.value for c in at.sidebar.caption)
    theme = at.multiselect(key="gp_themes").value[0]
    postcode, ward = _site_in_a_ward(demo, published["Located"])

    _approve_listing(directory_url, demo, theme, postcode)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    listed = _priority(at)
    assert NAME in listed.loc[ward, "Why"]
    assert "described by the organisation, reviewed" in listed.loc[ward, "Why"]
    assert NAME not in published.loc[ward, "Why"]
    assert any("1 listing in provision" in c.value for c in at.sidebar.caption)

    at.toggle(key="use_directory").set_value(False).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.query_params["directory"] in ("0", ["0"])
    off = _priority(at)
    assert off.equals(published)
    assert any("Live directory off" in c.value for c in at.sidebar.caption)


def test_a_link_with_the_directory_off_opens_with_it_off(open_app, demo, directory_url):
    theme = "poverty_food"
    postcode, _ = _site_in_a_ward(demo)
    _approve_listing(directory_url, demo, theme, postcode)
    at = open_app("app_pages/gaps.py", directory="0")
    assert at.toggle(key="use_directory").value is False
    assert not any(NAME in why for why in _priority(at)["Why"])


def test_every_page_runs_with_listings_added_and_replacing(open_app, demo, directory_url):
    postcode, ward = _site_in_a_ward(demo)
    _approve_listing(directory_url, demo, "poverty_food", postcode)  # replaces a demo organisation's
    store = Store.open(directory_url)
    revision = store.submit(
        {
            "name": "A new group's club",
            "themes": ["children_young_people"],
            "delivery": {"mode": "whole_area"},
        },
        by=OFFICER,
        organisation={"name": "A group the pack lacks"},
    )
    store.approve(revision.id, by=OFFICER)
    store.engine.dispose()
    at = open_app(ward=ward)
    assert any("2 listings in provision: 1 added, 1 replacing" in c.value for c in at.sidebar.caption)
    for page in ("gaps.py", "fit.py", "ward.py", "data.py", "about.py"):
        at.switch_page(f"app_pages/{page}").run()
        assert not at.exception, (page, [e.message for e in at.exception])
    # the Ward profile lists the listing's organisation with where its description comes from
    at.switch_page("app_pages/ward.py").run()
    tables = [d.value for d in at.dataframe if s.HEADER_WHY in d.value.columns]
    assert any(t[s.HEADER_WHY].str.contains("described by the organisation, reviewed").any() for t in tables)


def test_a_newer_stamp_retires_the_older_overlay_and_a_session_on_it_keeps_its_own(
    demo_pack_dir, demo, directory_url, monkeypatch
):
    import gc

    from sector_map.analysis import warm
    from ui import cache

    monkeypatch.setenv("SECTOR_MAP_DATABASE_URL", directory_url)
    monkeypatch.setattr(cache, "_MADE", set())  # as if this process had not opened the pack yet
    monkeypatch.setattr(warm, "LAZY_WARDS", 0)  # the demo pack as a national one
    postcode, _ = _site_in_a_ward(demo)
    _approve_listing(directory_url, demo, "poverty_food", postcode)
    published = cache.get_pack(demo_pack_dir, warm=False)
    first = cache.with_directory(published)
    key = cache.pack_key(first.pack)
    assert cache.with_directory(published) is first  # the same stamp: the same overlay

    store = Store.open(directory_url)
    revision = store.submit(
        {"name": "A second listing", "themes": ["poverty_food"], "delivery": {"mode": "whole_area"}},
        by=OFFICER,
        organisation={"name": "A group the pack lacks"},
    )
    store.approve(revision.id, by=OFFICER)
    store.engine.dispose()
    second = cache.with_directory(published)
    assert cache.pack_key(second.pack) != key
    assert warm.stopped(first.pack) and not warm.stopped(second.pack)
    # opening warms the first overlay in full; an approval's warms only the Gaps page's part
    assert not warm.lazy(first.pack) and warm.lazy(second.pack)
    # a session still on the first stamp for this run reads its own overlay, not the newer listings
    assert cache.pack_for(key) is first.pack
    assert len(second.pack.services) == len(first.pack.services) + 1
    # once no session holds it, nothing does: the cache kept only the newer overlay
    del first
    gc.collect()
    assert key[1].split(cache.DIRECTORY_MARK)[1] not in {stamp for *_, stamp in cache._ALIVE}
    assert cache.pack_for(cache.pack_key(second.pack)) is second.pack


def test_after_an_approval_a_lazily_warmed_pack_s_ward_profile_and_fit_work_out_their_results(
    open_app, demo, directory_url, monkeypatch
):
    from sector_map.analysis import warm
    from ui import cache

    monkeypatch.setattr(cache, "_MADE", set())  # as if this process had not opened the pack yet
    monkeypatch.setattr(warm, "LAZY_WARDS", 0)  # the demo pack as a national one
    postcode, ward = _site_in_a_ward(demo)
    _approve_listing(directory_url, demo, "poverty_food", postcode)
    at = open_app("app_pages/gaps.py", ward=ward)
    assert not warm.lazy(at.session_state["_run_pack"][2].pack)  # opened: warmed in full
    store = Store.open(directory_url)
    revision = store.submit(
        {"name": "A second listing", "themes": ["poverty_food"], "delivery": {"mode": "whole_area"}},
        by=OFFICER,
        organisation={"name": "A group the pack lacks"},
    )
    store.approve(revision.id, by=OFFICER)
    store.engine.dispose()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert warm.lazy(at.session_state["_run_pack"][2].pack)  # the approval's overlay: the Gaps part
    at.switch_page("app_pages/ward.py").run()
    assert not at.exception, [e.message for e in at.exception]
    tables = [d.value for d in at.dataframe if s.HEADER_WHY in d.value.columns]
    assert any(t[s.HEADER_WHY].str.contains("described by the organisation, reviewed").any() for t in tables)
    at.switch_page("app_pages/fit.py").run()
    assert not at.exception, [e.message for e in at.exception]


def test_the_sidebar_lists_what_the_directory_could_not_use(open_app, demo, directory_url):
    _approve_listing(directory_url, demo, "poverty_food", "ZZ9 9ZZ")  # not a postcode of this area
    at = open_app("app_pages/gaps.py")
    assert any("1 thing could not be used" in c.value for c in at.sidebar.caption), [
        c.value for c in at.sidebar.caption
    ]
    (listed,) = [e for e in at.sidebar.expander if e.label == "What the directory could not use"]
    text = " ".join(c.value for c in listed.caption)
    assert "ZZ9 9ZZ" in text and NAME in text
