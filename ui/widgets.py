"""Widgets more than one page draws: the ward picker, the map's missing-files note, a theme's
need weights and the lazy expander. Layout only: every number comes from sector_map."""

from __future__ import annotations

import streamlit as st

from sector_map.analysis import need
from sector_map.pack.io import Pack
from sector_map.views.web_assets import missing_assets
from ui import cache, paths, state
from ui.text import md

WEIGHT_STEPS = (0.0, 3.0, 0.5)
WARD_PICK_KEY = "nm_ward_pick"
LA_PICK_KEY = "nm_ward_pick_la"
_PICK_SYNCED_KEY = "_nm_ward_pick_synced"
_PICK_LA_KEPT_KEY = "_nm_ward_pick_la_kept"
# Above this many wards (and more than one authority) the ward picker is two boxes.
PICK_BY_AUTHORITY_ABOVE = 400


# --- an expander whose contents are only drawn when it is open ------------------------------
def lazy_expander(label: str, key: str, **kwargs):
    """An expander that reruns the page when opened or closed; draw into it only if ``.open``.

    A closed expander's contents still travel to the browser and are laid out there; on the
    national packs that made the Need map's first paint seconds later (decision 0006). Its
    contents are drawn after a click on it, in one short rerun.
    """
    return st.expander(label, key=key, on_change="rerun", **kwargs)


# --- the selected ward ----------------------------------------------------------------------
def ward_picker(pack: Pack, ward: str | None) -> None:
    """A selectbox bound to the shared selection (the keyboard way to pick a ward).

    Above :data:`PICK_BY_AUTHORITY_ABOVE` wards in more than one local authority, the picker is
    two boxes, the authority and then one of its wards: a box of every ward in England (6,800
    options) took the browser about a second to lay out on every page that shows it.
    """
    key = cache.pack_key(pack)
    if len(pack.wards) > PICK_BY_AUTHORITY_ABOVE:
        groups = cache.wards_by_authority(key)
        if len(groups) > 1:
            _ward_picker_by_authority(groups, ward)
            return
    _ward_box(cache.ward_labels(key), ward)


def _ward_box(labels, ward: str | None, *, disabled: bool = False) -> None:
    """The "Selected ward" box over ``labels`` (code → label, in label order)."""

    def changed() -> None:
        state.select_ward(st.session_state[WARD_PICK_KEY])

    # Every run: a page switch makes the box anew, so its value is set again each time.
    st.session_state[WARD_PICK_KEY] = ward if ward in labels else None
    st.selectbox(
        "Selected ward",
        list(labels),
        key=WARD_PICK_KEY,
        on_change=changed,
        index=None,
        disabled=disabled,
        placeholder="Choose a local authority first" if disabled else "Click the map or choose a ward",
        format_func=lambda c: labels.get(c, c),
    )


def _ward_picker_by_authority(groups, ward: str | None) -> None:
    """An authority box, then a box of that authority's wards.

    The authority follows the selected ward when the selection changes (a click on the map);
    otherwise it stays as the user left it, and a selected ward outside it stays selected (its
    panel stays) while the ward box offers the chosen authority's wards.
    """
    # The choice lives in a plain key as well: a widget's own state is dropped on a page switch.
    chosen = st.session_state.get(_PICK_LA_KEPT_KEY)
    if st.session_state.get(_PICK_SYNCED_KEY, "unset") != ward:
        st.session_state[_PICK_SYNCED_KEY] = ward
        if ward is not None:
            chosen = next((la for la, (_, labels) in groups.items() if ward in labels), None)
    if chosen not in groups:
        chosen = None
    st.session_state[_PICK_LA_KEPT_KEY] = chosen
    st.session_state[LA_PICK_KEY] = chosen  # every run: a page switch makes the box anew

    def authority_changed() -> None:
        st.session_state[_PICK_LA_KEPT_KEY] = st.session_state[LA_PICK_KEY]

    authority = st.selectbox(
        "Local authority",
        list(groups),
        key=LA_PICK_KEY,
        on_change=authority_changed,
        index=None,
        placeholder="Choose a local authority",
        format_func=lambda c: groups[c][0] if c in groups else c,
    )
    _ward_box(groups[authority][1] if authority in groups else {}, ward, disabled=authority not in groups)


