"""All app caching in one place. Cached functions take small hashable keys (pack path + version).

``st.cache_resource`` objects are shared across sessions: callers must never mutate them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from sector_map.analysis import need
from sector_map.pack.io import Pack, load_pack, pack_version

if TYPE_CHECKING:  # imported where used, so the app starts without them
    from sector_map.analysis.matching import FitResult, Offer
    from sector_map.analysis.partners import Consortium, Partners
    from sector_map.analysis.provision import ProvisionResult


@st.cache_resource(show_spinner="Loading the data pack…", max_entries=8)
def _load(path: str, version: str) -> Pack:
    return load_pack(path)


def get_pack(path: Path) -> Pack:
    """The validated pack at ``path`` (re-read when its files change). Shared: do not mutate."""
    return _load(str(path), pack_version(path))


def pack_key(pack: Pack) -> tuple[str, str]:
    return (str(pack.path), pack_version(pack.path))


@st.cache_data(show_spinner=False, max_entries=32)
def need_table(key: tuple[str, str], method: str) -> pd.DataFrame:
    """0–100 need scores, wards × indicators, for the pack named by ``key``."""
    pack = _load(*key)
    return need.need_score_table(pack.indicator_wide(), pack.indicator_meta, method=method)


@st.cache_resource(show_spinner=False, max_entries=8)
def ward_labels(key: tuple[str, str]) -> Mapping[str, str]:
    """'Name (code)' per ward code, in label order (sector_map.views.summaries.ward_labels);
    read-only, shared across sessions."""
    from sector_map.views.summaries import ward_labels as labels

    return MappingProxyType(labels(_load(*key).wards))


@st.cache_data(show_spinner=False, max_entries=8)
def indicator_table(key: tuple[str, str]) -> pd.DataFrame:
    """Raw indicator values, wards × indicators."""
    return _load(*key).indicator_wide()


@st.cache_resource(show_spinner=False, max_entries=8)
def simplified_wards(key: tuple[str, str]):
    """Ward boundaries simplified for drawing (shared read-only across sessions)."""
    from sector_map.views.maps import simplify_wards

    return simplify_wards(_load(*key).wards)


@st.cache_resource(show_spinner=False, max_entries=8)
def ward_geometry(key: tuple[str, str]):
    """The ward geometry file the map component fetches (sector_map.views.web_map.ward_geometry)."""
    from sector_map.views.web_map import ward_geometry as geometry

    return geometry(simplified_wards(key))


@st.cache_resource(show_spinner=False, max_entries=8)
def organisation_wards(key: tuple[str, str]):
    """Position of each organisation's ward in the pack's wards (-1: none); read-only numpy array."""
    from sector_map.views.web_map import ward_of_points

    pack = _load(*key)
    out = ward_of_points(pack.wards, pack.organisations)
    out.setflags(write=False)
    return out


@st.cache_data(show_spinner="Working out provision…", max_entries=64)
def provision(
    key: tuple[str, str], themes: tuple[str, ...], radius_km: float, decay: str, own_radius: bool
) -> ProvisionResult:
    """Provision per ward for services of any of ``themes`` (see sector_map.analysis.provision)."""
    from sector_map.analysis.provision import ProvisionOptions, provision_table

    options = ProvisionOptions(radius_km=radius_km, decay=decay, own_radius=own_radius)
    return provision_table(_load(*key), list(themes), options=options)


@st.cache_data(show_spinner="Working out need and gaps for every theme…", max_entries=16)
def need_and_gaps(key: tuple[str, str], radius_km: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Need index and gap score, wards × themes (see sector_map.analysis.tables.need_and_gap_by_theme)."""
    from sector_map.analysis.provision import ProvisionOptions
    from sector_map.analysis.tables import need_and_gap_by_theme

    pack = _load(*key)
    return need_and_gap_by_theme(
        pack, options=ProvisionOptions(radius_km=radius_km), scores=need_table(key, need.BY_RANK)
    )


@st.cache_data(show_spinner=False, max_entries=64)
def fit(key: tuple[str, str], offer: Offer, radius_km: float) -> FitResult:
    """Wards ranked for an offer (sector_map.analysis.matching.rank_wards_for_offer), cached per
    pack, offer and catchment (an offer is a small frozen record)."""
    from sector_map.analysis import matching

    need_frame, gap_frame = need_and_gaps(key, radius_km)
    return matching.rank_wards_for_offer(_load(*key), offer, need=need_frame, gap=gap_frame)


@st.cache_data(show_spinner=False, max_entries=64)
def partners_and_overlap(key: tuple[str, str], offer: Offer) -> Partners:
    """Possible partners and overlap for an offer (sector_map.analysis.partners), cached per pack and offer."""
    from sector_map.analysis import partners
    from sector_map.analysis.provision import DEFAULT_RADIUS_KM

    need_frame, _ = need_and_gaps(key, float(DEFAULT_RADIUS_KM))
    return partners.partners_and_overlap(_load(*key), offer, need=need_frame)


@st.cache_data(show_spinner=False, max_entries=64)
def consortium(key: tuple[str, str], ward: str, themes: tuple[str, ...]) -> Consortium:
    """A possible consortium for a ward's themes (sector_map.analysis.partners), cached."""
    from sector_map.analysis import partners

    return partners.consortium(_load(*key), ward, list(themes))
