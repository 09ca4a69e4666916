"""Read any vector boundary file as published, and bring it into the pack's CRS.

:func:`read_geo` opens GeoJSON (plain or gzipped), GeoPackage, Shapefile or zipped Shapefile,
telling a wrong kind of file (a table, a PDF, an Excel workbook) from a damaged one.
:func:`list_layers` names the layers a GeoPackage or zip offers, for the Data page's chooser.
:func:`to_pack_crs` reprojects to EPSG:4326, guessing a missing CRS from the coordinates, and
checks the shapes are in the UK (swapped latitude and longitude are put right, with a note).
Files are opened through :mod:`sector_map.importers.geo_files`, which refuses bombs, escaping
zip members and things that are not files before GDAL sees them.
Used for ward boundaries (:mod:`sector_map.importers.wards`) and community assets
(:mod:`sector_map.importers.assets`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from sector_map.importers.geo_files import check_file, sniff, unpacked, zip_layers
from sector_map.importers.tables import InputError, Notes, examples
from sector_map.pack import schema as s

__all__ = ["UK_BOX", "WHAT", "list_layers", "read_geo", "to_pack_crs"]

# What read_geo's messages say it expected, unless the caller says otherwise.
WHAT = "ward boundaries as GeoJSON, GeoPackage or a zipped Shapefile (.zip with .shp, .dbf, .shx, .prj)"
# British National Grid in metres: generous box around Great Britain and Northern Ireland.
_BNG_BOX = (-200_000, -100_000, 800_000, 1_300_000)
# Longitude/latitude of the UK (Northern Ireland to Lowestoft, Scilly and Jersey to Shetland),
# with half a degree to spare on every side.
UK_BOX = (-9.0, 49.0, 2.5, 61.0)
_SPARE = 0.5
_NOT_BOUNDARIES = {
    "text": "this is a table (CSV or text), not boundaries",
    "pdf": "this is a PDF document, not boundaries",
    "markup": "this is a web page or XML, not boundaries",
    "binary": "this is a binary file, not boundaries",
}
# What GDAL's errors mean, in words for the person with the file (GDAL's own text names paths).
_GDAL_WORDS = (
    (
        r"not recognized as (being in )?a supported file format",
        "is not in a boundary format that can be read",
    ),
    (r"not a database|malformed|disk image|database", "is a damaged GeoPackage (or cut short)"),
    (r"json|parse|parsing|unexpected end|premature", "is cut short or is not valid GeoJSON"),
    (r"shp|shx|dbf|shape", "is a damaged or incomplete Shapefile"),
)


def _gdal_error(e: Exception, file: str, what: str) -> InputError:
    text = str(e).lower()
    words = next((w for pattern, w in _GDAL_WORDS if re.search(pattern, text)), None)
    return InputError(
        file,
        words or "could not be read as boundaries: it is damaged, cut short or not a boundary file",
        hint=f"Download it again, or export it again from your GIS. Expected {what}",
    )


def _gpkg_layers(path: Path, file: str, what: str) -> list[tuple[str, str]]:
    try:
        return [(str(n), str(g or "")) for n, g in pyogrio.list_layers(str(path))]
    except Exception as e:  # GDAL raises several types for a damaged database
        raise _gdal_error(e, file, what) from None


def list_layers(path: Path | str, *, what: str = WHAT) -> list[str]:
    """The layers a boundary file offers: a GeoPackage's layers, or a zip's boundary files.

    A file with one layer gives a list of one; the Data page offers a chooser when there are
    more, and passes the choice to :func:`read_geo` as ``layer``.

    Raises:
        InputError: as :func:`read_geo` for a file that is not an ordinary file, an unsafe or
            damaged zip, or a damaged GeoPackage.
    """
    path = Path(path)
    check_file(path)
    with open(path, "rb") as f:
        if sniff(f.read(8192)) == "zip" and len(names := zip_layers(path)) > 1:
            return list(names)
    with unpacked(path) as src:
        if src.kind == "gpkg":
            return [n for n, _ in _gpkg_layers(src.path, path.name, what)]
        return [src.path.stem]


def _gpkg_layer(path: Path, file: str, layer: str | None, what: str) -> str | None:
    names = [n for n, _ in _gpkg_layers(path, file, what)]
    if layer is not None:
        if layer not in names:
            raise InputError(
                file,
                f"has no layer {layer!r}; its layers are {examples(names, 10)}",
                hint="Choose one of those",
            )
        return layer
    if len(names) > 1:
        raise InputError(
            file,
            f"this GeoPackage has {len(names)} layers ({examples(names, 10)}); choose one",
            hint="Choose the layer holding the boundaries",
        )
    return names[0] if names else None


def read_geo(path: Path | str, *, what: str = WHAT, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a GeoJSON (plain or gzipped), GeoPackage, Shapefile or zipped Shapefile as published.

    Archives are unpacked within limits before GDAL sees them (see
    :mod:`sector_map.importers.geo_files`); messages name the file, never a folder on the server.

    Args:
        path: the file.
        what: what the caller expected, for messages.
        layer: the layer of a GeoPackage, or the boundary file of a zip, holding several
            (see :func:`list_layers`); ignored for GeoJSON, Shapefiles and zips of one file.

    Raises:
        InputError: a missing, empty or unsafe file, a table/PDF/non-GeoJSON JSON given instead, a
            GeoPackage or zip with several layers and no ``layer``, no features, or a file GDAL
            cannot read.
    """
    path = Path(path)
    file = path.name
    options: dict = {}
    with unpacked(path, layer=layer) as src:
        if src.kind == "empty":
            raise InputError(file, "the file is empty", hint=f"Expected {what}")
        if src.kind in _NOT_BOUNDARIES:
            hint = f"Expected {what}" + (
                "; a table of ward figures goes in as indicators, not boundaries"
                if src.kind == "text"
                else ""
            )
            raise InputError(file, _NOT_BOUNDARIES[src.kind], hint=hint)
        if src.kind == "json":
            with open(src.path, "rb") as f:
                head = f.read(200_000).decode("utf-8", errors="ignore")
            if not re.search(r'"type"\s*:\s*"(FeatureCollection|Feature)"', head):
                raise InputError(
                    file,
                    "this is JSON but not GeoJSON (it has no FeatureCollection)",
                    hint=f"Expected {what}",
                )
        elif src.kind == "gpkg":
            chosen = _gpkg_layer(src.path, file, None if layer in src.choices else layer, what)
            if chosen is not None:
                options["layer"] = chosen
        elif src.kind != "shp":
            raise InputError(file, f"this is not boundaries ({src.kind})", hint=f"Expected {what}")
        try:
            gdf = pyogrio.read_dataframe(str(src.path), use_arrow=True, **options)
        except Exception as e:  # GDAL reports unreadable files with several exception types
            raise _gdal_error(e, file, what) from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry is None:
        raise InputError(file, "has no geometry (no shapes)", hint=f"Expected {what}")
    if len(gdf) == 0:
        raise InputError(file, "holds no features (no boundaries at all)", hint=f"Expected {what}")
    return gdf.reset_index(drop=True)