# --- maps -----------------------------------------------------------------------------------
def missing_assets_note() -> None:
    """An error box when the vendored Leaflet files are missing (the map would be blank)."""
    absent = missing_assets(paths.STATIC_DIR)
    if absent:
        st.error(
            "The map's browser files are missing (" + ", ".join(absent[:3]) + "), so the map may be blank. "
            "Run `make run` (or `bash scripts/fetch_leaflet.sh`) to fetch them."
        )


# --- need weights ---------------------------------------------------------------------------
def _weight_key(pack: Pack, theme: str, ind: str) -> str:
    return f"w|{pack.path.name}|{theme}|{ind}"


def kept_weight_key(pack: Pack, theme: str, ind: str) -> str:
    """The plain session key that keeps an indicator's weight while its slider is not drawn."""
    return f"keep|{_weight_key(pack, theme, ind)}"


def _keep(k: str) -> None:
    st.session_state[f"keep|{k}"] = st.session_state[k]


def default_choices(pack: Pack, theme: str) -> list[need.Choice]:
    """The theme's indicators, which its default index uses and why (see need.default_choices)."""
    scores = cache.need_table(cache.pack_key(pack), need.BY_RANK)
    return need.default_choices(pack.indicator_meta, theme, scores=scores)


def default_weights(pack: Pack, theme: str) -> dict[str, float]:
    return {c.id: c.weight for c in default_choices(pack, theme)}


def theme_weight_sliders(pack: Pack, theme: str, *, title: str | None = None) -> dict[str, float]:
    """Weight sliders for one theme's indicators, shared by every page, and a line naming those used.

    Streamlit forgets a widget's value when a page that does not draw it runs, so each weight
    is also kept under a plain session key and put back before its slider is drawn.
    """
    choices = default_choices(pack, theme)
    defaults = {c.id: c.weight for c in choices}
    # Closed, the weights are the kept ones (each slider's value is kept under a plain key).
    out = {c.id: st.session_state.setdefault(kept_weight_key(pack, theme, c.id), c.weight) for c in choices}
    weights_box = lazy_expander(title or "Weights of this theme's indicators", f"w_open|{theme}")
    if weights_box.open:
        _weight_sliders(pack, theme, choices, defaults, weights_box, out)
    changed = "" if out == defaults else " (changed from the defaults)"
    st.caption(md(f"Need index from{changed}: {need.weights_text(pack.indicator_meta, out)}."))
    return out


def _weight_sliders(pack: Pack, theme: str, choices, defaults: dict[str, float], box, out: dict) -> None:
    """The sliders of an open weights expander; each one's value goes into ``out``."""
    with box:
        st.caption(
            "How much each indicator counts in the need index. 0 leaves it out. "
            "By default each need is counted once: one indicator per measure (the deprivation "
            "domain score rather than its '% in the most deprived 10%/20%' versions), and none that "
            "ranks the wards almost as another one does. You can still raise any of them."
        )
        for c in choices:
            k = _weight_key(pack, theme, c.id)
            st.session_state[k] = st.session_state.setdefault(kept_weight_key(pack, theme, c.id), c.weight)
            out[c.id] = st.slider(
                md(c.label),
                *WEIGHT_STEPS[:2],
                step=WEIGHT_STEPS[2],
                key=k,
                on_change=_keep,
                args=(k,),
                help=md(("Default " if c.weight else "Left out by default: ") + c.reason),
            )
        if st.button("Reset weights", key=f"reset|{theme}"):
            for ind, default in defaults.items():
                st.session_state[kept_weight_key(pack, theme, ind)] = default
            st.rerun()
