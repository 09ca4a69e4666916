"""The pack's LSOA table and each postcode's LSOA, made by ``build-pack`` from its IoD section.

:func:`lsoa_table` keeps the LSOAs the [imd2025]/[imd2019] lookup best-fits to the pack's wards,
with the population that weights the ward averages and each domain's national rank, decile
(from the rank when a file gives only ranks) and score where given.

:func:`place_postcodes` gives each postcode inside the area its LSOA: the postcode file's own LSOA
column when it has one (ONSPD's ``lsoa21``/``lsoa11``), else the LSOA polygon of the section's
``boundaries`` file the postcode's point lies in (in British National Grid metres), else the
nearest polygon within :data:`NEAREST_M` metres, for points just outside simplified lines. A
postcode in none of the pack's LSOAs gets NA: it is counted, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sector_map.importers.imd import national_deciles
from sector_map.importers.imd_read import POP_TOTAL
from sector_map.importers.tables import InputError, Notes, examples, find_column
from sector_map.pack import schema as s

__all__ = [
    "NEAREST_M",
    "Placed",
    "area_boundaries",
    "lsoa_table",
    "place_postcodes",
    "postcode_lsoa_words",
    "read_lsoa_boundaries",
]

# A point this close to an LSOA polygon, and in none, is given that LSOA (simplified lines cut
# corners off real boundaries; 100 m is about the width of a street block).
NEAREST_M = 100.0
_CODE_NAMES = ["lsoa21cd", "lsoa11cd", "lsoa21_code", "lsoa11_code", "lsoa_code", "lsoa", "area_code", "code"]


def lsoa_table(
    lsoa: pd.DataFrame, lookup: pd.DataFrame, ward_codes: Iterable[str], *, n_national: int
) -> pd.DataFrame:
    """One row per LSOA best-fitted to one of ``ward_codes`` (see ``schema.LSOAS_FILE``).

    Args:
        lsoa: the IoD LSOA data as read (``read_imd_lsoa``), with the ``population`` weights.
        lookup: the LSOA → ward best-fit lookup (``read_lookup``).
        ward_codes: the pack's wards.
        n_national: England's LSOAs in this release, to turn national ranks into deciles.

    Example:
        >>> lsoa = pd.DataFrame({"lsoa_code": ["E1", "E2"], "population": [1500.0, 1200.0],
        ...                      "imd_rank": [10.0, 30_000.0]})
        >>> lookup = pd.DataFrame({"lsoa_code": ["E1", "E2"], "ward_code": ["W1", "W9"]})
        >>> lsoa_table(lsoa, lookup, ["W1"], n_national=32_844)[["lsoa_code", "imd_decile"]].values.tolist()
        [['E1', 1.0]]
    """
    right = [c for c in (s.LSOA_CODE, s.WARD_CODE, s.LSOA_NAME) if c in lookup.columns]
    joined = lsoa.drop(columns=[s.WARD_CODE], errors="ignore").merge(
        lookup[right], on=s.LSOA_CODE, how="inner", suffixes=("", "_lookup")
    )
    joined = joined[joined[s.WARD_CODE].isin(list(ward_codes))]
    name = pd.Series(pd.NA, index=joined.index, dtype="string")
    for col in (s.LSOA_NAME, f"{s.LSOA_NAME}_lookup"):
        if col in joined.columns:
            name = name.fillna(joined[col].astype("string"))
    out = pd.DataFrame(
        {
            s.LSOA_CODE: joined[s.LSOA_CODE].astype("string"),
            s.LSOA_NAME: name,
            s.WARD_CODE: joined[s.WARD_CODE].astype("string"),
            s.POPULATION: joined[POP_TOTAL].astype("float64") if POP_TOTAL in joined.columns else np.nan,
        }
    )
    for domain in s.IOD_DOMAINS:
        rank = s.lsoa_measure(domain, "rank")
        if rank in joined.columns:
            out[rank] = joined[rank].astype("float64")
        decile = national_deciles(joined, domain, n_national)
        if decile is not None:
            out[s.lsoa_measure(domain, "decile")] = decile.astype("float64")
        score = s.lsoa_measure(domain, "score")
        if score in joined.columns:
            out[score] = joined[score].astype("float64")
    return out.sort_values([s.WARD_CODE, s.LSOA_CODE], kind="stable").reset_index(drop=True)


def read_lsoa_boundaries(
    path: Path, *, near: tuple[float, float, float, float] | None = None, notes: Notes | None = None
) -> gpd.GeoDataFrame:
    """LSOA polygons (``lsoa_code``, geometry in EPSG:27700) from a boundary file as published.

    ``near`` (a WGS84 box) keeps only the polygons touching it, so a national file costs little
    once read. Invalid polygons (self-touching rings in generalised files) are repaired.

    Raises:
        InputError: the file cannot be read as boundaries or has no LSOA code column.
    """
    from sector_map.importers.geo import read_geo, to_pack_crs

    what = "LSOA boundaries as GeoJSON, GeoPackage or a zipped Shapefile, with an LSOA code column"
    raw = read_geo(path, what=what)
    col = find_column([str(c) for c in raw.columns if c != raw.geometry.name], _CODE_NAMES)
    if col is None:
        raise InputError(
            path.name,
            f"has no LSOA code column (found {examples(c for c in raw.columns if c != raw.geometry.name)})",
            hint="Expected a column such as LSOA21CD, lsoa21_code or area_code",
        )
    gdf = to_pack_crs(raw, path.name, notes if notes is not None else Notes())
    if near is not None:
        gdf = gdf.cx[near[0] : near[2], near[1] : near[3]]
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        geoms = geoms.copy()
        geoms[bad] = shapely.make_valid(geoms[bad])
    out = gpd.GeoDataFrame(
        {s.LSOA_CODE: gdf[col].astype("string").str.strip().to_numpy()},
        geometry=gpd.GeoSeries(geoms, crs=s.PACK_CRS).to_numpy(),
        crs=s.PACK_CRS,
    )
    out = out[out[s.LSOA_CODE].notna() & out.geometry.notna() & ~out.geometry.is_empty]
    return out.to_crs(s.METRE_CRS).reset_index(drop=True)


def area_boundaries(
    path: Path,
    lsoa_codes: Iterable[str],
    *,
    near: tuple[float, float, float, float],
    where: str,
    vintage: str,
    notes: Notes,
) -> gpd.GeoDataFrame:
    """The boundary file's polygons near the area, refused when it holds none of the area's LSOAs
    (another vintage's file), with a note naming those of the area it lacks."""
    boundaries = read_lsoa_boundaries(path, near=near, notes=notes)
    codes = list(lsoa_codes)
    known = set(boundaries[s.LSOA_CODE])
    lacking = [c for c in codes if c not in known]
    if codes and len(lacking) == len(codes):
        raise InputError(
            path.name,
            f"holds none of the area's {vintage} LSOAs (e.g. {examples(codes)})",
            hint=f"{where} must be LSOA {vintage} boundaries",
        )
    if lacking:
        notes.add(path.name, f"{len(lacking):,} of the area's LSOAs have no boundary: {examples(lacking)}")
    return boundaries


@dataclass
class Placed:
    """Each postcode's LSOA (NA for none of the pack's) and how many were placed which way."""

    lsoa: pd.Series
    from_file: int = 0
    in_polygon: int = 0
    nearest: int = 0
    outside: int = 0  # given an LSOA that is not one of the pack's
    how: list[str] = field(default_factory=list)

    @property
    def placed(self) -> int:
        return int(self.lsoa.notna().sum())


def place_postcodes(
    table: pd.DataFrame,
    lsoa_codes: Iterable[str],
    *,
    boundaries: gpd.GeoDataFrame | None = None,
    column: str = "",
) -> Placed:
    """The LSOA of each row of ``table`` (``postcode, lon, lat`` and perhaps ``lsoa_code``).

    Args:
        table: postcodes inside the area; its ``lsoa_code`` column, when there, is trusted first.
        lsoa_codes: the pack's LSOAs; any other LSOA becomes NA.
        boundaries: from :func:`read_lsoa_boundaries`, for postcodes the table gives no LSOA.
        column: the postcode file's LSOA column, for the words.
    """
    codes = set(lsoa_codes)
    if s.LSOA_CODE in table.columns:
        lsoa = table[s.LSOA_CODE].astype("string").copy()
    else:
        lsoa = pd.Series(pd.NA, index=table.index, dtype="string")
    out = Placed(lsoa, from_file=int(lsoa.notna().sum()))
    if out.from_file:
        out.how.append(f"from the postcode file's own LSOA column{f' ({column})' if column else ''}")
    todo = lsoa.isna()
    if boundaries is not None and len(boundaries) and todo.any():
        rows = table[todo]
        pts = gpd.GeoDataFrame(
            geometry=gpd.points_from_xy(rows["lon"], rows["lat"]), index=rows.index, crs=s.PACK_CRS
        ).to_crs(s.METRE_CRS)
        polys = boundaries[[s.LSOA_CODE, "geometry"]]
        hit = gpd.sjoin(pts, polys, how="inner", predicate="intersects")
        hit = hit[~hit.index.duplicated(keep="first")]
        lsoa.loc[hit.index] = hit[s.LSOA_CODE].astype("string")
        out.in_polygon = len(hit)
        rest = pts.loc[pts.index.difference(hit.index)]
        if len(rest):
            near = gpd.sjoin_nearest(rest, polys, how="inner", max_distance=NEAREST_M)
            near = near[~near.index.duplicated(keep="first")]
            lsoa.loc[near.index] = near[s.LSOA_CODE].astype("string")
            out.nearest = len(near)
        out.how.append(
            "by the LSOA their point lies in (in British National Grid metres; the nearest "
            f"LSOA within {NEAREST_M:g} m for {out.nearest:,} point{'' if out.nearest == 1 else 's'} "
            "just outside every boundary)"
        )
    foreign = lsoa.notna() & ~lsoa.isin(list(codes))
    out.outside = int(foreign.sum())
    out.lsoa = lsoa.mask(foreign)
    return out


def postcode_lsoa_words(placed: Placed | None, *, total: int, boundaries: str | None) -> str:
    """How the pack's postcodes got their LSOA, for the manifest."""
    if placed is None:
        return "the pack has no postcode table, so no postcode carries an LSOA"
    if not placed.how:
        return (
            "not placed: the postcode file has no LSOA column and the recipe names no LSOA boundaries "
            "(`boundaries` in the IoD section), so the postcodes carry no LSOA"
        )
    how = "; ".join(placed.how)
    if boundaries and placed.in_polygon + placed.nearest:
        how = how.replace("(in British", f"(boundaries from {boundaries}, in British")
    return (
        f"{placed.placed:,} of {total:,} postcodes placed in an LSOA {how}; "
        f"{total - placed.placed:,} are in none of the pack's LSOAs and have none"
    )
