"""Widgets and panels of the Where we fit page. Layout only: every number comes from sector_map."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sector_map.analysis import matching
from sector_map.analysis.catchment import distance_text
from sector_map.pack import schema as s
from sector_map.pack.io import Pack
from sector_map.views import missing
from ui import cache, url_state
from ui.text import md, md_code

MODE_ORG = "An organisation in this pack"
MODE_DESCRIBE = "Describe an offer"


def labels(themes) -> str:
    return ", ".join(s.THEMES_BY_ID[t].label for t in themes if t in s.THEMES_BY_ID)


def url_params(pack: Pack) -> list[url_state.Param]:
    """The described offer as query parameters (an organisation travels as ``org=``)."""
    return [
        url_state.list_param("offer_themes", "fit_themes", allowed=s.THEME_IDS, what="theme"),
        url_state.list_param("groups", "fit_groups", allowed=s.CLIENT_GROUP_IDS, what="client group"),
        url_state.Param("postcode", "fit_postcode", "", what="postcode"),
        url_state.Param("reach", "fit_reach", 0.0, parse=float, fmt=lambda v: f"{v:g}", what="reach in km"),
    ]


def _restore_org(pack: Pack) -> None:
    # Once per session, link or not: restoring on a later run (after this page published the
    # first pick as org=) would snap the pick back and overwrite the search box.
    flag = "_url_restored|fit_org"
    if st.session_state.get(flag):
        return
    st.session_state[flag] = True
    org_id = st.query_params.get("org")
    if org_id is None:
        return
    names = pack.organisations.set_index(s.ORG_ID)[s.ORG_NAME]
    if org_id not in names.index:
        url_state.notice(f"{md_code(f'org={org_id}')} is not an organisation in {md(pack.name)}")
        return
    st.session_state["fit_mode"] = MODE_ORG
    st.session_state["fit_query"] = str(names[org_id])
    st.session_state["fit_org"] = org_id


def _publish(mode: str, params: list[url_state.Param]) -> None:
    if mode == MODE_ORG:
        url_state.publish([])
        for p in params:
            if p.name in st.query_params:
                del st.query_params[p.name]
        org_id = st.session_state.get("fit_org")
        if org_id:
            st.query_params["org"] = org_id
        elif "org" in st.query_params:
            del st.query_params["org"]
    else:
        url_state.publish(params)
        if "org" in st.query_params:
            del st.query_params["org"]


def choose_offer(pack: Pack) -> matching.Offer | None:
    """The offer to place: an organisation picked from the pack, or one described here."""
    params = url_params(pack)
    _restore_org(pack)
    url_state.restore("fit", params)
    if any(st.query_params.get(p.name) for p in params) and "org" not in st.query_params:
        st.session_state.setdefault("fit_mode", MODE_DESCRIBE)
    offer = _choose(pack)
    _publish(st.session_state.get("fit_mode", MODE_ORG), params)
    return offer


def _describe_instead() -> None:
    st.session_state["fit_mode"] = MODE_DESCRIBE


@st.cache_data(show_spinner=False, max_entries=64)
def _find(key: tuple[str, str], query: str) -> pd.DataFrame:
    """The organisations matching a search, once per pack and query (a scan of every name)."""
    return matching.find_organisations(cache.pack_for(key), query, limit=50)


@st.cache_data(show_spinner=False, max_entries=64)
def _offer(key: tuple[str, str], org_id: str) -> matching.Offer:
    """An organisation's offer (sector_map.analysis.matching.offer_from_org), once per pack and organisation."""
    return matching.offer_from_org(cache.pack_for(key), org_id)


