"""The directory store (sector_map/directory/store.py) on SQLite and on PostgreSQL: migrations,
revisions with optimistic versions, the change log, who may do what, logins, staleness."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select

from sector_map.directory import db
from sector_map.directory.models import ChangeLog, Revision, Service
from sector_map.directory.oruk import FeedService
from sector_map.directory.store import (
    LOCKOUT,
    MAX_FAILED_LOGINS,
    Conflict,
    DirectoryError,
    NotAllowed,
    Store,
)

OFFICER, ADMIN, EDITOR, OTHER = (
    "officer@council.example",
    "admin@council.example",
    "ed@pantry.example",
    "ed2@pantry.example",
)


def _count(store: Store, model: type, *where: object) -> int:
    with store.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _listed(store: Store) -> tuple[str, str]:
    """An approved service of a new organisation, and the organisation's id."""
    store.create_user(OFFICER, "officer")
    revision = store.submit(
        {"name": "Lunch club", "themes": ["older_people"], "delivery": {"mode": "whole_area"}},
        by=OFFICER,
        organisation={"name": "Example Pantry", "charity_number": "1234567"},
    )
    service = store.approve(revision.id, by=OFFICER)
    return service.id, service.organisation_id


def test_init_creates_every_table_and_is_repeatable(db_url: str) -> None:
    engine = db.make_engine(db_url)
    assert db.current_revision(engine) is None
    assert db.init(engine) == db.head_revision()
    assert db.init(engine) == db.head_revision()  # a second init upgrades nothing and fails nothing
    tables = set(inspect(engine).get_table_names())
    assert {"users", "organisations", "claims", "services", "revisions", "change_log"} <= tables
    engine.dispose()


def test_approval_applies_the_revision_and_logs_each_changed_field(store: Store) -> None:
    service_id, _ = _listed(store)
    revision = store.submit(
        {"name": "Lunch club for over-60s", "themes": ["older_people"]},
        by=OFFICER,
        service_id=service_id,
        base_version=1,
    )
    service = store.approve(revision.id, by=OFFICER)
    assert (service.version, service.name, service.assured_date) == (
        2,
        "Lunch club for over-60s",
        datetime.now(UTC).date(),
    )
    log = [
        (c.revision_id, c.field_name, c.previous_value, c.replacement_value)
        for c in store.history(service_id)
    ]
    first = log[0][0]
    assert log == [
        (first, "name", None, "Lunch club"),
        (first, "themes", None, ["older_people"]),
        (first, "delivery", None, {"mode": "whole_area"}),
        (revision.id, "name", "Lunch club", "Lunch club for over-60s"),  # themes unchanged: not logged
    ]
    assert {c.updated_by for c in store.history(service_id)} == {OFFICER}


def test_a_second_editor_is_refused_and_told_of_the_pending_change(store: Store) -> None:
    service_id, org = _listed(store)
    store.create_user(EDITOR, "editor", organisation_id=org)
    store.create_user(OTHER, "editor", organisation_id=org)
    first = store.submit(
        {"opening_times": "Tue 12:00-14:00"}, by=EDITOR, service_id=service_id, base_version=1
    )
    with pytest.raises(Conflict) as refused:
        store.submit({"opening_times": "Wed 10:00-12:00"}, by=OTHER, service_id=service_id, base_version=1)
    message = str(refused.value)
    assert f"revision {first.id} by {EDITOR}" in message and "opening_times" in message
    assert _count(store, Revision, Revision.service_id == service_id, Revision.state == "submitted") == 1


def test_a_submission_on_an_outdated_version_is_refused_naming_the_other_change(store: Store) -> None:
    service_id, org = _listed(store)
    store.create_user(EDITOR, "editor", organisation_id=org)
    store.create_user(OTHER, "editor", organisation_id=org)
    first = store.submit({"capacity": "30 a week"}, by=EDITOR, service_id=service_id, base_version=1)
    store.approve(first.id, by=OFFICER)
    before = _count(store, Revision)
    with pytest.raises(Conflict) as refused:  # OTHER still edits the version 1 they opened
        store.submit({"capacity": "40 a week"}, by=OTHER, service_id=service_id, base_version=1)
    message = str(refused.value)
    assert "yours: version 1, now version 2" in message
    assert f"revision {first.id} by {EDITOR}" in message and "changed capacity" in message
    assert _count(store, Revision) == before  # nothing saved
    with store.transaction() as s:
        assert s.get(Service, service_id).capacity == "30 a week"


def _feed_listed(store: Store) -> tuple[str, str]:
    """A service as a published feed lists it (not yet described by its organisation), and its org."""
    store.create_user(OFFICER, "officer")
    feed = FeedService("svc-feed-1", "org-feed-1", {"name": "Example Pantry"}, {"name": "Lunch club"}, None)
    assert store.import_feed([feed], source="test feed")["new"] == 1
    return feed.service_id, feed.organisation_id