def _in_box(bounds: np.ndarray, box: tuple[float, float, float, float], spare: float = 0.0) -> np.ndarray:
    """Rows of (minx, miny, maxx, maxy) lying within box, with ``spare`` on every side."""
    return (
        (bounds[:, 0] >= box[0] - spare)
        & (bounds[:, 1] >= box[1] - spare)
        & (bounds[:, 2] <= box[2] + spare)
        & (bounds[:, 3] <= box[3] + spare)
    )


def _reproject(gdf: gpd.GeoDataFrame, present: gpd.GeoSeries, file: str, notes: Notes) -> gpd.GeoDataFrame:
    """EPSG:4326 from the file's CRS, or from the coordinates when the CRS is missing or impossible."""
    minx, miny, maxx, maxy = present.total_bounds
    degrees = bool(minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90)
    bng = bool(_BNG_BOX[0] <= minx <= maxx <= _BNG_BOX[2] and _BNG_BOX[1] <= miny <= maxy <= _BNG_BOX[3])
    crs = gdf.crs
    if (
        crs is not None
        and crs.is_projected
        and degrees
        and _in_box(present.bounds.to_numpy(), UK_BOX, _SPARE).all()
    ):
        notes.add(
            file,
            f"says {crs.to_string()} (metres) but the coordinates look like longitude and latitude in "
            "degrees, so WGS84 (EPSG:4326) was assumed",
        )
        return gdf.set_crs(s.PACK_CRS, allow_override=True)
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


