"""Directory page (app_pages/directory.py): anyone reads the approved, non-defunct listings with
last confirmed, a stale mark and their source; search and filters narrow them; "Report a problem"
lands in the Review queue, within the store's limits. Plus hostile names on both directory pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from sector_map.directory.oruk import FeedService
from sector_map.directory.store import REPORTS_PER_SESSION_PER_HOUR
from tests.app.directory_seed import OFFICER, listed, open_store, signed_in
from tests.app.test_markdown_safe import live_syntax
from ui.text import md

PAGE = "app_pages/directory.py"


@pytest.fixture
def store(directory_url):
    opened = open_store(directory_url)
    yield opened
    opened.engine.dispose()


def _directory(open_app) -> AppTest:
    return open_app(PAGE)


def _headings(at: AppTest) -> list[str]:
    """The services listed, in order (each listing's first Markdown line is its heading)."""
    return [m.value.split("\n")[0].removeprefix("#### ") for m in at.markdown if m.value.startswith("#### ")]


def _listing_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_listings_show_last_confirmed_stale_mark_and_source_and_never_defunct(open_app, store) -> None:
    today = datetime.now(UTC).date()
    listed(store, "Lunch club", "Sale Pantry", phone="0161 000 0000", themes=["older_people"])
    listed(store, "Old choir", "Sale Singers", status="defunct")
    store.import_feed(
        [
            FeedService(
                "svc-a", "org-f", {"name": "Feed Org"}, {"name": "Advice line"}, today - timedelta(days=400)
            ),
            FeedService("svc-b", "org-f", {"name": "Feed Org"}, {"name": "Befriending"}, None),
        ],
        source="Open Referral UK feed",
    )
    at = _directory(open_app)
    assert not at.exception
    assert _headings(at) == ["Advice line", "Befriending", "Lunch club"]  # by organisation, then name
    text = _listing_text(at)
    assert "Old choir" not in text
    assert f"last confirmed {today.day} {today:%b %Y}" in text
    lunch = next(m.value for m in at.markdown if m.value.startswith("#### Lunch club"))
    advice = next(m.value for m in at.markdown if m.value.startswith("#### Advice line"))
    befriending = next(m.value for m in at.markdown if m.value.startswith("#### Befriending"))
    assert "stale" not in lunch and "**stale**" in advice and "not confirmed" in befriending
    details = [m.value for m in at.markdown if m.value.startswith("**")]
    assert any("**Contact:** 0161 000 0000" in d and "**Themes:** Older people" in d for d in details)
    assert any("**Source:** Open Referral UK feed" in d for d in details)
    assert any("**Source:** described by the organisation" in d for d in details)


def test_search_and_filters_narrow_the_listings(open_app, store) -> None:
    listed(store, "Lunch club", "Sale Pantry", description="Hot meals", themes=["older_people"])
    listed(
        store,
        "Homework club",
        "Partington Youth",
        themes=["children_young_people"],
        client_groups=["young people"],
    )
    listed(store, "Drop-in", "Sale Pantry", status="temporarily closed")
    at = _directory(open_app)
    at.text_input(key="dir_text").input("hot MEALS").run()
    assert _headings(at) == ["Lunch club"]
    at.text_input(key="dir_text").input("").run()
    at.multiselect(key="dir_themes").set_value(["children_young_people"]).run()
    assert _headings(at) == ["Homework club"]
    at.multiselect(key="dir_themes").set_value([]).run()
    at.multiselect(key="dir_status").set_value(["temporarily closed"]).run()
    assert _headings(at) == ["Drop-in"]
    at.multiselect(key="dir_groups").set_value(["young people"]).run()
    assert _headings(at) == [] and "None of the 3 listings matches" in at.info[0].value


def test_the_ward_filter_keeps_listings_that_serve_the_ward(open_app, store, demo) -> None:
    from sector_map.pack import schema as s

    wards = demo.wards[s.WARD_CODE].astype(str).tolist()
    listed(store, "Everywhere", "Borough Trust")
    listed(store, "Two wards", "Ward Trust", delivery={"mode": "wards", "wards": wards[:2]})
    listed(store, "Elsewhere", "Other Trust", delivery={"mode": "wards", "wards": wards[5:6]})
    at = _directory(open_app)
    at.selectbox(key="dir_ward").set_value(wards[1]).run()
    assert _headings(at) == ["Everywhere", "Two wards"]


def test_report_a_problem_lands_in_the_review_queue_and_is_capped_per_session(open_app, store) -> None:
    service_id = listed(store, "Lunch club", "Sale Pantry")
    at = _directory(open_app)
    at.text_area(key=f"report_text_{service_id}").input("The phone number is out of date")
    at.text_input(key=f"report_contact_{service_id}").input("reader@example.org")
    at.button[0].click().run()
    assert "an officer will look at it" in at.success[0].value
    (report,) = store.problem_reports(by=OFFICER)
    assert (report.service_id, report.text, report.contact) == (
        service_id,
        "The phone number is out of date",
        "reader@example.org",
    )
    for n in range(REPORTS_PER_SESSION_PER_HOUR):
        at.text_area(key=f"report_text_{service_id}").input(f"again {n}")
        at.button[0].click().run()
    assert "Not sent" in at.error[0].value and "in the last hour" in at.error[0].value
    assert len(store.problem_reports(by=OFFICER)) == REPORTS_PER_SESSION_PER_HOUR
    signed_in(at, OFFICER).switch_page("app_pages/review.py").run()
    reports = next(d.value for d in at.dataframe if "Report" in d.value.columns)
    assert "The phone number is out of date" in reports["What is wrong"].tolist()


def test_an_empty_report_is_refused_plainly(open_app, store) -> None:
    service_id = listed(store, "Lunch club", "Sale Pantry")
    at = _directory(open_app)
    at.text_input(key=f"report_contact_{service_id}").input("not an address")
    at.text_area(key=f"report_text_{service_id}").input("wrong")
    at.button[0].click().run()
    assert "one e-mail address" in at.error[0].value
    assert store.problem_reports(by=OFFICER) == []


# --- hostile names on both pages ----------------------------------------------------------------
IMAGE = "![x](https://example.invalid/x.png)"
SCRIPT = "<script>alert(1)</script>"


def _markdown_texts(at: AppTest) -> list[str]:
    from tests.app.test_markdown_safe import markdown_texts

    return markdown_texts(at)


def test_hostile_names_show_as_text_on_the_directory_and_review_pages(open_app, store) -> None:

    service_id = listed(
        store, IMAGE, SCRIPT, description=f"{SCRIPT} {IMAGE}", opening_times=IMAGE, phone=SCRIPT
    )
    store.submit({"capacity": SCRIPT, "eligibility": IMAGE}, by=OFFICER, service_id=service_id)
    store.report_problem(service_id, IMAGE, reporter="x")
    rejected = store.submit({"name": "x"}, by=OFFICER, organisation={"name": "y"})
    store.reject(rejected.id, IMAGE + SCRIPT, by=OFFICER)

    at = _directory(open_app)
    texts = _markdown_texts(at)
    assert {t: live_syntax(t) for t in texts if live_syntax(t)} == {}
    joined = "\n".join(texts)
    assert md(IMAGE) in joined and md(SCRIPT) in joined

    signed_in(at, OFFICER).switch_page("app_pages/review.py").run()
    assert not at.exception
    texts = _markdown_texts(at)
    assert {t: live_syntax(t) for t in texts if live_syntax(t)} == {}
    assert md(IMAGE) in "\n".join(texts)  # the service's name, in the selected change's heading
    diff = at.dataframe[1].value  # plain text cells
    assert diff.values.tolist() == [["Eligibility", "—", IMAGE], ["Capacity", "—", SCRIPT]]