def test_a_feed_update_waits_while_a_change_is_pending(store: Store) -> None:
    service_id, org = _feed_listed(store)
    store.create_user(EDITOR, "editor", organisation_id=org)
    pending = store.submit({"phone": "0161 000 0000"}, by=EDITOR, service_id=service_id, base_version=1)
    feed = FeedService(service_id, org, {"name": "Example Pantry"}, {"name": "Lunch club (feed)"}, None)
    counts = store.import_feed([feed], source="test feed")
    assert (counts["held"], counts["updated"]) == (1, 0)
    service = store.approve(pending.id, by=OFFICER)  # the editor's base is still the current version
    assert (service.name, service.phone, service.version) == ("Lunch club", "0161 000 0000", 2)


def test_a_reimported_feed_keeps_what_the_organisation_described(store: Store) -> None:
    service_id, org = _feed_listed(store)
    store.create_user(EDITOR, "editor", organisation_id=org)
    own = store.submit({"opening_times": "Tue 12:00-14:00"}, by=EDITOR, service_id=service_id, base_version=1)
    store.approve(own.id, by=OFFICER)
    feed = FeedService(service_id, org, {"name": "Example Pantry"}, {"name": "Lunch club (feed)"}, None)
    assert store.import_feed([feed], source="test feed") == {
        "new": 0,
        "updated": 0,
        "unchanged": 0,
        "kept": 1,
        "held": 0,
    }
    with store.transaction() as s:
        service = s.get(Service, service_id)
        assert (service.name, service.opening_times, service.version) == ("Lunch club", "Tue 12:00-14:00", 2)
        assert service.source == "described by the organisation, was test feed"
    untouched = FeedService("svc-feed-2", org, {"name": "Example Pantry"}, {"name": "Advice"}, None)
    assert store.import_feed([untouched], source="test feed")["new"] == 1
    changed = FeedService("svc-feed-2", org, {"name": "Example Pantry"}, {"name": "Advice line"}, None)
    assert store.import_feed([changed], source="test feed")["updated"] == 1  # still the feed's own


def test_approving_a_revision_whose_base_moved_is_refused_and_leaves_it_pending(store: Store) -> None:
    service_id, org = _feed_listed(store)
    store.create_user(EDITOR, "editor", organisation_id=org)
    pending = store.submit({"phone": "0161 000 0000"}, by=EDITOR, service_id=service_id, base_version=1)
    with store.transaction() as s:  # another process moved the listing on underneath it
        s.get(Service, service_id).version = 2
    with pytest.raises(Conflict, match="now version 2"):
        store.approve(pending.id, by=OFFICER)
    with store.transaction() as s:
        assert s.get(Revision, pending.id).state == "submitted"
        assert s.get(Service, service_id).phone == ""
    done, refused = store.approve_all(by=OFFICER)
    assert done == [] and len(refused) == 1 and f"revision {pending.id}" in refused[0]


def test_only_officers_and_admins_review(store: Store) -> None:
    service_id, org = _listed(store)
    store.create_user(EDITOR, "editor", organisation_id=org)
    store.create_user(ADMIN, "admin")
    revision = store.submit({"eligibility": "over 60"}, by=EDITOR, service_id=service_id)
    with pytest.raises(NotAllowed, match="only officers and admins"):
        store.approve(revision.id, by=EDITOR)
    with pytest.raises(NotAllowed):
        store.reject(revision.id, "no", by=EDITOR)
    with pytest.raises(NotAllowed, match="no user"):
        store.approve(revision.id, by="stranger@example.org")
    assert store.approve(revision.id, by=ADMIN).eligibility == "over 60"


def test_rejection_needs_a_reason_and_keeps_it(store: Store) -> None:
    service_id, _ = _listed(store)
    revision = store.submit({"name": "x"}, by=OFFICER, service_id=service_id)
    with pytest.raises(DirectoryError, match="needs a reason"):
        store.reject(revision.id, "  ", by=OFFICER)
    store.reject(revision.id, "The name is not the service's", by=OFFICER)
    with store.transaction() as s:
        row = s.get(Revision, revision.id)
        assert (row.state, row.reason, row.reviewed_by) == (
            "rejected",
            "The name is not the service's",
            OFFICER,
        )
        assert s.get(Service, service_id).name == "Lunch club"
    assert _count(store, ChangeLog, ChangeLog.revision_id == revision.id) == 0


def test_an_editor_edits_only_their_own_organisation_until_a_claim_is_approved(store: Store) -> None:
    service_id, org = _listed(store)
    store.create_user(EDITOR, "editor")
    with pytest.raises(NotAllowed, match="own organisation"):
        store.submit({"capacity": "10"}, by=EDITOR, service_id=service_id)
    claim = store.claim(org, by=EDITOR)
    with pytest.raises(NotAllowed):
        store.review_claim(claim.id, "approved", by=EDITOR)
    store.review_claim(claim.id, "approved", by=OFFICER)
    assert store.submit({"capacity": "10"}, by=EDITOR, service_id=service_id).state == "submitted"
    store.review_claim(claim.id, "revoked", by=OFFICER, reason="left the charity")
    with pytest.raises(NotAllowed):
        store.submit({"capacity": "12"}, by=EDITOR, service_id=service_id)


