"""Browser figures of the real app in headless Chromium, from what really travels to the browser.

One server (``devtools.appserver``, under an address-space cap) and one Chromium for all figures:

* **first load**: ``page.goto`` in a fresh context until the Need map's ward polygons are drawn,
  counting the HTTP response bodies and the websocket frames received until the app settles;
  the first visit after the server starts is reported apart (cold caches);
* **rerun**: the number of classes stepped, or the palette changed, in the page (each change
  to a view not shown before in the session), timed until the script finishes, with the
  websocket bytes that came with it;
* **click**: a click on a ward polygon until that ward's panel heading shows;
* **pages**: Gaps, Where we fit and a Ward profile opened by URL in the same session (the pack's
  caches warm) until their script finishes without an exception, then rerun (the ``r`` key);
* the **naive peer's** page (:mod:`bench.peer`) opened from a file until its polygons are drawn;
* the server's **peak resident memory** (``VmHWM``) over all of it.

The end of a script run is read from the websocket itself (Streamlit's ``script_finished``
message), so nothing here depends on how the page draws. "Polygons drawn" accepts either map:
``window.sectorMapWardsDrawn`` or an element with a ``data-wards-drawn`` attribute in any frame
(for a map that draws its own way), or as many Leaflet ward paths as the pack has wards.
Every request that leaves localhost is aborted (the naive peer's Leaflet is served from the
app's vendored copy), so the figures are those of a machine with no internet.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.timing import Stats
from devtools import appserver

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("SECTOR_MAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Where we fit is timed on a described offer (a theme, no base: the whole area), so it ranks every
# ward and looks for partners and a consortium, not on its empty form.
FIT_QUERY = "&offer_themes=poverty_food"
QUIET_S = 2.0  # no new script run for this long after one finished: the page has settled
CLICK_TRIES = 3
# Pages reached by the sidebar's link, by their figure's key: the navigation's titles (app.py).
LINKED_PAGES = {"gaps": "Gaps", "ward": "Ward profile", "fit": "Where we fit"}
POLL_MS = 50
VENDOR = ROOT / "static" / "vendor"
# The naive peer's CDN files, answered from the app's vendored copies (others are aborted).
PEER_FILES = {
    "leaflet.js": VENDOR / "leaflet" / "leaflet.js",
    "leaflet.css": VENDOR / "leaflet" / "leaflet.css",
    "leaflet.markercluster.js": VENDOR / "markercluster" / "leaflet.markercluster.js",
    "MarkerCluster.css": VENDOR / "markercluster" / "MarkerCluster.css",
    "MarkerCluster.Default.css": VENDOR / "markercluster" / "MarkerCluster.Default.css",
}
# d3 (folium's colour legend only) is not vendored: a stub that swallows every call stands in, so
# the peer's script runs on and draws its polygons (without the legend) with no internet.
D3_STUB = (
    "(function(){const f=function(){return p};"
    "const p=new Proxy(f,{get:(t,k)=>k===Symbol.toPrimitive?(()=>''):p,apply:()=>p});window.d3=p;})();"
)
# Ward polygons in any frame: a map's own signal, else Leaflet paths (the app's ward fill
# opacities tell them from organisation circles; any interactive path counts if none has them).
WARDS_DRAWN_JS = """(n) => {
  if (window.sectorMapWardsDrawn || document.querySelector('[data-wards-drawn]')) return true;
  const wards = document.querySelectorAll(
    "path.leaflet-interactive[fill-opacity='0.85'], path.leaflet-interactive[fill-opacity='0.9']").length;
  if (wards) return wards >= n;
  return document.querySelectorAll('path.leaflet-interactive').length >= n;
}"""
# A point inside the i-th largest ward path that a click would hit, in the frame's coordinates.
CLICK_POINT_JS = """(i) => {
  let paths = [...document.querySelectorAll(
    "path.leaflet-interactive[fill-opacity='0.85'], path.leaflet-interactive[fill-opacity='0.9']")];
  if (!paths.length) paths = [...document.querySelectorAll('path.leaflet-interactive')];
  const inner = (x, y) => x > 60 && y > 60 && x < innerWidth - 60 && y < innerHeight - 60;
  const boxes = paths.map(p => [p, p.getBoundingClientRect()])
    .filter(([p, r]) => r.width > 12 && r.height > 12)
    .sort((a, b) => b[1].width * b[1].height - a[1].width * a[1].height);
  // well inside the ward (the same path 8 px around) and away from the map's controls and edges
  const hits = (p, x, y) => [[0, 0], [8, 0], [-8, 0], [0, 8], [0, -8]].every(
    ([dx, dy]) => document.elementFromPoint(x + dx, y + dy) === p);
  for (const [p, r] of boxes.slice(i, i + 40)) {
    for (let gy = 1; gy < 8; gy++) for (let gx = 1; gx < 8; gx++) {
      const x = r.left + r.width * gx / 8, y = r.top + r.height * gy / 8;
      if (inner(x, y) && hits(p, x, y)) return [x, y];
    }
  }
  // A map that draws its own way (a canvas, say): a point near the middle of its element.
  const own = document.querySelector('[data-wards-drawn]');
  if (own || window.sectorMapWardsDrawn) {
    const r = (own || document.documentElement).getBoundingClientRect();
    return [r.left + r.width * (0.5 + 0.03 * i), r.top + r.height * 0.5];
  }
  return null;
}"""


class NotMeasured(Exception):
    """A figure that could not be taken; the message is what the report prints."""


@dataclass
class Visit:
    """One timed step in the browser: seconds, and the bytes that came with it."""

    seconds: float
    ws_bytes: int = 0
    http_bytes: int = 0  # response bodies as decoded
    http_frontend: int = 0  # … of which Streamlit's own frontend (its /static/ files and index page)
    http_transferred: int = 0  # response bodies as sent (compressed where the server compresses)
    runs: int = 0
    note: str = ""


@dataclass
class BrowserFigures:
    """Everything measured in Chromium; ``errors`` maps a figure to why it is missing."""

    server_start: float | None = None
    cold_load: Visit | None = None
    # Seconds the server stayed busy after the cold visit (the pack's background warm-up) before
    # the warm visits began; None: still busy after the step's timeout (the warm visits went ahead).
    settled_after_cold: float | None = None
    loads: list[Visit] = field(default_factory=list)
    reruns: list[Visit] = field(default_factory=list)
    clicks: list[Visit] = field(default_factory=list)
    pages: dict[str, dict[str, Visit]] = field(default_factory=dict)
    # The same pages reached the way a user moves about the app: the sidebar's link, same session.
    linked: dict[str, Visit] = field(default_factory=dict)
    peer_drawn: Visit | None = None
    peak_rss: int | None = None
    blocked: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


class Wire:
    """Counts what a page receives: websocket frames (and Streamlit's run messages), HTTP bodies."""

    def __init__(self, page) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._msg = ForwardMsg
        self.ws_bytes = 0
        self.started = 0
        self.finished = 0
        self.running = False  # a script run started and has not finished (an interrupted run
        # may never report its end: the next run's start and finish stand for it)
        self.last_event = time.perf_counter()
        self.last_finished = 0.0
        self.exceptions: list[str] = []
        self.responses: list = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        page.on("response", lambda response: self.responses.append(response))

    def _frame(self, payload) -> None:
        data = payload if isinstance(payload, bytes) else payload.encode()
        self.ws_bytes += len(data)
        try:
            msg = self._msg.FromString(data)
        except Exception:  # noqa: BLE001 — not a ForwardMsg: counted, not read
            return
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.started += 1
            self.running = True
            self.last_event = time.perf_counter()
        elif kind == "script_finished":
            self.finished += 1
            self.running = False
            self.last_event = self.last_finished = time.perf_counter()
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            if element.WhichOneof("type") == "exception":
                text = f"{element.exception.type}: {element.exception.message}"
                self.exceptions.append(text.splitlines()[0][:300])

    def http_bytes(self) -> tuple[int, int, int]:
        """(decoded bytes, of which Streamlit's frontend, bytes as transferred) of every response."""
        total = frontend = transferred = 0
        for response in self.responses:
            try:
                size = len(response.body())
                sent = response.request.sizes().get("responseBodySize", size)
            except Exception:  # noqa: BLE001 — redirects and aborted requests have no body
                continue
            total += size
            transferred += max(sent, 0)
            path = "/" + response.url.split("://", 1)[-1].partition("/")[2].split("?")[0]
            if path.startswith("/static/") or path in ("/", "/favicon.png") or "/_stcore/" in path:
                frontend += size
        return total, frontend, transferred


_SERVER: dict = {"pid": 0, "log": ""}  # the app server being measured, so a wait notices when it has died


def _server_gone() -> str:
    pid = _SERVER["pid"]
    if not pid:
        return ""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        state = "gone"
    if state not in ("Z", "X", "gone"):
        return ""
    try:
        lines = [x for x in Path(_SERVER["log"]).read_text(errors="replace").splitlines() if x.strip()]
    except OSError:
        lines = []
    return "failed: the app server died" + (f": {lines[-1].strip()[:200]}" if lines else "")


def _poll(page, done: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.perf_counter() + timeout
    while not done():
        if gone := _server_gone():
            raise NotMeasured(gone)
        if time.perf_counter() > deadline:
            raise NotMeasured(f"not measured in {timeout:.0f} s ({what})")
        page.wait_for_timeout(POLL_MS)


def _settle(page, wire: Wire, finished_before: int, timeout: float, errors_before: int = 0) -> float:
    """Wait until a script run has finished since ``finished_before`` and no other starts; return
    the time the last run finished. An exception shown since ``errors_before`` fails the step."""

    def settled() -> bool:
        return (
            wire.finished > finished_before
            and not wire.running
            and time.perf_counter() - wire.last_event >= QUIET_S
        )

    _poll(page, settled, timeout + QUIET_S, "the script did not finish")
    if len(wire.exceptions) > errors_before:
        raise NotMeasured(f"failed: {wire.exceptions[-1]}")
    return wire.last_finished


def wards_drawn(page, wards: int) -> bool:
    """True once any frame of the page says, or shows, that the ward polygons are drawn."""
    for frame in page.frames:
        try:
            if frame.evaluate(WARDS_DRAWN_JS, wards):
                return True
        except Exception:  # noqa: BLE001 — a frame that is navigating or gone
            continue
    return False


def _load(page, wire: Wire, url: str, wards: int, timeout: float) -> Visit:
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    _poll(page, lambda: wards_drawn(page, wards), timeout, "ward polygons not drawn")
    drawn = time.perf_counter() - start
    _settle(page, wire, 0, timeout)
    total, frontend, transferred = wire.http_bytes()
    return Visit(drawn, wire.ws_bytes, total, frontend, transferred, runs=wire.finished)


def _rerun_steps(n: int, k: int = 5, low: int = 3, high: int = 7) -> list[str]:
    """Widget changes that each lead to a view the page has not shown before.

    Streamlit's browser keeps large messages it has received and the server then sends only
    their hash, so going back to a view already seen costs a few KB; a rerun is timed on a new
    view. The number of classes is stepped from ``k`` towards a limit, twice, then the palette
    changes, then the classes step on (turning at the limits): new (classes, palette) pairs for
    the first 11 changes with four palettes.
    """
    steps, up = [], True
    for i in range(n):
        if i % 3 == 2:
            steps.append("palette")
            continue
        if (up and k == high) or (not up and k == low):
            up = not up
        k += 1 if up else -1
        steps.append("up" if up else "down")
    return steps


def _rerun(page, wire: Wire, step: str, palettes_changed: int, timeout: float) -> Visit:
    """Make one widget change (``_rerun_steps``) and time the rerun until the page settles."""
    before_bytes, before_runs, errors = wire.ws_bytes, wire.finished, len(wire.exceptions)
    if step == "palette":
        box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Colours").first
        box.get_by_role("combobox").click(timeout=timeout * 1000)
        options = page.get_by_role("option")
        options.first.wait_for(timeout=timeout * 1000)
        start = time.perf_counter()
        options.nth((palettes_changed + 1) % options.count()).click(timeout=timeout * 1000)
    else:
        box = page.locator('[data-testid="stNumberInput"]').filter(has_text="Classes").first
        button = "stNumberInputStepUp" if step == "up" else "stNumberInputStepDown"
        start = time.perf_counter()
        box.locator(f'[data-testid="{button}"]').click(timeout=timeout * 1000)
    end = _settle(page, wire, before_runs, timeout, errors)
    return Visit(end - start, wire.ws_bytes - before_bytes, runs=wire.finished - before_runs, note=step)


def _heading_ward(page, names: set[str]) -> str | None:
    for text in page.locator("h3").all_inner_texts():
        if text.strip() in names:
            return text.strip()
    return None


def _click_ward(page, wire: Wire, i: int, names: set[str], timeout: float) -> Visit:
    """Click the i-th largest ward on the map; time until a ward panel heading for it shows."""
    for frame in page.frames:
        try:
            if frame.parent_frame:  # Chromium scrolls a partly hidden iframe into view on mousedown
                frame.frame_element().scroll_into_view_if_needed()
            point = frame.evaluate(CLICK_POINT_JS, i)
        except Exception:  # noqa: BLE001 — a frame that is navigating or gone
            continue
        if point:
            box = frame.frame_element().bounding_box() if frame.parent_frame else {"x": 0, "y": 0}
            x, y = box["x"] + point[0], box["y"] + point[1]
            break
    else:
        raise NotMeasured("not measured: no ward polygon to click on the page")
    page.mouse.move(x, y)
    before = _heading_ward(page, names)
    before_bytes, before_runs, errors = wire.ws_bytes, wire.finished, len(wire.exceptions)
    for attempt in range(1, CLICK_TRIES + 1):
        start = time.perf_counter()
        page.mouse.click(x, y)
        try:
            _poll(
                page, lambda t0=start: _new_heading(page, names, before, wire, t0), timeout, "no ward panel"
            )
        except _Missed:
            continue  # the click came while the map was being replaced; it is timed again
        shown = time.perf_counter() - start
        _settle(page, wire, before_runs, timeout, errors)
        note = f"{_heading_ward(page, names) or ''}" + (f" (click {attempt})" if attempt > 1 else "")
        return Visit(shown, wire.ws_bytes - before_bytes, runs=wire.finished - before_runs, note=note)
    raise NotMeasured(f"not measured: {CLICK_TRIES} clicks on a ward showed no panel")


class _Missed(Exception):
    pass


def _new_heading(page, names: set[str], before: str | None, wire: Wire, start: float) -> bool:
    """A ward panel other than ``before`` shows; raises _Missed when the page settled without one."""
    heading = _heading_ward(page, names)
    if heading is not None and heading != before:
        return True
    now = time.perf_counter()
    if wire.last_finished > start and not wire.running and now - wire.last_event >= QUIET_S:
        raise _Missed
    return False


def _open_page(page, wire: Wire, url: str, timeout: float) -> dict[str, Visit]:
    """Open a page by URL; then rerun it with the ``r`` key."""
    before, errors = wire.finished, len(wire.exceptions)
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    first = Visit(_settle(page, wire, before, timeout, errors) - start, runs=wire.finished - before)
    before, before_bytes = wire.finished, wire.ws_bytes
    page.evaluate("document.activeElement && document.activeElement.blur()")  # "r" reruns, not types
    start = time.perf_counter()
    page.keyboard.press("r")
    rerun = Visit(
        _settle(page, wire, before, timeout, len(wire.exceptions)) - start,
        wire.ws_bytes - before_bytes,
        runs=wire.finished - before,
    )
    return {"first": first, "rerun": rerun}


def _follow_link(page, wire: Wire, title: str, timeout: float) -> Visit:
    """Click the sidebar's link to the page titled ``title``; time until its script finishes."""
    before, errors = wire.finished, len(wire.exceptions)
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title)
    start = time.perf_counter()
    link.click(timeout=timeout * 1000)
    return Visit(_settle(page, wire, before, timeout, errors) - start, runs=wire.finished - before)


def _peer_page(browser, html: Path, wards: int, timeout: float, blocked: list[str]) -> Visit:
    """Open the naive peer's page from a file; time until both of its ward layers are drawn."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})

    def route(r) -> None:
        url = r.request.url
        if url.startswith("file:"):
            r.continue_()
            return
        file_name = url.split("?")[0].rsplit("/", 1)[-1]
        local = PEER_FILES.get(file_name)
        if local is not None and local.exists():
            r.fulfill(path=str(local))
        elif file_name == "d3.min.js":
            r.fulfill(body=D3_STUB, content_type="application/javascript")
        else:
            blocked.append(url)
            r.abort()

    try:
        context.route("**/*", route)
        page = context.new_page()
        start = time.perf_counter()
        page.goto(html.as_uri(), wait_until="commit")
        _poll(page, lambda: wards_drawn(page, 2 * wards), timeout, "peer polygons not drawn")
        return Visit(time.perf_counter() - start, note="choropleth + tooltip layer")
    finally:
        context.close()


def measure_browser(
    pack_dir: Path,
    *,
    wards: int,
    ward_names: set[str],
    ward_code: str,
    loads: int,
    reruns: int,
    clicks: int,
    timeout: float,
    memory_limit: int,
    peer_html: Path | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> BrowserFigures:
    """Start the app on ``pack_dir`` and take every browser figure; one failing does not stop the rest."""
    fig = BrowserFigures()
    if not Path(CHROMIUM).exists():
        fig.errors["browser"] = f"not measured: Chromium not found at {CHROMIUM} (set SECTOR_MAP_CHROMIUM)"
        return fig
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        fig.errors["browser"] = (
            "not measured: playwright is not installed (pip install -r requirements-dev.txt)"
        )
        return fig

    def attempt(name: str, step: Callable[[], None]) -> None:
        try:
            step()
        except NotMeasured as exc:
            fig.errors[name] = str(exc)
        except PlaywrightError as exc:
            fig.errors[name] = f"failed: {str(exc).splitlines()[0][:300]}"
        except Exception as exc:  # noqa: BLE001 — one figure failing must not stop the others
            fig.errors[name] = f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
        say(f"  {name}: {fig.errors.get(name, 'done')}")

    name = pack_dir.name
    with tempfile.TemporaryDirectory(prefix="sector-map-bench-") as tmp:
        packs = Path(tmp) / "packs"
        packs.mkdir()
        (packs / name).symlink_to(pack_dir, target_is_directory=True)
        try:
            with (
                appserver.app_process(packs, Path(tmp) / "streamlit.log", memory_limit=memory_limit) as app,
                sync_playwright() as pw,
            ):
                fig.server_start = app.started
                _SERVER.update(pid=app.pid, log=str(Path(tmp) / "streamlit.log"))
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                url = f"{app.url}/?pack={name}"
                try:
                    session: dict = {}

                    def fresh_load(cold: bool) -> None:
                        if "context" in session:
                            session["context"].close()
                        context = browser.new_context(viewport={"width": 1400, "height": 1000})
                        appserver.block_internet(context, fig.blocked)
                        page = context.new_page()
                        session.update(context=context, page=page, wire=Wire(page))
                        visit = _load(page, session["wire"], url, wards, timeout)
                        if cold:
                            fig.cold_load = visit
                        else:
                            fig.loads.append(visit)

                    attempt("first_load_cold", lambda: fresh_load(True))
                    # "Warm server": the cold visit starts the pack's warm-up in the background
                    # (a minute or more on England + 200,000 organisations); the warm visits wait
                    # for it to finish, as a user arriving after the first would.
                    fig.settled_after_cold = appserver.wait_idle(app.pid, timeout=timeout)
                    say(f"  server idle {fig.settled_after_cold or 'not'} s after the cold visit")
                    for _ in range(loads):
                        attempt("first_load", lambda: fresh_load(False))
                    if "page" in session:
                        page, wire = session["page"], session["wire"]
                        steps = _rerun_steps(reruns)
                        for i, step in enumerate(steps):
                            changed = steps[:i].count("palette")
                            attempt(
                                "rerun",
                                lambda step=step, changed=changed: fig.reruns.append(
                                    _rerun(page, wire, step, changed, timeout)
                                ),
                            )
                        for i in range(clicks):
                            attempt(
                                "click",
                                lambda i=i: fig.clicks.append(
                                    _click_ward(page, wire, i, ward_names, timeout)
                                ),
                            )
                        for key, path in (("gaps", "gaps"), ("fit", "fit"), ("ward", "ward")):
                            extra = {"ward": f"&ward={ward_code}", "fit": FIT_QUERY}.get(key, "")
                            target = f"{app.url}/{path}?pack={name}{extra}"
                            attempt(
                                key,
                                lambda key=key, target=target: fig.pages.__setitem__(
                                    key, _open_page(page, wire, target, timeout)
                                ),
                            )

                        # Then by the sidebar's links in one session, from the Need map with a
                        # ward selected (so the Ward profile has one to show).
                        def need_map_with_ward() -> None:
                            before = wire.finished
                            page.goto(f"{url}&ward={ward_code}", wait_until="commit")
                            _settle(page, wire, before, timeout, len(wire.exceptions))

                        attempt("linked", need_map_with_ward)
                        for key, title in LINKED_PAGES.items():
                            attempt(
                                f"linked_{key}",
                                lambda key=key, title=title: fig.linked.__setitem__(
                                    key, _follow_link(page, wire, title, timeout)
                                ),
                            )
                    if peer_html is not None:
                        attempt(
                            "peer_drawn",
                            lambda: setattr(
                                fig, "peer_drawn", _peer_page(browser, peer_html, wards, timeout, fig.blocked)
                            ),
                        )
                finally:
                    fig.peak_rss = appserver.peak_rss(app.pid)
                    browser.close()
        except RuntimeError as exc:
            fig.errors["browser"] = f"failed: {str(exc).splitlines()[0]}"
        except (OSError, PlaywrightError) as exc:
            fig.errors["browser"] = f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
    return fig


def median_of(visits: list[Visit], attr: str = "seconds") -> float | None:
    return Stats(tuple(getattr(v, attr) for v in visits)).median if visits else None
