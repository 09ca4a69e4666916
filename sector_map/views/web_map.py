"""What the browser map component is sent: ward geometry once per pack, then small per-run state.

The ward outlines are the heavy part of a map (1.3 MB for England's 6,817 wards, 0.55 MB gzipped)
and they never change while a pack is open, so :func:`ward_geometry` turns them into one file
named by a hash of its content. The app writes it where Streamlit serves static files and the
browser fetches it once and keeps it; a rerun then sends only :func:`map_state`: a class index, a
value text and a rank per ward (in the file's ward order), the colours, the selected ward, and
organisations as counts per ward or as a capped set of points.

All text here is plain text: the component puts it in the page with ``textContent``, never as
HTML, so nothing is escaped here and nothing in a name can run. See
docs/decisions/0006-national-map.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from sector_map.pack import schema as s
from sector_map.pack.values import format_value, value_format_for
from sector_map.views.classify import NO_DATA_COLOUR, Classes
from sector_map.views.map_layers import ASSET_STYLES, MANY_WARDS, NO_THEME_COLOUR

FORMAT_VERSION = 1
# Coordinates travel as integers of 1e-5 degrees (about 1 m), each ring's points as differences
# from the one before, which JSON writes in a few digits.
QUANTUM = 100_000
FILE_PREFIX = "wards-"
# Up to this many organisations are sent as points on every run (clustered in the browser);
# above it, counts per ward, and points only for the part of the map in view when zoomed in.
POINT_CAP = 4_000
# The zoom from which a national map asks for the organisations in view.
POINT_ZOOM = 13
_ORG_RADIUS = {"micro": 4, "small": 5, "medium": 6, "large": 7, "major": 8}


@dataclass(frozen=True)
class WardGeometry:
    """The ward geometry file: its name (``wards-<hash>.json``), bytes and ward order."""

    name: str
    body: bytes
    codes: tuple[str, ...]

    def index(self) -> dict[str, int]:
        """Ward code -> position in the file (the order of every per-ward list in :func:`map_state`)."""
        return {c: i for i, c in enumerate(self.codes)}


def _ring(coords: Any) -> list[int]:  # a shapely CoordinateSequence or an (n, 2) array
    q = np.round(np.asarray(coords)[:-1, :2] * QUANTUM).astype(np.int64)  # the closing point is implied
    q = q[:, ::-1]  # lat, lon as Leaflet takes them
    d = np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return d.ravel().tolist()


def _shape(geom: BaseGeometry | None) -> list[list[list[int]]]:
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, MultiPolygon):
        polys = list(geom.geoms)
    elif isinstance(geom, Polygon):
        polys = [geom]
    else:
        polys = []
    return [
        [_ring(p.exterior.coords), *(_ring(r.coords) for r in p.interiors)] for p in polys if not p.is_empty
    ]


def ward_geometry(wards: gpd.GeoDataFrame) -> WardGeometry:
    """The wards as the map component's geometry file (simplify them first: ``maps.simplify_wards``).

    The file is JSON: ``codes``, ``names``, ``centres`` (a point inside each ward, for counts),
    ``bounds`` ``[[south, west], [north, east]]`` and ``shapes``: per ward, its polygons, each a
    list of rings of delta-encoded ``[lat, lon, dlat, dlon, …]`` integers in units of 1/``QUANTUM``
    degree. The same wards always give the same bytes and so the same name.
    """
    w = _in_pack_crs(wards)
    codes = w[s.WARD_CODE].astype(str).tolist()
    names = w[s.WARD_NAME].astype(str).tolist() if s.WARD_NAME in w else list(codes)
    geoms = w.geometry.to_numpy()
    inside = shapely.point_on_surface(geoms) if len(geoms) else np.array([])
    centres = [
        [round(float(p.y), 5), round(float(p.x), 5)] if p is not None and not p.is_empty else None
        for p in inside
    ]
    if len(w):
        minx, miny, maxx, maxy = (round(float(v), 5) for v in w.total_bounds)
        bounds = [[miny, minx], [maxy, maxx]]
    else:
        bounds = [[49.9, -6.4], [55.8, 1.8]]
    doc = {
        "v": FORMAT_VERSION,
        "q": QUANTUM,
        "bounds": bounds,
        "codes": codes,
        "names": names,
        "centres": centres,
        "shapes": [_shape(g) for g in geoms],
    }
    body = json.dumps(doc, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    digest = hashlib.sha256(body).hexdigest()[:20]
    return WardGeometry(f"{FILE_PREFIX}{digest}.json", body, tuple(codes))


def write_geometry(geometry: WardGeometry, folder: str | Path) -> Path:
    """Write the geometry file into ``folder`` unless it is already there; returns its path.

    Written to a temporary name and renamed, so a browser never reads half a file; the name is
    the content's hash, so an existing file with that name is already right.
    """
    folder = Path(folder)
    path = folder / geometry.name
    if path.is_file() and path.stat().st_size == len(geometry.body):
        return path
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".wards-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(geometry.body)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# --- per run ---------------------------------------------------------------------------------
def ward_state(
    geometry: WardGeometry,
    values: pd.Series,
    classes: Classes,
    colours: Sequence[str],
    *,
    label: str,
    unit: str = "",
    value_format: str | Callable[[float], str] | None = None,
    ranks: pd.Series | None = None,
    selected: str | None = None,
) -> dict[str, Any]:
    """The wards' part of a run: class, value text and rank per ward in the file's order.

    ``cls`` is -1 for a ward with no data (drawn hatched grey, "no data" in its tooltip); ``rank``
    is 0 where a ward has no rank. ``selected`` is the selected ward's position, or -1.
    """
    if len(colours) != classes.k_effective:
        raise ValueError(f"need {classes.k_effective} colours, got {len(colours)}")
    codes = list(geometry.codes)
    vals = pd.to_numeric(values, errors="coerce").reindex(codes).to_numpy(dtype="float64")
    cls = classes.class_of.reindex(codes).fillna(-1).astype(int).to_numpy()
    if value_format is None:
        value_format = value_format_for(values, unit=unit)
    text = [format_value(v, unit=unit, value_format=value_format) for v in vals]
    if ranks is not None:
        r = ranks.reindex(codes).to_numpy(dtype="float64", na_value=np.nan)
        rank = np.where(np.isfinite(r), r, 0).astype(int).tolist()
    else:
        rank = [0] * len(codes)
    index = geometry.index()
    return {
        "label": str(label),
        "colours": [str(c) for c in colours],
        "noData": NO_DATA_COLOUR,
        "cls": cls.tolist(),
        "text": text,
        "rank": rank,
        "nRanked": int(sum(1 for x in rank if x)),
        "selected": index.get(selected, -1) if selected is not None else -1,
        "many": len(codes) > MANY_WARDS,
    }


_PACK_CRS_SEEN: dict[int, tuple[Any, bool]] = {}


def _in_pack_crs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    crs = gdf.crs
    if crs is None:
        return gdf
    # pyproj's CRS.equals takes ~80 ms, half a borough's rerun budget; a pack's frames share one
    # CRS object, so its answer is kept (with the object, so its id is not reused).
    seen = _PACK_CRS_SEEN.get(id(crs))
    if seen is None or seen[0] is not crs:
        if len(_PACK_CRS_SEEN) > 64:
            _PACK_CRS_SEEN.clear()
        seen = _PACK_CRS_SEEN[id(crs)] = (crs, bool(crs.equals(s.PACK_CRS)))
    return gdf if seen[1] else gdf.to_crs(s.PACK_CRS)


def _located(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.empty:
        return gdf
    gdf = _in_pack_crs(gdf)
    geom = gdf.geometry
    return gdf[~(geom.isna() | geom.is_empty) & (geom.geom_type == "Point").to_numpy()]


def ward_of_points(wards: gpd.GeoDataFrame, points: gpd.GeoDataFrame) -> np.ndarray:
    """Position in ``wards`` of the ward each point lies in (-1: in none, or no location).

    One spatial-index query for all points; a point on a shared border goes to the first ward.
    """
    out = np.full(len(points), -1, dtype=np.int64)
    if not len(points) or wards.empty:
        return out
    pts = points.to_crs(wards.crs) if points.crs is not None and wards.crs is not None else points
    geom = pts.geometry.to_numpy()
    ok = np.array([g is not None and not g.is_empty and g.geom_type == "Point" for g in geom], dtype=bool)
    if not ok.any():
        return out
    idx_pts, idx_wards = wards.sindex.query(geom[ok], predicate="within")
    rows = np.flatnonzero(ok)[idx_pts]
    order = np.lexsort((idx_wards, rows))  # the first ward per point
    rows, idx_wards = rows[order], idx_wards[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = rows[1:] != rows[:-1]
    out[rows[first]] = idx_wards[first]
    return out


def ward_counts(ward_index: np.ndarray, n_wards: int) -> list[int]:
    """How many points fall in each ward, from :func:`ward_of_points` of the points shown."""
    inside = ward_index[ward_index >= 0]
    return np.bincount(inside, minlength=n_wards).astype(int).tolist()


def organisation_points(
    orgs: gpd.GeoDataFrame,
    *,
    bounds: Sequence[Sequence[float]] | None = None,
    cap: int = POINT_CAP,
    theme_colours: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Located organisations (inside ``bounds`` ``[[south, west], [north, east]]`` if given) as
    compact rows, at most ``cap`` of them.

    Returns ``{"rows": [[lat, lon, colour, radius, name, subtitle, themes, contact], …],
    "colours": [...], "subtitles": [...], "themes": [...], "total": n, "shown": m}`` where colour,
    subtitle and themes index the lists beside them (-1: none) and ``total`` counts every located
    organisation in ``bounds``. Text is plain, for ``textContent``.
    """
    colour_of = dict(theme_colours) if theme_colours is not None else {t.id: t.colour for t in s.THEMES_LIST}
    pts = _located(orgs)
    lat = pts.geometry.y.to_numpy(dtype="float64") if len(pts) else np.empty(0)
    lon = pts.geometry.x.to_numpy(dtype="float64") if len(pts) else np.empty(0)
    if bounds is not None and len(pts):
        (south, west), (north, east) = bounds
        inside = (lat >= south) & (lat <= north) & (lon >= west) & (lon <= east)
        pts, lat, lon = pts[inside], lat[inside], lon[inside]
    total = len(pts)
    pts = pts.iloc[:cap]
    lat, lon = np.round(lat[:cap], 5), np.round(lon[:cap], 5)
    tables: dict[str, list[str]] = {"colours": [], "subtitles": [], "themes": []}
    seen: dict[tuple[str, str], int] = {}

    def ref(table: str, text: str) -> int:
        if not text:
            return -1
        key = (table, text)
        if key not in seen:
            seen[key] = len(tables[table])
            tables[table].append(text)
        return seen[key]

    n = len(pts)
    names = pts[s.ORG_NAME].astype("object").tolist() if s.ORG_NAME in pts else [""] * n
    kinds = pts[s.ORG_KIND].astype("object").tolist() if s.ORG_KIND in pts else [None] * n
    bands = pts[s.SIZE_BAND].astype("object").tolist() if s.SIZE_BAND in pts else [None] * n
    themes = pts[s.THEMES].tolist() if s.THEMES in pts else [None] * n
    quality = pts[s.LOCATION_QUALITY].astype("object").tolist() if s.LOCATION_QUALITY in pts else [None] * n
    rows = []
    for i in range(n):
        ts = _as_list(themes[i])
        labels = [s.THEMES_BY_ID[t].label if t in s.THEMES_BY_ID else t for t in ts]
        band = bands[i] if isinstance(bands[i], str) else None
        parts = [_text(kinds[i]), s.SIZE_BAND_LABELS.get(band, "") if band else ""]
        rows.append(
            [
                float(lat[i]),
                float(lon[i]),
                ref("colours", colour_of.get(ts[0], NO_THEME_COLOUR) if ts else NO_THEME_COLOUR),
                _ORG_RADIUS.get(band, 5) if band else 5,
                _text(names[i]),
                ref("subtitles", " · ".join(p for p in parts if p)),
                ref("themes", "; ".join(labels)),
                int(s.LOCATION_KIND.get(str(quality[i])) == s.LOCATION_CONTACT),
            ]
        )
    return {"rows": rows, **tables, "total": int(total), "shown": n}