def test_a_new_organisation_is_matched_by_charity_number(store: Store) -> None:
    _, org = _listed(store)
    revision = store.submit(
        {"name": "Pantry"},
        by=OFFICER,
        organisation={"name": "Example Pantry CIO", "charity_number": "1234567"},
    )
    assert store.approve(revision.id, by=OFFICER).organisation_id == org
    fresh = store.submit(
        {"name": "Choir"}, by=OFFICER, organisation={"name": "Choir", "charity_number": "7654321"}
    )
    assert store.approve(fresh.id, by=OFFICER).organisation_id != org


def test_logins_lock_after_repeated_failures(store: Store) -> None:
    store.create_user(EDITOR, "editor", password="correct horse battery")
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    assert store.authenticate(EDITOR, "correct horse battery", now=now) is not None
    for _ in range(MAX_FAILED_LOGINS):
        assert store.authenticate(EDITOR, "wrong", now=now) is None
    assert (
        store.authenticate(EDITOR, "correct horse battery", now=now + timedelta(minutes=1)) is None
    )  # locked
    later = now + LOCKOUT + timedelta(seconds=1)
    assert store.authenticate(EDITOR.upper(), "correct horse battery", now=later) is not None


def test_stale_report_follows_the_twelve_and_eighteen_month_rule(store: Store) -> None:
    today = datetime.now(UTC).date()
    feed = [
        FeedService(f"svc-{n}", "org-1", {"name": "Org"}, {"name": f"Service {n}"}, assured)
        for n, assured in enumerate(
            [today - timedelta(days=30), today - timedelta(days=400), today - timedelta(days=600), None]
        )
    ]
    feed.append(
        FeedService("svc-gone", "org-1", {"name": "Org"}, {"name": "Gone", "status": "defunct"}, None)
    )
    assert store.import_feed(feed, source="test")["new"] == 5
    states = {row.service_id: row.state for row in store.stale_report(today)}
    assert states == {
        "svc-0": "current",
        "svc-1": "stale",
        "svc-2": "out of provision",
        "svc-3": "out of provision",
    }


def test_only_admins_manage_accounts_and_one_admin_always_remains(store: Store) -> None:
    from sector_map.directory.store import MIN_PASSWORD

    store.create_user(ADMIN, "admin", password="a" * MIN_PASSWORD)
    store.create_user(OFFICER, "officer")
    with pytest.raises(NotAllowed, match="only admins may add accounts"):
        store.add_user(EDITOR, "editor", by=OFFICER)
    with pytest.raises(DirectoryError, match=f"at least {MIN_PASSWORD} characters"):
        store.add_user(EDITOR, "editor", by=ADMIN, password="short")
    store.add_user(EDITOR, "editor", by=ADMIN, password="b" * MIN_PASSWORD)
    assert [u.email for u in store.users(by=ADMIN)] == [ADMIN, EDITOR, OFFICER]
    with pytest.raises(NotAllowed):
        store.users(by=EDITOR)
    with pytest.raises(NotAllowed):
        store.set_role(EDITOR, "admin", by=EDITOR)  # nobody promotes themself
    store.set_role(OFFICER, "admin", by=ADMIN)
    with pytest.raises(DirectoryError, match="your own admin role"):
        store.set_role(ADMIN, "editor", by=ADMIN)
    store.set_role(ADMIN, "editor", by=OFFICER)  # another admin may
    with pytest.raises(DirectoryError, match="your own admin role"):
        store.remove_user(OFFICER, by=OFFICER)
    store.remove_user(EDITOR, by=OFFICER)
    assert store.user(EDITOR) is None


def test_an_admin_unlocks_and_resets_a_locked_account(store: Store) -> None:
    store.create_user(ADMIN, "admin")
    store.create_user(EDITOR, "editor", password="right password 1")
    for _ in range(MAX_FAILED_LOGINS):
        assert store.authenticate(EDITOR, "wrong") is None
    assert store.authenticate(EDITOR, "right password 1") is None  # locked
    store.unlock(EDITOR, by=ADMIN)
    assert store.authenticate(EDITOR, "right password 1") is not None
    store.set_password(EDITOR, "another password 2", by=ADMIN)
    assert store.authenticate(EDITOR, "right password 1") is None
    assert store.authenticate(EDITOR, "another password 2") is not None


def test_an_editor_confirms_a_listing_without_review_and_nobody_else_may(store: Store) -> None:
    service_id, org = _listed(store)
    store.create_user(EDITOR, "editor", organisation_id=org)
    store.create_user(OTHER, "editor")
    pending = store.submit({"phone": "0161 000 0000"}, by=OFFICER, service_id=service_id, base_version=1)
    logged = len(store.history(service_id))
    confirmed = store.confirm(service_id, by=EDITOR, today=date(2026, 11, 2))
    assert (confirmed.assured_date, confirmed.version) == (date(2026, 11, 2), 1)
    assert len(store.history(service_id)) == logged  # no field changed, none logged
    assert store.approve(pending.id, by=OFFICER).phone == "0161 000 0000"  # its base still holds
    with pytest.raises(NotAllowed):
        store.confirm(service_id, by=OTHER)
