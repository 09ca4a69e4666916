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
    assert cli.main(["--pack", str(demo_dir), "--repeats", "1", "--no-browser", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "total recompute" in printed and "≤ 150 ms" in printed and "≤ 500 KB" in printed
    assert "skipped (--no-browser)" in printed

    figures = json.loads(out.read_text())
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
