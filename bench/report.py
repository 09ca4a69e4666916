"""The printed table and the JSON file: medians with their spread, next to the targets."""

from __future__ import annotations

import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bench import scenarios as sc
from bench.browser import IFRAME, TITLE, WARDS
from bench.run import KB, TARGET_PAGE_S, TARGET_PAYLOAD_KB, TARGET_RECOMPUTE_MS, Results
from bench.timing import Stats, total

WITHIN, OVER = "within", "OVER"


@dataclass(frozen=True)
class Row:
    """One line of the table; a row with only a label is a section heading."""

    label: str
    median: str = ""
    iqr: str = ""
    spread: str = ""
    target: str = ""
    verdict: str = ""


def verdict(value: float, target: float) -> str:
    return WITHIN if value <= target else OVER


def _num(x: float, unit: str) -> str:
    if unit == "s":
        return f"{x:.2f}"
    return f"{x:.1f}" if x < 1000 else f"{x:,.0f}"


def timed(label: str, stats: Stats | None, *, unit: str = "ms", target: float | None = None) -> Row:
    """A row for timing samples, in ms or s, judged on the median against ``target``."""
    if stats is None:
        return Row(label, "n/a")
    scale = 1000.0 if unit == "ms" else 1.0
    q1, q3 = stats.quartiles
    med = stats.median * scale
    return Row(
        label,
        f"{_num(med, unit)} {unit}",
        f"{_num(q1 * scale, unit)} – {_num(q3 * scale, unit)}",
        f"{_num(stats.minimum * scale, unit)} – {_num(stats.maximum * scale, unit)}",
        f"≤ {target:g} {unit}" if target is not None else "",
        verdict(med, target) if target is not None else "",
    )


def sized(label: str, n_bytes: int, *, target_kb: float | None = None) -> Row:
    kb = n_bytes / KB
    return Row(
        label,
        f"{kb:,.1f} KB",
        target=f"≤ {target_kb:g} KB" if target_kb is not None else "",
        verdict=verdict(kb, target_kb) if target_kb is not None else "",
    )


def rows(r: Results) -> list[Row]:
    """Every row of the table, numbered as the figures are asked for."""
    t = r.totals()
    st, sw = r.rerun, r.switch
    out = [
        Row("1. Pack load"),
        timed("   load_pack, fresh each repeat", r.load),
        Row(f"2. Recompute after a widget change (theme {r.choice.theme!r}, a weight moved)"),
        timed("   need score table (indicator_wide + need_score_table)", st[sc.NEED_TABLE]),
        timed("   theme_subject (need index)", st[sc.THEME_SUBJECT]),
        timed("   classify", st[sc.CLASSIFY]),
        timed("   class_colours", st[sc.COLOURS]),
        timed("   total recompute", t["recompute"], target=TARGET_RECOMPUTE_MS),
        Row("   Indicator switch (indicator table cached)"),
        timed("   indicator_subject", sw[sc.INDICATOR_SUBJECT]),
        timed("   classify + class_colours", total(sw, (sc.CLASSIFY, sc.COLOURS))),
        timed("   total indicator switch", t["indicator_switch"], target=TARGET_RECOMPUTE_MS),
        Row("3. Map build"),
        timed("   base_map (simplified wards)", st[sc.BASE_MAP]),
        timed("   choropleth_layer (incl. value format, ranks)", st[sc.CHOROPLETH]),
        timed("   organisation_layer (incl. filter)", st[sc.ORGANISATIONS]),
        timed("   asset_layer", st[sc.ASSETS]),
        timed("   total per rerun", t["map_build"]),
        timed("   simplify_wards (once per pack, cached by the app)", r.simplify),
        Row("4. Map payload sent to the browser"),
        sized("   st_folium: map script", r.sent.script),
        sized("   st_folium: header", r.sent.header),
        sized("   st_folium: html", r.sent.html),
        sized("   st_folium: layers script (feature groups)", r.sent.feature_group),
        sized("   st_folium: total of the four strings", r.sent.strings, target_kb=TARGET_PAYLOAD_KB),
        sized("   st_folium: all component args as JSON", r.sent.json_args),
        sized("   … the same, gzip-compressed (for reference)", r.sent.json_args_gzip),
        sized("   maps.payload_bytes(base, layers)", r.page_bytes, target_kb=TARGET_PAYLOAD_KB),
        Row("5. Widget-change rerun, server side (need table cached)"),
        timed("   subject + classify + layers", t["rerun"], target=TARGET_RECOMPUTE_MS),
        timed("   st_folium serialisation (mirrored)", st[sc.ST_FOLIUM]),
        timed("   … + base_map + st_folium serialisation", t["rerun_full"], target=TARGET_RECOMPUTE_MS),
        Row("6. First full page (goto → ward polygons drawn)"),
    ]
    out.extend(_page_rows(r))
    return out


