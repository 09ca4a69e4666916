"""Per-pack caches: need and gaps for every theme worked out once and shared by Where we fit and the
Ward profile, with the same results as working them out afresh; the warming thread runs once per
pack however many callers start it, and a page asking for a result it is building waits for it."""

from __future__ import annotations

import threading

import pandas as pd
import pytest

from sector_map.analysis import provision, tables, warm
from sector_map.analysis import ward_profile as wp
from sector_map.analysis.places import per_pack
from sector_map.analysis.provision import ProvisionOptions
from sector_map.pack import schema as s
from tests.conftest import make_tiny_pack


def located_pack():
    """The tiny pack with a second located food service, so gaps are figures, not 'not known'."""
    pack = make_tiny_pack()
    pantry = pack.services.iloc[[1]].assign(
        service_id="s3", name="Pantry", themes=[["poverty_food"]], area_wards=[["X05000001"]]
    )
    pack.services = pd.concat([pack.services, pantry], ignore_index=True)
    return pack


def count_calls(monkeypatch, module, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_fit_and_ward_profile_read_one_computation(monkeypatch):
    pack = located_pack()
    calls = count_calls(monkeypatch, tables, "gaps_by_theme")
    need_frame, gap_frame = tables.need_and_gap_by_theme(pack)
    results = wp.theme_gap_tables(pack)
    tables.need_and_gap_by_theme(pack)
    assert len(calls) == 1
    assert list(gap_frame.columns) == list(results)
    for theme, result in results.items():
        pd.testing.assert_series_equal(
            gap_frame[theme], result.table[s.GAP].reindex(need_frame.index), check_names=False
        )


def test_shared_results_equal_a_fresh_computation():
    pack = located_pack()
    scores = tables.need_scores(pack)
    shared = wp.theme_gap_tables(pack)
    fresh = wp.theme_gap_tables(pack, scores=scores)  # given scores: worked out afresh, not kept
    assert fresh is not shared and list(fresh) == list(shared)
    for theme in shared:
        pd.testing.assert_frame_equal(shared[theme].table, fresh[theme].table)
    need_kept, gap_kept = tables.need_and_gap_by_theme(pack)
    need_fresh, gap_fresh = tables.need_and_gap_by_theme(pack, scores=scores)
    pd.testing.assert_frame_equal(need_kept, need_fresh)
    pd.testing.assert_frame_equal(gap_kept, gap_fresh)
    assert gap_kept["poverty_food"].notna().sum() == 3  # figures, not all 'provision not known'


def test_another_catchment_or_replaced_services_are_worked_out_again(monkeypatch):
    pack = located_pack()
    calls = count_calls(monkeypatch, tables, "gaps_by_theme")
    tables.theme_gaps(pack)
    tables.theme_gaps(pack, options=ProvisionOptions(radius_km=0.5))
    assert len(calls) == 2
    pack.services = pack.services.iloc[:2].copy()
    tables.theme_gaps(pack)
    assert len(calls) == 3


def test_a_pack_keeps_two_catchments_of_gaps_at_most():
    pack = located_pack()
    for km in (0.5, 1.0, 1.5, 2.0):
        tables.theme_gaps(pack, options=ProvisionOptions(radius_km=km))
    kept = [k for k in pack.__dict__["_analysis_memo"] if isinstance(k, tuple) and k[0] == tables.THEME_GAPS]
    assert [k[1].radius_km for k in kept] == [1.5, 2.0]


def test_warming_runs_once_per_pack_when_many_start_it(monkeypatch):
    pack = located_pack()
    contexts = count_calls(monkeypatch, provision, "_new_context")
    gaps = count_calls(monkeypatch, tables, "gaps_by_theme")
    go = threading.Barrier(8)
    threads: list[threading.Thread] = []

    def open_pack() -> None:
        go.wait()
        threads.append(warm.start(pack))

    openers = [threading.Thread(target=open_pack) for _ in range(8)]
    for t in openers:
        t.start()
    for t in openers:
        t.join()
    assert len({id(t) for t in threads}) == 1
    threads[0].join(timeout=60)
    assert warm.ready(pack)
    assert (len(contexts), len(gaps)) == (1, 1)
    warm.start(pack).join()
    assert (len(contexts), len(gaps)) == (1, 1)


def test_a_page_asking_while_the_thread_builds_waits_for_that_build(monkeypatch):
    pack = located_pack()
    building = threading.Event()
    release = threading.Event()
    real = tables.gaps_by_theme
    calls: list[int] = []

    def slow(*args, **kwargs):
        calls.append(1)
        building.set()
        assert release.wait(timeout=60)
        return real(*args, **kwargs)

    monkeypatch.setattr(tables, "gaps_by_theme", slow)
    thread = warm.start(pack)
    assert building.wait(timeout=60)
    assert not warm.ready(pack)
    got: list[object] = []
    page = threading.Thread(target=lambda: got.append(wp.theme_gap_tables(pack)))
    page.start()
    release.set()
    page.join(timeout=60)
    thread.join(timeout=60)
    assert len(calls) == 1
    assert got == [tables.theme_gaps(pack)]


def test_per_pack_builds_once_for_concurrent_callers():
    pack = make_tiny_pack()
    builds: list[int] = []
    go = threading.Barrier(6)

    def build(_pack):
        builds.append(1)
        return object()

    got: list[object] = []

    def ask() -> None:
        go.wait()
        got.append(per_pack(pack, ("test", 1), build, keep=1))

    askers = [threading.Thread(target=ask) for _ in range(6)]
    for t in askers:
        t.start()
    for t in askers:
        t.join()
    assert len(builds) == 1 and len({id(v) for v in got}) == 1


def test_a_failed_warming_is_left_for_the_page(monkeypatch, caplog):
    pack = located_pack()

    def broken(*args, **kwargs):
        raise RuntimeError("no")

    monkeypatch.setattr(tables, "gaps_by_theme", broken)
    warm.start(pack).join(timeout=60)
    assert not warm.ready(pack)
    assert "warming" in caplog.text
    with pytest.raises(RuntimeError):
        wp.theme_gap_tables(pack)


def test_a_stopped_pack_is_not_warmed_further(monkeypatch):
    pack = located_pack()
    gaps = count_calls(monkeypatch, tables, "gaps_by_theme")
    real = provision.provision_context

    def then_superseded(p, options):
        real(p, options)
        warm.stop(p)  # a newer directory stamp arrives while the first step runs

    monkeypatch.setattr(warm, "provision_context", then_superseded)
    warm.warm(pack)
    assert provision.has_context(pack)
    assert not gaps and not warm.ready(pack)


def test_a_national_pack_marked_lazily_warms_only_the_gaps_page_s_part(monkeypatch):
    monkeypatch.setattr(warm, "LAZY_WARDS", len(make_tiny_pack().wards) - 1)
    published, overlaid = located_pack(), located_pack()
    warm.lazily(overlaid)  # what ui.cache does to an approval's overlay
    gaps = count_calls(monkeypatch, tables, "gaps_by_theme")
    warm.warm(overlaid)
    assert provision.has_context(overlaid) and not warm.ready(overlaid) and not gaps
    warm.warm(published)  # a pack not marked (the published one, the first overlay) in full
    assert warm.ready(published) and len(gaps) == 1
    monkeypatch.setattr(warm, "LAZY_WARDS", len(overlaid.wards))  # a borough's overlay: in full
    warm.warm(overlaid)
    assert warm.ready(overlaid)
