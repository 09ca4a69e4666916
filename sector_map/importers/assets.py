"""Community assets (libraries, centres, places of worship, halls...) as the pack's ``assets`` table.

Tables (CSV/XLSX) are located by longitude/latitude, else British National Grid easting/northing,
else a postcode looked up in a ``postcodes`` table (``postcode, lon, lat``), row by row. Boundary
files (GeoJSON, GeoPackage, Shapefile) are located by their geometry; building footprints become a
representative point (always inside the polygon). Rows that cannot be placed are dropped and named
in the notes.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import cast

import geopandas as gpd
import numpy as np
import pandas as pd

from sector_map.importers.geo import read_geo, to_pack_crs
from sector_map.importers.tables import (
    InputError,
    Notes,
    examples,
    file_kind,
    file_rows,
    find_column,
    read_table,
    to_number,
)
from sector_map.pack import schema as s
from sector_map.pack.values import normalise_postcode

__all__ = ["STATUS_WORDS", "read_assets"]

WHAT = (
    "a table of assets with a name and lon/lat, easting/northing or postcode columns, or GeoJSON/GeoPackage"
)
DEFAULT_STATUS = "in community use"
DEFAULT_KIND = "community asset"
NAME_NAMES = ["name", "asset_name", "site_name", "building_name", "distname", "title"]
KIND_NAMES = ["kind", "asset_type", "type", "category", "classification", "classifica"]
STATUS_NAMES = ["status", "asset_status", "availability"]
ID_NAMES = ["asset_id", "id", "uprn", "unique_reference_number", "reference"]
LON_NAMES = ["lon", "longitude", "long", "lng", "x_lon"]
LAT_NAMES = ["lat", "latitude", "y_lat"]
EAST_NAMES = ["easting", "eastings", "bng_e", "x"]
NORTH_NAMES = ["northing", "northings", "bng_n", "y"]
POSTCODE_NAMES = ["postcode", "post_code", "postal_code", "pcd"]
# Words in a status column → an allowed status; first match wins.
STATUS_WORDS: tuple[tuple[str, str], ...] = (
    (r"review|consult|consider|proposed", "under review"),
    (r"vacant|empty|disused|closed|unused|derelict", "vacant"),
    (r"available|to let|for hire|bookable|hire", "available for community use"),
    (r"in use|community use|open|active|occupied|operating", "in community use"),
)
# Longitude/latitude box around the UK and Ireland.
_UK_LON, _UK_LAT = (-11.0, 3.0), (49.0, 61.5)


def _status(values: pd.Series, file: str, column: str, notes: Notes) -> pd.Series:
    text = values.astype("string").str.strip().str.lower()
    out = pd.Series(DEFAULT_STATUS, index=values.index, dtype="string")
    known = pd.Series(False, index=values.index)
    for allowed in s.ASSET_STATUSES:
        hit = text == allowed
        out[hit], known = allowed, known | hit
    for pattern, allowed in STATUS_WORDS:
        hit = ~known & text.str.contains(pattern, regex=True).fillna(False).astype(bool)
        out[hit], known = allowed, known | hit
    odd = ~known & text.notna()
    if odd.any():
        notes.add(
            file,
            f"status values not recognised ({examples(sorted(set(values[odd].astype(str))))}) were read as "
            f"'{DEFAULT_STATUS}'; allowed: {', '.join(s.ASSET_STATUSES)}",
            column=column,
            rows=file_rows(values.index[odd]),
        )
    return out


def _check_columns(df: pd.DataFrame, cols: dict[str, str], file: str) -> None:
    for role, c in cols.items():
        if c not in df.columns:
            raise InputError(
                file, f"has no column {c!r} for the {role}; its columns are {examples(df.columns, 12)}"
            )


def _choose(
    columns: Collection[str], override: str | None, names: list[str], file: str, role: str
) -> str | None:
    if override is not None:
        if override not in columns:
            raise InputError(
                file, f"has no column {override!r} for the {role}; its columns are {examples(columns, 12)}"
            )
        return override
    return find_column(columns, names)


def _table_points(
    df: pd.DataFrame, file: str, cols: dict[str, str], postcodes: pd.DataFrame | None, notes: Notes
) -> tuple[np.ndarray, np.ndarray]:
    """lon, lat per row from lon/lat, else easting/northing, else postcode (NaN when none works)."""
    lon = pd.Series(np.nan, index=df.index)
    lat = pd.Series(np.nan, index=df.index)
    lon_c = _choose(df.columns, cols.get("lon"), LON_NAMES, file, "longitude")
    lat_c = _choose(df.columns, cols.get("lat"), LAT_NAMES, file, "latitude")
    if lon_c and lat_c:
        x, _ = to_number(df[lon_c])
        y, _ = to_number(df[lat_c])
        swapped = x.between(*_UK_LAT) & y.between(*_UK_LON)
        if swapped.any():
            notes.add(
                file,
                "longitude and latitude were the wrong way round and were swapped",
                rows=file_rows(df.index[swapped]),
            )
            x, y = x.where(~swapped, y), y.where(~swapped, x)
        ok = x.between(*_UK_LON) & y.between(*_UK_LAT)
        outside = ~ok & x.notna() & y.notna()
        if outside.any():
            notes.add(
                file,
                "coordinates outside the UK were ignored",
                column=lon_c,
                rows=file_rows(df.index[outside]),
            )
        lon, lat = x.where(ok), y.where(ok)
    e_c = _choose(df.columns, cols.get("easting"), EAST_NAMES, file, "easting")
    n_c = _choose(df.columns, cols.get("northing"), NORTH_NAMES, file, "northing")
    need = lon.isna()
    if e_c and n_c and need.any():
        e, _ = to_number(df[e_c])
        n, _ = to_number(df[n_c])
        ok = need & e.between(1_000, 700_000) & n.between(1_000, 1_300_000)
        if ok.any():
            pts = gpd.GeoSeries(gpd.points_from_xy(e[ok], n[ok]), index=df.index[ok], crs=s.METRE_CRS).to_crs(
                s.PACK_CRS
            )
            lon[ok], lat[ok] = pts.x, pts.y
    pc_c = _choose(df.columns, cols.get("postcode"), POSTCODE_NAMES, file, "postcode")
    need = lon.isna()
    if pc_c and need.any() and df.loc[need, pc_c].notna().any():
        if postcodes is None:
            notes.add(
                file,
                f"{int(need.sum())} rows have only a postcode; pass a postcodes table to place them",
                column=pc_c,
                rows=file_rows(df.index[need]),
            )
        else:
            missing = {"postcode", "lon", "lat"} - set(postcodes.columns)
            if missing:
                raise ValueError(
                    f"the postcodes table needs columns postcode, lon, lat (missing {', '.join(sorted(missing))})"
                )
            table = (
                postcodes.assign(_pc=normalise_postcode(postcodes["postcode"]))
                .drop_duplicates("_pc")
                .set_index("_pc")
            )
            pcs = normalise_postcode(df.loc[need, pc_c])
            lon[need] = pcs.map(table["lon"]).astype("float64")
            lat[need] = pcs.map(table["lat"]).astype("float64")
            unknown = need & lon.isna() & df[pc_c].notna()
            if unknown.any():
                notes.add(
                    file,
                    f"postcodes not found in the postcodes table: {examples(df.loc[unknown, pc_c])}",
                    column=pc_c,
                    rows=file_rows(df.index[unknown]),
                )
    if not ((lon_c and lat_c) or (e_c and n_c) or pc_c):
        raise InputError(
            file,
            f"no location columns found (lon/lat, easting/northing or postcode); its columns are {examples(df.columns, 12)}",
            hint="Add longitude and latitude (or postcode) columns, or name them with columns=",
        )
    return lon.to_numpy("float64"), lat.to_numpy("float64")


def read_assets(
    path: str | Path,
    *,
    columns: dict[str, str] | None = None,
    kind: str | None = None,
    status: str | None = None,
    postcodes: pd.DataFrame | None = None,
    source: str | None = None,
    id_prefix: str | None = None,
    notes: Notes | None = None,
    sheet: str | int | None = None,
) -> gpd.GeoDataFrame:
    """Read community assets into the pack's ``assets`` table (points, EPSG:4326).

    Args:
        path: CSV/XLSX with lon/lat, easting/northing (EPSG:27700) or postcode columns; or
            GeoJSON/GeoPackage/Shapefile (polygons become a representative point).
        columns: the file's column for a role when it is not recognised, keyed by role:
            ``asset_id, name, kind, status, lon, lat, easting, northing, postcode``.
        kind: a column holding the kind, or (when no column has that name) one kind for every
            asset, e.g. ``"library"``. Default: a ``kind``/``type`` column, else "community asset".
        status: a column, or one allowed status for every asset (``schema.ASSET_STATUSES``).
            Default: a ``status`` column mapped by :data:`STATUS_WORDS`, else "in community use".
        postcodes: ``postcode, lon, lat`` table to place rows that have only a postcode.
        source: recorded as ``attrs["source"]`` (default: the file name).
        id_prefix: prefix of the asset ids (default: the file name's stem).
        notes: collects warnings (rows dropped, names made up, statuses not recognised).
        sheet: the worksheet of an Excel file (default: the first).

    Returns:
        A GeoDataFrame with ``schema.ASSET_COLUMNS``.

    Raises:
        InputError: unreadable file, no location columns, a named column that is missing, a
            fixed status that is not allowed, or no asset that can be placed.
    """
    path = Path(path)
    file = path.name
    notes = Notes() if notes is None else notes
    cols = dict(columns or {})
    unknown_roles = set(cols) - {
        "asset_id",
        "name",
        "kind",
        "status",
        "lon",
        "lat",
        "easting",
        "northing",
        "postcode",
    }
    if unknown_roles:
        raise ValueError(f"columns= has unknown roles: {', '.join(sorted(unknown_roles))}")
    sniffed = file_kind(path, what=WHAT) if path.suffix.lower() != ".shp" else "shp"
    geo = sniffed in ("json", "shp") or path.suffix.lower() in (".gpkg", ".shp", ".geojson")
    if sniffed == "zip" and path.suffix.lower() == ".zip":
        geo = True
    if geo:
        gdf = read_geo(path, what=WHAT)
        gdf = to_pack_crs(gdf, file, notes)
        df = pd.DataFrame(
            {c: gdf[c].astype("string").str.strip() for c in gdf.columns if c != gdf.geometry.name}
        )
        geom = gdf.geometry
        located = geom.notna() & ~geom.is_empty
        present = cast(gpd.GeoSeries, geom[located])  # the stubs lose the GeoSeries in a mask
        n_poly = int(present.geom_type.isin(["Polygon", "MultiPolygon"]).sum())
        points = geom.where(~located, present.representative_point())
        if n_poly:
            notes.add(file, f"{n_poly} outlines (polygons) were placed at a point inside each")
        lon = np.where(located, points.x, np.nan)
        lat = np.where(located, points.y, np.nan)
        rows = [i + 1 for i in df.index]
        where = "features counted from 1"
    else:
        df = read_table(path, what=WHAT, notes=notes, sheet=sheet)
        _check_columns(df, cols, file)
        lon, lat = _table_points(df, file, cols, postcodes, notes)
        rows = file_rows(df.index)
        where = ""
    _check_columns(df, cols, file)
    row_of = pd.Series(rows, index=df.index)

    kind_fixed = kind if kind is not None and kind not in df.columns else None
    kind_col = None if kind_fixed else _choose(df.columns, kind or cols.get("kind"), KIND_NAMES, file, "kind")
    status_fixed = status if status is not None and status not in df.columns else None
    if status_fixed is not None and status_fixed not in s.ASSET_STATUSES:
        raise InputError(
            file, f"status {status_fixed!r} is not allowed", hint=f"Use one of: {', '.join(s.ASSET_STATUSES)}"
        )
    status_col = (
        None
        if status_fixed
        else _choose(df.columns, status or cols.get("status"), STATUS_NAMES, file, "status")
    )
    name_col = _choose(df.columns, cols.get("name"), NAME_NAMES, file, "name")
    id_col = _choose(df.columns, cols.get("asset_id"), ID_NAMES, file, "asset id")

    kinds = (
        df[kind_col].astype("string").fillna(DEFAULT_KIND)
        if kind_col
        else pd.Series(kind_fixed or DEFAULT_KIND, index=df.index, dtype="string")
    )
    out = pd.DataFrame(index=df.index)
    out[s.ASSET_KIND] = kinds
    if status_col:
        out[s.ASSET_STATUS] = _status(df[status_col], file, status_col, notes)
    else:
        out[s.ASSET_STATUS] = pd.Series(status_fixed or DEFAULT_STATUS, index=df.index, dtype="string")

    no_place = np.isnan(lon) | np.isnan(lat)
    if no_place.all():
        raise InputError(
            file,
            "no asset could be placed on the map (no usable location in any row)",
            hint=f"Expected {WHAT}",
        )
    if no_place.any():
        dropped = row_of[no_place]
        notes.add(
            file,
            f"{int(no_place.sum())} assets have no usable location and were left out"
            + (f" ({where})" if where else ""),
            rows=dropped.tolist(),
        )

    names = (
        df[name_col].astype("string").str.strip()
        if name_col
        else pd.Series(pd.NA, index=df.index, dtype="string")
    )
    unnamed = names.isna() | names.eq("")
    prefix = (
        id_prefix
        or re.sub(r"[^a-z0-9]+", "-", Path(file.removesuffix(".gz")).stem.lower()).strip("-")
        or "asset"
    )
    if id_col and df[id_col].notna().all() and df[id_col].is_unique:
        ids = prefix + "-" + df[id_col].astype("string").str.strip()
    else:
        if id_col:
            notes.add(
                file, "the id column has blanks or repeats, so ids were numbered instead", column=id_col
            )
        ids = pd.Series([f"{prefix}-{i + 1}" for i in range(len(df))], index=df.index, dtype="string")
    keep = ~no_place
    number = pd.Series(np.arange(1, len(df) + 1), index=df.index)
    made = unnamed & keep
    names = names.where(~unnamed, out[s.ASSET_KIND].str.strip().str.capitalize() + " " + number.astype(str))
    if made.any():
        notes.add(
            file,
            f"{int(made.sum())} assets have no name; named from their kind and row",
            column=name_col,
            rows=row_of[made].tolist(),
        )

    result = gpd.GeoDataFrame(
        {
            s.ASSET_ID: ids[keep].astype("string").to_numpy(),
            s.ASSET_NAME: names[keep].astype("string").to_numpy(),
            s.ASSET_KIND: out.loc[keep, s.ASSET_KIND].astype("string").to_numpy(),
            s.ASSET_STATUS: out.loc[keep, s.ASSET_STATUS].astype("string").to_numpy(),
        },
        geometry=gpd.points_from_xy(lon[keep], lat[keep]),
        crs=s.PACK_CRS,
    )
    result = result[s.ASSET_COLUMNS]
    result.attrs["source"] = source or file
    return result