def _page_rows(r: Results) -> list[Row]:
    p = r.page
    if p is None:
        return [Row("   skipped (--no-browser)")]
    if p.error:
        return [Row(f"   not measured: {p.error.splitlines()[0]}")]
    n = len(p.warm[WARDS].samples) if p.warm else 0
    cold = p.cold.get(WARDS)
    out = [
        timed(
            f"   warm server, fresh browser context (n={n})",
            p.warm.get(WARDS),
            unit="s",
            target=TARGET_PAGE_S,
        ),
        timed("   … of which until the page title shows", p.warm.get(TITLE), unit="s"),
        timed("   … of which until the map iframe is on the page", p.warm.get(IFRAME), unit="s"),
        Row(
            "   first visit after server start (cold caches)",
            f"{cold:.2f} s" if cold else "n/a",
            target=f"≤ {TARGET_PAGE_S:g} s",
            verdict=verdict(cold, TARGET_PAGE_S) if cold else "",
        ),
        Row(
            "   server start until /_stcore/health answers",
            f"{p.server_start:.2f} s" if p.server_start is not None else "n/a",
        ),
    ]
    if p.failures:
        out.append(Row(f"   {len(p.failures)} visit(s) failed: {p.failures[0]}"))
    if p.blocked:
        out.append(Row(f"   {len(p.blocked)} request(s) to other hosts blocked, e.g. {p.blocked[0]}"))
    return out


def header(r: Results) -> str:
    counts = r.pack.summary()
    demo = " (fictional demo)" if r.pack.is_demo else ""
    runs = f"{r.repeats} repeats after 1 warm-up"
    if r.page is not None and r.page.warm:
        runs += f"; page: {len(r.page.warm[WARDS].samples)} fresh browser contexts after 1 warm-up visit"
    return (
        f"sector-map benchmark · {r.pack.name}{demo} · {r.pack_dir}\n"
        f"{counts['wards']:,} wards · {counts['indicators']} indicators · {counts['organisations']:,} "
        f"organisations · {counts['assets']:,} assets · {runs} · Python {platform.python_version()}"
    )


def table(r: Results) -> str:
    """The whole report as plain text."""
    heads = Row("Figure", "median", "IQR (p25 – p75)", "min – max", "target", "verdict")
    body = rows(r)
    cols = ("label", "median", "iqr", "spread", "target", "verdict")
    data = [heads, *[b for b in body if b.median]]
    widths = {c: max(len(getattr(x, c)) for x in data) for c in cols}
    line_width = sum(widths.values()) + 2 * (len(cols) - 1)

    def fmt(row: Row) -> str:
        if not row.median:
            return row.label
        cells = [row.label.ljust(widths["label"])]
        cells += [getattr(row, c).rjust(widths[c]) for c in ("median", "iqr", "spread")]
        cells += [row.target.ljust(widths["target"]), row.verdict]
        return "  ".join(cells).rstrip()

    lines = [header(r), "", fmt(heads), "-" * line_width, *map(fmt, body), "-" * line_width]
    lines.append(
        "Times are wall-clock (time.perf_counter); a verdict compares the median with the target. "
        "1 KB = 1,000 bytes."
    )
    return "\n".join(lines)


def to_json(r: Results) -> dict[str, Any]:
    """The figures as plain data: milliseconds, bytes and verdicts."""
    t = r.totals()
    timings = {f"rerun.{k}": v.as_dict() for k, v in r.rerun.items()}
    timings |= {f"indicator_switch.{k}": v.as_dict() for k, v in r.switch.items()}
    timings |= {"pack_load": r.load.as_dict(), "simplify_wards": r.simplify.as_dict()}
    timings |= {f"total.{k}": v.as_dict() for k, v in t.items()}
    page: dict[str, Any] = {"measured": False}
    if r.page is not None:
        p = r.page
        page = {
            "measured": bool(p.warm),
            "error": p.error,
            "warm": {name: s.as_dict() for name, s in p.warm.items()},
            "cold_ms": {name: round(x * 1000, 1) for name, x in p.cold.items()},
            "server_start_ms": round(p.server_start * 1000, 1) if p.server_start is not None else None,
            "failures": p.failures,
            "blocked_requests": len(p.blocked),
        }
    verdicts = {
        "recompute": verdict(t["recompute"].median * 1000, TARGET_RECOMPUTE_MS),
        "indicator_switch": verdict(t["indicator_switch"].median * 1000, TARGET_RECOMPUTE_MS),
        "rerun": verdict(t["rerun"].median * 1000, TARGET_RECOMPUTE_MS),
        "rerun_full": verdict(t["rerun_full"].median * 1000, TARGET_RECOMPUTE_MS),
        "payload": verdict(r.sent.strings / KB, TARGET_PAYLOAD_KB),
    }
    if r.page is not None and r.page.warm:
        verdicts["first_page"] = verdict(r.page.warm[WARDS].median, TARGET_PAGE_S)
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "pack": {"name": r.pack.name, "path": str(r.pack_dir), "demo": r.pack.is_demo, **r.pack.summary()},
        "choice": {
            "theme": r.choice.theme,
            "scheme": r.choice.scheme,
            "k": r.choice.k,
            "palette": r.choice.palette,
        },
        "repeats": r.repeats,
        "targets": {
            "recompute_ms": TARGET_RECOMPUTE_MS,
            "payload_kb": TARGET_PAYLOAD_KB,
            "first_page_s": TARGET_PAGE_S,
        },
        "timings": timings,
        "payload_bytes": {"st_folium": r.sent.as_dict(), "maps_payload_bytes": r.page_bytes},
        "page": page,
        "verdicts": verdicts,
    }
