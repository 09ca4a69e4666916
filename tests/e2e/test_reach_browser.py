"""Our reach on the real Trafford pack, in Chromium, and the promise that postcodes stay in memory.

A fictional beneficiaries file (real Trafford postcodes, the most deprived fifth reached at half the
rate of everyone else) is uploaded from memory; the page must say so in its summary, draw the map and
charts, and give protected tables and a print file. Then every file the server wrote while it ran
(its temp folder, its home folder with Streamlit's caches, its debug log, the pack folder, the
directory database) and every file downloaded is searched for each of the file's postcodes: none may
appear. Screenshots go to tests/e2e/screenshots/reach-*.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from devtools.appserver import app_process, block_internet
from sector_map.pack.io import load_pack
from tests.conftest import shared_data_or_skip
from tests.e2e.conftest import CHROMIUM, ROOT, screenshot, settled

WAIT_MS = 180_000
PEOPLE = 3000
BIAS = 0.5


@dataclass
class ReachApp:
    url: str
    root: Path
    pack_dir: Path
    started: float
    log: Path


@pytest.fixture(scope="module")
def reach_app(tmp_path_factory) -> Iterator[ReachApp]:
    shared_data_or_skip()
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's `chromium` (CI does)")
    from sector_map.build.builder import build_pack

    root = tmp_path_factory.mktemp("reach")
    build_pack(ROOT / "recipes" / "trafford.toml", root / "packs" / "trafford")
    for sub in ("tmp", "home"):
        (root / sub).mkdir()
    env = {"TMPDIR": str(root / "tmp"), "HOME": str(root / "home")}
    time.sleep(1.1)  # file times: everything written from here on is the server's doing
    started = time.time()
    log = root / "streamlit.log"
    with app_process(root / "packs", log, extra_env=env, extra_args=("--logger.level", "debug")) as app:
        yield ReachApp(app.url, root, root / "packs" / "trafford", started, log)


def _postcodes(data: bytes) -> set[str]:
    """Every postcode in the file, as written and as the app would normalise it."""
    from sector_map.pack.values import normalise_postcode

    table = pd.read_csv(io.BytesIO(data), dtype=str, encoding="utf-8-sig")
    raw = table.iloc[:, 0].dropna().astype(str)
    norm = normalise_postcode(raw).dropna().astype(str)
    found = set(norm) | {p.replace(" ", "") for p in norm}
    return {p.upper() for p in found if len(p.replace(" ", "")) >= 5}


def _leaks(blob: bytes, postcodes: set[str]) -> set[str]:
    if blob[:2] == b"PK":  # an xlsx (or any zip): search what is inside, not the compressed bytes
        with zipfile.ZipFile(io.BytesIO(blob)) as z:
            return set().union(*(_leaks(z.read(n), postcodes) for n in z.namelist()))
    text = blob.decode("utf-8", errors="ignore").upper()
    text16 = blob.decode("utf-16-le", errors="ignore").upper()  # xlsx strings are utf-8; be thorough
    squashed = re.sub(r"\s+", "", text)
    return {p for p in postcodes if p in text or p in text16 or (" " not in p and p in squashed)}


def _written_since(folder: Path, since: float) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and p.stat().st_mtime >= since]


def test_reach_page_on_trafford_and_no_postcode_is_written(browser, reach_app):
    from sector_map.reach.generate import example_file

    pack = load_pack(reach_app.pack_dir)
    data = example_file(pack, n=PEOPLE, bias=BIAS, seed=11)
    postcodes = _postcodes(data)
    assert len(postcodes) > 500  # a real spread of Trafford's postcodes

    context = browser.new_context(viewport={"width": 1400, "height": 3200}, accept_downloads=True)
    page = context.new_page()
    blocked: list[str] = []
    block_internet(context, blocked)
    downloads: list[bytes] = []
    try:
        page.goto(f"{reach_app.url}/reach?pack=trafford")
        page.get_by_text("Your beneficiaries (CSV or Excel)").wait_for(timeout=WAIT_MS)
        settled(page, WAIT_MS)
        screenshot(page, "reach-01-empty")
        page.locator("input[type=file]").set_input_files(
            {"name": "beneficiaries.csv", "mimeType": "text/csv", "buffer": data}
        )
        main = page.locator("[data-testid='stMain']")
        main.get_by_text("most deprived fifth of Trafford").first.wait_for(timeout=WAIT_MS)
        settled(page, WAIT_MS)
        screenshot(page, "reach-02-summary")
        summary = main.get_by_text("most deprived fifth of Trafford").first.inner_text()
        m = re.search(r"ratio (\d+\.\d+), 95% interval (\d+\.\d+)[–-](\d+\.\d+)", summary)
        assert m, summary
        low, high = float(m.group(2)), float(m.group(3))
        assert low <= BIAS <= high or abs(float(m.group(1)) - BIAS) < 0.15, summary
        # The protected tables, as a user downloads them.
        with page.expect_download(timeout=WAIT_MS) as info:
            page.get_by_role("button", name="Download CSV").click()
        csv = info.value.path().read_bytes()
        downloads.append(csv)
        deciles = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig", dtype=str)
        assert list(deciles.columns)[:8] == [
            "decile",
            "beneficiaries",
            "residents",
            "share_beneficiaries",
            "share_residents",
            "ratio",
            "ratio_low",
            "ratio_high",
        ]
        with page.expect_download(timeout=WAIT_MS) as info:
            page.get_by_role("button", name="Download Excel (XLSX)").click()
        downloads.append(info.value.path().read_bytes())
        # A print file of the map.
        page.get_by_text("Export this reach map for a report").click()
        settled(page, WAIT_MS)
        page.get_by_role("button", name="Make the file").first.click()
        settled(page, WAIT_MS)
        with page.expect_download(timeout=WAIT_MS) as info:
            page.get_by_role("button", name=re.compile("^Download")).filter(has_text="PNG").first.click()
        png = info.value.path().read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        downloads.append(png)
        screenshot(page, "reach-03-exports")
    finally:
        context.close()
    # Only basemap tiles try to leave the machine (and are blocked here); no request names a postcode.
    assert [u for u in blocked if u.endswith((".js", ".css"))] == []
    assert not _leaks(" ".join(blocked).encode(), postcodes)

    written = [
        *_written_since(reach_app.root / "tmp", 0),
        *_written_since(reach_app.root / "home", 0),
        *_written_since(reach_app.pack_dir, reach_app.started),
        *_written_since(ROOT / "data", reach_app.started),
        reach_app.log,
        *_written_since(reach_app.root, reach_app.started),
    ]
    leaked = {str(p): _leaks(p.read_bytes(), postcodes) for p in set(written) if p.is_file()}
    leaked = {k: v for k, v in leaked.items() if v}
    assert leaked == {}, f"postcodes written to disk: { {k: sorted(v)[:3] for k, v in leaked.items()} }"
    for blob in downloads:
        assert not _leaks(blob, postcodes)
