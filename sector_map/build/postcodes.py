"""The postcodes a build keeps: which ones to read from a national file, and which to keep in the pack.

``build-pack`` reads a postcode file (possibly all of Great Britain) keeping only the postcodes
its organisation sources give and those in a box :data:`NEAR_KM` beyond the wards
(:func:`near_box`); the pack's ``postcodes.parquet`` then keeps those inside the wards
(:func:`postcodes_in_area`), so uploads can be placed later.

A wards file already cut to the area may not say which local authority its wards are in; a
postcode file with authority codes (Code-Point Open's ``Admin_district_code``, ONSPD's ``oslaua``)
can (:func:`ward_la_from_postcodes`).
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import pandas as pd

from sector_map.pack import schema as s

__all__ = ["NEAR_KM", "near_box", "postcodes_in_area", "used_postcodes", "ward_la_from_postcodes"]

# Postcodes kept around the area besides the organisations' own: a box this far beyond the wards'
# bounds, so assets and uploads near the border can be placed (postcodes.parquet keeps only those
# inside the wards).
NEAR_KM = 5.0


def near_box(wards: gpd.GeoDataFrame, km: float = NEAR_KM) -> tuple[float, float, float, float]:
    """The wards' bounds in WGS84, widened by ``km`` on every side."""
    x0, y0, x1, y1 = (float(v) for v in wards.to_crs(s.PACK_CRS).total_bounds)
    dy = km / 111.0
    dx = km / (111.0 * max(math.cos(math.radians(max(abs(y0), abs(y1)))), 0.1))
    return x0 - dx, y0 - dy, x1 + dx, y1 + dy


def used_postcodes(raws: list[tuple[pd.DataFrame, pd.DataFrame]]) -> set[str]:
    """Every postcode the organisation sources give (their own and their services')."""
    used: set[str] = set()
    for frame in (f for pair in raws for f in pair):
        if s.POSTCODE in frame.columns:
            used.update(frame[s.POSTCODE].dropna().astype(str))
    return used


def postcodes_in_area(table: pd.DataFrame | None, wards: gpd.GeoDataFrame) -> pd.DataFrame | None:
    """The postcode centroids inside the pack's wards, kept so uploads can be placed later
    (with the file's own ``lsoa_code`` when it has one, for :mod:`sector_map.build.lsoas`)."""
    if table is None or table.empty:
        return None
    cols = [c for c in (*s.POSTCODE_COLUMNS, s.LSOA_CODE) if c in table.columns]
    pts = gpd.GeoDataFrame(
        table[cols].reset_index(drop=True),
        geometry=gpd.points_from_xy(table["lon"], table["lat"]),
        crs=s.PACK_CRS,
    )
    inside = gpd.sjoin(pts, wards[[s.GEOMETRY]], how="inner", predicate="within")
    out = pd.DataFrame(pts.loc[sorted(set(inside.index)), cols])
    kinds = {"postcode": "string", "lon": "float64", "lat": "float64", s.LSOA_CODE: "string"}
    return out.astype({c: kinds[c] for c in cols}).reset_index(drop=True)


def ward_la_from_postcodes(path: Path, wards: gpd.GeoDataFrame) -> tuple[str, pd.DataFrame] | None:
    """Each ward's local authority: the one most of the postcodes inside the ward are in.

    For a wards file that names no authority. Only the postcodes in the wards' bounding box are
    read (a chunk at a time from a national file). The ward is found by where the postcode is, so
    the postcode file's ward codes need not be of the same vintage as the wards.

    Returns:
        ``(what it came from, frame of ward_code, la_code)``, or None when the file has no local
        authority column or no postcode lies in any ward.
    """
    from sector_map.importers.postcodes import read_postcodes

    polygons = gpd.GeoDataFrame(
        {s.WARD_CODE: wards[s.WARD_CODE].to_numpy()},
        geometry=wards.geometry.make_valid().to_crs(s.PACK_CRS).to_numpy(),
        crs=s.PACK_CRS,
    )
    table = read_postcodes(path, near=near_box(polygons, km=0.0))
    if s.LA_CODE not in table.columns or table.empty:
        return None
    table = table[table[s.LA_CODE].notna()]
    points = gpd.GeoDataFrame(
        {s.LA_CODE: table[s.LA_CODE].to_numpy()},
        geometry=gpd.points_from_xy(table["lon"], table["lat"]),
        crs=s.PACK_CRS,
    )
    hits = gpd.sjoin(points, polygons, how="inner", predicate="within")
    if hits.empty:
        return None
    counts = hits.groupby([s.WARD_CODE, s.LA_CODE]).size().rename("n").reset_index()
    most = counts.sort_values("n", ascending=False, kind="stable").drop_duplicates(s.WARD_CODE)
    out = most[[s.WARD_CODE, s.LA_CODE]].astype("string").reset_index(drop=True)
    return f"the postcode file {path.name} (the authority of most of the postcodes inside each ward)", out
