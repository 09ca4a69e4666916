"""Ward boundaries from ONS (or council) files as published: GeoJSON, GeoPackage, zipped Shapefile.

Whatever the vintage and CRS, the result is the pack's ``wards`` table (``schema.WARD_COLUMNS``)
in EPSG:4326: codes as stripped strings, one row per ward (parts of one ward dissolved), invalid
polygons repaired with ``make_valid`` and every change recorded in ``notes``.

Column names are recognised in the forms publishers use: ONS ``WDyyCD``/``WDyyNM`` of any
vintage (kept as ``attrs["ward_vintage"]``, e.g. ``"WD19"``), Trafford Data Lab's
``area_code``/``area_name``, or ``ward_code``/``code``; the local authority from ``LADyyCD``,
``la_code`` or ``local_authority_area_code``, or from a ward→LA lookup CSV.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from sector_map.importers.geo import read_geo, to_pack_crs
from sector_map.importers.tables import (
    InputError,
    Notes,
    examples,
    find_column,
    read_table,
    to_number,
)
from sector_map.pack import schema as s

__all__ = ["LaFallback", "read_geo", "read_wards", "to_pack_crs"]

LaFallback = Callable[[gpd.GeoDataFrame], tuple[str, pd.DataFrame] | None]
"""Given the wards read so far (codes and geometry, in the file's CRS), gives ``(what it came from,
frame of ward_code, la_code[, la_name])`` for wards whose file names no local authority, or None;
called only when it is needed (see :func:`read_wards`)."""

_WARD_CD = re.compile(r"^wd(\d\d)cd$", re.IGNORECASE)
_LAD_CD = re.compile(r"^lad(\d\d)cd$", re.IGNORECASE)
CODE_NAMES = ["ward_code", "area_code", "wardcode", "ward code", "code"]
NAME_NAMES = ["ward_name", "area_name", "wardname", "ward name", "name"]
LA_CODE_NAMES = ["la_code", "local_authority_area_code", "lad_code", "local authority code", "lacode"]
LA_NAME_NAMES = ["la_name", "local_authority_area_name", "lad_name", "local authority name", "laname"]
POPULATION_NAMES = ["population", "pop", "total_population", "usual_residents", "all_ages"]
_LA_CODE_VALUE = re.compile(r"^[EWSN]\d{8}$")


# --- columns ------------------------------------------------------------------------------------
def _as_code(values: pd.Series) -> pd.Series:
    """Codes as stripped strings; whole-number floats (from a Shapefile) lose their '.0'."""
    if pd.api.types.is_float_dtype(values):
        whole = values.dropna()
        if (whole == np.floor(whole)).all():
            values = values.astype("Int64")
    out = values.astype("string").str.strip()
    return out.mask(out == "")


def _pick(
    columns: Collection[str],
    explicit: str | None,
    pattern: re.Pattern,
    names: list[str],
    file: str,
    role: str,
) -> tuple[str | None, str | None]:
    """(column, vintage) for a role: an explicit name, else ONS xxYYCD/NM, else common names."""
    if explicit is not None:
        if explicit not in columns:
            raise InputError(
                file, f"has no column {explicit!r} for the {role}; its columns are {examples(columns, 12)}"
            )
        m = pattern.match(explicit)
        return explicit, (m.group(1) if m else None)
    ons = sorted(((c, m.group(1)) for c in columns if (m := pattern.match(str(c)))), key=lambda cm: cm[1])
    if ons:
        return ons[-1]
    return find_column(columns, names), None


def _lookup_frame(path: str | Path, file: str, notes: Notes) -> pd.DataFrame:
    """A ward → LA lookup CSV as ward_code, la_code (and la_name when present)."""
    df = read_table(path, what="a ward to local authority lookup CSV (e.g. WD19CD, LAD19CD)", notes=notes)
    lk = Path(path).name
    ward, _ = _pick(df.columns, None, _WARD_CD, ["ward_code", "area_code", "wdcd"], lk, "ward code")
    la, _ = _pick(df.columns, None, _LAD_CD, LA_CODE_NAMES, lk, "local authority code")
    la_nm, _ = _pick(df.columns, None, re.compile(r"^lad(\d\d)nm$", re.I), LA_NAME_NAMES, lk, "LA name")
    if ward is None or la is None:
        raise InputError(
            lk,
            f"is not a ward to local authority lookup: expected columns such as WD19CD and LAD19CD; "
            f"found {examples(df.columns, 8)}",
        )
    out = pd.DataFrame({s.WARD_CODE: _as_code(df[ward]), s.LA_CODE: _as_code(df[la])})
    out[s.LA_NAME] = df[la_nm].astype("string") if la_nm else pd.NA
    out = out.dropna(subset=[s.WARD_CODE, s.LA_CODE]).drop_duplicates(s.WARD_CODE)
    m = _WARD_CD.match(ward)
    out.attrs["ward_vintage"] = f"WD{m.group(1)}" if m else None
    return out


# --- geometry -----------------------------------------------------------------------------------
def _polygonal(geom: BaseGeometry | None) -> Polygon | MultiPolygon | None:
    """Polygonal part of a repaired geometry (make_valid may add stray lines or points)."""
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon | MultiPolygon)]
    polys = [p for g in parts for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
    return MultiPolygon(polys) if polys else None


def _check_geometry(gdf: gpd.GeoDataFrame, file: str, feature: pd.Series) -> None:
    geom = gdf.geometry
    empty = geom.isna() | geom.is_empty
    if empty.any():
        raise InputError(
            file,
            f"{int(empty.sum())} wards have no boundary ({examples(gdf.loc[empty, s.WARD_CODE])}); "
            "features counted from 1",
            rows=feature[empty].tolist(),
            hint="Remove them or use a file with a boundary for every ward",
        )
    kinds = geom.geom_type
    wrong = ~kinds.isin(["Polygon", "MultiPolygon"])
    if wrong.any():
        found = ", ".join(sorted({re.sub(r"^Multi", "", k).lower() + "s" for k in kinds[wrong]}))
        raise InputError(
            file,
            f"expected ward polygons, found {found} ({examples(gdf.loc[wrong, s.WARD_CODE])}); "
            "features counted from 1",
            rows=feature[wrong].tolist(),
            hint="Use a ward boundary file (polygons), not ward centroids or lines",
        )


def _dissolve_duplicates(
    gdf: gpd.GeoDataFrame, file: str, feature: pd.Series, notes: Notes
) -> tuple[gpd.GeoDataFrame, pd.Series]:
    dup = gdf[s.WARD_CODE].duplicated(keep=False)
    if not dup.any():
        return gdf, feature
    names = gdf.loc[dup].groupby(s.WARD_CODE)[s.WARD_NAME].nunique(dropna=False)
    clash = names[names > 1].index.tolist()
    if clash:
        bad = gdf[s.WARD_CODE].isin(clash)
        raise InputError(
            file,
            f"ward codes appear more than once with different names: {examples(sorted(clash))}; "
            "features counted from 1",
            column=s.WARD_CODE,
            rows=feature[bad].tolist(),
            hint="Each ward needs its own code; check the file is one ward vintage",
        )
    codes = sorted(set(gdf.loc[dup, s.WARD_CODE]))
    merged = (
        gdf.loc[dup]
        .groupby(s.WARD_CODE, sort=False)
        .geometry.apply(lambda g: shapely.union_all(np.asarray(g)))
    )
    first = ~gdf[s.WARD_CODE].duplicated()
    out = gdf[first].copy()
    take = out[s.WARD_CODE].isin(codes)
    out.loc[take, "geometry"] = out.loc[take, s.WARD_CODE].map(merged).to_numpy()
    notes.add(
        file,
        f"{len(codes)} wards came in several parts and were merged into one shape each: {examples(codes)}",
        column=s.WARD_CODE,
        rows=feature[dup].tolist(),
    )
    return out, feature[first]


def _repair(gdf: gpd.GeoDataFrame, file: str, feature: pd.Series, notes: Notes) -> gpd.GeoDataFrame:
    bad = ~gdf.geometry.is_valid
    if not bad.any():
        return gdf
    fixed = [_polygonal(g) for g in shapely.make_valid(np.asarray(gdf.geometry[bad]))]
    lost = [c for c, g in zip(gdf.loc[bad, s.WARD_CODE], fixed, strict=True) if g is None]
    if lost:
        raise InputError(file, f"ward boundaries are broken beyond repair: {examples(lost)}")
    repaired = [g for g in fixed if g is not None]  # all of them, since none was lost
    gdf = gdf.copy()
    gdf.loc[bad, "geometry"] = gpd.GeoSeries(repaired, index=gdf.index[bad], crs=gdf.crs)
    n = int(bad.sum())
    notes.add(
        file,
        f"repaired {n} invalid ward polygon{'s' if n > 1 else ''}: {examples(gdf.loc[bad, s.WARD_CODE])}",
        rows=feature[bad].tolist(),
    )
    return gdf


def _fill_la(
    gdf: gpd.GeoDataFrame, filled: tuple[str, pd.DataFrame], file: str, vintage: str | None, notes: Notes
) -> str | None:
    """Fill the wards' local authority (in place) from another file of the build; the ward vintage."""
    src, lookup = filled
    by_code = lookup.dropna(subset=[s.WARD_CODE, s.LA_CODE]).drop_duplicates(s.WARD_CODE)
    by_code = by_code.set_index(s.WARD_CODE)
    found = gdf[s.WARD_CODE].isin(by_code.index)
    if not found.any():
        return vintage
    gdf.loc[found, s.LA_CODE] = gdf.loc[found, s.WARD_CODE].map(by_code[s.LA_CODE])
    if s.LA_NAME in by_code.columns:
        need = found & gdf[s.LA_NAME].isna()
        gdf.loc[need, s.LA_NAME] = gdf.loc[need, s.WARD_CODE].map(by_code[s.LA_NAME])
    missing = f"; {int((~found).sum()):,} wards are not in it: {examples(gdf.loc[~found, s.WARD_CODE])}"
    notes.add(
        file,
        f"has no local authority column, so the local authority of {int(found.sum()):,} of {len(gdf):,} "
        f"wards was taken from {src}" + (missing if not found.all() else ""),
    )
    lk_vintage = lookup.attrs.get("ward_vintage")
    if vintage is None and found.all() and lk_vintage:
        notes.add(
            file,
            f"all ward codes are {lk_vintage} codes in {src}, so the ward vintage is recorded as {lk_vintage}",
        )
        return str(lk_vintage)
    return vintage


