"""What the Review and Directory pages show, worked out by sector_map.directory.{diff,review,
listings} on a real store (SQLite and PostgreSQL): the diff against the last approved version,
the queue with names, the review clock, and the Directory's search and filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from sector_map.directory.diff import EMPTY, delivery_text, revision_diff
from sector_map.directory.listings import WardReach, listings, search
from sector_map.directory.models import Service
from sector_map.directory.oruk import FeedService
from sector_map.directory.review import REMINDER_DUE, history_rows, queue, review_clock
from sector_map.directory.store import Store

OFFICER, EDITOR = "officer@council.example", "ed@pantry.example"
WARDS = {"E05000001": "Bucklow-St Martins", "E05000002": "Flixton"}


def _approved(store: Store, name: str, **fields: object) -> str:
    if store.user(OFFICER) is None:
        store.create_user(OFFICER, "officer")
    revision = store.submit({"name": name, **fields}, by=OFFICER, organisation={"name": f"{name} Trust"})
    return store.approve(revision.id, by=OFFICER).id


def test_the_diff_shows_changed_fields_before_and_after_as_text(store: Store) -> None:
    service_id = _approved(
        store, "Lunch club", themes=["older_people"], delivery={"mode": "wards", "wards": ["E05000001"]}
    )
    revision = store.submit(
        {
            "name": "Lunch club",  # unchanged: not shown
            "themes": ["older_people", "poverty_food"],
            "delivery": {"mode": "sites", "sites": [{"postcode": "M31 4FL", "reach_km": 1.5}]},
            "opening_times": "Tue 12-2",
        },
        by=OFFICER,
        service_id=service_id,
    )
    assert revision_diff(store, revision, ward_names=WARDS) == [
        ("themes", "Older people", "Older people, Poverty, food and money advice"),
        ("delivery", "1 listed ward: Bucklow-St Martins (E05000001)", "at 1 site: M31 4FL (reach 1.5 km)"),
        ("opening_times", EMPTY, "Tue 12-2"),
    ]
    confirm = store.submit({}, by=OFFICER, service_id=service_id)
    assert revision_diff(store, confirm) == []  # a confirmation changes nothing


def test_a_new_service_shows_its_new_organisation_and_every_field(store: Store) -> None:
    store.create_user(OFFICER, "officer")
    revision = store.submit(
        {"name": "Choir", "client_groups": ["older people", "carers"]},
        by=OFFICER,
        organisation={"name": "Sale Singers", "charity_number": "1100"},
    )
    rows = dict((field, (before, after)) for field, before, after in revision_diff(store, revision))
    assert rows["organisation"] == (EMPTY, "Sale Singers (new: charity number 1100)")
    assert rows["name"] == (EMPTY, "Choir")
    assert rows["client_groups"] == (EMPTY, "older people, carers")
    assert rows["delivery"] == (EMPTY, "the whole area") and rows["status"] == (EMPTY, "active")
    assert rows["phone"] == (EMPTY, EMPTY) and len(rows) == 13


def test_delivery_reads_as_words_for_every_mode() -> None:
    assert delivery_text({"mode": "whole_area"}) == "the whole area"
    assert (
        delivery_text({"mode": "radius", "postcode": "M33 7XX", "radius_km": 2.5})
        == "within 2.5 km of M33 7XX"
    )
    two_sites = {
        "mode": "sites",
        "sites": [{"postcode": "M31 4FL", "reach_km": 1}, {"latitude": 53.4, "longitude": -2.4}],
    }
    assert (
        delivery_text(two_sites)
        == "at 2 sites: M31 4FL (reach 1 km); point 53.4, -2.4 (reach reach not given)"
    )


def test_the_queue_names_organisations_oldest_first_and_marks_outdated(store: Store) -> None:
    service_id = _approved(store, "Lunch club")
    rename = store.submit({"name": "Lunch club for over-60s"}, by=OFFICER, service_id=service_id)
    new = store.submit({"name": "Choir"}, by=OFFICER, organisation={"name": "Sale Singers"})
    rows = queue(store)
    assert [(r.revision_id, r.organisation, r.service, r.kind, r.outdated) for r in rows] == [
        (rename.id, "Lunch club Trust", "Lunch club → Lunch club for over-60s", "change", False),
        (new.id, "Sale Singers (new)", "Choir", "new service", False),
    ]
    with store.transaction() as s:  # the approved version moves on under it (a racing writer)
        s.get(Service, service_id).version += 1
    assert [r.outdated for r in queue(store)] == [True, False]


def test_the_review_clock_lists_reminders_due_stale_and_out_of_provision(store: Store) -> None:
    today = datetime.now(UTC).date()
    ages = {"fresh": 30, "due": 345, "stale": 400, "gone": 600}
    feed = [
        FeedService(f"svc-{k}", "org", {"name": "Org"}, {"name": k}, today - timedelta(days=d))
        for k, d in ages.items()
    ]
    feed.append(FeedService("svc-never", "org", {"name": "Org"}, {"name": "never"}, None))
    store.import_feed(feed, source="test")
    clock = review_clock(store.stale_report(today), today)
    assert [(r.name, r.state) for r in clock] == [
        ("never", "out of provision"),
        ("gone", "out of provision"),
        ("stale", "stale"),
        ("due", REMINDER_DUE),
    ]


def test_the_change_log_reads_as_text(store: Store) -> None:
    service_id = _approved(store, "Lunch club", themes=["older_people"], delivery={"mode": "whole_area"})
    (name, themes, delivery) = history_rows(store.history(service_id))
    assert (name["field_name"], name["previous_value"], name["replacement_value"]) == (
        "Name",
        EMPTY,
        "Lunch club",
    )
    assert themes["replacement_value"] == "Older people" and delivery["replacement_value"] == "the whole area"
    assert {r["updated_by"] for r in (name, themes, delivery)} == {OFFICER}


def _reach() -> WardReach:
    wards = gpd.GeoDataFrame(
        {"ward_code": list(WARDS), "ward_name": list(WARDS.values())},
        geometry=[box(0, 0, 1000, 1000), box(3000, 0, 4000, 1000)],
        crs="EPSG:27700",
    ).to_crs("EPSG:4326")
    pts = gpd.GeoSeries(gpd.points_from_xy([500, 2500], [500, 500]), crs="EPSG:27700").to_crs("EPSG:4326")
    postcodes = pd.DataFrame({"postcode": ["AB1 1AA", "AB2 2BB"], "lon": pts.x, "lat": pts.y})
    return WardReach(wards, postcodes)


def test_search_and_filters_and_the_wards_a_listing_serves(store: Store) -> None:
    _approved(
        store, "Lunch club", description="Hot meals", themes=["older_people"], client_groups=["older people"]
    )
    _approved(
        store,
        "Homework club",
        themes=["children_young_people"],
        delivery={"mode": "sites", "sites": [{"postcode": "ab1 1aa", "reach_km": 0}]},
    )
    _approved(
        store,
        "Drop-in",
        status="temporarily closed",
        delivery={"mode": "radius", "postcode": "AB2 2BB", "radius_km": 0.6},
    )
    _approved(store, "Gone", status="defunct")
    today = datetime.now(UTC).date()
    found = listings(store, today)
    assert [x.name for x in found] == ["Drop-in", "Homework club", "Lunch club"]  # never defunct
    assert {x.last_confirmed for x in found} == {f"last confirmed {today.day} {today:%b %Y}"}
    names = lambda rows: [x.name for x in rows]  # noqa: E731
    assert names(search(found, text="HOT lunch")) == ["Lunch club"]
    assert names(search(found, text="trust club")) == [
        "Homework club",
        "Lunch club",
    ]  # organisation names are searched too
    assert names(search(found, themes=["children_young_people"])) == ["Homework club"]
    assert names(search(found, client_groups=["older people"])) == ["Lunch club"]
    assert names(search(found, statuses=["temporarily closed"])) == ["Drop-in"]
    assert names(search(found, staleness_states=["stale"])) == []
    reach = _reach()
    assert names(search(found, ward="E05000001", reach=reach)) == ["Homework club", "Lunch club"]
    assert names(search(found, ward="E05000002", reach=reach)) == ["Drop-in", "Lunch club"]


def test_a_site_given_as_a_point_or_an_unknown_postcode() -> None:
    reach = _reach()
    at = gpd.GeoSeries(gpd.points_from_xy([3500], [1500]), crs="EPSG:27700").to_crs("EPSG:4326")[0]
    site = {"mode": "sites", "sites": [{"latitude": at.y, "longitude": at.x, "reach_km": 0.6}]}
    assert [reach.serves(site, ward) for ward in WARDS] == [False, True]  # 500 m north of the second ward
    unknown = {"mode": "sites", "sites": [{"postcode": "ZZ9 9ZZ", "reach_km": 50}]}
    assert [reach.serves(unknown, ward) for ward in WARDS] == [False, False]
    assert not reach.serves({"mode": "radius", "postcode": "AB1 1AA", "radius_km": 5}, "E09999999")
