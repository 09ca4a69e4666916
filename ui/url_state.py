"""Shareable views: a page's choices live in the URL's query parameters.

Opening a link restores the view (once per session and page, before the widgets are drawn);
after each run the page writes its choices back, leaving out defaults so links stay short.
A parameter that cannot be used (an unknown indicator, a bad weight) is ignored and the page
says so in a notice, never an error page.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import streamlit as st

from ui.text import md, md_code

NOTICES_KEY = "_url_notices"


@dataclass(frozen=True)
class Param:
    """One query parameter bound to one widget's session key."""

    name: str
    key: str
    default: object
    parse: Callable[[str], object] = str
    fmt: Callable[[object], str] = str
    allowed: Collection | None = None
    what: str = "value"


def as_list(text: str) -> list[str]:
    return [p for p in (x.strip() for x in text.split(",")) if p]


def join_list(values) -> str:
    return ",".join(values)


def list_param(name: str, key: str, *, allowed: Collection, what: str, default: list | None = None) -> Param:
    """A comma-separated list in the URL (``themes=a,b``) bound to a multiselect's session key."""
    return Param(name, key, list(default or []), parse=as_list, fmt=join_list, allowed=allowed, what=what)


def choice_param(name: str, key: str, choices: Collection, *, what: str) -> Param:
    """One of ``choices`` in the URL, the first by default."""
    options = list(choices)
    return Param(name, key, next(iter(options), None), allowed=options, what=what)


def bool_param(name: str, key: str, default: bool = True) -> Param:
    """An on/off switch in the URL (``1`` or ``0``)."""
    return Param(name, key, default, parse=as_bool, fmt=fmt_bool, what="on/off switch")


def as_bool(text: str) -> bool:
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError("use 1 or 0")


def fmt_bool(value) -> str:
    return "1" if value else "0"


def notice(text: str) -> None:
    """Remember a part of the link that was ignored, to show on the page."""
    st.session_state.setdefault(NOTICES_KEY, []).append(text)


def restore(page: str, params: list[Param]) -> None:
    """Put the link's values into the widgets' session keys, once per session and page."""
    flag = f"_url_restored|{page}"
    if st.session_state.get(flag):
        set_defaults(params)
        return
    st.session_state[flag] = True
    for p in params:
        raw = st.query_params.get(p.name)
        if raw is None:
            continue
        try:
            value = p.parse(raw)
        except (TypeError, ValueError) as exc:
            notice(f"{md_code(f'{p.name}={raw}')} ignored: not a valid {p.what} ({md(exc)})")
            continue
        values = value if isinstance(value, list) else [value]
        bad = [v for v in values if p.allowed is not None and v not in p.allowed]
        if bad:
            notice(
                f"{md_code(f'{p.name}={raw}')} ignored: {md(', '.join(map(str, bad)))} "
                f"is not an allowed {p.what} here"
            )
            continue
        st.session_state[p.key] = value
    set_defaults(params)


def set_defaults(params: list[Param]) -> None:
    """Give each widget its default through session state (so widgets pass no default of their
    own, and Streamlit never sees a value set two ways)."""
    for p in params:
        if p.default is not None:
            st.session_state.setdefault(p.key, p.default)


def publish(params: list[Param]) -> None:
    """Write the widgets' current values to the URL (defaults are left out)."""
    for p in params:
        value = st.session_state.get(p.key, p.default)
        if value == p.default or value is None or value == []:
            if p.name in st.query_params:
                del st.query_params[p.name]
        else:
            st.query_params[p.name] = p.fmt(value)


def show_notices() -> None:
    """Show (once) what the link asked for that could not be used."""
    notes = st.session_state.pop(NOTICES_KEY, [])
    if notes:
        st.info("Some parts of the link were ignored:\n\n" + "\n".join(f"- {n}" for n in notes))


def share_link() -> None:
    """A copyable link to exactly this view (the code block has a copy button)."""
    base = ""
    try:
        parts = urlsplit(st.context.url or "")
        base = f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else ""
    except Exception:  # noqa: BLE001 - no URL outside a browser session (tests)
        base = ""
    query = urlencode(st.query_params.to_dict())
    with st.sidebar.popover("Share this view", icon=":material/link:", width="stretch"):
        st.caption("Anyone with the app can open this link to see the same view.")
        st.code(f"{base}?{query}" if query else base or "(this page)", language=None, wrap_lines=True)


def parse_weights(text: str) -> dict[str, float]:
    """``"imd_score:2,fuel_poverty:0"`` → {"imd_score": 2.0, "fuel_poverty": 0.0}."""
    out = {}
    for part in as_list(text):
        ind, sep, val = part.partition(":")
        if not sep:
            raise ValueError(f"'{part}' should be indicator:weight")
        out[ind] = float(val)
    return out


def fmt_weights(weights: dict[str, float]) -> str:
    return ",".join(f"{k}:{v:g}" for k, v in weights.items())


def restore_weights(
    page: str, raw: str | None, allowed: dict[str, float], keep_key: Callable[[str], str]
) -> None:
    """Put weights from the link into the sliders' kept values (0–3, known indicators only)."""
    flag = f"_url_weights|{page}"
    if raw is None or st.session_state.get(flag):
        return
    st.session_state[flag] = True
    try:
        weights = parse_weights(raw)
    except ValueError as exc:
        notice(f"{md_code(f'w={raw}')} is not a valid list of weights ({md(exc)})")
        return
    for ind, value in weights.items():
        if ind not in allowed:
            notice(f"weight for {md_code(ind)} ignored: not an indicator of this theme")
        elif not 0 <= value <= 3:
            notice(f"weight {md_code(f'{ind}:{value:g}')} ignored: weights run from 0 to 3")
        else:
            st.session_state[keep_key(ind)] = value


def publish_weights(weights: dict[str, float] | None, defaults: dict[str, float]) -> None:
    changed = {k: v for k, v in (weights or {}).items() if defaults.get(k) != v}
    if changed:
        st.query_params["w"] = fmt_weights(changed)
    elif "w" in st.query_params:
        del st.query_params["w"]
