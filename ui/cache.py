"""All app caching in one place. Cached functions take small hashable keys (pack path + version).

``st.cache_resource`` objects are shared across sessions: callers must never mutate them.

With the live directory on, the pack is the published one with the approved listings laid over it
(:func:`with_directory`); its key's version is the pack's version plus ``+directory:STAMP``
(:func:`sector_map.directory.overlay.stamp`: how many approved listings, the last change, today),
so results with and without the directory never mix, and an approval gives every session a new key
on its next rerun. What depends on the wards and indicators alone is shared by both
(:func:`published_key`).
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeVar

import pandas as pd
import streamlit as st

from sector_map.analysis import need
from sector_map.pack.io import Pack, load_pack, pack_version

if TYPE_CHECKING:  # imported where used, so the app starts without them
    from sector_map.analysis.gaps import GapResult
    from sector_map.analysis.matching import FitResult, Offer
    from sector_map.analysis.partners import Consortium, Partners
    from sector_map.analysis.provision import ProvisionResult
    from sector_map.directory.overlay import Overlay

T = TypeVar("T")


@st.cache_resource(show_spinner="Loading the data pack…", max_entries=8)
def _load(path: str, version: str) -> Pack:
    return load_pack(path)


def get_pack(path: Path, *, warm: bool = True) -> Pack:
    """The validated pack at ``path`` (re-read when its files change). Shared: do not mutate.

    Opening a pack starts warming its per-pack results in the background, once per pack
    (sector_map.analysis.warm), so the Gaps page, Where we fit and the Ward profile find them ready;
    ``warm=False`` leaves that to the caller (the sidebar warms the pack the pages will read: with
    the live directory over it, that is another pack).
    """
    from sector_map.analysis import warm as warming

    pack = _load(str(path), pack_version(path))
    if warm:
        warming.start(pack)
    return pack


PREPARING = (
    "Preparing {what} for {name}: this happens once per pack (and once per approval in the live "
    "directory) and is then shared by every page and user…"
)


def prepared(pack: Pack, what: str, done: bool, work: Callable[[], T]) -> T:
    """``work()``, under a spinner saying what is being prepared once per pack unless ``done``."""
    if done:
        return work()
    with st.spinner(PREPARING.format(what=what, name=pack.name)):
        return work()


def theme_gaps(key: tuple[str, str], radius_km: float | None = None) -> Mapping[str, GapResult]:
    """Gap tables of every theme with indicators, default weights (sector_map.analysis.tables.theme_gaps):
    one computation per pack and catchment, kept with the pack and shared by Where we fit and the
    Ward profile. Shared: do not mutate."""
    from sector_map.analysis import tables, warm
    from sector_map.analysis.places import places
    from sector_map.analysis.provision import ProvisionOptions

    pack = pack_for(key)
    options = ProvisionOptions() if radius_km is None else ProvisionOptions(radius_km=radius_km)

    def work() -> Mapping[str, GapResult]:
        gaps = tables.theme_gaps(pack, options=options)
        places(pack).warm()  # the organisation indexes Where we fit and the Ward profile read next
        return gaps

    return prepared(pack, "need and gaps for every theme", warm.ready(pack, options), work)


DIRECTORY_MARK = "+directory:"


def pack_key(pack: Pack) -> tuple[str, str]:
    """(path, version) naming the pack in every cache; an overlaid pack's version names the directory too."""
    version = pack_version(pack.path)
    return (str(pack.path), f"{version}{DIRECTORY_MARK}{pack.overlay}" if pack.overlay else version)


def published_key(key: tuple[str, str]) -> tuple[str, str]:
    """The key of the published pack under ``key`` (the same wards and indicators)."""
    return (key[0], key[1].split(DIRECTORY_MARK, 1)[0])


def pack_for(key: tuple[str, str]) -> Pack:
    """The pack a key names: the published pack, or the published pack with the directory over it."""
    path, version = key
    base, mark, stamp = version.partition(DIRECTORY_MARK)
    return _overlay_named(path, base, stamp).pack if mark else _load(path, version)