def asset_points(assets: gpd.GeoDataFrame, *, cap: int = POINT_CAP) -> dict[str, Any]:
    """Community buildings and land as ``[lat, lon, style, name, kind, status]`` rows (plain text);
    ``styles`` lists ``[shape, colour]`` per status, the last for a status not known."""
    styles = [*ASSET_STYLES.values(), ("square", "#777777")]
    status_index = {status: i for i, status in enumerate(ASSET_STYLES)}
    pts = _located(assets).iloc[:cap]
    ys = pts.geometry.y.to_numpy(dtype="float64") if len(pts) else np.empty(0)
    xs = pts.geometry.x.to_numpy(dtype="float64") if len(pts) else np.empty(0)
    rows = []
    for y, x, name, kind, status in zip(
        ys,
        xs,
        pts.get(s.ASSET_NAME, pd.Series([""] * len(pts), index=pts.index)),
        pts.get(s.ASSET_KIND, pd.Series([""] * len(pts), index=pts.index)),
        pts.get(s.ASSET_STATUS, pd.Series([None] * len(pts), index=pts.index)),
        strict=True,
    ):
        st = status if isinstance(status, str) else None
        rows.append(
            [
                round(float(y), 5),
                round(float(x), 5),
                status_index.get(st, len(styles) - 1) if st else len(styles) - 1,
                _text(name),
                _text(kind),
                _text(st) or "not known",
            ]
        )
    return {"rows": rows, "styles": [list(x) for x in styles]}


def _text(value: object) -> str:
    """A data cell as one line of plain text ("" when missing)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return " ".join(str(value).split())


def _as_list(v: Any) -> list[str]:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return []
    if isinstance(v, str):
        return [v]
    return [str(x) for x in v]
