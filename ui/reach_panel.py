"""Our reach page: the file, the choices, the summary, the map, the charts, the tables and exports.

The uploaded file stays in Streamlit's in-memory upload store and is read from bytes on each run;
only the counts by LSOA that reading leaves (no postcode) are kept in the session. Nothing here is
cached with ``st.cache_*``, so no postcode reaches a cache.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from sector_map.pack import schema as s
from sector_map.pack.errors import InputError
from sector_map.pack.io import Pack
from sector_map.reach import beneficiaries, catchment, display, generate, report
from sector_map.reach import columns as columns_roles
from sector_map.views import web_map
from ui import cache, ward_map
from ui.text import md

FILE_KEY = "reach_file"
EXAMPLE_KEY = "reach_example"
MAX_UPLOAD_MB = 50
EXAMPLE_BIAS = 0.5
EXAMPLE_PEOPLE = 2000


@dataclass(frozen=True)
class Source:
    data: bytes
    name: str
    example: bool


def choose_source(pack: Pack) -> Source | None:
    """The uploaded file, or the fictional example the user asked for."""
    left, right = st.columns([3, 2])
    uploaded = left.file_uploader(
        "Your beneficiaries (CSV or Excel)",
        type=["csv", "xlsx", "txt"],
        max_upload_size=MAX_UPLOAD_MB,
        key=FILE_KEY,
        help=(
            "One postcode per person or contact (with optional count, date and service columns), or "
            "counts by postcode, postcode sector, LSOA or ward. Read in memory: postcodes are never saved."
        ),
    )
    with right:
        st.write("No file to hand?")
        if st.button(
            "Try an example",
            help=f"A fictional file of {EXAMPLE_PEOPLE:,} people drawn from the postcodes of {md(pack.name)}, "
            "with the most deprived fifth reached at half the rate of everyone else",
            key="reach_try",
        ):
            st.session_state[EXAMPLE_KEY] = generate.example_file(
                pack, n=EXAMPLE_PEOPLE, bias=EXAMPLE_BIAS, seed=1
            )
    if uploaded is not None:
        st.session_state.pop(EXAMPLE_KEY, None)
        return Source(uploaded.getvalue(), uploaded.name, example=False)
    example = st.session_state.get(EXAMPLE_KEY)
    if example is not None:
        where = "the demo's made-up postcodes" if pack.is_demo else "real postcodes"
        st.info(
            f"Showing a **fictional example**: made-up beneficiaries at {where}, with the most "
            "deprived fifth of the area reached at half the rate of everyone else. Upload your own file "
            "to see your reach."
        )
        return Source(example, "example.csv", example=True)
    return None


NOT_USED = "(not used)"
SERVICES_KEY = "reach_services"
DATES_KEY = "reach_dates"


def _mapping_key(source: Source) -> str:
    # A digest of the bytes keys the user's column choices to this file; it is kept in the session
    # only, and a digest cannot be turned back into postcodes.
    return f"reach_mapping|{hashlib.sha256(source.data).hexdigest()}"


def read(pack: Pack, source: Source) -> beneficiaries.BeneficiaryCounts | None:
    """Counts by LSOA from the file (read again on each run, from memory); None if unreadable."""
    mapping = st.session_state.get(_mapping_key(source))
    dates = st.session_state.get(DATES_KEY)
    date_from, date_to = (
        (dates[0], dates[1]) if isinstance(dates, (tuple, list)) and len(dates) == 2 else (None, None)
    )
    try:
        return beneficiaries.read_beneficiaries(
            source.data,
            source.name,
            pack,
            mapping=mapping,
            services=st.session_state.get(SERVICES_KEY) or None,
            date_from=date_from,
            date_to=date_to,
        )
    except (InputError, ValueError) as exc:
        st.error(md(str(exc)))
        columns(source, None)
        return None


def columns(source: Source, counts: beneficiaries.BeneficiaryCounts | None) -> None:
    """Which column holds what: filled in from the headers, changed by the user."""
    # A file read once already has its headers; only an unreadable one is opened again for them.
    names = counts.headers if counts is not None else beneficiaries.file_columns(source.data, source.name)
    if not names:
        return
    used = dict(counts.columns) if counts is not None else {}
    with st.expander("Columns: which holds what", expanded=counts is None):
        st.caption("Filled in from the column names. Change a choice if it is wrong.")
        chosen: dict[str, str | None] = {}
        cols = st.columns(4)
        for i, (role, label) in enumerate(columns_roles.ROLE_LABELS.items()):
            options = [NOT_USED, *names]
            current = used.get(role)
            pick = cols[i % 4].selectbox(
                label,
                options,
                index=options.index(current) if current in options else 0,
                key=f"reach_role|{role}|{_mapping_key(source)}",
            )
            chosen[role] = None if pick == NOT_USED else pick
        before = st.session_state.get(
            _mapping_key(source), {r: used.get(r) for r in columns_roles.ROLE_LABELS}
        )
        if chosen != before:  # once stored, the same choices do not rerun again
            st.session_state[_mapping_key(source)] = chosen
            st.rerun()


def filters(counts: beneficiaries.BeneficiaryCounts) -> None:
    """Only some services, or a period, when the file has those columns."""
    if not counts.services and counts.date_range == (None, None):
        return
    c1, c2 = st.columns(2)
    if counts.services:
        c1.multiselect("Only these services (none chosen: all)", counts.services, key=SERVICES_KEY)
    first, last = counts.date_range
    if first is not None and last is not None and first < last:
        c2.date_input(
            "Only people seen between", (first, last), min_value=first, max_value=last, key=DATES_KEY
        )


def options(pack: Pack) -> tuple[str, catchment.Catchment] | None:
    """The domain of deprivation and the catchment."""
    have = report.domains(pack)
    c1, c2 = st.columns(2)
    domain = c1.selectbox(
        "Compare with deprivation in",
        list(have),
        format_func=lambda d: have[d],
        key="reach_domain",
        help="A hospice might pick Health; a debt advice service Income.",
    )
    kinds = {
        catchment.WHOLE: f"the whole of {pack.name}",
        catchment.WARDS: "the wards we work in",
        catchment.RADIUS: "a distance from our base",
    }
    kind = c2.selectbox(
        "Who you mean to reach: residents of", list(kinds), format_func=kinds.get, key="reach_catchment"
    )
    try:
        if kind == catchment.WARDS:
            names = cache.ward_names(cache.pack_key(pack))
            picked = st.multiselect(
                "Wards", list(names), format_func=lambda c: names.get(c, c), key="reach_wards"
            )
            if not picked:
                st.caption("Pick the wards you work in.")
                return None
            return domain, catchment.of_wards(pack, picked)
        if kind == catchment.RADIUS:
            r1, r2 = st.columns(2)
            postcode = r1.text_input("Your base postcode", key="reach_base")
            km = r2.number_input("Distance (km)", 0.5, catchment.MAX_RADIUS_KM, 3.0, 0.5, key="reach_km")
            if not postcode.strip():
                st.caption("Give your base postcode.")
                return None
            return domain, catchment.within_radius(pack, float(km), postcode)
        return domain, catchment.whole(pack)
    except ValueError as exc:
        st.error(md(str(exc)))
        return None


def accounting(counts: beneficiaries.BeneficiaryCounts) -> None:
    lines = report.accounting_lines(counts)
    st.caption(" ".join(md(x) for x in lines))
    if counts.problems:
        with st.expander("Rows that could not be used"):
            for p in counts.problems:
                st.write(md(p))
    for note in counts.method:
        st.caption(md(note))


def summary(rep: report.Report) -> None:
    st.subheader("In short")
    for line in rep.summary:
        st.markdown(md(line))
    st.caption(md(f"Residents of {rep.catchment.words}; deprivation: {rep.domain_label}. {rep.rule}"))


def ratio_map(pack: Pack, rep: report.Report) -> None:
    key = cache.pack_key(pack)
    wards = rep.wards.set_index(s.WARD_CODE)
    classes = display.ratio_classes(wards)
    state = web_map.ward_state(
        cache.ward_geometry(key),
        pd.to_numeric(wards["ratio"].where(wards["ratio"].map(display.is_number)), errors="coerce"),
        classes,
        list(display.RATIO_COLOURS),
        label="Reach against population (ratio)",
        value_format=lambda v: f"{v:.2f}",
    )
    texts = display.ward_texts(wards)
    codes = list(cache.ward_geometry(key).codes)
    state["text"] = [str(texts.get(c, "no data")) for c in codes]
    ward_map.ward_map(pack, key, state, map_key=f"reach_map_{pack.path.name}", on_ward=lambda _: None)
    rows = "".join(
        f'<div><span style="display:inline-block;width:14px;height:14px;background:{e.colour};'
        f'border:1px solid #999;margin-right:6px;vertical-align:middle"></span>{md(e.label)} ({e.count})</div>'
        for e in display.legend_entries(classes)
    )
    st.markdown(
        f'<div style="font-size:0.85rem"><b>Reach against population</b>{rows}'
        f'<div style="color:#555">Grey and dashed: {display.HIDDEN_TEXT}, or {display.OUTSIDE_TEXT}.</div></div>',
        unsafe_allow_html=True,
    )


def charts(rep: report.Report) -> None:
    left, right = st.columns(2)
    with left:
        st.markdown(f"**By national decile of {md(rep.domain_label)}**")
        st.plotly_chart(display.decile_figure(rep.deciles), key="reach_deciles")
    with right:
        st.markdown("**Concentration curve**")
        if rep.curve is None:
            st.caption(
                "Not drawn: it needs every local fifth's count to be shown (10 or more beneficiaries in "
                "each), and at least five neighbourhoods in the catchment."
            )
        else:
            words = report.concentration_words(rep.result.concentration)
            st.plotly_chart(display.concentration_figure(rep.curve), key="reach_curve")
            st.caption(md(words))


def tables(rep: report.Report) -> None:
    st.subheader("Where need is high and reach is low")
    if rep.priority.empty:
        st.write(
            "No ward in the catchment has both high need (a fifth or more of residents in England's most "
            "deprived 20% of neighbourhoods) and reach clearly below what its population would give."
        )
    else:
        st.caption(
            "Wards where a fifth or more of residents live in England's most deprived 20% of neighbourhoods "
            "on this domain, and reach is clearly (95%) below what population alone would give; neediest first."
        )
        st.dataframe(display.words_table(rep.priority), hide_index=True, width="stretch")
    st.subheader("The tables")
    st.caption(md(rep.rule))
    tabs = st.tabs(["By national decile", "By local fifth", "By ward"])
    tabs[0].dataframe(display.words_table(rep.deciles), hide_index=True, width="stretch")
    tabs[1].dataframe(display.words_table(rep.quintiles), hide_index=True, width="stretch")
    tabs[2].dataframe(
        display.words_table(rep.wards.drop(columns=[s.WARD_CODE])), hide_index=True, width="stretch"
    )


def exports(pack: Pack, rep: report.Report) -> None:
    """Print-ready files of the map and charts, and the protected tables as CSV and Excel."""
    from sector_map.reach import prints
    from ui import export_panel

    st.subheader("Export")
    stem = f"our-reach-{pack.path.name if pack.path else 'pack'}"
    names = {"map": "reach map", "deciles": "decile chart", "curve": "concentration curve"}
    for chart, name in names.items():
        export_panel.panel(
            name,
            lambda options, chart=chart: prints.make(pack, rep, chart, options),
            file_stem=f"{stem}-{chart}",
            organisations=False,
        )
    export_panel.table_downloads(
        pack,
        report.export_sheets(rep),
        title=f"Our reach in {pack.name}",
        file_stem=stem,
        key="reach",
        about=report.about_rows(rep),
    )
    st.caption(md(f"The files hold only the tables above, with small numbers protected. {rep.rule}"))
