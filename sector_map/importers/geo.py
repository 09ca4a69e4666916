"""Read any vector boundary file as published, and bring it into the pack's CRS.

:func:`read_geo` opens GeoJSON (plain or gzipped), GeoPackage, Shapefile or zipped Shapefile,
telling a wrong kind of file (a table, a PDF, an Excel workbook) from a damaged one.
:func:`to_pack_crs` reprojects to EPSG:4326, guessing a missing CRS from the coordinates.
Used for ward boundaries (:mod:`sector_map.importers.wards`) and community assets
(:mod:`sector_map.importers.assets`).
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pyogrio

from sector_map import schema as s
from sector_map.importers.tables import InputError, Notes, examples, read_bytes

__all__ = ["WHAT", "read_geo", "to_pack_crs"]

# What read_geo's messages say it expected, unless the caller says otherwise.
WHAT = "ward boundaries as GeoJSON, GeoPackage or a zipped Shapefile (.zip with .shp, .dbf, .shx, .prj)"
# British National Grid in metres: generous box around Great Britain and Northern Ireland.
_BNG_BOX = (-200_000, -100_000, 800_000, 1_300_000)
_SQLITE = b"SQLite format 3\x00"


def _zip_member(path: Path, file: str, layer: str | None, what: str) -> str:
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if not n.startswith("__MACOSX/")]
    except zipfile.BadZipFile:
        raise InputError(file, "is a damaged zip archive", hint="Download it again") from None
    if "xl/workbook.xml" in names:
        raise InputError(file, "this is an Excel workbook, not boundaries", hint=f"Expected {what}")
    geo = [n for n in names if n.lower().endswith((".shp", ".gpkg", ".geojson", ".json"))]
    if not geo:
        raise InputError(
            file,
            f"the zip archive holds no .shp, .gpkg or .geojson file (it has {examples(names)})",
            hint=f"Expected {what}",
        )
    shp = [n for n in geo if n.lower().endswith(".shp")]
    if shp:
        stem = shp[0][:-4].lower()
        missing = [e for e in (".dbf", ".shx") if stem + e not in {n.lower() for n in names}]
        if len(shp) == 1 and missing:
            raise InputError(
                file,
                f"the Shapefile in the archive lacks its {' and '.join(missing)} part",
                hint="Zip all the files that share the Shapefile's name (.shp, .dbf, .shx, .prj)",
            )
    if len(geo) > 1:
        wanted = [n for n in geo if layer and Path(n).stem == layer]
        if len(wanted) != 1:
            raise InputError(
                file,
                f"the zip archive holds several boundary files ({examples(geo)})",
                hint="Pass layer= with the name of the one to use (without its extension)",
            )
        return wanted[0]
    return geo[0]


def read_geo(path: Path | str, *, what: str = WHAT, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a GeoJSON (plain or gzipped), GeoPackage, Shapefile or zipped Shapefile as published.

    Raises:
        InputError: missing or empty file, a table/PDF/non-GeoJSON JSON given instead, a
            GeoPackage or zip with several layers and no ``layer``, or a file GDAL cannot read.
    """
    path = Path(path)
    file = path.name
    source: str | bytes = str(path)
    options: dict = {}
    if path.suffix.lower() == ".shp":
        kind = "shp"
    else:
        raw, kind = read_bytes(path, what=what)
        if raw[:16] == _SQLITE:
            kind = "gpkg"
    if kind == "json":
        head = raw[:200_000].decode("utf-8", errors="ignore")
        if not re.search(r'"type"\s*:\s*"(FeatureCollection|Feature)"', head):
            raise InputError(
                file, "this is JSON but not GeoJSON (it has no FeatureCollection)", hint=f"Expected {what}"
            )
        source = raw if path.suffix.lower() == ".gz" else str(path)
    elif kind == "zip":
        member = _zip_member(path, file, layer, what)
        source = f"/vsizip/{path.resolve()}/{member}"
    elif kind == "gpkg":
        layers = pyogrio.list_layers(str(path))
        names = [str(n) for n, _ in layers]
        if layer is not None:
            if layer not in names:
                raise InputError(file, f"has no layer {layer!r}; its layers are {examples(names)}")
            options["layer"] = layer
        elif len(names) > 1:
            poly = [str(n) for n, g in layers if g and "POLYGON" in str(g).upper()]
            if len(poly) != 1:
                raise InputError(
                    file, f"the GeoPackage has several layers ({examples(names)})", hint="Pass layer="
                )
            options["layer"] = poly[0]
    elif kind == "text":
        raise InputError(
            file,
            "this is a table (CSV or text), not boundaries",
            hint=f"Expected {what}; a table of ward figures goes in as indicators, not boundaries",
        )
    elif kind != "shp":
        names = {"pdf": "a PDF document", "markup": "a web page or XML", "binary": "a binary file"}
        raise InputError(file, f"this is {names.get(kind, kind)}, not boundaries", hint=f"Expected {what}")
    try:
        gdf = pyogrio.read_dataframe(source, use_arrow=True, **options)
    except Exception as e:  # GDAL reports unreadable files with several exception types
        raise InputError(file, f"could not be read as boundaries ({e})", hint=f"Expected {what}") from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry is None:
        raise InputError(file, "has no geometry", hint=f"Expected {what}")
    return gdf.reset_index(drop=True)


def to_pack_crs(gdf: gpd.GeoDataFrame, file: str, notes: Notes) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326, guessing a missing (or impossible) CRS from the coordinates.

    Metre coordinates within Great Britain's grid are taken as EPSG:27700, degrees as WGS84;
    both guesses are noted. GeoJSON without a ``crs`` member is WGS84 by definition (RFC 7946),
    but old exports hold grid metres there, which the bounds give away.

    Example:
        >>> from shapely.geometry import Point
        >>> g = gpd.GeoDataFrame(geometry=[Point(377000, 394000)])
        >>> notes = Notes()
        >>> round(to_pack_crs(g, "x.shp", notes).geometry[0].x, 2), len(notes)
        (-2.35, 1)
    """
    present = gdf.geometry[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if present.empty:
        return gdf.set_crs(s.PACK_CRS, allow_override=True)
    minx, miny, maxx, maxy = present.total_bounds
    degrees = bool(minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90)
    bng = bool(_BNG_BOX[0] <= minx <= maxx <= _BNG_BOX[2] and _BNG_BOX[1] <= miny <= maxy <= _BNG_BOX[3])
    crs = gdf.crs
    if crs is None or (crs.is_geographic and not degrees):
        said = "has no coordinate reference system" if crs is None else f"says {crs.to_string()} but"
        if degrees and crs is None:
            notes.add(file, f"{said}; the coordinates look like degrees, so WGS84 (EPSG:4326) was assumed")
            return gdf.set_crs(s.PACK_CRS)
        if bng and not degrees:
            notes.add(
                file,
                f"{said}; the coordinates look like British National Grid metres, so EPSG:27700 was assumed",
            )
            return gdf.set_crs(s.METRE_CRS, allow_override=True).to_crs(s.PACK_CRS)
        raise InputError(
            file,
            f"{said}; the coordinates (x {minx:,.0f} to {maxx:,.0f}, y {miny:,.0f} to {maxy:,.0f}) "
            "are neither degrees nor British National Grid metres",
            hint="Save the file with its .prj / CRS (e.g. EPSG:27700 or EPSG:4326)",
        )
    if crs.equals(s.PACK_CRS) or crs.equals("OGC:CRS84"):
        return gdf.set_crs(s.PACK_CRS, allow_override=True)
    return gdf.to_crs(s.PACK_CRS)
