"""Directory: the public list of services, described by local organisations and checked by
officers, or taken from published feeds; search, filters, and "Report a problem"."""

from datetime import UTC, datetime

import streamlit as st

from sector_map.directory.listings import listings
from ui import cache, directory, directory_panel, sidebar

st.title("Directory")
st.caption(
    "Services in the area, as their organisations describe them (checked by the council's officers) or "
    "as published feeds list them. A listing not confirmed for 12 months is marked stale; after 18 "
    "months it no longer counts in the analysis pages until it is confirmed again."
)
key = cache.pack_key(sidebar.current_pack())
ward_names = cache.ward_names(key)
store = directory.store()
chosen = directory_panel.filters(ward_names)
found = listings(store, datetime.now(UTC).date(), ward_names=ward_names)
directory_panel.results(found, chosen, cache.ward_reach(key), store)