def _rows(gdf: gpd.GeoDataFrame, mask: pd.Series) -> gpd.GeoSeries:
    """The geometries where ``mask`` holds (a GeoSeries, which the stubs type as a plain Series)."""
    return cast(gpd.GeoSeries, gdf.geometry[mask])


def _swapped(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    out[out.geometry.name] = gpd.GeoSeries(
        shapely.transform(gdf.geometry.values, lambda xy: xy[:, ::-1]), index=gdf.index, crs=gdf.crs
    )
    return out


def to_pack_crs(gdf: gpd.GeoDataFrame, file: str, notes: Notes) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326, guessing a missing (or impossible) CRS, and check the result is in the UK.

    Metre coordinates within Great Britain's grid are taken as EPSG:27700, degrees as WGS84;
    both guesses are noted. GeoJSON without a ``crs`` member is WGS84 by definition (RFC 7946),
    but old exports hold grid metres there, which the bounds give away; a file labelled in
    metres that holds degrees is read as degrees.

    Then every shape must lie within the UK (:data:`UK_BOX`, half a degree to spare). When none
    does but all would with x and y exchanged, latitude and longitude were swapped (a common slip
    with EPSG:4326's latitude-first axis order): they are swapped back and noted, since the swap
    loses nothing and the UK box cannot be mistaken for anywhere else. Otherwise the shapes
    outside are named and nothing is accepted.

    Example:
        >>> from shapely.geometry import Point
        >>> g = gpd.GeoDataFrame(geometry=[Point(377000, 394000)])
        >>> notes = Notes()
        >>> round(to_pack_crs(g, "x.shp", notes).geometry[0].x, 2), len(notes)
        (-2.35, 1)
        >>> g = gpd.GeoDataFrame(geometry=[Point(53.4, -2.3)], crs=4326)
        >>> to_pack_crs(g, "x.geojson", notes).geometry[0].x, notes[-1].text[:40]
        (-2.3, 'latitude and longitude look swapped: the')
    """
    located = gdf.geometry.notna() & ~gdf.geometry.is_empty
    if not located.any():
        return gdf.set_crs(s.PACK_CRS, allow_override=True)
    out = _reproject(gdf, _rows(gdf, located), file, notes)
    inside = _in_box(_rows(out, located).bounds.to_numpy(), UK_BOX, _SPARE)
    if inside.all():
        return out
    minx, miny, maxx, maxy = _rows(out, located).total_bounds
    where = f"longitude {minx:.2f} to {maxx:.2f}, latitude {miny:.2f} to {maxy:.2f}"
    if not inside.any():
        swapped = _swapped(gdf)
        try:
            back = _reproject(swapped, _rows(swapped, located), file, Notes())
        except InputError:
            back = None
        if back is not None and _in_box(_rows(back, located).bounds.to_numpy(), UK_BOX, _SPARE).all():
            notes.add(
                file,
                f"latitude and longitude look swapped: the shapes lie at {where}, which is not in the UK, "
                "but fit the UK the other way round, so they were swapped back",
            )
            return back
        raise InputError(
            file,
            f"the shapes lie at {where}, which is not in the UK (longitude {UK_BOX[0]} to {UK_BOX[2]}, "
            f"latitude {UK_BOX[1]} to {UK_BOX[3]})",
            hint="Check the file's coordinate reference system (.prj, or the CRS it was exported with): "
            "British National Grid is EPSG:27700, longitude/latitude EPSG:4326",
        )
    outside = [int(i) + 1 for i in gdf.index[located.to_numpy()][~inside]]
    raise InputError(
        file,
        f"{len(outside)} of {int(located.sum())} shapes lie outside the UK (the file's shapes span {where}); "
        "features counted from 1",
        rows=outside,
        hint="Remove or correct them; they are probably typing slips or a shape in another coordinate system",
    )
