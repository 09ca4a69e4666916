"""Selection state shared by every page: the chosen pack and the selected ward.

Both live in ``st.session_state`` (so they survive reruns and page switches) and are
mirrored into the URL's query parameters (so a reload keeps them).
"""

from __future__ import annotations

import streamlit as st

from sector_map.pack import schema as s
from sector_map.pack.io import Pack

WARD_KEY = "selected_ward"
PACK_KEY = "pack_name"


def selected_ward(pack: Pack) -> str | None:
    """The selected ward code if it belongs to ``pack``; restores it from the URL on first use."""
    codes = set(pack.wards[s.WARD_CODE])
    if WARD_KEY not in st.session_state:
        from_url = st.query_params.get("ward")
        st.session_state[WARD_KEY] = from_url if from_url in codes else None
        if from_url is not None and from_url not in codes:
            from ui.url_state import notice

            notice(f"`ward={from_url}` is not a ward of {pack.name}")
            del st.query_params["ward"]
    ward = st.session_state[WARD_KEY]
    if ward is not None and ward not in codes:
        st.session_state[WARD_KEY] = None
        ward = None
    return ward


def select_ward(ward: str | None) -> None:
    """Make ``ward`` the selection everywhere (None clears it)."""
    st.session_state[WARD_KEY] = ward
    if ward:
        st.query_params["ward"] = ward
    elif "ward" in st.query_params:
        del st.query_params["ward"]