def _choose(pack: Pack) -> matching.Offer | None:
    if not len(pack.organisations):
        st.session_state.setdefault("fit_mode", MODE_DESCRIBE)
    mode = st.radio("Whose offer?", [MODE_ORG, MODE_DESCRIBE], horizontal=True, key="fit_mode")
    if mode == MODE_ORG:
        no_orgs = missing.no_organisations(pack)
        if no_orgs:
            st.info(f"{md(no_orgs)} Meanwhile, describe your offer instead.")
            st.button("Describe an offer", key="fit_describe_no_orgs", on_click=_describe_instead)
            return None
        c1, c2 = st.columns([1, 2])
        query = c1.text_input(
            "Search by name or charity number", key="fit_query", placeholder="e.g. food bank, 1123456"
        )
        found = _find(cache.pack_key(pack), query) if query else None
        if found is None or found.empty:
            c2.caption(
                "Type part of a name or a charity number to find an organisation."
                if not query
                else f"No organisation matches “{md(query)}”."
            )
            return None
        labels = dict(zip(found[s.ORG_ID], found[s.LABEL], strict=True))
        if st.session_state.get("fit_org") not in labels:
            st.session_state.pop("fit_org", None)  # a new search: start at its first result
        org_id = c2.selectbox(
            f"Organisation ({len(labels)} found)", list(labels), format_func=labels.get, key="fit_org"
        )
        try:
            offer = _offer(cache.pack_key(pack), org_id)
        except ValueError as exc:
            st.warning(md(exc))
            return None
        if not offer.themes:
            st.info(
                f"{md(offer.name)} has no themes in this pack, so there is nothing to match with need. Describe "
                "its offer instead (pick the themes it works on), or add its themes on the Data page (Add "
                "your own data → Organisations, with a themes or activities column)."
            )
            st.button("Describe its offer instead", key="fit_describe_no_themes", on_click=_describe_instead)
            return None
        return offer
    c1, c2 = st.columns(2)
    themes = c1.multiselect(
        "What you offer (themes)",
        list(s.THEME_IDS),
        format_func=lambda t: s.THEMES_BY_ID[t].label,
        key="fit_themes",
    )
    groups = c2.multiselect("Who it is for", list(s.CLIENT_GROUP_IDS), key="fit_groups")
    c3, c4, c5 = st.columns(3)
    postcode = c3.text_input("Base postcode (optional)", key="fit_postcode", placeholder="e.g. M32 9AF")
    reach = c4.number_input(
        "How far you reach (km; 0 = the whole area)",
        min_value=0.0,
        max_value=50.0,
        step=0.5,
        key="fit_reach",
    )
    capacity = c5.number_input("Capacity (people a week; optional)", min_value=0, value=0, key="fit_capacity")
    if not themes:
        st.caption("Choose at least one theme to see where your offer fits.")
        return None
    try:
        return matching.offer_from_description(
            pack,
            themes=themes,
            client_groups=groups,
            postcode=postcode or None,
            reach_km=reach or None,
            capacity=capacity or None,
        )
    except ValueError as exc:
        st.error(md(exc))
        return None


def offer_summary(offer: matching.Offer) -> None:
    where = (
        "the whole area"
        if offer.whole_area
        else (
            f"{offer.reach_km:g} km from its base" if offer.reach_km else f"{len(offer.wards)} listed ward(s)"
        )
    )
    st.markdown(
        f"**{md(offer.name)}** · offers {labels(offer.themes) or 'no themes'} · reaches {md(where)}"
        + (f" · for {md(', '.join(offer.client_groups))}" if offer.client_groups else "")
    )


# The distance as text people read, in place of DISTANCE_KM (a column of the screen only).
DISTANCE_TEXT = "distance"


def ward_columns(fit: matching.FitResult) -> dict:
    """Readable headers for the ward tables; the score is "Need" when provision cannot tell wards apart."""
    score = "Need (0–100)" if fit.by_need_alone else "Unmet need (0–100)"
    return {
        s.RANK: st.column_config.NumberColumn("Rank", format="%d", width="small"),
        s.WARD_NAME: st.column_config.TextColumn("Ward"),
        s.SCORE: st.column_config.NumberColumn(score, format="%.0f", width="small"),
        DISTANCE_TEXT: st.column_config.TextColumn("Distance from you", width="small"),
        s.REASON: st.column_config.TextColumn("Why", width="large"),
    }


