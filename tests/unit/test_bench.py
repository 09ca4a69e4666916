"""Smoke test of the benchmark runner (bench/): one repeat on the demo pack, no browser.

Benchmarks are not pass/fail on their figures; this only checks the runner measures what it says.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import cli, pack_scale, payload
from bench import scenarios as sc
from sector_map.analysis import subject
from sector_map.pack.io import load_pack
from sector_map.views import classify, maps, summaries

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    path = ROOT / "data" / "packs" / "demo"
    if (path / "manifest.json").exists():
        return path
    from sector_map.demo.make import build_demo_pack
    from sector_map.pack.io import save_pack

    return save_pack(build_demo_pack(), tmp_path_factory.mktemp("packs") / "demo")


def test_runner_prints_table_and_writes_json(demo_dir, tmp_path, capsys):
    out = tmp_path / "figures.json"
    args = ["--pack", str(demo_dir), "--repeats", "1", "--no-browser", "--no-peer", "--no-pages", "--steps"]
    assert cli.main([*args, "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "total recompute" in printed and "≤ 150 ms" in printed and "≤ 500 KB" in printed
    assert "skipped (--no-browser)" in printed
    assert "1. Need map rerun after a widget change" in printed and "one council targets" in printed

    figures = json.loads(out.read_text())
    assert figures["pack"]["wards"] == len(load_pack(demo_dir).wards)
    assert figures["browser"] is None and figures["peer"] is None
    figures = figures["steps"]
    assert figures["pack"]["wards"] == len(load_pack(demo_dir).wards)
    t = figures["timings"]
    assert all(len(v["samples_ms"]) == 1 and v["median_ms"] > 0 for v in t.values())
    parts = (
        "theme_subject",
        "classify",
        "class_colours",
        "choropleth_layer",
        "organisation_layer",
        "asset_layer",
    )
    assert t["total.rerun"]["median_ms"] == pytest.approx(
        sum(t[f"rerun.{p}"]["median_ms"] for p in parts), abs=0.01
    )
    sent = figures["payload_bytes"]["st_folium"]
    assert sent["strings"] == sent["script"] + sent["header"] + sent["html"] + sent["feature_group"]
    assert sent["feature_group"] > sent["script"] > 0  # the wards and points travel in the layers
    assert set(figures["verdicts"].values()) <= {"within", "OVER"}
    assert figures["page"] == {"measured": False}


def test_mirror_sends_exactly_what_st_folium_sends(demo_dir, monkeypatch):
    """The payload mirror gives the same component arguments as the real st_folium call."""
    streamlit_folium = payload.load_streamlit_folium()
    pack = load_pack(demo_dir)
    choice = sc.default_choice(pack)
    wards = maps.simplify_wards(pack.wards)
    subj = subject.theme_subject(pack, choice.theme, scores=sc.need_table(pack))
    classes = classify.classify(subj.values)
    colours = classify.class_colours(classes.k_effective, higher_is=subj.meta.higher_is)

    def build():
        layers = [sc.choropleth(wards, subj, classes, colours), sc.organisations(pack), sc.assets(pack)]
        return maps.base_map(wards, basemap=False), [g for g in layers if g is not None]

    mine = payload.st_folium_args(*build(), key="need_map_demo")
    sent: dict = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: sent.update(kw))
    base, layers = build()
    streamlit_folium.st_folium(base, key="need_map_demo", feature_group_to_add=layers, **payload.PAGE_KWARGS)
    sent.pop("on_change")
    assert mine == sent


def test_pack_scale_times_every_step_and_both_pickers_agree(demo_dir, capsys):
    assert pack_scale.main(["--pack", str(demo_dir), "--repeats", "1", "--with-scan"]) == 0
    printed = capsys.readouterr().out
    for step in (pack_scale.LOAD, pack_scale.VALIDATE, pack_scale.LABELS, pack_scale.PICKER, pack_scale.SCAN):
        assert step in printed
    pack = load_pack(demo_dir)
    cached = pack_scale.picker_rerun(summaries.ward_labels(pack.wards))
    assert cached == pack_scale.picker_by_scan(pack)
    assert len(cached) == len(pack.wards)


def test_naive_peer_maps_every_ward_and_located_organisation(tmp_path):
    from bench.peer import measure_peers
    from sector_map.demo.tiny import tiny_pack

    pack = tiny_pack()
    fig = measure_peers(pack, tmp_path, repeats=2)
    located = int((~pack.organisations.geometry.isna() & ~pack.organisations.geometry.is_empty).sum())
    assert fig.errors == {} and len(fig.folium_build.samples) == 2 and fig.markers == located
    html = fig.html_path.read_text(encoding="utf-8")
    assert fig.folium_bytes == len(html.encode()) and html.count("L.marker(") == located
    assert all(code in html for code in pack.wards["ward_code"])
    assert fig.plotly_bytes > 0 and all(code in html for code in pack.wards["ward_code"])


def test_issue_table_judges_medians_and_peer_ratios(tiny_pack):
    from bench import national_report
    from bench.browser_pages import BrowserFigures, Visit
    from bench.national import NATIONAL, NationalResults
    from bench.peer import PeerFigures
    from bench.server_pages import PageFigures
    from bench.timing import Stats

    browser = BrowserFigures(
        cold_load=Visit(20.0),
        settled_after_cold=33.0,
        loads=[Visit(4.0, ws_bytes=2_000_000, http_bytes=6_000_000, http_frontend=5_000_000)],
        linked={"gaps": Visit(1.5), "ward": Visit(2.5)},
        reruns=[Visit(0.5, ws_bytes=100_000), Visit(0.7, ws_bytes=300_000), Visit(0.6, ws_bytes=200_000)],
        peer_drawn=Visit(2.0),
        peak_rss=2_000_000_000,
        errors={"click": "not measured in 9 s (no ward panel)"},
    )
    results = NationalResults(
        tiny_pack,
        Path("x"),
        NATIONAL,
        9.0,
        8_000_000_000,
        PageFigures("need_map", first=9.0, reruns=[2.0, 3.0, 4.0]),
        pages={"gaps": PageFigures("gaps", error="failed: MemoryError: Unable to allocate 14.5 GiB")},
        browser=browser,
        peer=PeerFigures("imd", folium_build=Stats((30.0,)), folium_bytes=1_000_000),
    )
    table = {row[0].split(" (")[0].split(" [")[0]: row for row in national_report.rows(results)}
    rerun = table["1. Need map rerun after a widget change, server"]
    assert rerun[1:4] == ("3.00 s", "≤ 1 s", "OVER") and "10.0× (≥ 5×: within)" in rerun[4]
    payload = table["2. Payload per rerun"]
    assert payload[1:4] == ("0.20 MB", "≤ 1.00 MB", "within") and "5.0× (≥ 10×: OVER)" in payload[4]
    first = table["   first load, map"]
    assert first[1] == "3.00 MB" and first[3] == "within"  # 2 MB websocket + 1 MB of map files
    drawn = table["3. Ward polygons drawn, warm server"]
    assert drawn[3] == "OVER" and "2.0×" in drawn[4]  # within 5 s, but later than the peer's 2 s
    assert "not measured in 9 s" in table["4. Click a ward → its panel shows"][0]
    assert "MemoryError" in table["5. Gaps: first visit, server"][0]
    assert table["   server busy after it"][1] == "33.00 s"  # the warm visits waited for the warm-up
    assert table["   Gaps: in Chromium, by the sidebar link"][1:4] == ("1.50 s", "≤ 2 s", "within")
    assert table["   Ward profile: in Chromium, by the sidebar link"][3] == "OVER"
    assert table["   Where we fit: in Chromium, by the sidebar link"][1] == "—"
    assert table["6. Server peak memory"][1:4] == ("2.00 GB", "≤ 1.5 GB", "OVER")
    text = national_report.table(results)
    assert "national targets" in text and "Need map rerun" in text


def test_wait_idle_waits_out_a_busy_process_and_gives_up_on_a_gone_one():
    import subprocess
    import sys

    from devtools import appserver

    busy = "import time\nend = time.time() + 2\nwhile time.time() < end: pass\ntime.sleep(60)"
    proc = subprocess.Popen([sys.executable, "-c", busy])
    try:
        waited = appserver.wait_idle(proc.pid, quiet_s=0.5, timeout=30)
        assert waited is not None and waited >= 1.0  # not idle while it spun for 2 s
        assert appserver.cpu_seconds(proc.pid) >= 1.0
    finally:
        proc.kill()
        proc.wait()
    assert appserver.wait_idle(proc.pid, quiet_s=0.2, timeout=5) is None
    assert appserver.cpu_seconds(proc.pid) is None
