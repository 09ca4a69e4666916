"""What the Review and Directory pages ask of the store, on SQLite and on PostgreSQL: problem
reports (bounded, officers only), claims listed by who may see them, one revision, and the 0002
migration upgrading a database made at 0001."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import inspect, text

from sector_map.directory import db
from sector_map.directory.store import (
    MAX_OPEN_REPORTS,
    MAX_REPORT_CHARS,
    REPORTS_PER_SESSION_PER_HOUR,
    DirectoryError,
    NotAllowed,
    NotFound,
    Store,
)
from tests.conftest import ROOT

OFFICER, EDITOR, OTHER = "officer@council.example", "ed@pantry.example", "ed2@choir.example"


def _listed(store: Store, name: str = "Lunch club", **fields: object) -> tuple[str, str]:
    if store.user(OFFICER) is None:
        store.create_user(OFFICER, "officer")
    revision = store.submit(
        {"name": name, **fields}, by=OFFICER, organisation={"name": f"{name} CIO", "charity_number": name}
    )
    service = store.approve(revision.id, by=OFFICER)
    return service.id, service.organisation_id


def test_a_problem_report_waits_for_an_officer_who_resolves_it(store: Store) -> None:
    service_id, _ = _listed(store)
    store.create_user(EDITOR, "editor")
    report = store.report_problem(
        service_id, "  The phone number is wrong  ", contact="me@example.org", reporter="session-a"
    )
    with pytest.raises(NotAllowed, match="only officers and admins"):
        store.problem_reports(by=EDITOR)
    rows = store.problem_reports(by=OFFICER)
    assert [(r.id, r.service, r.organisation, r.text, r.contact, r.state) for r in rows] == [
        (report.id, "Lunch club", "Lunch club CIO", "The phone number is wrong", "me@example.org", "open")
    ]
    with pytest.raises(NotAllowed):
        store.resolve_report(report.id, "resolved", by=EDITOR)
    with pytest.raises(DirectoryError, match="resolved, dismissed"):
        store.resolve_report(report.id, "open", by=OFFICER)
    store.resolve_report(report.id, "resolved", by=OFFICER, note="phoned them; fixed")
    assert store.problem_reports(by=OFFICER) == []
    (done,) = store.problem_reports("resolved", by=OFFICER)
    assert (done.reviewed_by, done.note) == (OFFICER, "phoned them; fixed")
    with pytest.raises(DirectoryError, match="already resolved"):
        store.resolve_report(report.id, "dismissed", by=OFFICER)


def test_a_report_is_refused_plainly_when_empty_too_long_or_about_no_listing(store: Store) -> None:
    service_id, _ = _listed(store)
    gone, _ = _listed(store, "Old choir", status="defunct")
    with pytest.raises(DirectoryError, match="say what is wrong"):
        store.report_problem(service_id, "   ", reporter="s")
    with pytest.raises(DirectoryError, match=f"at most {MAX_REPORT_CHARS:,} characters"):
        store.report_problem(service_id, "x" * (MAX_REPORT_CHARS + 1), reporter="s")
    with pytest.raises(DirectoryError, match="one e-mail address"):
        store.report_problem(service_id, "wrong", contact="call me on 0161", reporter="s")
    for missing in (gone, "svc-nothing"):
        with pytest.raises(NotFound):
            store.report_problem(missing, "wrong", reporter="s")
    assert store.problem_reports(None, by=OFFICER) == []


def test_reports_are_capped_per_session_per_hour_and_in_the_whole_store(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    service_id, _ = _listed(store)
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    for n in range(REPORTS_PER_SESSION_PER_HOUR):
        store.report_problem(service_id, f"wrong {n}", reporter="a", now=now + timedelta(minutes=n))
    with pytest.raises(NotAllowed, match="in the last hour"):
        store.report_problem(service_id, "one more", reporter="a", now=now + timedelta(minutes=30))
    store.report_problem(service_id, "another visitor", reporter="b", now=now + timedelta(minutes=30))
    store.report_problem(service_id, "an hour on", reporter="a", now=now + timedelta(minutes=61))
    opened = REPORTS_PER_SESSION_PER_HOUR + 2
    assert len(store.problem_reports(by=OFFICER)) == opened
    monkeypatch.setattr("sector_map.directory.reports.MAX_OPEN_REPORTS", opened)
    with pytest.raises(NotAllowed, match=f"already has {opened} problem reports"):
        store.report_problem(service_id, "flood", reporter="c", now=now)
    first = store.problem_reports(by=OFFICER)[0]
    store.resolve_report(first.id, "dismissed", by=OFFICER)  # closing one makes room again
    store.report_problem(service_id, "room again", reporter="c", now=now)
    assert MAX_OPEN_REPORTS >= 100  # the real cap leaves room for an ordinary week's reports


def test_claims_are_listed_to_officers_and_to_their_own_claimant(store: Store) -> None:
    _, pantry = _listed(store)
    _, choir = _listed(store, "Choir")
    store.create_user(EDITOR, "editor")
    store.create_user(OTHER, "editor")
    mine = store.claim(pantry, by=EDITOR)
    theirs = store.claim(choir, by=OTHER)
    assert [(c.id, c.organisation, c.email) for c in store.claims(by=OFFICER)] == [
        (mine.id, "Lunch club CIO", EDITOR),
        (theirs.id, "Choir CIO", OTHER),
    ]
    assert [c.id for c in store.claims(by=EDITOR)] == [mine.id]
    store.review_claim(mine.id, "approved", by=OFFICER)
    assert [c.id for c in store.claims("unreviewed", by=OFFICER)] == [theirs.id]
    assert [c.state for c in store.claims("approved", by=OFFICER)] == ["approved"]
    with pytest.raises(DirectoryError, match="unreviewed, approved"):
        store.claims("pending", by=OFFICER)
    with pytest.raises(NotAllowed, match="no user"):
        store.claims(by="stranger@example.org")


def test_a_revision_is_read_in_any_state(store: Store) -> None:
    service_id, _ = _listed(store)
    submitted = store.submit({"capacity": "20"}, by=OFFICER, service_id=service_id)
    store.reject(submitted.id, "not yet", by=OFFICER)
    read = store.revision(submitted.id)
    assert (read.state, read.reason, read.content["service"]) == ("rejected", "not yet", {"capacity": "20"})
    with pytest.raises(NotFound):
        store.revision(submitted.id + 100)


def test_directory_init_upgrades_a_database_made_at_0001_and_keeps_its_rows(db_url: str) -> None:
    engine = db.make_engine(db_url)
    command.upgrade(db.alembic_config(engine), "0001")
    assert db.current_revision(engine) == "0001"
    assert "problem_reports" not in inspect(engine).get_table_names()
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisations (id, name, description, url, email, source, created_at) "
                "VALUES ('org-1', 'Pantry', '', '', '', 'test', :now)"
            ),
            {"now": datetime.now(UTC)},
        )
    engine.dispose()
    result = subprocess.run(
        [sys.executable, "-m", "sector_map", "directory", "--db", db_url, "init"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    engine = db.make_engine(db_url)
    assert db.current_revision(engine) == "0003" == db.head_revision()
    assert "problem_reports" in inspect(engine).get_table_names()
    assert "relationship" in {c["name"] for c in inspect(engine).get_columns("claims")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT name FROM organisations")).scalars().all() == ["Pantry"]
    engine.dispose()
