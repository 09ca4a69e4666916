"""Issue 12's table: each figure's median, its target and verdict, and the naive peer beside it."""

from __future__ import annotations

import platform
import statistics
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from bench.browser_pages import Visit
from bench.national import GB, NationalResults
from bench.server_pages import PageFigures

WITHIN, OVER = "within", "OVER"
PAGE_LABELS = {"gaps": "Gaps", "fit": "Where we fit", "ward": "Ward profile"}
Row = tuple[str, str, str, str, str]  # figure, measured, target, verdict, peer and ratio


def _med(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def _s(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f} s"


def _b(n: float | None) -> str:
    if n is None:
        return "—"
    return f"{n / 1e6:.2f} MB" if n >= 100_000 else f"{n / 1e3:.1f} KB"


def _judge(value: float | None, target: float | None, *, at_least: bool = False) -> str:
    if value is None or target is None:
        return ""
    ok = value >= target if at_least else value <= target
    return WITHIN if ok else OVER


def _ratio(num: float | None, den: float | None) -> float | None:
    return num / den if num is not None and den else None


def _x(r: float | None) -> str:
    return "" if r is None else f"{r:.1f}×"


def _visits(visits: list[Visit], attr: str = "seconds") -> float | None:
    return _med([getattr(v, attr) for v in visits])


class _Figures:
    """The medians the table and the JSON share."""

    def __init__(self, r: NationalResults) -> None:
        b, p = r.browser, r.peer
        self.rerun_server = _med(r.need_map.reruns)
        self.first_server = r.need_map.first
        self.rerun_bytes = _visits(b.reruns, "ws_bytes") if b else None
        self.rerun_browser = _visits(b.reruns) if b else None
        loads = (b.loads or ([b.cold_load] if b.cold_load else [])) if b else []
        self.load_ws = _visits(loads, "ws_bytes")
        self.load_http = _visits(loads, "http_bytes")
        self.load_frontend = _visits(loads, "http_frontend")
        self.load_transferred = _visits(loads, "http_transferred")
        self.load_map = (
            self.load_ws + self.load_http - self.load_frontend
            if None not in (self.load_ws, self.load_http, self.load_frontend)
            else None
        )
        self.drawn = _visits(b.loads) if b else None
        self.drawn_cold = b.cold_load.seconds if b and b.cold_load else None
        self.settled = b.settled_after_cold if b else None
        self.click = _visits(b.clicks) if b else None
        self.click_bytes = _visits(b.clicks, "ws_bytes") if b else None
        self.peak = b.peak_rss if b else None
        self.peak_children = max(
            (f.peak_rss for f in [r.need_map, *r.pages.values()] if f.peak_rss), default=None
        )
        self.peer_build = p.folium_build.median if p and p.folium_build else None
        self.peer_bytes = p.folium_bytes if p and p.folium_build else None
        self.plotly_bytes = p.plotly_bytes if p and p.plotly_build else None
        self.plotly_build = p.plotly_build.median if p and p.plotly_build else None
        self.peer_drawn = b.peer_drawn.seconds if b and b.peer_drawn else None
        self.payload_ratio = _ratio(self.peer_bytes, self.rerun_bytes)
        self.rerun_ratio = _ratio(self.peer_build, self.rerun_server)
        self.first_load_ratio = _ratio(self.peer_bytes, self.load_map)
        self.drawn_ratio = _ratio(self.drawn, self.peer_drawn)
        self.plotly_ratio = _ratio(self.plotly_bytes, self.rerun_bytes)


def _why(err: str) -> str:
    return err.split(":")[0] if err else ""


def _page_rows(label: str, f: PageFigures, r: NationalResults) -> list[Row]:
    t = r.targets
    first, rerun = f.first, _med(f.reruns)
    note = f" ({f.error})" if f.error else ""
    return [
        (
            f"{label}: first visit, server (caches warm){note}",
            _s(first),
            f"≤ {t.page_first_s:g} s",
            _judge(first, t.page_first_s),
            "",
        ),
        (
            f"{label}: rerun, server (n={len(f.reruns)})",
            _s(rerun),
            f"≤ {t.page_rerun_s:g} s",
            _judge(rerun, t.page_rerun_s),
            "",
        ),
        (
            "   preparing the pack once in the background (after its first page), waited for",
            _s(f.warming),
            "",
            "",
            "",
        ),
    ]


def rows(r: NationalResults) -> list[Row]:
    """Every row of the table, in the order of issue 12's table."""
    t, f, b = r.targets, _Figures(r), r.browser
    err = b.errors if b else {}
    nm = r.need_map
    out: list[Row] = [
        (
            f"1. Need map rerun after a widget change, server (n={len(nm.reruns)})"
            + (f" ({nm.error})" if nm.error else ""),
            _s(f.rerun_server),
            f"≤ {t.rerun_s:g} s",
            _judge(f.rerun_server, t.rerun_s),
            f"peer build {_s(f.peer_build)}: {_x(f.rerun_ratio)}"
            + (
                f" (≥ {t.rerun_ratio:g}×: {_judge(f.rerun_ratio, t.rerun_ratio, at_least=True)})"
                if t.rerun_ratio
                else ""
            ),
        ),
        ("   first run, server (pack load, every cache cold)", _s(f.first_server), "", "", ""),
        (
            "   the same rerun in Chromium (click → script finished)" + _note(err, "rerun"),
            _s(f.rerun_browser),
            "",
            "",
            "",
        ),
        (
            "2. Payload per rerun (websocket bytes received)" + _note(err, "rerun"),
            _b(f.rerun_bytes),
            f"≤ {_b(t.rerun_bytes)}",
            _judge(f.rerun_bytes, t.rerun_bytes),
            f"peer {_b(f.peer_bytes)}: {_x(f.payload_ratio)}"
            + (
                f" (≥ {t.payload_ratio:g}×: {_judge(f.payload_ratio, t.payload_ratio, at_least=True)})"
                if t.payload_ratio
                else ""
            ),
        ),
        (
            "   first load, map (websocket + HTTP other than Streamlit's frontend)"
            + _note(err, "first_load"),
            _b(f.load_map),
            f"≤ {_b(t.first_load_bytes)}" if t.first_load_bytes else "",
            _judge(f.load_map, t.first_load_bytes),
            f"peer {_b(f.peer_bytes)}: {_x(f.first_load_ratio)}",
        ),
        ("   first load, all: websocket", _b(f.load_ws), "", "", ""),
        (
            "   first load, all: HTTP bodies (decoded)",
            _b(f.load_http),
            "",
            "",
            f"plotly peer {_b(f.plotly_bytes)}: {_x(f.plotly_ratio)} of a rerun",
        ),
        ("   … of which Streamlit's own frontend", _b(f.load_frontend), "", "", ""),
        ("   … HTTP bodies as transferred", _b(f.load_transferred), "", "", ""),
        (
            f"3. Ward polygons drawn, warm server (n={len(b.loads) if b else 0})" + _note(err, "first_load"),
            _s(f.drawn),
            f"≤ {t.drawn_s:g} s, ≤ peer",
            _judge(f.drawn, min(t.drawn_s, f.peer_drawn) if f.peer_drawn else t.drawn_s),
            f"peer {_s(f.peer_drawn)}: app/peer {_x(f.drawn_ratio)}" + _note(err, "peer_drawn"),
        ),
        (
            "   first visit after server start (cold)" + _note(err, "first_load_cold"),
            _s(f.drawn_cold),
            f"≤ {t.drawn_s:g} s",
            _judge(f.drawn_cold, t.drawn_s),
            "",
        ),
        (
            "   server busy after it (the pack's warm-up), before the warm visits",
            _s(f.settled) if f.settled is not None else "still busy" if b and b.cold_load else "—",
            "",
            "",
            "",
        ),
        (
            f"4. Click a ward → its panel shows (n={len(b.clicks) if b else 0})" + _note(err, "click"),
            _s(f.click),
            f"≤ {t.click_s:g} s",
            _judge(f.click, t.click_s),
            f"{_b(f.click_bytes)} per click",
        ),
    ]
    for key, label in PAGE_LABELS.items():
        page = r.pages.get(key)
        if page is not None:
            out += _page_rows(f"5. {label}", page, r)
        visit = b.pages.get(key) if b else None
        first = visit["first"].seconds if visit else None
        rerun = visit["rerun"].seconds if visit else None
        out.append(
            (
                f"   {label}: in Chromium, opened by URL (a new page load), first visit / rerun"
                + _note(err, key),
                f"{_s(first)} / {_s(rerun)}",
                f"≤ {t.page_first_s:g} s / ≤ {t.page_rerun_s:g} s",
                _both(first, rerun, t.page_first_s, t.page_rerun_s),
                "",
            )
        )
        linked = b.linked.get(key) if b else None
        out.append(
            (
                f"   {label}: in Chromium, by the sidebar link (same session)" + _note(err, f"linked_{key}"),
                _s(linked.seconds if linked else None),
                f"≤ {t.page_first_s:g} s",
                _judge(linked.seconds if linked else None, t.page_first_s),
                "",
            )
        )
    out += [
        (
            "6. Server peak memory (VmHWM of the app server)" + _note(err, "browser"),
            _b(f.peak) if f.peak is None else f"{f.peak / GB:.2f} GB",
            f"≤ {t.peak_bytes / GB:g} GB" if t.peak_bytes else "",
            _judge(f.peak, t.peak_bytes),
            "",
        ),
        (
            "   peak of the AppTest children (one per page)",
            "—" if f.peak_children is None else f"{f.peak_children / GB:.2f} GB",
            "",
            "",
            "",
        ),
        (
            "7. Naive peer: folium build + render",
            _s(f.peer_build),
            "",
            "",
            f"{_b(f.peer_bytes)}, {r.peer.markers if r.peer else 0:,} markers" + _peer_err(r, "folium"),
        ),
        (
            "   plotly choropleth_map: build + to_json",
            _s(f.plotly_build),
            "",
            "",
            _b(f.plotly_bytes) + _peer_err(r, "plotly"),
        ),
    ]
    return out


def _both(first: float | None, rerun: float | None, first_target: float, rerun_target: float) -> str:
    verdicts = {_judge(first, first_target), _judge(rerun, rerun_target)} - {""}
    return OVER if OVER in verdicts else WITHIN if verdicts else ""


def _note(errors: dict[str, str], key: str) -> str:
    return f" [{errors[key]}]" if key in errors else ""


def _peer_err(r: NationalResults, key: str) -> str:
    return f" [{r.peer.errors[key]}]" if r.peer and key in r.peer.errors else ""


def header(r: NationalResults) -> str:
    c = r.pack.summary()
    demo = " (fictional organisations)" if r.pack.is_demo else ""
    return (
        f"sector-map benchmark (issue 12) · {r.pack.name}{demo} · {r.pack_dir}\n"
        f"{c['wards']:,} wards · {c['organisations']:,} organisations · {c['services']:,} services · "
        f"{r.targets.kind} targets · servers capped at {r.memory_limit / GB:.1f} GB, {r.timeout:.0f} s a step · "
        f"Python {platform.python_version()}"
    )


def table(r: NationalResults) -> str:
    heads: Row = ("Figure", "median", "target", "verdict", "naive peer / ratio")
    body = rows(r)
    widths = [max(len(row[i]) for row in [heads, *body]) for i in range(4)]

    def fmt(row: Row) -> str:
        cells = [
            row[0].ljust(widths[0]),
            row[1].rjust(widths[1]),
            row[2].ljust(widths[2]),
            row[3].ljust(widths[3]),
            row[4],
        ]
        return "  ".join(cells).rstrip()

    line = "-" * (sum(widths) + 30)
    notes = (
        "Medians; wall-clock. Ratios: peer ÷ app for bytes and rerun time (bigger is better for the app), "
        "app ÷ peer for polygons drawn. 1 MB = 1,000,000 bytes. A figure over its target is a finding, not a failure."
    )
    return "\n".join([header(r), "", fmt(heads), line, *map(fmt, body), line, notes])


def to_json(r: NationalResults) -> dict[str, Any]:
    f = _Figures(r)
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "pack": {"name": r.pack.name, "path": str(r.pack_dir), "demo": r.pack.is_demo, **r.pack.summary()},
        "targets": asdict(r.targets),
        "memory_limit_bytes": r.memory_limit,
        "timeout_s": r.timeout,
        "medians": {k: v for k, v in vars(f).items()},
        "server": {"need_map": asdict(r.need_map), **{k: asdict(v) for k, v in r.pages.items()}},
        "browser": _browser_json(r),
        "peer": _peer_json(r),
        "table": [
            dict(zip(("figure", "median", "target", "verdict", "peer"), row, strict=True)) for row in rows(r)
        ],
    }


def _browser_json(r: NationalResults) -> dict[str, Any] | None:
    if r.browser is None:
        return None
    data = asdict(r.browser)
    data["blocked"] = len(r.browser.blocked)  # requests to other hosts, aborted
    return data


def _peer_json(r: NationalResults) -> dict[str, Any] | None:
    p = r.peer
    if p is None:
        return None
    return {
        "indicator": p.indicator,
        "markers": p.markers,
        "folium_build_s": list(p.folium_build.samples) if p.folium_build else None,
        "folium_bytes": p.folium_bytes,
        "plotly_build_s": list(p.plotly_build.samples) if p.plotly_build else None,
        "plotly_bytes": p.plotly_bytes,
        "errors": p.errors,
    }
