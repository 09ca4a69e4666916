"""Our listing (app_pages/listing.py) under AppTest, on the demo pack and a directory of its own:
claiming, adding a site-based service, conflicts between two editors, and refusals."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from sector_map.directory import db
from sector_map.directory.models import Revision
from sector_map.directory.store import Store
from sector_map.pack import schema as s
from tests.app.conftest import OpenApp
from ui.auth import SESSION_KEY
from ui.text import md

PAGE = "app_pages/listing.py"
OFFICER, EDITOR, SECOND, OUTSIDER = (
    "officer@council.example",
    "ed@pantry.example",
    "ed2@pantry.example",
    "ed@choir.example",
)


@pytest.fixture
def store(directory_url: str) -> Store:
    """The store the app opens in this test (the same SQLite file), migrated, with an officer."""
    opened = Store.open(directory_url)
    db.init(opened.engine)
    opened.create_user(OFFICER, "officer")
    yield opened
    opened.engine.dispose()


def _as(open_app: OpenApp, email: str | None, **params: str) -> AppTest:
    """The page, signed in as ``email`` (None: nobody)."""
    at = open_app(**params)
    if email is not None:
        now = time.time()
        at.session_state[SESSION_KEY] = {"email": email, "started": now, "seen": now}
    at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.success, *at.warning, *at.error)]
    return "\n".join(str(p) for p in parts)


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _editor_of(store: Store, email: str, org_fields: dict[str, str]) -> str:
    """``email`` as the approved editor of the directory record of a pack organisation."""
    if store.user(email) is None:
        store.create_user(email, "editor")
    claim = store.claim_pack_organisation(org_fields, by=email, relationship="manager")
    store.review_claim(claim.id, "approved", by=OFFICER)
    return claim.organisation_id


def _listed_service(store: Store, org_id: str, name: str = "Food pantry") -> str:
    revision = store.submit(
        {"name": name, "capacity": "20 a week", "delivery": {"mode": "whole_area"}},
        by=OFFICER,
        organisation_id=org_id,
    )
    return store.approve(revision.id, by=OFFICER).id


def _pack_org(demo, i: int = 2) -> dict[str, str]:
    row = demo.organisations.iloc[i]
    return {"pack_org_id": row[s.ORG_ID], "name": row[s.ORG_NAME]}


def test_anonymous_visitors_are_asked_to_sign_in(open_app: OpenApp, store: Store) -> None:
    at = _as(open_app, None)
    assert "Sign in to edit your organisation's listing." in [i.value for i in at.info]
    assert [t.label for t in at.text_input] == ["E-mail", "Password"]
    assert not any(b.key == "lst_add" for b in at.button)


def test_an_editor_claims_a_pack_organisation_then_sends_a_site_based_service(
    open_app: OpenApp, store: Store, demo
) -> None:
    store.create_user(EDITOR, "editor")
    org = demo.organisations.iloc[2]
    at = _as(open_app, EDITOR)
    at.text_input(key="lst_find").input(org[s.ORG_NAME][:12]).run()
    pick = f"pack:{org[s.ORG_ID]}"
    assert pick in at.radio(key="lst_claim_pick").options or at.radio(key="lst_claim_pick").value == pick
    at.radio(key="lst_claim_pick").set_value(pick)
    at.button(key="lst_claim").click().run()
    assert "Say how you are connected" in _texts(at)  # a claim needs the relationship
    at.text_input(key="lst_relationship").input("I coordinate the volunteers")
    _click(at, "lst_claim")
    assert "waits for an officer to review it" in _texts(at)
    (claim, directory_org), *_ = store.claims_of(EDITOR)
    assert (directory_org.pack_org_id, claim.relationship) == (org[s.ORG_ID], "I coordinate the volunteers")

    store.review_claim(claim.id, "approved", by=OFFICER)
    _run(at)
    assert not any(r.key == "lst_claim_pick" for r in at.radio)
    at.button(key="lst_add").click().run()
    postcode = str(demo.postcodes[s.POSTCODE].iloc[5])
    at.text_input(key="lst_f_name").input("Saturday food pantry")
    at.multiselect(key="lst_f_themes").set_value(["poverty_food"])
    at.radio(key="lst_f_mode").set_value("sites").run()
    at.button(key="lst_add_site").click().run()
    at.text_input(key="lst_f_site_place_0").input(postcode.lower())
    at.number_input(key="lst_f_site_reach_0").set_value(2.5)
    _click(at, "lst_send")

    assert "Sent for review as revision" in _texts(at)
    (revision,) = store.pending()
    assert revision.submitted_by == EDITOR and revision.content["organisation_id"] == directory_org.id
    assert revision.content["service"]["delivery"] == {
        "mode": "sites",
        "sites": [{"postcode": postcode, "latitude": None, "longitude": None, "reach_km": 2.5}],
    }
    assert "Saturday food pantry" in _texts(at) and "waiting for review" in _texts(at)
    _click(at, f"lst_withdraw_{revision.id}")
    assert store.pending() == []


def test_a_postcode_outside_the_area_is_named_and_nothing_typed_is_lost(
    open_app: OpenApp, store: Store, demo
) -> None:
    _editor_of(store, EDITOR, _pack_org(demo))
    at = _as(open_app, EDITOR)
    at.button(key="lst_add").click().run()
    at.text_input(key="lst_f_name").input("Lunch club")
    at.text_area(key="lst_f_description").input("Hot lunches on Tuesdays")
    at.button(key="lst_add_site").click().run()
    at.text_input(key="lst_f_site_place_0").input("M31 4FL")
    at.radio(key="lst_f_mode").set_value("whole_area").run()  # the site row is hidden, not forgotten
    at.radio(key="lst_f_mode").set_value("sites").run()
    _click(at, "lst_send")
    assert "M31 4FL is not one of the postcodes of this area" in _texts(at)
    assert store.pending() == []
    assert at.text_input(key="lst_f_name").value == "Lunch club"
    assert at.text_area(key="lst_f_description").value == "Hot lunches on Tuesdays"
    assert at.text_input(key="lst_f_site_place_0").value == "M31 4FL"


def test_the_second_of_two_editors_is_shown_the_conflict_and_keeps_their_input(
    open_app: OpenApp, store: Store, demo
) -> None:
    org_id = _editor_of(store, EDITOR, _pack_org(demo))
    store.create_user(SECOND, "editor")
    store.review_claim(store.claim(org_id, by=SECOND, relationship="trustee").id, "approved", by=OFFICER)
    service_id = _listed_service(store, org_id)
    first = _as(open_app, EDITOR, service=service_id)
    second = _as(open_app, SECOND, service=service_id)
    assert second.text_input(key="lst_f_capacity").value == "20 a week"

    first.text_input(key="lst_f_capacity").input("30 a week")
    _click(first, "lst_send")
    (waiting,) = store.pending()
    second.text_input(key="lst_f_capacity").input("40 a week")
    _click(second, "lst_send")
    said = "\n".join(e.value for e in second.error)
    assert f"revision {waiting.id} by {md(EDITOR)}" in said and "(changes capacity)" in said
    assert second.text_input(key="lst_f_capacity").value == "40 a week"
    beside = second.dataframe[-1].value
    assert beside.to_dict("records") == [
        {
            "Field": "Capacity",
            "Approved now": "20 a week",
            "Waiting for review": "30 a week",
            "Yours": "40 a week",
        }
    ]

    store.approve(waiting.id, by=OFFICER)  # the first editor's change is listed: version 2
    _click(second, "lst_send")
    said = "\n".join(e.value for e in second.error)
    assert "changed since the version you edited" in said and f"revision {waiting.id} by {md(EDITOR)}" in said
    assert second.text_input(key="lst_f_capacity").value == "40 a week"
    assert second.dataframe[-1].value.to_dict("records") == [
        {
            "Field": "Capacity",
            "When you opened it": "20 a week",
            "Approved now": "30 a week",
            "Yours": "40 a week",
        }
    ]
    assert [r.state for r in store.revisions_by(SECOND, states=("submitted", "approved"))] == []

    _click(second, "lst_carry")  # the second editor's change, on top of the version now listed
    assert second.text_input(key="lst_f_capacity").value == "40 a week"
    assert "are now on version 2" in _texts(second)
    _click(second, "lst_send")
    (carried,) = store.pending()
    assert (carried.submitted_by, carried.base_version, carried.content["service"]) == (
        SECOND,
        2,
        {"capacity": "40 a week"},
    )


def test_an_editor_cannot_open_another_organisations_service(open_app: OpenApp, store: Store, demo) -> None:
    _editor_of(store, EDITOR, _pack_org(demo, 2))
    other_org = _editor_of(store, OUTSIDER, _pack_org(demo, 3))
    theirs = _listed_service(store, other_org, name="Choir")
    at = _as(open_app, EDITOR, service=theirs)
    assert any("may edit only the listings of their own organisation" in e.value for e in at.error)
    assert not any(t.key == "lst_f_name" for t in at.text_input)
    assert "Choir" not in _texts(at)
    with store.transaction() as s_:
        assert s_.query(Revision).filter(Revision.submitted_by == EDITOR).count() == 0


def test_names_and_reasons_from_the_directory_are_shown_as_text(
    open_app: OpenApp, store: Store, demo
) -> None:
    from tests.app.test_markdown_safe import live_syntax, markdown_texts

    hostile = "![x](https://example.invalid/x.png) <img src=x> $x^$"
    org_id = _editor_of(store, EDITOR, {**_pack_org(demo), "name": hostile})
    service_id = _listed_service(store, org_id, name=hostile)
    rejected = store.submit({"capacity": hostile}, by=EDITOR, service_id=service_id, base_version=1)
    store.reject(rejected.id, hostile, by=OFFICER)
    store.submit(
        {"name": hostile + " (new)", "delivery": {"mode": "whole_area"}}, by=EDITOR, organisation_id=org_id
    )
    at = _as(open_app, EDITOR, service=service_id)
    texts = markdown_texts(at)
    assert {t: live_syntax(t) for t in texts if live_syntax(t)} == {}
    joined = "\n".join(texts)
    assert joined.count(md(hostile)) >= 4  # the organisation, its service, the reason, the form's heading


def test_an_officer_acts_for_any_organisation(open_app: OpenApp, store: Store, demo) -> None:
    org_id = _editor_of(store, EDITOR, _pack_org(demo))
    service_id = _listed_service(store, org_id)
    at = _as(open_app, OFFICER, service=service_id)
    assert "Acting for" in _texts(at) and "last confirmed" in _texts(at)
    at.text_input(key="lst_f_opening_times").input("Saturdays 10-12")
    _click(at, "lst_send")
    (revision,) = store.pending()
    assert (revision.submitted_by, revision.content["service"]) == (
        OFFICER,
        {"opening_times": "Saturdays 10-12"},
    )
    assert not any(r.key == "lst_claim_pick" for r in at.radio)  # officers need no claim


def test_a_crafted_form_for_another_organisations_service_is_refused_by_the_store(
    open_app: OpenApp, store: Store, demo
) -> None:
    own = _editor_of(store, EDITOR, _pack_org(demo, 2))
    theirs = _listed_service(store, _editor_of(store, OUTSIDER, _pack_org(demo, 3)), name="Choir")
    at = _as(open_app, EDITOR)
    at.session_state["lst_editing"] = {
        "service": theirs,
        "base_version": 1,
        "organisation_id": own,
        "listed": {"name": "Choir"},
    }
    at.session_state["lst_f_name"] = "Taken over"
    at.session_state["lst_f_mode"] = "whole_area"
    _run(at)
    _click(at, "lst_send")
    assert any("may edit only the listings of their own organisation" in e.value for e in at.error)
    assert store.pending() == []


def test_a_rejected_change_shows_the_officers_reason(open_app: OpenApp, store: Store, demo) -> None:
    org_id = _editor_of(store, EDITOR, _pack_org(demo))
    service_id = _listed_service(store, org_id)
    revision = store.submit({"capacity": "lots"}, by=EDITOR, service_id=service_id, base_version=1)
    store.reject(revision.id, "Say how many people a week", by=OFFICER)
    at = _as(open_app, EDITOR)
    assert f"revision {revision.id} · rejected" in _texts(at)
    assert "Why: Say how many people a week" in _texts(at)
    assert not any(b.key == f"lst_withdraw_{revision.id}" for b in at.button)  # only waiting ones


def test_the_preview_shows_the_wards_a_draft_would_change_before_it_is_sent(
    open_app: OpenApp, store: Store, demo
) -> None:
    import geopandas as gpd

    org = demo.organisations.iloc[2]
    _editor_of(store, EDITOR, {"pack_org_id": org[s.ORG_ID], "name": org[s.ORG_NAME]})
    at = _as(open_app, EDITOR)
    at.button(key="lst_add").click().run()
    row = demo.postcodes.iloc[5]
    point = gpd.GeoDataFrame(geometry=gpd.points_from_xy([row["lon"]], [row["lat"]]), crs=demo.wards.crs)
    home = gpd.sjoin(point, demo.wards, predicate="within")[s.WARD_NAME].iloc[0]
    at.text_input(key="lst_f_name").input("Saturday food pantry")
    at.radio(key="lst_f_mode").set_value("sites").run()
    assert "Choose its themes" in _texts(at)  # nothing to preview yet
    at.multiselect(key="lst_f_themes").set_value(["poverty_food"])
    at.button(key="lst_add_site").click().run()
    at.text_input(key="lst_f_site_place_0").input(str(row[s.POSTCODE]))
    at.number_input(key="lst_f_site_reach_0").set_value(0.5)
    _run(at)
    _click(at, "lst_preview")
    table = at.dataframe[-1].value
    assert home in table["Ward"].tolist()
    mine = table[table["Ward"] == home].iloc[0]
    assert mine["Provision with it"] > mine["Provision now"]
    assert "Saturday food pantry" in mine["Reason with it"]
    assert store.pending() == []  # a preview sends nothing


def test_an_editor_confirms_a_listing_is_still_right(open_app: OpenApp, store: Store, demo) -> None:
    from datetime import date

    from sector_map.directory.models import Service

    org = demo.organisations.iloc[2]
    org_id = _editor_of(store, EDITOR, {"pack_org_id": org[s.ORG_ID], "name": org[s.ORG_NAME]})
    service_id = _listed_service(store, org_id)
    with store.transaction() as session:
        session.get(Service, service_id).assured_date = date(2025, 6, 1)  # confirmed long ago
    at = _as(open_app, EDITOR)
    assert "(stale)" in _texts(at)
    _click(at, f"lst_confirm_{service_id}")
    assert "as still right: last confirmed today" in _texts(at)
    with store.transaction() as session:
        assert session.get(Service, service_id).assured_date == date.today()
    assert store.pending() == []
