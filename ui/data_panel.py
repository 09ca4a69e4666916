"""Widgets of the Data page: what the pack holds, switching packs, uploads and templates.

Layout only: every figure comes from :mod:`sector_map.views.pack_report` and every upload step from
:mod:`sector_map.upload`. The upload flow reads the uploaded file's path from session state
(:data:`UPLOAD_PATH_KEY`), so tests can set it without driving the browser's file picker.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from sector_map import upload
from sector_map.pack import schema as s
from sector_map.pack.errors import InputError
from sector_map.pack.io import Pack, PackError
from sector_map.views import missing, pack_report
from ui import paths, state
from ui.text import md, md_code, md_table

UPLOAD_PATH_KEY = "data_upload_path"
UPLOAD_SIG_KEY = "data_upload_sig"
RESULT_KEY = "data_upload_result"
SAVED_KEY = "data_saved_pack"
KIND_KEY = "data_upload_kind"
# The temporary file this session made, and its picker signature (kept after a save forgets the
# path, so its folder can be removed).
HELD_KEY = "data_upload_held"
HELD_SIG_KEY = "data_upload_held_sig"
LOCATION_CHOICES = {
    "auto": "Let sector-map decide (site if the file has coordinates)",
    s.LOCATION_SITE: "Where the work happens (a site)",
    s.LOCATION_CONTACT: "A contact address only",
}
SHARE = st.column_config.NumberColumn(format="percent")


# --- what the pack holds ------------------------------------------------------------------------
def overview(pack: Pack) -> None:
    """Metric row, location and size breakdowns, indicator coverage, sources and warnings."""
    c: dict[str, int | float | None] = pack_report.counts(pack)
    cols = st.columns(6)
    cols[0].metric("Wards", f"{c['wards']:,}")
    cols[1].metric("Indicators", f"{c['indicators']:,}")
    cols[2].metric("Organisations", f"{c['organisations']:,}")
    share = "–" if c["placed_share"] is None else f"{c['placed_share']:.0%}"
    cols[3].metric(
        "Placed on the map",
        share,
        help=f"{c['organisations_placed']:,} organisations have a point (site or contact address).",
    )
    cols[4].metric("Services", f"{c['services']:,}")
    cols[5].metric("Buildings and land", f"{c['assets']:,}")

    no_orgs = missing.no_organisations(pack)
    left, right = st.columns(2)
    with left:
        if no_orgs:
            st.subheader("Organisations")
            st.info(md(no_orgs))
        else:
            st.subheader("Where organisations are")
            st.dataframe(
                pack_report.location_quality_table(pack), hide_index=True, column_config={"Share": SHARE}
            )
            st.subheader("Organisations by size")
            st.dataframe(pack_report.size_band_table(pack), hide_index=True, column_config={"Share": SHARE})
    with right:
        st.subheader("Organisations and services by theme")
        themes = pack_report.theme_table(pack)
        st.dataframe(themes, hide_index=True, height=38 + 35 * len(themes))

    st.subheader("Indicators")
    st.caption("How many of the pack's wards have a value for each indicator. Missing values are never zero.")
    st.dataframe(
        pack_report.indicator_coverage(pack),
        hide_index=True,
        column_config={
            "Coverage": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)
        },
    )
    st.subheader("Sources")
    st.dataframe(
        pack_report.sources_table(pack),
        hide_index=True,
        column_config={"Link": st.column_config.LinkColumn()},
    )
    built = pack.manifest.get("built_at")
    if built:
        st.caption(
            f"Built {md(built)}"
            + (f"; last changed {md(pack.manifest['updated_at'])}" if pack.manifest.get("updated_at") else "")
        )
    notes = pack_report.warnings(pack)
    with st.expander(f"Warnings and build notes ({len(notes)})", expanded=False):
        if notes:
            for note in notes:
                st.markdown(f"- {md(note)}")
        else:
            st.caption("None: the pack passed every check without a warning.")


# --- switching packs ------------------------------------------------------------------------------
def _switch_to(folder: str) -> None:
    st.session_state[state.PACK_KEY] = folder
    state.select_ward(None)


def _switch_from_picker() -> None:
    _switch_to(st.session_state["data_switch_to"])


def pack_switcher(pack: Pack) -> None:
    """The packs in the packs folder, and a button to make one the current pack."""
    catalogue = pack_report.pack_catalogue(paths.PACKS_DIR)
    st.dataframe(catalogue, hide_index=True)
    folders = list(catalogue["Folder"])
    current = pack.path.name if pack.path is not None else None
    if st.session_state.get("data_switch_to") not in folders:
        st.session_state["data_switch_to"] = current if current in folders else folders[0]
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    c1.selectbox("Pack", folders, key="data_switch_to", format_func=lambda f: _pack_label(catalogue, f))
    c2.button(
        "Switch to this pack",
        key="data_switch",
        on_click=_switch_from_picker,
        disabled=st.session_state["data_switch_to"] == current,
    )
    st.caption(f"Packs are folders in `{paths.PACKS_DIR}`. The sidebar's picker does the same.")


def _pack_label(catalogue, folder: str) -> str:
    row = catalogue.set_index("Folder").loc[folder]
    return f"{row['Area']} ({folder})" + (" — fictional demo" if row["Demo"] else "")


# --- upload ---------------------------------------------------------------------------------------
def _receive(uploaded) -> None:
    """Keep the uploaded bytes in a temporary file under their own name (once per file).

    The folder of the file it replaces is removed; so is the folder of a file already saved
    (a save forgets the upload's path, while the file picker still holds the file).
    """
    sig = (uploaded.name, uploaded.size, getattr(uploaded, "file_id", ""))
    if st.session_state.get(UPLOAD_SIG_KEY) == sig:
        return
    if st.session_state.get(HELD_SIG_KEY) == sig and UPLOAD_PATH_KEY not in st.session_state:
        upload.discard_upload(st.session_state.pop(HELD_KEY, None))
        return
    path = upload.save_upload(uploaded.getvalue(), uploaded.name, replaces=st.session_state.get(HELD_KEY))
    st.session_state[UPLOAD_PATH_KEY] = st.session_state[HELD_KEY] = str(path)
    st.session_state[UPLOAD_SIG_KEY] = st.session_state[HELD_SIG_KEY] = sig
    st.session_state.pop(RESULT_KEY, None)


def _forget_upload() -> None:
    """The file was taken out of the picker: remove its temporary folder and what was read."""
    upload.discard_upload(st.session_state.pop(HELD_KEY, None))
    for key in (UPLOAD_PATH_KEY, UPLOAD_SIG_KEY, HELD_SIG_KEY, RESULT_KEY):
        st.session_state.pop(key, None)


def _choose_part(path: Path, kind: str) -> str | None:
    """A sheet (workbook) or layer (GeoPackage) chooser when the file has several; the choice."""
    parts = upload.parts_of(path, kind)
    if len(parts) < 2:
        return None
    what = "Layer" if kind == upload.BOUNDARIES else "Sheet"
    return st.selectbox(
        what,
        parts,
        key=f"data_part|{path.name}|{kind}",
        help=f"The file has {len(parts)} {what.lower()}s; choose the one that holds the table.",
    )


def upload_flow(pack: Pack) -> None:
    """Choose a kind and a file (and a sheet or layer), map its columns, check it, then save it."""
    kinds = list(upload.UPLOAD_KINDS)
    kind = st.selectbox(
        "What the file holds", kinds, format_func=lambda k: upload.UPLOAD_KINDS[k].label, key=KIND_KEY
    )
    uploaded = st.file_uploader(
        "File",
        type=upload.ALL_EXTENSIONS,
        max_upload_size=upload.MAX_UPLOAD_MB,
        key="data_file",
        help=f"Up to {upload.MAX_UPLOAD_MB} MB. {upload.UPLOAD_KINDS[kind].what.capitalize()}.",
    )
    if uploaded is not None:
        _receive(uploaded)
    elif st.session_state.get(HELD_KEY):
        _forget_upload()
    path_text = st.session_state.get(UPLOAD_PATH_KEY)
    if not path_text:
        st.caption("Choose a file to see its first rows. Nothing is saved until you say so.")
        return
    path = Path(path_text)
    try:
        part = _choose_part(path, kind)
        first = upload.preview(path, kind, part=part)
    except InputError as exc:
        st.error(md(exc))
        return
    st.markdown(f"**First rows of {md(path.name)}**")
    st.dataframe(first.table, hide_index=True)
    for note in first.notes:
        st.text(note)  # plain text: a note quotes the file's own column names

    options = _options(kind, path, list(first.table.columns), pack, part=part)
    if st.button("Check this file", key="data_check", type="primary"):
        with st.spinner(f"Reading {md(path.name)} and checking it against {md(pack.name)}…"):
            try:
                st.session_state[RESULT_KEY] = (
                    str(path),
                    kind,
                    upload.import_upload(kind, path, pack=pack, part=part, **options),
                    part,
                )
            except (InputError, PackError) as exc:
                st.session_state.pop(RESULT_KEY, None)
                st.error(md(exc))
    held = st.session_state.get(RESULT_KEY)
    if held and held[0] == str(path) and held[1] == kind and held[3:4] == (part,):
        _show_result(pack, held[2])


def _options(kind: str, path: Path, columns: list[str], pack: Pack, *, part: str | None = None) -> dict:
    """The form for a kind: column mapping, default themes, where addresses are, replace, area name.

    The mapping's widgets are keyed by file, kind and sheet, so another sheet gets its own guesses.
    """
    options: dict = {}
    if kind in upload.MAPPING_FIELDS:
        guessed = upload.guess_mapping(kind, columns)
        choices = [upload.NONE_CHOICE, *columns]
        mapping = {}
        with st.expander("Which column holds what", expanded=True):
            st.caption(
                "Filled in from the column names; change any that are wrong. '(none)' leaves a field out."
            )
            grid = st.columns(3)
            for i, (field, label) in enumerate(upload.MAPPING_FIELDS[kind].items()):
                key = f"data_map|{path.name}|{kind}|{field}" + (f"|{part}" if part else "")
                guess = guessed.get(field)
                mapping[field] = grid[i % 3].selectbox(
                    label, choices, index=choices.index(guess) if guess in choices else 0, key=key
                )
        options["mapping"] = mapping
    if kind == upload.ORGANISATIONS:
        options["themes"] = st.multiselect(
            "Themes for every row (optional)",
            list(s.THEME_IDS),
            format_func=lambda t: s.THEMES_BY_ID[t].label,
            key="data_themes",
            help="For a list of one kind of group, e.g. food banks → Poverty, food and money advice.",
        )
        loc = st.radio(
            "The postcodes or coordinates are…",
            list(LOCATION_CHOICES),
            format_func=LOCATION_CHOICES.get,
            key="data_location",
            horizontal=True,
        )
        options["location"] = None if loc == "auto" else loc
        options["keep_outside"] = st.checkbox(
            "Keep organisations outside the area (on the map if they have coordinates, else 'area only')",
            key="data_keep_outside",
            help="Otherwise rows placed outside the pack's wards, or with a postcode not in its postcode "
            "table, are not accepted.",
        )
        if pack.postcodes is None:
            st.info(
                "This pack has no postcode table, so rows with only a postcode will be listed but not "
                "placed on the map ('area only'). Add longitude/latitude columns to place them."
            )
    if kind == upload.INDICATORS:
        options["replace_indicators"] = st.checkbox(
            "Replace indicators already in the pack",
            key="data_replace",
            help="Otherwise an indicator whose id is already in the pack is not added.",
        )
    if kind == upload.BOUNDARIES:
        options["name"] = st.text_input(
            "Name of the area", value=path.stem.replace("_", " "), key="data_area_name"
        )
    return options


def _show_result(pack: Pack, result: upload.UploadResult) -> None:
    st.success(md(result.summary()))
    st.markdown("**Accepted**")
    st.dataframe(result.accepted, hide_index=True, height=min(400, 38 + 35 * len(result.accepted)))
    if len(result.rejected):
        st.markdown("**Not accepted**")
        st.dataframe(result.rejected, hide_index=True)
    if len(result.notes):
        with st.expander(f"Notes ({len(result.notes)})", expanded=True):
            for note in result.notes:
                st.markdown(f"- {md(note.message())}")
    _save_controls(pack, result)


def _save_controls(pack: Pack, result: upload.UploadResult) -> None:
    left, right = st.columns(2)
    with left:
        default = result.pack.name if result.new_pack_only else f"{pack.name} with {Path(result.file).stem}"
        name = st.text_input("Name of the new pack", value=default, key="data_new_name")
        if st.button("Save as a new pack", key="data_save_new"):
            try:
                folder = upload.save_as_new_pack(result.pack, paths.PACKS_DIR, name)
            except (InputError, PackError) as exc:
                st.error(md(exc))
            else:
                _done(f"Saved as a new pack, {name.strip()} (folder {folder.name}).", folder.name)
    with right:
        why = _cannot_add(pack, result)
        if st.button("Add to the current pack", key="data_add", disabled=why is not None):
            try:
                added = upload.add_to_current(pack, result)
            except (InputError, PackError) as exc:
                st.error(md(exc))
            else:
                _done(added.message(pack.name), None, changed=added.redone)
        st.caption(
            why
            or f"Writes over the pack in {md_code(pack.path.name if pack.path else '')}; a failed save leaves it as "
            "it was, and if someone else saved it since you checked, your file is added to their version."
        )


def _cannot_add(pack: Pack, result: upload.UploadResult) -> str | None:
    if pack.is_demo:
        return "The fictional demo pack cannot be changed: save as a new pack instead."
    if result.new_pack_only:
        return "New ward boundaries make a pack of their own: save as a new pack instead."
    return None


def _done(message: str, new_folder: str | None, *, changed: bool = False) -> None:
    """Forget the upload, remember what was saved, and rerun so the sidebar and caches see it.

    ``changed``: the pack had been saved by someone else since the Check, and the file was
    added to the pack as it is now (said differently on the page).
    """
    for key in (RESULT_KEY, UPLOAD_PATH_KEY, UPLOAD_SIG_KEY):
        st.session_state.pop(key, None)
    st.session_state[SAVED_KEY] = (message, new_folder, changed)
    st.rerun()


def saved_message() -> None:
    """After a save: say what happened, and offer to switch to a new pack."""
    saved = st.session_state.get(SAVED_KEY)
    if not saved:
        return
    message, folder, changed = (*saved, False)[:3]
    if changed:
        st.info(md(message), icon=":material/sync:")
    else:
        st.success(md(message))
    if folder and st.session_state.get(state.PACK_KEY) != folder:
        st.button(
            "Switch to the new pack", key="data_switch_new", on_click=_switch_and_forget, args=(folder,)
        )


def _switch_and_forget(folder: str) -> None:
    _switch_to(folder)
    st.session_state.pop(SAVED_KEY, None)


# --- templates ------------------------------------------------------------------------------------
def templates() -> None:
    """A download button and the column meanings for each CSV template."""
    for kind, spec in upload.UPLOAD_KINDS.items():
        path = upload.template_path(kind)
        if path is None or not path.exists():
            continue
        st.markdown(f"**{md(spec.label)}** — {md_code(path.name)}")
        st.download_button(
            f"Download {md(path.name)}",
            path.read_bytes(),
            file_name=path.name,
            mime="text/csv",
            key=f"tpl|{kind}",
        )
        st.table(md_table(upload.template_columns(kind).set_index("Column")))
