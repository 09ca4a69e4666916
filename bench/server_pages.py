"""Server-side page figures through the real app: ``app.py`` under Streamlit's AppTest.

Nothing here mirrors the app's code: each figure is a whole script run (``AppTest.run``) of the
app as it is, so it measures whatever the pages do now. Each page is timed in its own child
process (``python -m bench.server_pages``) under an address-space cap and a time limit, so a page
that allocates far too much fails fast with MemoryError, and one that hangs is stopped, while the
benchmark goes on. The child prints one JSON line per figure as soon as it has it.

Figures per page:

* ``need_map``: the first run (pack load and every cache cold), then (once the pack's background
  warming has finished) reruns after a widget change, cycling through the number of classes, the palette and the classification.
* ``gaps``, ``fit``, ``ward``: the Need map once (the pack's caches warm), then the page's first
  visit, then plain reruns of it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {"gaps": "app_pages/gaps.py", "fit": "app_pages/fit.py", "ward": "app_pages/ward.py"}
NEED_MAP = "need_map"
# Need map widgets a rerun changes, by key and (should a key change) label.
NEED_WIDGETS = (("nm_k", "Classes"), ("nm_palette", "Colours"), ("nm_scheme", "Classes by"))


@dataclass
class PageFigures:
    """One page's server-side figures in seconds; ``error`` says why some are missing."""

    page: str
    warm_up: float | None = None  # the Need map run that loads the pack, before another page
    warming: float | None = None  # then waiting for the pack's background warming to finish
    first: float | None = None
    reruns: list[float] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    peak_rss: int | None = None  # bytes, the child process's peak resident memory
    error: str = ""


# --- the child ----------------------------------------------------------------------------
def _emit(**data) -> None:
    print(json.dumps(data), flush=True)


def _timed_run(at, timeout: float) -> float:
    start = time.perf_counter()
    try:
        at.run(timeout=timeout)
    except RuntimeError as exc:  # AppTest: "script run timed out"
        if "timed out" in str(exc).lower():
            _emit(event="error", reason=f"not measured in {timeout:.0f} s")
            _emit(event="peak_rss", bytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
            sys.stdout.flush()
            os._exit(0)  # the script thread is still running; nothing else can be timed here
        raise
    elapsed = time.perf_counter() - start
    if at.exception:
        raise _PageFailed("; ".join(str(e.message).splitlines()[0] for e in at.exception)[:300])
    return elapsed


class _PageFailed(Exception):
    pass


def _widget(at, key: str, label: str):
    for kind in (at.number_input, at.selectbox):
        for w in kind:
            if w.key == key or (w.key is None and w.label == label):
                return w
    return None


def _choices(key: str) -> list:
    """The values a Need map selectbox offers (the same lists the page offers)."""
    from sector_map.views import classify

    return list({"nm_palette": classify.PALETTES, "nm_scheme": classify.SCHEMES}.get(key, {}))


def _change_need_widget(at, i: int) -> str:
    """Move one Need map widget to another value; say which."""
    for j in range(len(NEED_WIDGETS)):
        key, label = NEED_WIDGETS[(i + j) % len(NEED_WIDGETS)]
        w = _widget(at, key, label)
        if w is None:
            continue
        if hasattr(w, "options"):
            values = _choices(key)
            if len(values) < 2 or w.value not in values:
                continue
            w.set_value(values[(values.index(w.value) + 1) % len(values)])
        else:
            value = int(w.value)
            w.set_value(value + 1 if value < (w.max or 7) else value - 1)
        return key
    raise _PageFailed("no Need map widget to change (classes, palette or classification)")


def _wait_for_warming(timeout: float) -> float:
    """Seconds until the app's background warming of the pack (``sector_map.analysis.warm``,
    started when the pack was opened) has finished: a page's "first visit" is timed after it, as
    issue 12 defines it (the pack's caches warm)."""
    import threading

    start = time.perf_counter()
    for thread in threading.enumerate():
        if thread.name.startswith("warm "):
            thread.join(timeout)
    return time.perf_counter() - start


def child(pack_dir: Path, page: str, *, repeats: int, timeout: float, ward: str | None) -> None:
    """Run in the child process: time one page and print its figures as JSON lines."""
    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory(prefix="sector-map-bench-") as tmp:
        packs = Path(tmp) / "packs"
        packs.mkdir()
        (packs / pack_dir.name).symlink_to(pack_dir, target_is_directory=True)
        os.environ["SECTOR_MAP_PACKS_DIR"] = str(packs)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        at.query_params["pack"] = pack_dir.name
        if ward:  # read once per session, on its first run
            at.query_params["ward"] = ward
        if page == "fit":  # a described offer, as in the browser (browser_pages.FIT_QUERY)
            at.query_params["offer_themes"] = "poverty_food"
        try:
            first = _timed_run(at, timeout)
            if page == NEED_MAP:
                _emit(event="first", seconds=first)
                # Reruns are timed once the pack's background warming is done, not beside it.
                _emit(event="warming", seconds=_wait_for_warming(timeout))
                for i in range(repeats):
                    changed = _change_need_widget(at, i)
                    _emit(event="rerun", seconds=_timed_run(at, timeout), change=changed)
            else:
                _emit(event="warm_up", seconds=first)
                _emit(event="warming", seconds=_wait_for_warming(timeout))
                at.switch_page(PAGES[page])
                _emit(event="first", seconds=_timed_run(at, timeout))
                for _ in range(repeats):
                    _emit(event="rerun", seconds=_timed_run(at, timeout), change="rerun")
        except (_PageFailed, MemoryError) as exc:
            _emit(
                event="error",
                reason=f"failed: {type(exc).__name__ if isinstance(exc, MemoryError) else ''}{exc}",
            )
        except Exception as exc:  # noqa: BLE001 — any failure of the app is a finding, reported
            _emit(event="error", reason=f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:300]}")
        _emit(event="peak_rss", bytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)


