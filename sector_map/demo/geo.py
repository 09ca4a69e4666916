"""Geometry for the fictional demo borough: outline, wards that tile it exactly, smooth fields.

Everything is built in British National Grid metres (``schema.METRE_CRS``) in the North Sea,
about 100 km east of the Yorkshire coast, so the borough can never be mistaken for a real
place but still sits inside the grid's extent (print maps with scale bars keep working).

Wards are Voronoi cells of density-weighted, Lloyd-relaxed seeds. All cell edges and the
outline are noded together once and polygonized, so neighbouring wards share exactly the
same vertices; a smooth displacement of every vertex (a function of its position alone)
then bends the straight Voronoi edges without opening gaps or overlaps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import MultiPoint, Point, Polygon
from shapely.geometry.base import BaseGeometry

CENTRE = (640_000.0, 520_000.0)
HALF_WIDTH_M = 6_000.0
HALF_HEIGHT_M = 4_500.0
GRID_STEP_M = 100.0
EDGE_STEP_M = 120.0
# (amplitude m, wavelength m) of the edge-bending waves; the sum of 2*pi*a/L stays below
# 1/sqrt(2) so the displacement is one-to-one and no polygon can fold over itself.
WARP_WAVES = ((140.0, 2_600.0), (30.0, 900.0), (8.0, 400.0))


@dataclass(frozen=True)
class BoroughGeometry:
    """The borough in metres: outline, ward polygons and a sample grid assigned to wards.

    Attributes:
        outline: the borough boundary (after the same warp as the wards).
        wards: ward polygons, one per seed, in seed order.
        grid_xy: sample points inside the borough (n x 2), ``GRID_STEP_M`` apart.
        grid_ward: index of the ward each grid point falls in.
        town: the town-centre point (x, y).
        industrial: unit vector pointing to the old industrial side of the borough.
    """

    outline: BaseGeometry  # the union of the wards: one polygon for this borough
    wards: list
    grid_xy: np.ndarray
    grid_ward: np.ndarray
    town: tuple[float, float]
    industrial: tuple[float, float]


def build_geometry(rng: np.random.Generator, n_wards: int) -> BoroughGeometry:
    """Draw a borough outline and tile it with ``n_wards`` irregular wards.

    Args:
        rng: the random generator for this stage.
        n_wards: how many wards to make.

    Returns:
        The borough geometry in EPSG:27700 metres.
    """
    angle = rng.uniform(0, 2 * np.pi)
    industrial = (float(np.cos(angle)), float(np.sin(angle)))
    town = (
        CENTRE[0] + 1_200.0 * industrial[0] + rng.normal(0, 300),
        CENTRE[1] + 1_000.0 * industrial[1] + rng.normal(0, 300),
    )
    raw_outline = _outline(rng)
    grid = _grid_inside(raw_outline)
    density = population_density(grid, town)
    seeds = _relaxed_seeds(rng, grid, density, n_wards)

    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=raw_outline.buffer(3_000))
    lines = shapely.union_all([shapely.boundary(c) for c in cells.geoms] + [raw_outline.exterior])
    lines = shapely.segmentize(lines, EDGE_STEP_M)
    faces = [
        f
        for f in shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
        if raw_outline.contains(f.representative_point())
    ]
    wards = _faces_to_wards(faces, seeds)
    warp = _warp_function(rng)
    bent = [shapely.transform(w, warp) for w in wards]
    if all(shapely.is_valid(bent)):
        wards = bent
    outline = shapely.coverage_union_all(wards)
    grid_ward = cKDTree(seeds).query(grid)[1]
    return BoroughGeometry(outline, wards, grid, grid_ward, town, industrial)


def population_density(xy: np.ndarray, town: tuple[float, float]) -> np.ndarray:
    """Relative residential density: a dense town centre fading to a suburban base."""
    return 1.0 + 2.5 * np.exp(-_sqdist(xy, town) / (2 * 2_800.0**2))


def _outline(rng: np.random.Generator) -> Polygon:
    """A star-shaped, gently lobed outline about 12 km by 9 km."""
    theta = np.linspace(0, 2 * np.pi, 180, endpoint=False)
    r = np.ones_like(theta)
    for k in range(2, 16):
        r += rng.normal(0, 0.2 / k) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    r = np.clip(r, 0.65, 1.35)
    x = CENTRE[0] + HALF_WIDTH_M * r * np.cos(theta)
    y = CENTRE[1] + HALF_HEIGHT_M * r * np.sin(theta)
    return Polygon(np.column_stack([x, y]))


def _grid_inside(outline: Polygon) -> np.ndarray:
    minx, miny, maxx, maxy = outline.bounds
    xs = np.arange(minx + GRID_STEP_M / 2, maxx, GRID_STEP_M)
    ys = np.arange(miny + GRID_STEP_M / 2, maxy, GRID_STEP_M)
    gx, gy = np.meshgrid(xs, ys)
    inside = shapely.contains_xy(outline, gx.ravel(), gy.ravel())
    return np.column_stack([gx.ravel()[inside], gy.ravel()[inside]])


def _sqdist(xy: np.ndarray, point: tuple[float, float]) -> np.ndarray:
    return (xy[:, 0] - point[0]) ** 2 + (xy[:, 1] - point[1]) ** 2


def _relaxed_seeds(rng: np.random.Generator, grid: np.ndarray, density: np.ndarray, n: int) -> np.ndarray:
    """Density-weighted seeds, Lloyd-relaxed a few times: even-ish wards, smaller in the centre."""
    pick = rng.choice(len(grid), size=n, replace=False, p=density / density.sum())
    seeds = grid[pick] + rng.uniform(-GRID_STEP_M / 2, GRID_STEP_M / 2, size=(n, 2))
    for _ in range(3):
        owner = cKDTree(seeds).query(grid)[1]
        weight = np.bincount(owner, weights=density, minlength=n)
        sx = np.bincount(owner, weights=density * grid[:, 0], minlength=n)
        sy = np.bincount(owner, weights=density * grid[:, 1], minlength=n)
        has = weight > 0
        seeds[has] = np.column_stack([sx[has] / weight[has], sy[has] / weight[has]])
    return seeds


def _faces_to_wards(faces: list, seeds: np.ndarray) -> list:
    """Group polygonized faces by the seed whose Voronoi cell they lie in."""
    tree = cKDTree(seeds)
    parts: list[list] = [[] for _ in range(len(seeds))]
    for face in faces:
        p = face.representative_point()
        parts[int(tree.query([p.x, p.y])[1])].append(face)
    return [ps[0] if len(ps) == 1 else shapely.multipolygons(ps) for ps in parts]


def _warp_function(rng: np.random.Generator) -> Callable[[np.ndarray], np.ndarray]:
    waves = []
    for amplitude, wavelength in WARP_WAVES:
        for _axis in range(2):
            a = rng.uniform(0, 2 * np.pi)
            k = 2 * np.pi / wavelength
            waves.append((amplitude, k * np.cos(a), k * np.sin(a), rng.uniform(0, 2 * np.pi)))

    def warp(coords: np.ndarray) -> np.ndarray:
        x = coords[:, 0] - CENTRE[0]
        y = coords[:, 1] - CENTRE[1]
        dx = np.zeros_like(x)
        dy = np.zeros_like(y)
        for i, (amp, kx, ky, phase) in enumerate(waves):
            shift = amp * np.sin(kx * x + ky * y + phase)
            if i % 2 == 0:
                dx += shift
            else:
                dy += shift
        return np.column_stack([coords[:, 0] + dx, coords[:, 1] + dy])

    return warp


def smooth_field(rng: np.random.Generator, xy: np.ndarray, *, waves: int = 6) -> np.ndarray:
    """A random, spatially smooth field (sum of long plane waves), mean 0 and sd about 1."""
    out = np.zeros(len(xy))
    for _ in range(waves):
        wavelength = rng.uniform(3_500, 9_000)
        a = rng.uniform(0, 2 * np.pi)
        k = 2 * np.pi / wavelength
        proj = (xy[:, 0] - CENTRE[0]) * np.cos(a) + (xy[:, 1] - CENTRE[1]) * np.sin(a)
        out += np.sqrt(2.0 / waves) * np.cos(k * proj + rng.uniform(0, 2 * np.pi))
    return out


def ward_means(values: np.ndarray, geo: BoroughGeometry) -> np.ndarray:
    """Average a per-grid-point field over each ward."""
    n = len(geo.wards)
    total = np.bincount(geo.grid_ward, weights=values, minlength=n)
    count = np.bincount(geo.grid_ward, minlength=n)
    return total / np.maximum(count, 1)


def random_points_in(rng: np.random.Generator, polygon: BaseGeometry, n: int) -> list[Point]:
    """``n`` uniformly random points inside ``polygon`` (rejection sampling in its bounds)."""
    if n == 0:
        return []
    minx, miny, maxx, maxy = polygon.bounds
    shapely.prepare(polygon)
    found: list[np.ndarray] = []
    have = 0
    while have < n:
        x = rng.uniform(minx, maxx, size=4 * n + 8)
        y = rng.uniform(miny, maxy, size=4 * n + 8)
        keep = shapely.contains_xy(polygon, x, y)
        found.append(np.column_stack([x[keep], y[keep]]))
        have += int(keep.sum())
    xy = np.concatenate(found)[:n]
    return [Point(float(px), float(py)) for px, py in xy]