# One overlay per pack is kept: the latest stamp's. Each overlay keeps its own per-pack results
# (the provision context, need and gaps...), which on a national pack weigh as much as the pack, so
# when a newer stamp arrives the older overlay leaves the cache and its warm-up stops
# (:func:`_retire`). A session still on the older stamp for this run keeps it through its own
# reference (``_ALIVE`` finds it by its stamp): its results never mix with the newer listings.
# The first overlay of a pack is warmed in full, as opening any pack is; a later one (an approval)
# of a national pack warms only what the Gaps page needs (sector_map.analysis.warm.lazily).
_ALIVE: weakref.WeakValueDictionary[tuple[str, str, str], Overlay] = weakref.WeakValueDictionary()
_LATEST: dict[tuple[str, str], str] = {}  # (path, version) -> the latest stamp seen
_MADE: set[tuple[str, str]] = set()  # packs an overlay was made for: the first one is warmed in full
_GUARD = threading.Lock()


def _overlay_named(path: str, version: str, stamp: str) -> Overlay:
    """The overlay of a stamp: the one a session still holds, else the cached (or a new) one."""
    alive = _ALIVE.get((path, version, stamp))
    if alive is not None:
        return alive
    made = _overlaid(path, version, stamp)
    _ALIVE[(path, version, stamp)] = made
    return made


def _latest(path: str, version: str, stamp: str) -> None:
    """Record ``stamp`` as the pack's latest and retire the overlay of the stamp before it."""
    with _GUARD:
        before = _LATEST.get((path, version))
        _LATEST[(path, version)] = stamp
    if before and before != stamp:
        _retire(path, version, before)


def _retire(path: str, version: str, stamp: str) -> None:
    """Drop a superseded overlay from the cache and stop its warm-up (sessions holding it keep it)."""
    from sector_map.analysis import warm

    _overlaid.clear(path, version, stamp)
    old = _ALIVE.get((path, version, stamp))
    if old is not None:
        warm.stop(old.pack)


@st.cache_resource(show_spinner="Adding the live directory's listings…", max_entries=2)
def _overlaid(path: str, version: str, stamp: str) -> Overlay:
    """The published pack with the directory's approved listings over it, built once per pack and
    directory stamp and shared by every session (do not mutate)."""
    from sector_map.analysis import warm
    from sector_map.directory import overlay
    from ui.directory import store

    made = overlay.overlay(
        _load(path, version), overlay.listings(store().services(include_defunct=False)), stamp=stamp
    )
    with _GUARD:
        if (path, version) in _MADE:  # an approval's overlay: a national one warms the Gaps page's part
            warm.lazily(made.pack)
        _MADE.add((path, version))
    return made


def with_directory(pack: Pack) -> Overlay:
    """The published ``pack`` with the live directory's approved listings over it (the pack itself,
    with nothing added, when there are none: one small query)."""
    from sector_map.directory import overlay
    from ui.directory import database_url, store

    stamp = overlay.stamp(store())
    path, version = str(pack.path), pack_version(pack.path)
    if not stamp:
        _latest(path, version, "")  # every listing withdrawn: the last overlay goes too
        return overlay.Overlay(pack)
    where = hashlib.sha1(database_url().encode()).hexdigest()[:8]  # two databases never share a stamp
    stamp = f"{stamp}@{where}"
    _latest(path, version, stamp)
    return _overlay_named(path, version, stamp)


def need_table(key: tuple[str, str], method: str) -> pd.DataFrame:
    """See :func:`_need_table`; the same for a pack with or without the directory."""
    return _need_table(published_key(key), method)


@st.cache_data(show_spinner=False, max_entries=32)
def _need_table(key: tuple[str, str], method: str) -> pd.DataFrame:
    """0–100 need scores, wards × indicators, for the pack named by ``key``."""
    pack = pack_for(key)
    return need.need_score_table(pack.indicator_wide(), pack.indicator_meta, method=method)