# --- the parent ---------------------------------------------------------------------------
def time_page(
    pack_dir: Path,
    page: str,
    *,
    repeats: int,
    timeout: float,
    memory_limit: int,
    ward: str | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> PageFigures:
    """Time one page in a fresh child process; whatever it printed before failing is kept."""
    cmd = [
        sys.executable,
        "-m",
        "bench.server_pages",
        str(pack_dir),
        page,
        "--repeats",
        str(repeats),
        "--timeout",
        str(timeout),
        "--memory-limit",
        str(memory_limit),
    ]
    if ward:
        cmd += ["--ward", ward]
    fig = PageFigures(page)
    # every run may take the timeout, plus the Need map's warm-up and Python's start
    limit = timeout * (repeats + 2) + 60
    try:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=limit, check=False)
        out, err, code = done.stdout, done.stderr, done.returncode
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        err, code = f"stopped after {limit:.0f} s", None
    for line in out.splitlines():
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            continue
        event = data.get("event")
        if event == "warm_up":
            fig.warm_up = data["seconds"]
        elif event == "warming":
            fig.warming = data["seconds"]
        elif event == "first":
            fig.first = data["seconds"]
        elif event == "rerun":
            fig.reruns.append(data["seconds"])
            fig.changes.append(data.get("change", ""))
        elif event == "error":
            fig.error = data["reason"]
        elif event == "peak_rss":
            fig.peak_rss = data["bytes"]
    if code not in (0,) and not fig.error:
        tail = [x for x in (err or "").strip().splitlines() if x.strip()]
        fig.error = f"failed: the child exited ({code}): {tail[-1][:200] if tail else 'no message'}"
    say(f"  {page}: first {fig.first}, reruns {len(fig.reruns)}{', ' + fig.error if fig.error else ''}")
    return fig


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.server_pages", description=__doc__.splitlines()[0])
    p.add_argument("pack", type=Path)
    p.add_argument("page", choices=[NEED_MAP, *PAGES])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--timeout", type=float, default=300.0)
    p.add_argument("--memory-limit", type=int, default=0, help="address-space cap in bytes (0: none)")
    p.add_argument("--ward")
    args = p.parse_args(argv)
    if args.memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (args.memory_limit, args.memory_limit))
    child(args.pack.resolve(), args.page, repeats=args.repeats, timeout=args.timeout, ward=args.ward)
    return 0


if __name__ == "__main__":
    sys.exit(main())
