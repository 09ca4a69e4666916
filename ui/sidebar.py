"""The shared frame drawn once by app.py: pack picker, demo notice, about, directory account."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from sector_map.pack.io import Pack, PackError, find_packs
from ui import auth, cache, paths, sso, state
from ui.text import md, md_code

DEMO_NOTICE = (
    "**Fictional demo data.** {name} is not a real place: its wards, figures and organisations are "
    "generated to show how sector-map works. Do not use them for decisions."
)


def ensure_demo_pack() -> None:
    """Write the demo pack on first start if no pack exists yet (``make run`` normally does this)."""
    if find_packs(paths.PACKS_DIR):
        return
    from sector_map.demo.make import write_demo_pack

    with st.spinner("Creating the fictional demo borough (first start only)…"):
        write_demo_pack(paths.DEMO_PACK)


def choose_pack() -> Path:
    """Sidebar pack picker; the choice is kept in session state and the URL (``?pack=``)."""
    packs = find_packs(paths.PACKS_DIR)
    names = [p.name for p in packs]
    if state.PACK_KEY not in st.session_state:
        wanted = st.query_params.get("pack")
        st.session_state[state.PACK_KEY] = wanted if wanted in names else names[0]
        if wanted is not None and wanted not in names:
            from ui.url_state import notice

            notice(
                f"{md_code(f'pack={wanted}')} is not a pack here; showing {md(names[0])} "
                f"(packs: {md(', '.join(names))})"
            )
    if st.session_state[state.PACK_KEY] not in names:
        st.session_state[state.PACK_KEY] = names[0]
    name = st.sidebar.selectbox(
        "Data pack",
        names,
        key=state.PACK_KEY,
        help="Each pack describes one area. Packs live in data/packs/.",
        on_change=lambda: state.select_ward(None),
    )
    if name != names[0] or "pack" in st.query_params:
        st.query_params["pack"] = name
    return paths.PACKS_DIR / name


def current_pack() -> Pack:
    """The pack chosen in the sidebar; stops the page with a plain message if it cannot be used."""
    path = Path(st.session_state.get("_pack_path", paths.DEMO_PACK))
    try:
        return cache.get_pack(path)
    except PackError as exc:
        st.error(f"The data pack in {md_code(path.name)} cannot be used.\n\n{md(exc)}")
        st.stop()
        raise


def draw_sidebar(pack: Pack) -> None:
    """Area name, demo notice, a short 'about' and the directory account."""
    st.sidebar.markdown(
        f"**Area:** {md(pack.name)}  \n{len(pack.wards):,} wards · {len(pack.organisations):,} organisations"
    )
    if pack.is_demo:
        st.sidebar.caption(":orange[**Fictional demo data**: not a real place.]")
    st.sidebar.caption(
        "sector-map maps the voluntary and community sector over ward-level need, "
        "to help find gaps and likely partners. See *About the data* for sources and licences."
    )
    draw_account()


def demo_banner(pack: Pack) -> None:
    """The notice every page shows at its top when the pack is the fictional demo."""
    if pack.is_demo:
        st.warning(DEMO_NOTICE.format(name=md(pack.name)), icon="⚠️")


def draw_account() -> None:
    """Who is signed in to the directory, with a sign-out button; or, where single sign-on is
    configured, its sign-in button. Nothing at all when neither (built-in accounts sign in on the
    directory pages)."""
    account = auth.current_account()
    if account is None and not sso.configured():
        return
    with st.sidebar:
        st.markdown("**Directory account**")
        if account is not None:
            st.caption(auth.describe(account))
        elif sso.signed_in():
            st.warning(auth.NO_ROLE)
        else:
            sso.login_button(key="sidebar_sso_login")
            return
        if st.button("Sign out", key="sidebar_sign_out"):
            auth.sign_out()