def ward_labels(key: tuple[str, str]) -> Mapping[str, str]:
    """See :func:`_ward_labels`; the same for a pack with or without the directory."""
    return _ward_labels(published_key(key))


@st.cache_resource(show_spinner=False, max_entries=8)
def _ward_labels(key: tuple[str, str]) -> Mapping[str, str]:
    """'Name (code)' per ward code, in label order (sector_map.views.summaries.ward_labels);
    read-only, shared across sessions."""
    from sector_map.views.summaries import ward_labels as labels

    return MappingProxyType(labels(pack_for(key).wards))


def wards_by_authority(key: tuple[str, str]) -> Mapping[str, tuple[str, Mapping[str, str]]]:
    """See :func:`_wards_by_authority`; the same for a pack with or without the directory."""
    return _wards_by_authority(published_key(key))


@st.cache_resource(show_spinner=False, max_entries=8)
def _wards_by_authority(key: tuple[str, str]) -> Mapping[str, tuple[str, Mapping[str, str]]]:
    """Ward labels grouped by local authority (sector_map.views.summaries.wards_by_authority);
    read-only, shared across sessions."""
    from sector_map.views.summaries import wards_by_authority as groups

    return MappingProxyType(
        {la: (name, MappingProxyType(labels)) for la, (name, labels) in groups(pack_for(key).wards).items()}
    )


def indicator_table(key: tuple[str, str]) -> pd.DataFrame:
    """See :func:`_indicator_table`; the same for a pack with or without the directory."""
    return _indicator_table(published_key(key))


@st.cache_data(show_spinner=False, max_entries=8)
def _indicator_table(key: tuple[str, str]) -> pd.DataFrame:
    """Raw indicator values, wards × indicators."""
    return pack_for(key).indicator_wide()


def simplified_wards(key: tuple[str, str]):
    """See :func:`_simplified_wards`; the same for a pack with or without the directory."""
    return _simplified_wards(published_key(key))


@st.cache_resource(show_spinner=False, max_entries=8)
def _simplified_wards(key: tuple[str, str]):
    """Ward boundaries simplified for drawing (shared read-only across sessions)."""
    from sector_map.views.maps import simplify_wards

    return simplify_wards(pack_for(key).wards)


def ward_geometry(key: tuple[str, str]):
    """See :func:`_ward_geometry`; the same for a pack with or without the directory."""
    return _ward_geometry(published_key(key))


@st.cache_resource(show_spinner=False, max_entries=8)
def _ward_geometry(key: tuple[str, str]):
    """The ward geometry file the map component fetches (sector_map.views.web_map.ward_geometry)."""
    from sector_map.views.web_map import ward_geometry as geometry

    return geometry(simplified_wards(key))


@st.cache_resource(show_spinner=False, max_entries=8)
def organisation_wards(key: tuple[str, str]):
    """Position of each organisation's ward in the pack's wards (-1: none); read-only numpy array."""
    from sector_map.views.web_map import ward_of_points

    pack = pack_for(key)
    out = ward_of_points(pack.wards, pack.organisations)
    out.setflags(write=False)
    return out


@st.cache_resource(show_spinner=False, max_entries=8)
def organisation_main_themes(key: tuple[str, str]):
    """Each organisation's main theme (None if it has none), in the pack's order; read-only."""
    from sector_map.views.summaries import main_themes

    out = main_themes(pack_for(key).organisations)
    out.setflags(write=False)
    return out


