"""How a page says it has nothing to show: the plain message, and a link to where the fix is."""

from __future__ import annotations

import streamlit as st

from ui.text import md

DATA_PAGE = "app_pages/data.py"
NEED_MAP = "app_pages/need_map.py"


def show(message: str, *, need_map: bool = False) -> None:
    """``message`` (from :mod:`sector_map.views.missing`) as a notice, with links to the Data page (when
    the message sends people there) and to the Need map (when need can still be seen there)."""
    st.info(md(message), icon=":material/info:")
    links = (
        [(DATA_PAGE, "Add data on the Data page", ":material/database:")] if "Data page" in message else []
    )
    if need_map:
        links.append((NEED_MAP, "See need on the Need map", ":material/map:"))
    for col, (page, label, icon) in zip(st.columns(max(len(links), 1)), links, strict=False):
        with col:
            st.page_link(page, label=label, icon=icon)