def _distance_column(frame: pd.DataFrame, *, zero: str = "based here") -> pd.DataFrame:
    """``distance_km`` as text people read ("based here", "0.4 km"), or dropped when all unknown."""
    out = frame.drop(columns=[s.DISTANCE_KM])
    if frame[s.DISTANCE_KM].notna().any():
        text = frame[s.DISTANCE_KM].map(lambda d: zero if d == 0 else distance_text(d))
        out.insert(list(frame.columns).index(s.DISTANCE_KM), DISTANCE_TEXT, text)
    return out


# The columns of the ward tables, in order.
_WARD_COLS = [s.RANK, s.WARD_NAME, s.SCORE, s.DISTANCE_KM, s.REASON]


def ward_table(fit: matching.FitResult) -> pd.DataFrame:
    """Wards the offer reaches, ranked (those with no data last, unranked), with readable columns."""
    ranked = fit.table
    return _distance_column(ranked.loc[ranked[s.IN_REACH], _WARD_COLS])


def beyond_reach_table(fit: matching.FitResult) -> pd.DataFrame:
    """Wards beyond the offer's reach, highest unmet need first (no data last), unranked."""
    ranked = fit.table
    cols = [c for c in _WARD_COLS if c != s.RANK]
    return _distance_column(ranked.loc[~ranked[s.IN_REACH], cols])


GROUP_HEADERS = {
    s.ORG_NAME: "Organisation",
    s.BASED_IN: "Based in",
    DISTANCE_TEXT: "Distance from you",
    s.SIZE_BAND: "Size (income)",
    s.LOCATION_QUALITY: "Location known as",
    s.WHY: "Why",
}


def group_table(frame: pd.DataFrame, *, sizes_known: bool = True) -> pd.DataFrame:
    """Partners or overlap with readable headers; size is left out when no income is known."""
    out = _distance_column(frame, zero="at your base") if s.DISTANCE_KM in frame.columns else frame
    if s.SIZE_BAND in out.columns and not sizes_known:
        out = out.drop(columns=[s.SIZE_BAND])
    if s.SIZE_BAND in out.columns:
        out = out.assign(**{s.SIZE_BAND: out[s.SIZE_BAND].map(lambda b: s.SIZE_BAND_LABELS.get(b, b))})
    cols = [c for c in GROUP_HEADERS if c in out.columns]
    return out[cols].rename(columns=GROUP_HEADERS)


def group_section(title: str, caption: str, frame: pd.DataFrame, *, none: str, sizes_known: bool) -> None:
    """A heading, a caption and partners or overlap as a table (``none`` when there are none)."""
    st.subheader(title)
    st.caption(caption)
    if frame.empty:
        st.write(none)
        return
    st.dataframe(
        group_table(frame, sizes_known=sizes_known),
        hide_index=True,
        width="stretch",
        column_config=GROUP_COLUMNS,
    )


CONSORTIUM_HEADERS = {s.MEMBER: "Member", s.ORG_NAME: "Organisation", s.COVERS: "Brings", s.REASON: "Why"}


def consortium_table(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    if s.COVERS in out.columns:
        out[s.COVERS] = out[s.COVERS].map(labels)
    cols = [c for c in CONSORTIUM_HEADERS if c in out.columns]
    return out[cols].rename(columns=CONSORTIUM_HEADERS)


GROUP_COLUMNS = {
    "Organisation": st.column_config.TextColumn("Organisation", width="medium"),
    "Why": st.column_config.TextColumn("Why", width="large"),
    "Brings": st.column_config.TextColumn("Brings", width="medium"),
    "Member": st.column_config.NumberColumn("Member", format="%d", width="small"),
}
