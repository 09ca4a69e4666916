"""The export panel: a print-ready file of what the page shows, with a preview and its alt text."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from sector_map.export import maps as export
from sector_map.export import tables as table_export
from sector_map.pack.io import Pack
from ui import widgets
from ui.text import md

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
PREVIEW_DPI = 60


def panel(
    name: str,
    make: Callable[[export.ExportOptions], tuple[bytes, str]],
    *,
    file_stem: str,
    organisations: bool = True,
) -> None:
    """Options, a button that renders the file, a preview, the alt text and the download.

    ``make`` turns options into (file bytes, alt text); it is only called when asked, since a
    300 dpi page takes about a second. ``organisations=False`` leaves out the "Show organisations as
    points" choice, for files that draw no organisations.
    """
    box = widgets.lazy_expander(
        f"Export this {md(name)} for a report", f"ex_open|{name}", icon=":material/download:"
    )
    if box.open:
        with box:
            _form(name, make, file_stem, organisations)


def _form(
    name: str, make: Callable[[export.ExportOptions], tuple[bytes, str]], file_stem: str, organisations: bool
) -> None:
    c1, c2, c3 = st.columns(3)
    fmt = c1.selectbox("Format", export.FORMATS, key=f"ex_fmt|{name}", format_func=str.upper)
    paper = c2.selectbox("Paper", tuple(export.PAPER), key=f"ex_paper|{name}", format_func=str.upper)
    orientation = c3.selectbox(
        "Orientation",
        export.ORIENTATIONS,
        index=export.ORIENTATIONS.index(export.ExportOptions().orientation),
        key=f"ex_orient|{name}",
    )
    title = st.text_input("Title (leave empty for one written from what is shown)", key=f"ex_title|{name}")
    subtitle = st.text_input("Subtitle (leave empty for the automatic one)", key=f"ex_subtitle|{name}")
    orgs = organisations and st.checkbox("Show organisations as points", key=f"ex_orgs|{name}")
    options = export.ExportOptions(
        paper=paper,
        orientation=orientation,
        fmt=fmt,
        title=title or None,
        subtitle=subtitle or None,
        show_organisations=orgs,
    )
    held_key = f"ex_result|{name}"
    if st.button("Make the file", key=f"ex_make|{name}", type="primary"):
        with st.spinner(f"Drawing the {paper.upper()} {orientation} {fmt.upper()}…"):
            data, alt = make(options)
            preview = data
            if fmt != "png":
                preview, _ = make(
                    export.ExportOptions(
                        paper=paper,
                        orientation=orientation,
                        fmt="png",
                        title=title or None,
                        subtitle=subtitle or None,
                        show_organisations=orgs,
                        dpi=PREVIEW_DPI,
                    )
                )
        st.session_state[held_key] = (options, data, alt, preview)
    held = st.session_state.get(held_key)
    if held and held[0] == options:
        _, data, alt, preview = held
        st.image(preview, caption="Preview", width="stretch")
        st.markdown(f"**Alt text** (also in the file's metadata): {md(alt)}")
        st.download_button(
            f"Download {fmt.upper()} ({len(data) / 1000:,.0f} KB)",
            data,
            file_name=f"{file_stem}.{fmt}",
            mime=MIME[fmt],
            key=f"ex_download|{name}",
        )
    elif held:
        st.caption("The options changed: make the file again.")


def table_downloads(
    pack: Pack,
    sheets: dict[str, pd.DataFrame],
    *,
    title: str,
    file_stem: str,
    key: str,
    about: list[tuple[str, str]] | None = None,
) -> None:
    """CSV (of the first table) and XLSX (all tables, with an About sheet of sources and any
    ``about`` rows, e.g. :func:`sector_map.export.tables.need_about_rows`) side by side.

    The files are written when a button is clicked, not on every rerun: an XLSX of England's
    7,000 wards takes seconds to write.
    """
    first = next(iter(sheets.values()))
    c1, c2, _ = st.columns([1, 1, 2])
    c1.download_button(
        "Download CSV",
        lambda: table_export.to_csv(first),
        file_name=f"{file_stem}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",  # no rerun: a second download can follow at once
    )
    c2.download_button(
        "Download Excel (XLSX)",
        lambda: table_export.to_xlsx(sheets, title=title, pack=pack, about=about or ()),
        file_name=f"{file_stem}.xlsx",
        mime=XLSX_MIME,
        key=f"{key}_xlsx",
        on_click="ignore",  # no rerun: a second download can follow at once
    )
