"""One table of organisations from many sources: merge duplicates, place each one, count what happened.

Sources (the Charity Commission register, a food-bank list, a council's grants...) often list the
same organisation. :func:`combine` merges rows that are the same organisation by, in order of
trust: charity number, company number, org identifier (``GB-CHC-…``/``GB-COH-…`` also give a
charity or company number), the same ``org_id``, and finally the same normalised name at the
same postcode. Matching is transitive: if A and B share a charity number and B and C share a
name and postcode, all three are one organisation.

Name normalisation for that last rule: lower case, "&" → "and", punctuation dropped, and the
words "the", "ltd", "limited", "cio", "cic", "plc", "llp", "inc" and "incorporated" dropped, since
they say what legal form a body has, not which body it is. Words such as "charity", "trust" or
"foundation" are kept: "St Mary's Church" and "St Mary's Church Trust" at the same parish office
are usually two different charities.

Placing: coordinates given in a file win over postcode centroids, and when merged rows give
several postcodes, a site's postcode (say, from a food-bank list) wins over a contact address
(often a trustee's home), whichever source came first. ``location_quality`` is
"site" when the point came from a file's coordinates or a site postcode, "contact address" when
from a contact postcode, and "area only" when there is no point: no postcode, or a postcode not in
the postcode table. A point outside every ward is kept, since a service based just over the border
still reaches the wards beside it: its quality is "site (outside the area)" or "contact address
(outside the area)". Organisations are never dropped for want of a location; "area only" ones get
an empty point.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from sector_map.importers import records as r
from sector_map.importers.ccew import normalise_charity_number
from sector_map.importers.postcodes import geocode, is_postcode, normalise_postcode
from sector_map.importers.tables import Notes, examples
from sector_map.importers.themes_text import zip_reasons
from sector_map.pack import schema as s

__all__ = ["combine", "normalise_company_number", "normalise_name"]

FILE = "organisations"  # how notes name the combined table
_LEGAL_WORDS = {"the", "ltd", "limited", "cio", "cic", "plc", "llp", "inc", "incorporated"}
_INTERNAL = (r.LON, r.LAT, r.LOCATION_HINT)
_SUMMED = (r.GRANTS_TOTAL, r.GRANTS_COUNT)


def normalise_name(values: pd.Series) -> pd.Series:
    """Names reduced for matching (see the module docstring for what is dropped).

    Example:
        >>> normalise_name(pd.Series(["The Hale Food Bank Ltd.", "HALE FOOD-BANK", "St. Ann's Hospice & Care"])).tolist()
        ['hale food bank', 'hale food bank', 'st ann s hospice and care']
    """
    text = values.astype("string").str.lower().str.replace("&", " and ", regex=False)
    words = text.str.replace(r"[^a-z0-9]+", " ", regex=True).str.split()
    out = words.map(
        lambda ws: " ".join(w for w in ws if w not in _LEGAL_WORDS) if isinstance(ws, list) else pd.NA
    )
    return out.astype("string").replace("", pd.NA)  # type: ignore[call-overload]  # pandas-stubs: replace() takes no pd.NA


def normalise_company_number(values: pd.Series) -> pd.Series:
    """Companies House numbers: upper case, no spaces, all-digit numbers padded to 8 digits.

    Example:
        >>> normalise_company_number(pd.Series(["738693", "SC 123456", "00738693", None])).tolist()
        ['00738693', 'SC123456', '00738693', <NA>]
    """
    text = values.astype("string").str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
    text = text.where(~text.str.fullmatch(r"\d{1,8}", na=False), text.str.zfill(8))
    # a string column fills the rest with <NA>
    return text.where(text.str.len() > 0).replace("00000000", pd.NA)  # type: ignore[call-overload]  # pandas-stubs: replace() takes no pd.NA


def _keys(orgs: pd.DataFrame) -> list[pd.Series]:
    ident = orgs[r.ORG_IDENTIFIER].astype("string").str.upper().str.strip()
    charity = normalise_charity_number(orgs[s.CHARITY_NUMBER]).fillna(
        normalise_charity_number(ident.str.extract(r"^GB-CHC-(\d+)$")[0])
    )
    company = normalise_company_number(orgs[r.COMPANY_NUMBER]).fillna(
        normalise_company_number(ident.str.extract(r"^GB-COH-([A-Z0-9]+)$")[0])
    )
    name_pc = normalise_name(orgs[s.ORG_NAME]) + "|" + normalise_postcode(orgs[s.POSTCODE])
    return [charity, company, ident, orgs[s.ORG_ID].astype("string"), name_pc]


def _groups(orgs: pd.DataFrame) -> tuple[np.ndarray, int]:
    """For each row, the position of the first row of its organisation; and the merges refused.

    Two groups are never joined when they carry different charity numbers or different company
    numbers: same name and postcode is weaker evidence than two registrations.
    """
    keys = _keys(orgs)
    parent = np.arange(len(orgs))
    ids = [k.reset_index(drop=True).to_numpy(dtype=object) for k in keys[:2]]
    known = [{i: v for i, v in enumerate(col) if isinstance(v, str)} for col in ids]
    refused = 0

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for key in keys:
        k = key.reset_index(drop=True).dropna()
        first = pd.Series(k.index, index=k.index).groupby(k.to_numpy(), sort=False).transform("first")
        dup = first.to_numpy() != k.index
        for i, f in zip(k.index[dup], first[dup], strict=True):
            a, b = sorted((find(int(i)), find(int(f))))
            if a == b:
                continue
            if any(a in kn and b in kn and kn[a] != kn[b] for kn in known):
                refused += 1
                continue
            parent[b] = a
            for kn in known:
                if a not in kn and b in kn:
                    kn[a] = kn[b]
    return np.array([find(i) for i in range(len(orgs))]), refused


def _ordered_union(lists: Iterable[Iterable[str]], order: dict[str, int]) -> list[str]:
    seen = dict.fromkeys(x for lst in lists for x in lst)
    return sorted(seen, key=lambda x: order.get(x, len(order)))


def _merge_group(rows: pd.DataFrame) -> dict:
    """One record from several rows: first non-empty value wins; lists unioned; grants summed.

    The exception is where it is: a file's coordinates, else a site postcode, else the first postcode.
    """
    out: dict[str, Any] = {}
    for col in rows.columns:
        vals = rows[col]
        if col in r.LIST_COLUMNS:
            continue
        present = vals[vals.notna()]
        out[col] = present.iloc[0] if len(present) else pd.NA
    theme_order = {t: i for i, t in enumerate(s.THEME_IDS)}
    why: dict[str, str] = {}
    for themes, reasons in zip(rows[s.THEMES], rows[r.THEMES_REASON], strict=True):
        for t, reason in zip_reasons(themes, reasons):
            why.setdefault(t, reason)
    out[s.THEMES] = _ordered_union(rows[s.THEMES], theme_order)
    out[r.THEMES_REASON] = "; ".join(why[t] for t in out[s.THEMES] if why.get(t)) or pd.NA
    out[s.CLIENT_GROUPS] = _ordered_union(
        rows[s.CLIENT_GROUPS], {g: i for i, g in enumerate(s.CLIENT_GROUP_IDS)}
    )
    out[r.FUNDERS] = list(dict.fromkeys(f for lst in rows[r.FUNDERS] for f in lst))
    for col in _SUMMED:
        out[col] = rows[col].sum(min_count=1)
    out[r.LATEST_AWARD] = rows[r.LATEST_AWARD].dropna().max() if rows[r.LATEST_AWARD].notna().any() else pd.NA
    out[s.SOURCE] = "; ".join(dict.fromkeys(rows[s.SOURCE].dropna()))
    has_xy = rows[r.LON].notna() & rows[r.LAT].notna()
    if has_xy.any():
        first = rows[has_xy].iloc[0]
        out[r.LON], out[r.LAT], out[r.LOCATION_HINT] = first[r.LON], first[r.LAT], s.LOCATION_SITE
    elif rows[s.POSTCODE].notna().any():
        with_pc = rows[rows[s.POSTCODE].notna()]
        site = with_pc[with_pc[r.LOCATION_HINT] == s.LOCATION_SITE]
        chosen = (site if len(site) else with_pc).iloc[0]
        out[s.POSTCODE], out[r.LOCATION_HINT] = chosen[s.POSTCODE], chosen[r.LOCATION_HINT]
    return out


def _merge(orgs: pd.DataFrame, notes: Notes) -> tuple[pd.DataFrame, dict[str, str]]:
    original_ids = orgs[s.ORG_ID].to_numpy(dtype=object)
    root, refused = _groups(orgs)
    if refused:
        notes.add(
            FILE,
            f"{refused} pairs of rows with the same name and postcode (or identifier) have different "
            "charity or company numbers, so they were kept as separate organisations",
        )
    survivor_ids = orgs[s.ORG_ID].to_numpy(dtype=object)[root].copy()
    firsts = np.array(list(dict.fromkeys(root)), dtype=int)
    seen: dict[str, int] = {}
    for pos in firsts:  # org_ids kept apart (e.g. refused merges) must still be unique
        oid = survivor_ids[pos]
        seen[oid] = seen.get(oid, 0) + 1
        if seen[oid] > 1:
            survivor_ids[root == pos] = f"{oid}-{seen[oid]}"
    orgs = orgs.copy()
    orgs[s.ORG_ID] = survivor_ids
    id_map = dict(zip(original_ids, survivor_ids, strict=True))
    out = orgs.iloc[firsts].reset_index(drop=True)
    sizes = pd.Series(root).value_counts()
    for pos in sizes[sizes > 1].index:
        row = int(np.flatnonzero(firsts == pos)[0])
        for col, value in _merge_group(orgs.iloc[np.flatnonzero(root == pos)]).items():
            out.at[row, col] = value
    return r.raw_org_frame(out), id_map


def _place(
    orgs: pd.DataFrame, postcodes: pd.DataFrame | None, wards: gpd.GeoDataFrame, notes: Notes
) -> tuple[gpd.GeoSeries, pd.Series, dict]:
    n = len(orgs)
    lon = orgs[r.LON].to_numpy(dtype="float64").copy()
    lat = orgs[r.LAT].to_numpy(dtype="float64").copy()
    from_file = ~np.isnan(lon) & ~np.isnan(lat)
    hint = orgs[r.LOCATION_HINT].fillna(s.LOCATION_CONTACT).to_numpy(dtype=object)
    quality = np.where(from_file, s.LOCATION_SITE, s.LOCATION_AREA_ONLY).astype(object)
    has_pc = orgs[s.POSTCODE].notna().to_numpy() & ~from_file
    pc_ward = pd.Series(pd.NA, index=orgs.index, dtype="string")
    not_found = np.zeros(n, dtype=bool)
    if postcodes is not None and has_pc.any():
        got = geocode(orgs[s.POSTCODE], postcodes)
        found = got["found"].to_numpy() & has_pc
        lon[found], lat[found] = got["lon"].to_numpy()[found], got["lat"].to_numpy()[found]
        quality[found] = np.where(hint[found] == s.LOCATION_SITE, s.LOCATION_SITE, s.LOCATION_CONTACT)
        not_found = has_pc & ~found
        if s.WARD_CODE in got.columns:
            pc_ward = got[s.WARD_CODE].astype("string").where(found)
    elif has_pc.any():
        notes.add(
            FILE,
            f"{int(has_pc.sum())} organisations have a postcode but no postcode file was given; "
            "they are placed as 'area only'",
            column=s.POSTCODE,
        )
    malformed = not_found & ~is_postcode(orgs[s.POSTCODE]).to_numpy()
    if malformed.any():
        notes.add(
            FILE,
            f"{int(malformed.sum())} postcodes are not UK postcodes at all (a typo, or another field in the "
            "postcode column); those organisations are kept as 'area only': "
            f"{examples(orgs.loc[malformed, s.POSTCODE].unique())}",
            column=s.POSTCODE,
        )
    elsewhere = not_found & ~malformed
    if elsewhere.any():
        missing = orgs.loc[elsewhere, s.POSTCODE]
        notes.add(
            FILE,
            f"{int(elsewhere.sum())} postcodes are not in the postcode file, though well formed (often "
            f"addresses outside the area the file covers, or postcodes no longer in use); those organisations are kept as 'area only': "
            f"{examples(missing.unique())}",
            column=s.POSTCODE,
        )

    located = ~np.isnan(lon) & ~np.isnan(lat)
    points = gpd.GeoSeries(
        [Point(x, y) if ok else Point() for x, y, ok in zip(lon, lat, located, strict=True)],
        index=orgs.index,
        crs=s.PACK_CRS,
    )
    wards = wards.to_crs(s.PACK_CRS)
    inside = np.zeros(n, dtype=bool)
    if located.any():
        hits = gpd.sjoin(
            gpd.GeoDataFrame(geometry=points[located]),
            wards[["geometry"]],
            how="inner",
            predicate="intersects",
        )
        inside[np.flatnonzero(located)[np.isin(points.index[located], hits.index)]] = True
    if s.WARD_CODE in wards.columns:  # a postcode the table puts in one of our wards is inside
        inside |= located & pc_ward.isin(set(wards[s.WARD_CODE].astype(str))).to_numpy()
    outside = located & ~inside
    if outside.any():
        kinds = pd.Series(quality[outside]).value_counts()
        what = ", ".join(f"{k} {v}" for v, k in kinds.items())
        notes.add(
            FILE,
            f"{int(outside.sum())} organisations have a point outside every ward ({what}); "
            "their point is kept (a service based just over the border still reaches the wards "
            "beside it) and marked '(outside the area)': "
            f"{examples(orgs.loc[outside, s.ORG_NAME].fillna(orgs.loc[outside, s.ORG_ID]))}",
        )
        quality[outside] = [s.OUTSIDE_OF[q] for q in quality[outside]]
    stats = {"postcode_not_found": int(not_found.sum()), "outside_area": int(outside.sum())}
    return points, pd.Series(quality, index=orgs.index, dtype="string"), stats


def _services(
    services: pd.DataFrame, id_map: dict[str, str], orgs: gpd.GeoDataFrame, notes: Notes
) -> pd.DataFrame:
    sv = r.raw_service_frame(services)
    sv[s.ORG_ID] = sv[s.ORG_ID].map(lambda o: id_map.get(o, o) if isinstance(o, str) else o).astype("string")
    orphan = ~sv[s.ORG_ID].isin(set(orgs[s.ORG_ID]))
    if orphan.any():
        notes.add(
            FILE,
            f"{int(orphan.sum())} services belong to no imported organisation and were left out: "
            f"{examples(sv.loc[orphan, s.SERVICE_ID].fillna(sv.loc[orphan, s.SERVICE_NAME]))}",
        )
        sv = sv[~orphan]
    no_id = sv[s.SERVICE_ID].isna()
    if no_id.any():
        n = sv[no_id].groupby(s.ORG_ID).cumcount() + 1
        sv.loc[no_id, s.SERVICE_ID] = sv.loc[no_id, s.ORG_ID] + "-s" + n.astype("string")
    dup = sv[s.SERVICE_ID].duplicated(keep="first")
    if dup.any():
        notes.add(
            FILE,
            f"{int(dup.sum())} repeated services (same service id) were left out: "
            f"{examples(sv.loc[dup, s.SERVICE_ID].unique())}",
        )
        sv = sv[~dup]
    geom = orgs.set_index(s.ORG_ID).geometry
    located = cast(gpd.GeoSeries, geom[~geom.is_empty])  # the stubs lose the GeoSeries in a mask
    own = sv[r.LON].notna() & sv[r.LAT].notna()
    sv.loc[~own, r.LON] = sv.loc[~own, s.ORG_ID].map(located.x).astype("float64")
    sv.loc[~own, r.LAT] = sv.loc[~own, s.ORG_ID].map(located.y).astype("float64")
    return sv[[*s.SERVICE_COLUMNS, r.LON, r.LAT]].reset_index(drop=True)


def combine(
    raws: list[tuple[pd.DataFrame, pd.DataFrame]],
    *,
    postcodes: pd.DataFrame | None,
    wards: gpd.GeoDataFrame,
    notes: Notes | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, dict]:
    """Merge raw organisations and services from several sources, geocode and place them.

    Args:
        raws: ``(organisations, services)`` pairs from the source importers, most trusted first
            (the first source's values win when the same organisation is merged).
        postcodes: a table from :func:`~sector_map.importers.postcodes.read_postcodes`, or None.
        wards: the area's wards (any CRS); points outside all of them count as outside the area.
        notes: collects warnings.

    Returns:
        ``(organisations, services, stats)``: a GeoDataFrame (EPSG:4326) with
        ``schema.ORGANISATION_COLUMNS`` then the optional extras that have any value; services
        with ``schema.SERVICE_COLUMNS`` plus ``lon``/``lat`` (their own, else their
        organisation's point); and counts ``organisations``, ``from_sources``, ``merged``,
        ``located`` (per location quality), ``postcode_not_found``, ``outside_area``, ``services``.
    """
    notes = notes if notes is not None else Notes()
    raw_orgs = [r.raw_org_frame(o) for o, _ in raws]
    orgs = pd.concat(raw_orgs, ignore_index=True) if raw_orgs else r.raw_org_frame()
    orgs = r.raw_org_frame(orgs)
    from_sources = {
        str(k): int(v) for k, v in orgs[s.SOURCE].fillna("unknown").value_counts(sort=False).items()
    }
    no_id = orgs[s.ORG_ID].isna()
    orgs.loc[no_id, s.ORG_ID] = [f"org-{i + 1}" for i in np.flatnonzero(no_id)]

    merged, id_map = _merge(orgs, notes)
    n_merged = len(orgs) - len(merged)
    if n_merged:
        notes.add(
            FILE,
            f"{n_merged} rows were the same organisation as another row (same charity number, "
            "company number, identifier, or name and postcode) and were merged into it",
        )
    points, quality, place_stats = _place(merged, postcodes, wards, notes)

    merged[s.ORG_KIND] = merged[s.ORG_KIND].where(merged[s.ORG_KIND].isin(s.ORG_KINDS), "other")
    merged[s.SIZE_BAND] = pd.Series(
        [s.size_band_for(None if pd.isna(v) else float(v)) for v in merged[s.INCOME]],
        index=merged.index,
        dtype="string",
    )
    merged[s.POSTCODE] = normalise_postcode(merged[s.POSTCODE]).fillna(merged[s.POSTCODE])
    merged[s.LOCATION_QUALITY] = quality
    extras = [
        c
        for c in r.RAW_ORG_COLUMNS
        if c not in s.ORGANISATION_COLUMNS
        and c not in _INTERNAL
        and (merged[c].map(len).gt(0).any() if c in r.LIST_COLUMNS else merged[c].notna().any())
    ]
    columns = [c for c in s.ORGANISATION_COLUMNS if c != s.GEOMETRY]
    out = gpd.GeoDataFrame(merged[columns + extras], geometry=points.to_numpy(), crs=s.PACK_CRS)
    out = out[[*s.ORGANISATION_COLUMNS, *extras]]

    services = pd.concat([r.raw_service_frame(sv) for _, sv in raws], ignore_index=True) if raws else None
    services = _services(services if services is not None else r.raw_service_frame(), id_map, out, notes)
    located = {q: int((quality == q).sum()) for q in s.LOCATION_QUALITIES}
    stats = {
        "organisations": len(out),
        "from_sources": from_sources,
        "merged": n_merged,
        "located": located,
        **place_stats,
        "services": len(services),
    }
    return out, services, stats
