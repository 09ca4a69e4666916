"""A gzip bomb uploaded on the Data page, in headless Chromium: refused with the limit, app still usable."""

from __future__ import annotations

import pytest

from sector_map.importers.limits import UPLOAD
from tests.e2e.conftest import screenshot
from tests.hostile.harness import MB, gzip_bomb

pytestmark = pytest.mark.e2e

ROW = b"Anytown Community Food Share,DM1 1AA,food bank and money advice for families,12500\n"


def test_a_gzip_bomb_is_refused_with_the_limit_and_the_app_stays_usable(page, app_url, tmp_path):
    bomb = tmp_path / "organisations.csv.gz"
    bomb.write_bytes(gzip_bomb(b"name,postcode,activities,income\n", ROW * 200_000, 100))  # ~1.7 GB unzipped
    assert bomb.stat().st_size < 6 * MB

    page.goto(f"{app_url}/data?pack=demo")
    page.get_by_role("heading", name="Data — Marrowby").wait_for(timeout=60_000)
    page.get_by_role("tab", name="Add your own data").click()
    page.locator("input[type=file]").set_input_files(str(bomb))
    message = page.get_by_text(f"has more than {UPLOAD.rows:,} rows").first
    message.wait_for(timeout=30_000)
    text = message.inner_text()
    assert text.startswith("organisations.csv.gz") and "Split it into files" in text
    assert "/tmp/" not in text
    assert page.get_by_role("button", name="Check this file").count() == 0
    screenshot(page, "upload_bomb_refused")

    # The same session carries on: another page opens from the sidebar, and the Data page again.
    page.get_by_role("link", name="About the data").click()
    page.get_by_role("heading", name="Glossary").wait_for(timeout=60_000)
    page.get_by_role("link", name="Data", exact=True).click()
    page.get_by_role("heading", name="Data — Marrowby").wait_for(timeout=60_000)
