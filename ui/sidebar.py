"""The shared frame drawn once by app.py: pack picker, the live directory switch, demo notice, about,
directory account."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from sector_map.pack.io import Pack, PackError, find_packs
from ui import auth, cache, paths, sso, state, url_state
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


DIRECTORY_KEY = "use_directory"
DIRECTORY_PARAM = url_state.bool_param("directory", DIRECTORY_KEY, True)
_RUN_PACK = "_run_pack"  # this run's pack: (path, directory on, Overlay, problem reading the directory)


def choose_directory() -> bool:
    """The sidebar switch "Include the live directory" (on by default; ``?directory=0`` in the URL)."""
    url_state.restore("sidebar", [DIRECTORY_PARAM])
    on = st.sidebar.toggle(
        "Include the live directory",
        key=DIRECTORY_KEY,
        help="On: every page analyses the pack plus the organisations' own approved listings (a listing "
        "replaces the published record of the same organisation). Off: the published records alone, "
        "to compare.",
    )
    url_state.publish([DIRECTORY_PARAM])
    return bool(on)


def open_pack() -> Pack:
    """The pack for this run (app.py calls it once per run, before the page): the chosen pack, with
    the live directory's approved listings laid over it when the switch is on and there are any
    (one small query when there are none). Stops the page with a plain message if it cannot be used."""
    path = Path(st.session_state.get("_pack_path", paths.DEMO_PACK))
    try:
        published = cache.get_pack(path, warm=False)
    except PackError as exc:
        st.error(f"The data pack in {md_code(path.name)} cannot be used.\n\n{md(exc)}")
        st.stop()
        raise
    from sqlalchemy.exc import SQLAlchemyError  # imported here: the app starts without the directory

    from sector_map.directory.overlay import Overlay
    from sector_map.directory.store import DirectoryError

    on = bool(st.session_state.get(DIRECTORY_KEY, True))
    result, problem = Overlay(published), None
    if on:
        try:
            result = cache.with_directory(published)
        except (SQLAlchemyError, DirectoryError, OSError) as exc:  # the published pack still works
            problem = str(exc).splitlines()[0]
    from sector_map.analysis import warm

    warm.start(result.pack)  # once per pack: the one the pages read
    st.session_state[_RUN_PACK] = (str(path), on, result, problem)
    return result.pack


def published_pack() -> Pack:
    """The chosen pack as its files hold it, without the directory: what the Data page shows, checks
    uploads against and saves (the directory's listings are never written into a pack)."""
    return cache.get_pack(Path(st.session_state.get("_pack_path", paths.DEMO_PACK)), warm=False)


def current_pack() -> Pack:
    """The pack of this run (:func:`open_pack`), without asking the directory again."""
    path = str(Path(st.session_state.get("_pack_path", paths.DEMO_PACK)))
    kept = st.session_state.get(_RUN_PACK)
    if kept is not None and kept[0] == path and kept[1] == bool(st.session_state.get(DIRECTORY_KEY, True)):
        return kept[2].pack
    return open_pack()


def current_overlay():
    """This run's :class:`sector_map.directory.overlay.Overlay` (what the directory added, and its
    ``problems``: sites that could not be placed...), or None before :func:`open_pack`."""
    kept = st.session_state.get(_RUN_PACK)
    return kept[2] if kept is not None else None


def directory_note() -> str:
    """What the live directory added to this run's pack, in a sentence (Markdown-safe)."""
    kept = st.session_state.get(_RUN_PACK)
    if kept is None:
        return ""
    _, on, result, problem = kept
    if not on:
        return "**Live directory off**: published records only."
    if problem:
        return f"**Live directory** cannot be read ({md(problem)}); published records only."
    listed = result.added + result.replacing
    if not listed and not result.out_of_provision and not result.problems:
        return "**Live directory**: no approved listings yet."
    parts = [
        f"{listed:,} listing{'s' if listed != 1 else ''} in provision: {result.added:,} added, "
        f"{result.replacing:,} replacing the published records of {result.organisations_replaced:,} "
        f"organisation{'s' if result.organisations_replaced != 1 else ''}"
    ]
    if result.stale:
        parts.append(f"{result.stale:,} stale (not confirmed for a year: counted at half)")
    if result.out_of_provision:
        parts.append(f"{result.out_of_provision:,} out of provision until confirmed")
    if result.problems:
        n = len(result.problems)
        parts.append(
            f"{n:,} thing{'s' if n != 1 else ''} could not be used (sites not placed, unknown themes…)"
        )
    return "**Live directory**: " + "; ".join(parts) + "."


def draw_sidebar(pack: Pack) -> None:
    """Area name, demo notice, a short 'about' and the directory account."""
    st.sidebar.markdown(
        f"**Area:** {md(pack.name)}  \n{len(pack.wards):,} wards · {len(pack.organisations):,} organisations"
    )
    if pack.is_demo:
        st.sidebar.caption(":orange[**Fictional demo data**: not a real place.]")
    counts = directory_note()  # numbers, and the store's error through md()
    if counts:
        st.sidebar.caption(counts)
    overlay = current_overlay()
    if overlay is not None and overlay.problems:
        with st.sidebar.expander("What the directory could not use"):
            st.caption("\n".join(f"- {md(problem)}" for problem in overlay.problems))
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