def provision(
    key: tuple[str, str], themes: tuple[str, ...], radius_km: float, decay: str, own_radius: bool
) -> ProvisionResult:
    """Provision per ward for services of any of ``themes`` (see sector_map.analysis.provision),
    under a spinner while the pack's theme-independent part for this catchment is prepared."""
    from sector_map.analysis.provision import ProvisionOptions, has_context

    pack = pack_for(key)
    options = ProvisionOptions(radius_km=radius_km, decay=decay, own_radius=own_radius)
    return prepared(
        pack,
        f"the reach of every service ({radius_km:g} km catchment)",
        has_context(pack, options),
        lambda: _provision(key, themes, radius_km, decay, own_radius),
    )


@st.cache_data(show_spinner="Working out provision…", max_entries=64)
def _provision(
    key: tuple[str, str], themes: tuple[str, ...], radius_km: float, decay: str, own_radius: bool
) -> ProvisionResult:
    from sector_map.analysis.provision import ProvisionOptions, provision_table

    options = ProvisionOptions(radius_km=radius_km, decay=decay, own_radius=own_radius)
    return provision_table(pack_for(key), list(themes), options=options)


def need_and_gaps(key: tuple[str, str], radius_km: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Need index and gap score, wards × themes (sector_map.analysis.tables.need_and_gap_by_theme),
    from the gap tables :func:`theme_gaps` shares with the Ward profile."""
    theme_gaps(key, radius_km)  # the spinner, if they are still being prepared
    return _need_and_gaps(key, radius_km)


@st.cache_data(show_spinner=False, max_entries=16)
def _need_and_gaps(key: tuple[str, str], radius_km: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    from sector_map.analysis.provision import ProvisionOptions
    from sector_map.analysis.tables import need_and_gap_by_theme

    return need_and_gap_by_theme(pack_for(key), options=ProvisionOptions(radius_km=radius_km))


@st.cache_data(show_spinner=False, max_entries=64)
def fit(key: tuple[str, str], offer: Offer, radius_km: float) -> FitResult:
    """Wards ranked for an offer (sector_map.analysis.matching.rank_wards_for_offer), cached per
    pack, offer and catchment (an offer is a small frozen record)."""
    from sector_map.analysis import matching

    need_frame, gap_frame = need_and_gaps(key, radius_km)
    return matching.rank_wards_for_offer(pack_for(key), offer, need=need_frame, gap=gap_frame)


@st.cache_data(show_spinner=False, max_entries=64)
def partners_and_overlap(key: tuple[str, str], offer: Offer) -> Partners:
    """Possible partners and overlap for an offer (sector_map.analysis.partners), cached per pack and offer."""
    from sector_map.analysis import partners
    from sector_map.analysis.provision import ProvisionOptions

    need_frame, _ = need_and_gaps(key, float(ProvisionOptions().radius_km))
    return partners.partners_and_overlap(pack_for(key), offer, need=need_frame)


@st.cache_data(show_spinner=False, max_entries=64)
def consortium(key: tuple[str, str], ward: str, themes: tuple[str, ...]) -> Consortium:
    """A possible consortium for a ward's themes (sector_map.analysis.partners), cached."""
    from sector_map.analysis import partners

    return partners.consortium(pack_for(key), ward, list(themes))


@st.cache_data(show_spinner=False, max_entries=8)
def need_about_rows(key: tuple[str, str], themes: tuple[str, ...]) -> list[tuple[str, str]]:
    """The XLSX 'About' rows for themes' default need indexes (sector_map.export.tables.need_about_rows)."""
    from sector_map.export.tables import need_about_rows as rows

    return rows(pack_for(key), themes)


@st.cache_resource(show_spinner=False, max_entries=8)
def ward_names(key: tuple[str, str]) -> Mapping[str, str]:
    """Ward name per ward code, for the directory's pages; read-only, shared across sessions."""
    from sector_map.directory.listings import ward_names as names

    return MappingProxyType(names(pack_for(key)))


@st.cache_resource(show_spinner=False, max_entries=8)
def ward_reach(key: tuple[str, str]):
    """Which wards a directory listing serves (sector_map.directory.listings.WardReach), per pack."""
    from sector_map.directory.listings import WardReach

    return WardReach.from_pack(pack_for(key))
