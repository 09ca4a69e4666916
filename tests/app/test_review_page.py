"""Review page (app_pages/review.py): only officers and admins get in; the queue, each change's
diff against the last approved version, approve and reject with a reason, claims, problem
reports, the review clock and the change log, all acting on a real store at ``directory_url``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from sector_map.directory.models import Revision, Service
from sector_map.directory.oruk import FeedService
from tests.app.directory_seed import EDITOR, OFFICER, PASSWORD, listed, open_store, signed_in

PAGE = "app_pages/review.py"


@pytest.fixture
def store(directory_url):
    opened = open_store(directory_url)
    yield opened
    opened.engine.dispose()


def _review(open_app, email: str | None) -> AppTest:
    at = open_app()
    if email:
        signed_in(at, email)
    at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    parts = [str(x.value) for x in (*at.markdown, *at.caption, *at.info, *at.success, *at.error, *at.warning)]
    parts += [str(x.value) for x in at.subheader]
    return "\n".join(parts)


def _frames(at: AppTest) -> list:
    return [d.value for d in at.dataframe]


def test_an_anonymous_visitor_is_asked_to_sign_in_and_shown_nothing_else(open_app, store) -> None:
    listed(store, "Lunch club", "Sale Pantry")
    store.submit({"capacity": "10"}, by=OFFICER, service_id=store.services()[0][0].id)
    at = _review(open_app, None)
    assert "Sign in to review changes" in at.info[0].value
    assert [t.label for t in at.text_input] == ["E-mail", "Password"]
    assert len(at.tabs) == 0 and len(at.dataframe) == 0 and "Lunch club" not in _texts(at)


def test_an_editor_is_refused(open_app, store) -> None:
    store.create_user(EDITOR, "editor")
    at = _review(open_app, EDITOR)
    assert "may not review changes" in at.error[0].value
    assert len(at.tabs) == 0 and len(at.dataframe) == 0


def test_an_officer_signs_in_with_the_form_and_sees_the_queue(open_app, store) -> None:
    listed(store, "Lunch club", "Sale Pantry")
    at = _review(open_app, None)
    at.text_input[0].input(OFFICER)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert f"Signed in as {OFFICER.replace('@', chr(92) + '@')}" in at.caption[0].value
    assert [t.label for t in at.tabs] == [
        "Changes (0)", "Claims (0)", "Problem reports (0)", "Stale listings and reminders (0)", "Change log"
    ]  # fmt: skip
    assert "No changes are waiting for review." in _texts(at)


def test_an_officer_sees_the_diff_rejects_with_a_reason_and_approves_another(open_app, store) -> None:
    service_id = listed(store, "Lunch club", "Sale Pantry", themes=["older_people"], opening_times="Tue 12-2")
    org = store.services()[0][1].id
    store.create_user(EDITOR, "editor")
    claim = store.claim(org, by=EDITOR)
    store.review_claim(claim.id, "approved", by=OFFICER)
    change = store.submit(
        {
            "opening_times": "Wed 10-12",
            "delivery": {"mode": "sites", "sites": [{"postcode": "M31 4FL", "reach_km": 1.5}]},
        },
        by=EDITOR,
        service_id=service_id,
    )
    new = store.submit(
        {"name": "Homework club", "themes": ["children_young_people"]}, by=EDITOR, organisation_id=org
    )
    at = _review(open_app, OFFICER)
    queue = _frames(at)[0]
    assert queue["Revision"].tolist() == [change.id, new.id]  # oldest first
    assert queue["By"].tolist() == [EDITOR, EDITOR] and set(queue["Organisation"]) == {"Sale Pantry"}

    diff = _frames(at)[1]  # the first in the queue is selected
    assert diff.values.tolist() == [  # in the order of the service's fields
        ["How it is delivered", "the whole area", "at 1 site: M31 4FL (reach 1.5 km)"],
        ["Opening times", "Tue 12-2", "Wed 10-12"],
    ]
    reject = next(b for b in at.button if b.label == "Reject")
    reject.click().run()
    assert "Give a reason" in _texts(at)
    assert store.revision(change.id).state == "submitted"
    at.text_area(key=f"reason_{change.id}").input("Wednesday is the day the hall is closed")
    next(b for b in at.button if b.label == "Reject").click().run()
    assert not at.exception
    rejected = store.revision(change.id)
    assert (rejected.state, rejected.reason, rejected.reviewed_by) == (
        "rejected",
        "Wednesday is the day the hall is closed",
        OFFICER,
    )

    assert _frames(at)[0]["Revision"].tolist() == [new.id]
    diff = _frames(at)[1]
    assert diff.values.tolist()[:2] == [["Organisation", "—", "Sale Pantry"], ["Name", "—", "Homework club"]]
    next(b for b in at.button if b.label == "Approve").click().run()
    assert not at.exception
    done = at.success[0].value
    assert "Approved revision" in done and "Homework club" in done and "next run" in done
    assert store.revision(new.id).state == "approved"
    assert "No changes are waiting for review." in _texts(at)

    at.switch_page("app_pages/directory.py").run()
    listing = "\n".join(m.value for m in at.markdown)
    today = datetime.now(UTC).date()
    assert "Homework club" in listing and f"last confirmed {today.day} {today:%b %Y}" in listing


def test_a_conflict_is_shown_as_the_store_words_it(open_app, store) -> None:
    service_id = listed(store, "Lunch club", "Sale Pantry")
    pending = store.submit({"phone": "0161 000 0000"}, by=OFFICER, service_id=service_id)
    with store.transaction() as s:  # the approved version moves on under it (a racing writer)
        s.get(Service, service_id).version += 1
    at = _review(open_app, OFFICER)
    assert "written against an older version" in _frames(at)[0]["Note"].tolist()
    assert "approving it will be refused" in at.warning[0].value
    next(b for b in at.button if b.label == "Approve").click().run()
    shown = "\n".join(e.value for e in at.error)
    assert "changed since the version you edited" in shown and "now version 2" in shown
    assert store.revision(pending.id).state == "submitted"


def test_claims_are_approved_denied_with_a_reason_and_revoked(open_app, store) -> None:
    listed(store, "Lunch club", "Sale Pantry")
    listed(store, "Choir", "Sale Singers")
    orgs = {org.name: org.id for _, org in store.services()}
    store.create_user(EDITOR, "editor")
    store.create_user("ed2@singers.example", "editor")
    first = store.claim(orgs["Sale Pantry"], by=EDITOR)
    second = store.claim(orgs["Sale Singers"], by="ed2@singers.example")
    at = _review(open_app, OFFICER)
    assert at.tabs[1].label == "Claims (2)"
    assert _frames(at)[0]["Claim"].tolist() == [first.id, second.id]  # no changes waiting: claims first
    next(b for b in at.button if b.label == "Approve").click().run()
    assert store.user(EDITOR).organisation_id == orgs["Sale Pantry"]
    next(b for b in at.button if b.label == "Deny").click().run()
    assert "Give a reason to deny" in _texts(at)
    reason = next(t for t in at.text_input if t.label.startswith("Reason (needed to deny"))
    reason.input("Not a trustee of Sale Singers")
    next(b for b in at.button if b.label == "Deny").click().run()
    assert [c.reason for c in store.claims("denied", by=OFFICER)] == ["Not a trustee of Sale Singers"]
    reason = next(t for t in at.text_input if t.label.startswith("Reason (needed to revoke"))
    reason.input("Left the charity")
    next(b for b in at.button if b.label == "Revoke").click().run()
    assert [c.id for c in store.claims("revoked", by=OFFICER)] == [first.id]
    assert store.user(EDITOR).organisation_id is None


def test_problem_reports_are_listed_and_resolved(open_app, store) -> None:
    service_id = listed(store, "Lunch club", "Sale Pantry")
    report = store.report_problem(
        service_id, "It moved to the church hall", contact="a@b.example", reporter="x"
    )
    at = _review(open_app, OFFICER)
    reports = next(f for f in _frames(at) if "Report" in f.columns)
    assert reports.values.tolist()[0][2:] == [
        "Lunch club",
        "Sale Pantry",
        "It moved to the church hall",
        "a@b.example",
    ]
    next(t for t in at.text_input if t.label.startswith("Note")).input("Updated the address")
    next(b for b in at.button if b.label == "Resolve").click().run()
    (done,) = store.problem_reports("resolved", by=OFFICER)
    assert (done.id, done.note, done.reviewed_by) == (report.id, "Updated the address", OFFICER)
    assert "No problem reports are open." in _texts(at)


def test_the_clock_lists_stale_listings_and_reminders_and_says_the_rule(open_app, store) -> None:
    today = datetime.now(UTC).date()
    feed = [
        FeedService(f"svc-{k}", "org", {"name": "Org"}, {"name": k}, today - timedelta(days=d))
        for k, d in {"Fresh": 20, "Due": 350, "Stale": 420}.items()
    ]
    store.import_feed(feed, source="feed")
    at = _review(open_app, OFFICER)
    clock = next(f for f in _frames(at) if "Last confirmed" in f.columns)
    assert clock[["Service", "State"]].values.tolist() == [["Stale", "stale"], ["Due", "reminder due"]]
    assert "more than 11 months ago is due a reminder" in _texts(at)
    assert "Reminder due: 1 · Stale: 1 · Out of provision: 0" in _texts(at)


def test_the_change_log_shows_each_approved_field(open_app, store) -> None:
    service_id = listed(store, "Lunch club", "Sale Pantry")
    revision = store.submit({"capacity": "30 a week"}, by=OFFICER, service_id=service_id)
    store.approve(revision.id, by=OFFICER)
    at = _review(open_app, OFFICER)
    at.selectbox(key="review_log").set_value(service_id).run()
    log = _frames(at)[-1]
    assert list(log.columns) == [
        "updated_at", "revision_id", "field_name", "previous_value", "replacement_value", "updated_by"
    ]  # fmt: skip
    assert log[["field_name", "previous_value", "replacement_value"]].values.tolist()[-1] == [
        "Capacity",
        "—",
        "30 a week",
    ]
    with store.transaction() as s:
        assert s.get(Revision, revision.id).state == "approved"


def test_only_an_admin_gets_the_accounts_tab(open_app, store) -> None:
    store.create_user("admin@council.example", "admin")
    at = _review(open_app, OFFICER)
    assert "Accounts" not in [t.label for t in at.tabs]
    at = _review(open_app, "admin@council.example")
    assert at.tabs[-1].label == "Accounts"
    assert OFFICER in at.dataframe[-1].value["E-mail"].tolist()