# --- the importer --------------------------------------------------------------------------------
def read_wards(
    path: str | Path,
    *,
    code: str | None = None,
    name: str | None = None,
    la_code: str | None = None,
    la_lookup: str | Path | None = None,
    area_codes: list[str] | None = None,
    layer: str | None = None,
    english_only: bool = False,
    la_fallback: LaFallback | None = None,
    notes: Notes | None = None,
) -> gpd.GeoDataFrame:
    """Read ward boundaries into the pack's ``wards`` table (EPSG:4326).

    Args:
        path: GeoJSON (plain or gzipped), GeoPackage, Shapefile or zipped Shapefile, any CRS.
        code, name: the ward code / name columns, when they are not recognised by themselves.
        la_code: the local authority code column, or, when no column has that name, one code
            for every ward (e.g. ``"E08000009"``).
        la_lookup: a ward → LA lookup CSV (e.g. ONS ``WD19CD, LAD19CD, LAD19NM``) used for wards
            whose LA the boundary file does not give.
        area_codes: keep only wards in these local authorities.
        layer: the layer of a GeoPackage (or member of a zip) holding several; see
            :func:`sector_map.importers.geo.list_layers`.
        english_only: keep only English wards (codes starting ``E05``).
        la_fallback: where else the wards' local authorities may be found (e.g. the LSOA → ward →
            LAD lookup of the same build, or its postcode file's authority codes), called with the
            wards read so far, and used only when ``area_codes`` is given and neither the
            file nor ``la_lookup`` says which authority any ward is in: a file already cut to the
            area, as councils publish them. What it fills is noted.
        notes: collects warnings (repairs, guesses, merges, unmatched lookups).

    Returns:
        A GeoDataFrame with ``schema.WARD_COLUMNS`` (population NaN unless the file has one),
        ``attrs["ward_vintage"]`` (e.g. ``"WD19"``, or None when the columns do not say).

    Raises:
        InputError: the file is not boundaries, codes are missing or duplicated with
            different names, geometries are empty or not polygons, or no ward is left.
    """
    path = Path(path)
    file = path.name
    notes = Notes() if notes is None else notes
    raw = read_geo(path, layer=layer)
    cols = [c for c in raw.columns if c != raw.geometry.name]
    code_col, yy = _pick(cols, code, _WARD_CD, CODE_NAMES, file, "ward code")
    if code_col is None:
        raise InputError(
            file,
            f"no ward code column found (looked for WDyyCD, area_code, ward_code, code); "
            f"its columns are {examples(cols, 12)}",
            hint="Pass code= with the name of the column holding ONS ward codes (E05...)",
        )
    if name is None and yy and f"WD{yy}NM" in {c.upper() for c in cols}:
        name = next(c for c in cols if c.upper() == f"WD{yy}NM")
    name_col, _ = _pick(cols, name, re.compile(r"^wd(\d\d)nm$", re.I), NAME_NAMES, file, "ward name")
    la_fixed = la_code if la_code is not None and la_code not in cols else None
    if la_fixed is not None and not _LA_CODE_VALUE.match(la_fixed.strip()):
        raise InputError(
            file,
            f"la_code {la_fixed!r} is neither a column of the file nor a local authority code (E08000009)",
            hint=f"Its columns are {examples(cols, 12)}",
        )
    la_col = None
    if la_fixed is None:
        la_col, _ = _pick(cols, la_code, _LAD_CD, LA_CODE_NAMES, file, "LA code")
    la_nm_col, _ = _pick(cols, None, re.compile(r"^lad(\d\d)nm$", re.I), LA_NAME_NAMES, file, "LA name")
    pop_col = find_column(cols, POPULATION_NAMES)

    gdf = gpd.GeoDataFrame(
        {
            s.WARD_CODE: _as_code(raw[code_col]),
            s.WARD_NAME: raw[name_col].astype("string").str.strip() if name_col else pd.NA,
            s.LA_CODE: _as_code(raw[la_col])
            if la_col
            else pd.Series(la_fixed, index=raw.index, dtype="string").str.strip(),
            s.LA_NAME: raw[la_nm_col].astype("string").str.strip() if la_nm_col else pd.NA,
        },
        geometry=raw.geometry.values,
        crs=raw.crs,
        index=raw.index,
    )
    gdf[s.WARD_NAME] = gdf[s.WARD_NAME].astype("string")
    gdf[s.LA_NAME] = gdf[s.LA_NAME].astype("string")
    if pop_col:
        pop, bad = to_number(raw[pop_col].astype("string"))
        gdf[s.POPULATION] = pop
        if bad.any():
            notes.add(file, "population values that are not numbers were left blank", column=pop_col)
    else:
        gdf[s.POPULATION] = np.nan
    feature = pd.Series(raw.index + 1, index=raw.index)

    missing = gdf[s.WARD_CODE].isna()
    if missing.any():
        raise InputError(
            file,
            f"{int(missing.sum())} wards have no code (features counted from 1)",
            column=code_col,
            rows=feature[missing].tolist(),
            hint="Fill in the ONS ward code (E05...) for each ward, or remove those features",
        )
    if not name_col:
        gdf[s.WARD_NAME] = gdf[s.WARD_CODE]
        notes.add(file, "has no ward name column; the ward codes are used as names")

    vintage = f"WD{yy}" if yy else None
    if la_lookup is not None:
        lookup = _lookup_frame(la_lookup, file, notes)
        lk = Path(la_lookup).name
        joined = gdf[s.WARD_CODE].isin(lookup[s.WARD_CODE])
        if not joined.any():
            raise InputError(
                lk,
                f"none of the {len(gdf):,} ward codes in {file} are in this lookup (wards such as "
                f"{examples(sorted(gdf[s.WARD_CODE])[:3])}; lookup has {examples(lookup[s.WARD_CODE][:3])})",
                hint="Use a lookup of the same ward vintage as the boundaries",
            )
        by_code = lookup.set_index(s.WARD_CODE)
        need = gdf[s.LA_CODE].isna()
        gdf.loc[need, s.LA_CODE] = gdf.loc[need, s.WARD_CODE].map(by_code[s.LA_CODE])
        need_nm = gdf[s.LA_NAME].isna()
        gdf.loc[need_nm, s.LA_NAME] = gdf.loc[need_nm, s.WARD_CODE].map(by_code[s.LA_NAME])
        if not joined.all():
            notes.add(
                lk,
                f"{int((~joined).sum()):,} of {len(gdf):,} wards are not in the lookup, so their local "
                f"authority is not known: {examples(gdf.loc[~joined, s.WARD_CODE])}",
            )
        if vintage is None and joined.all() and lookup.attrs.get("ward_vintage"):
            vintage = lookup.attrs["ward_vintage"]
            notes.add(
                file,
                f"all ward codes are {vintage} codes in the lookup, so the ward vintage is recorded as {vintage}",
            )

    if english_only:
        keep = gdf[s.WARD_CODE].str.startswith("E05")
        if not keep.any():
            raise InputError(
                file, f"has no English ward codes (E05...); codes are like {examples(gdf[s.WARD_CODE][:3])}"
            )
        gdf, feature = gdf[keep], feature[keep]
    if area_codes is not None:
        wanted = [str(a).strip() for a in area_codes]
        if gdf[s.LA_CODE].isna().all() and la_fallback is not None:
            filled = la_fallback(gdf)
            if filled is not None:
                vintage = _fill_la(gdf, filled, file, vintage, notes)
        if gdf[s.LA_CODE].isna().all():
            raise InputError(
                file,
                f"cannot keep the wards of {examples(wanted)}: the file does not say which local "
                "authority each ward is in",
                hint=(
                    "Add la_lookup= (a ward to local authority lookup CSV such as WD19CD, LAD19CD); in a "
                    "recipe, an LSOA → ward lookup with LAD codes or a postcode file with them also does"
                ),
            )
        keep = gdf[s.LA_CODE].isin(wanted)
        if not keep.any():
            found = sorted(gdf[s.LA_CODE].dropna().unique())
            raise InputError(
                file,
                f"no wards in local authority {examples(wanted)}; the file has wards in {examples(found, 10)}",
                hint="Check the area codes (E06/E07/E08/E09...) against the file",
            )
        gdf, feature = gdf[keep], feature[keep]

    _check_geometry(gdf, file, feature)
    gdf, feature = _dissolve_duplicates(gdf, file, feature, notes)
    gdf = to_pack_crs(gdf, file, notes)
    gdf = _repair(gdf, file, feature, notes)
    gdf = gdf.reset_index(drop=True)[s.WARD_COLUMNS]
    gdf[s.POPULATION] = gdf[s.POPULATION].astype("float64")
    gdf.attrs["ward_vintage"] = vintage
    return gdf
