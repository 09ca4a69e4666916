"""The two-step floating catchment area (2SFCA) method, as plain numpy/scipy maths.

2SFCA (Luo & Wang 2003) measures how much of a service is within reach of the people around
a place, allowing for the other people who also reach it:

1. for each service ``j``, its supply per person in its catchment:
   ``R_j = S_j / sum(W(d_kj) * P_k for demand points k with d_kj <= d0)``;
2. for each demand point ``i``, the sum of those ratios over the services it can reach:
   ``A_i = sum(W(d_ij) * R_j for services j with d_ij <= d0)``.

``W`` is the distance decay (see :func:`decay_weights`): ``"none"`` counts everything inside
the catchment fully, ``"linear"`` falls from 1 at the service to 0 at the edge, and
``"gaussian"`` is ``W = 100 ** -(d / d0) ** 2``, a bell curve that is 1 at the service and
exactly 0.01 at the edge. Because the same ``W`` is used in both steps, the method conserves
supply: ``sum(A_i * P_i)`` equals the total supply of the services that reach anyone.

Coordinates are in metres (project to ``schema.METRE_CRS`` first). This module knows nothing
about packs; :mod:`sector_map.analysis.provision` feeds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import shapely
from scipy import sparse
from scipy.spatial import cKDTree

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

DECAYS = ("none", "linear", "gaussian")
_GAUSS_EDGE = np.log(100.0)  # W(d0) = exp(-ln(100)) = 0.01


def decay_weights(d: np.ndarray, d0: np.ndarray | float, decay: str) -> np.ndarray:
    """Weight of a demand point at distance ``d`` from a service with catchment ``d0``.

    Points beyond ``d0`` get weight 0 whatever the decay.

    Example:
        >>> decay_weights(np.array([0.0, 500.0, 1000.0, 1500.0]), 1000.0, "linear").tolist()
        [1.0, 0.5, 0.0, 0.0]
        >>> round(float(decay_weights(np.array([1000.0]), 1000.0, "gaussian")[0]), 4)
        0.01
    """
    check_decay(decay)
    d = np.asarray(d, dtype="float64")
    ratio = d / np.asarray(d0, dtype="float64")
    if decay == "none":
        w = np.ones_like(ratio)
    elif decay == "linear":
        w = 1.0 - ratio
    else:
        w = np.exp(-_GAUSS_EDGE * ratio**2)
    return np.where(ratio <= 1.0, w, 0.0)


def check_decay(decay: str) -> None:
    """Raise a plain ValueError unless ``decay`` is one of :data:`DECAYS`."""
    if decay not in DECAYS:
        raise ValueError(f"Distance decay must be one of {', '.join(DECAYS)}; got {decay!r}.")


def catchment_weights(
    supply_xy: np.ndarray,
    demand_xy: np.ndarray,
    *,
    radius_m: float,
    decay: str = "none",
    supply_radius_m: np.ndarray | None = None,
) -> sparse.csr_matrix:
    """Sparse ``W[j, i]``: the weight of demand point ``i`` in service ``j``'s catchment.

    Args:
        supply_xy: ``(n_supply, 2)`` service coordinates in metres.
        demand_xy: ``(n_demand, 2)`` demand point coordinates in metres.
        radius_m: the catchment radius ``d0`` for every service.
        decay: one of :data:`DECAYS`.
        supply_radius_m: optional per-service catchment radius; NaN entries use ``radius_m``.

    Returns:
        A ``(n_supply, n_demand)`` CSR matrix; pairs beyond the catchment are not stored.
    """
    check_decay(decay)
    supply_xy = np.asarray(supply_xy, dtype="float64").reshape(-1, 2)
    demand_xy = np.asarray(demand_xy, dtype="float64").reshape(-1, 2)
    if not np.isfinite(radius_m) or radius_m <= 0:
        raise ValueError(f"The catchment radius must be a positive number of metres; got {radius_m!r}.")
    n_s, n_d = len(supply_xy), len(demand_xy)
    radii = np.full(n_s, float(radius_m))
    if supply_radius_m is not None:
        own = np.asarray(supply_radius_m, dtype="float64").reshape(-1)
        if own.shape != (n_s,):
            raise ValueError("supply_radius_m must give one radius per service.")
        radii = np.where(np.isfinite(own) & (own > 0), own, radii)
    if n_s == 0 or n_d == 0:
        return sparse.csr_matrix((n_s, n_d))
    # Slightly wider search, then an exact test, so points exactly on the edge are in.
    hits = cKDTree(demand_xy).query_ball_point(supply_xy, r=radii * (1 + 1e-9) + 1e-6)
    rows = np.repeat(np.arange(n_s), [len(h) for h in hits])
    cols = np.fromiter((i for h in hits for i in h), dtype=np.int64, count=len(rows))
    d = np.hypot(*(supply_xy[rows] - demand_xy[cols]).T)
    keep = d <= radii[rows]
    rows, cols, d = rows[keep], cols[keep], d[keep]
    w = decay_weights(d, radii[rows], decay)
    return sparse.csr_matrix((w, (rows, cols)), shape=(n_s, n_d))


def supply_shares(weights: sparse.csr_matrix, demand: np.ndarray) -> sparse.csr_matrix:
    """Each service's share per person for each demand point: ``W[j, i] / sum_k W[j, k] P_k``.

    Multiplying by the supply gives accessibility: ``A = S @ supply_shares(W, P)``. A service
    whose catchment holds no demand gets an all-zero row (its supply reaches nobody).
    """
    demand = np.nan_to_num(np.asarray(demand, dtype="float64"), nan=0.0)
    total = weights @ demand
    inv = np.divide(1.0, total, out=np.zeros_like(total), where=total > 0)
    return sparse.csr_matrix(sparse.diags(inv) @ weights)


def spread_shares(
    supply_xy: np.ndarray,
    area_xy: np.ndarray,
    area_demand: np.ndarray,
    units: tuple[np.ndarray, np.ndarray],
    *,
    radius_m: float,
    decay: str = "none",
    supply_radius_m: np.ndarray | None = None,
) -> sparse.csr_matrix:
    """Like :func:`supply_shares` for areas whose people are spread evenly over smaller units.

    Each area's demand is split equally over its units (e.g. the postcodes in a ward), 2SFCA is
    worked out from every unit, and an area's figure is the mean over its units (which is the
    population-weighted mean, since every unit of an area holds the same people). An area with no
    units keeps its own point ``area_xy`` with all its demand. Supply is still conserved.

    Args:
        units: ``(unit_xy, unit_area)``: unit coordinates and the index of the area each is in.

    Returns:
        A sparse ``(n_supply, n_areas)`` CSR matrix of shares per person; ``A = S @ shares``.
    """
    unit_xy, unit_area = units
    n_a = len(area_xy)
    area_demand = np.nan_to_num(np.asarray(area_demand, dtype="float64"), nan=0.0)
    bare = np.flatnonzero(np.bincount(unit_area, minlength=n_a) == 0)
    unit_xy = np.vstack([np.asarray(unit_xy, dtype="float64").reshape(-1, 2), np.asarray(area_xy)[bare]])
    unit_area = np.concatenate([np.asarray(unit_area, dtype=np.int64), bare])
    counts = np.bincount(unit_area, minlength=n_a)
    weights = catchment_weights(
        supply_xy, unit_xy, radius_m=radius_m, decay=decay, supply_radius_m=supply_radius_m
    )
    shares = supply_shares(weights, area_demand[unit_area] / counts[unit_area])
    to_area = sparse.csr_matrix(
        (1.0 / counts[unit_area], (np.arange(len(unit_area)), unit_area)), shape=(len(unit_area), n_a)
    )
    return sparse.csr_matrix(shares @ to_area)


def two_step_fca(
    supply_xy: np.ndarray,
    supply: np.ndarray,
    demand_xy: np.ndarray,
    demand: np.ndarray,
    *,
    radius_m: float,
    decay: str = "none",
    supply_radius_m: np.ndarray | None = None,
) -> np.ndarray:
    """Classic 2SFCA accessibility for each demand point (supply per person).

    Args:
        supply_xy: ``(n_supply, 2)`` service coordinates in metres.
        supply: supply of each service (capacity, or 1 per service).
        demand_xy: ``(n_demand, 2)`` demand point coordinates in metres.
        demand: people at each demand point (NaN counts as 0).
        radius_m: catchment radius ``d0`` in metres.
        decay: ``"none"``, ``"linear"`` or ``"gaussian"`` (see the module docstring).
        supply_radius_m: optional per-service catchment radius overriding ``radius_m``.

    Returns:
        ``A_i`` for each demand point; multiply by 1,000 for supply per 1,000 people.

    Example:
        One service of 10 places; 1,000 people 1 km away and 500 people 3 km away; 2 km catchment.
        Only the first group is inside, so it gets 10 / 1000 = 0.01 per person:

        >>> two_step_fca([[0, 0]], [10], [[0, 1000], [0, 3000]], [1000, 500], radius_m=2000).tolist()
        [0.01, 0.0]
    """
    supply = np.asarray(supply, dtype="float64").reshape(-1)
    weights = catchment_weights(
        supply_xy, demand_xy, radius_m=radius_m, decay=decay, supply_radius_m=supply_radius_m
    )
    if supply.shape != (weights.shape[0],):
        raise ValueError("supply must give one value per service location.")
    return np.asarray(supply @ supply_shares(weights, demand)).reshape(-1)


# Areas' people share one k-d tree, each area lifted this many metres above the last, so a
# query never finds another area's people (further apart than any two places on Earth).
_AREA_GAP_M = 1e8


class PeopleDistances:
    """How far points are from areas' people (:func:`distances_from_people_km`), with the indexes
    built once so that each question costs what it touches, not points × areas.

    Args:
        points_xy: ``(n_points, 2)`` coordinates in metres; NaN rows are unknown points.
        area_shapes: ``n_areas`` shapely polygons in metres.
        people: postcode coordinates in metres and the index of the area each lies in.
    """

    def __init__(
        self,
        points_xy: np.ndarray,
        area_shapes: Iterable[BaseGeometry],
        people: tuple[np.ndarray, np.ndarray] | None = None,
    ):
        self.xy = np.asarray(points_xy, dtype="float64").reshape(-1, 2)
        self.shapes = np.asarray(list(area_shapes), dtype=object).reshape(-1)
        shapely.prepare(self.shapes)
        n_a = len(self.shapes)
        if people is None:
            pxy, area = np.empty((0, 2)), np.empty(0, dtype=np.int64)
        else:
            pxy = np.asarray(people[0], dtype="float64").reshape(-1, 2)
            area = np.asarray(people[1], dtype=np.int64)
        order = np.argsort(area, kind="stable")
        self.people_xy, self.people_area = pxy[order], area[order]
        self.counts = np.bincount(self.people_area, minlength=n_a)
        self._people_tree = (
            cKDTree(np.column_stack([self.people_xy, self.people_area * _AREA_GAP_M])) if len(pxy) else None
        )
        # Which points lie in (or on) which areas: a point there is 0 km from the area.
        self.known = np.flatnonzero(np.isfinite(self.xy).all(axis=1))
        pts = np.asarray(shapely.points(self.xy[self.known]))
        p_i, a_i = shapely.STRtree(self.shapes).query(pts)
        hit = shapely.intersects(self.shapes[a_i], pts[p_i])
        self.inside_point, self.inside_area = self.known[p_i[hit]], a_i[hit].astype(np.int64)

    def _people_metres(self, area_i: np.ndarray, xy: np.ndarray) -> np.ndarray:
        """Metres from each point to the nearest person of its area (areas that have people)."""
        assert self._people_tree is not None
        lifted = np.column_stack([xy, np.asarray(area_i, dtype="float64") * _AREA_GAP_M])
        return self._people_tree.query(lifted, distance_upper_bound=_AREA_GAP_M / 2)[0]

    def pair_metres(self, point_i: np.ndarray, area_i: np.ndarray) -> np.ndarray:
        """Metres from points to areas, pair by pair; NaN where the point is unknown."""
        point_i, area_i = np.asarray(point_i, dtype=np.int64), np.asarray(area_i, dtype=np.int64)
        out = np.full(len(point_i), np.nan)
        pairs = np.flatnonzero(np.isfinite(self.xy[point_i]).all(axis=1))
        if not len(pairs):
            return out
        pxy, area = self.xy[point_i[pairs]], area_i[pairs]
        n_a = np.int64(len(self.shapes))
        inside = np.isin(point_i[pairs] * n_a + area, self.inside_point * n_a + self.inside_area)
        d = np.zeros(len(pairs))
        crowd = ~inside & (self.counts[area] > 0)
        edge = ~inside & ~crowd
        d[edge] = shapely.distance(shapely.points(pxy[edge]), self.shapes[area[edge]])
        if crowd.any():
            d[crowd] = self._people_metres(area[crowd], pxy[crowd])
        out[pairs] = d
        return out

    def nearest(self, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """For each area, the nearest point (of ``mask``, else of all) and its distance in km.

        Ties go to the lowest index (as ``argmin`` over a full table would). Areas holding a point
        are settled at 0 from the points-in-areas index; an area measured to its edge asks an
        R-tree of the points for the nearest to its polygon; an area with people asks a k-d tree
        of the points for the nearest to each of its people, and measures only the points that
        tie with the best.

        Returns:
            ``(index, km)`` per area; index -1 and km NaN where no point is known.
        """
        n_a = len(self.shapes)
        best, metres = np.full(n_a, -1, dtype=np.int64), np.full(n_a, np.nan)
        use = np.zeros(len(self.xy), dtype=bool)
        use[self.known] = True
        if mask is not None:
            use &= np.asarray(mask, dtype=bool)
        ids = np.flatnonzero(use)
        if not len(ids) or not n_a:
            return best, metres
        here = use[self.inside_point]
        cand_area, cand_id, cand_m = (
            [self.inside_area[here]],
            [self.inside_point[here]],
            [np.zeros(int(here.sum()))],
        )
        todo = np.ones(n_a, dtype=bool)
        todo[self.inside_area[here]] = False
        # One leaf per distinct point, standing for the lowest index there.
        distinct, first = np.unique(self.xy[ids], axis=0, return_index=True)
        ids = ids[first]
        bare = np.flatnonzero(todo & (self.counts == 0))
        if len(bare):
            tree = shapely.STRtree(np.asarray(shapely.points(distinct)))
            (a_i, leaf), edge = tree.query_nearest(self.shapes[bare], all_matches=True, return_distance=True)
            cand_area.append(bare[a_i])
            cand_id.append(ids[leaf])
            cand_m.append(edge)
        crowd = todo & (self.counts > 0)
        if crowd.any():
            person = np.flatnonzero(crowd[self.people_area])
            tree_xy = cKDTree(distinct)
            d = tree_xy.query(self.people_xy[person])[0]
            area = self.people_area[person]
            bound = np.full(n_a, np.inf)
            np.minimum.at(bound, area, d)
            reach = bound[area] * (1 + 1e-9) + 1e-6
            close = d <= reach
            hits = tree_xy.query_ball_point(self.people_xy[person[close]], r=reach[close])
            pair_area = np.repeat(area[close], [len(h) for h in hits])
            leaf = np.fromiter((i for h in hits for i in h), dtype=np.int64, count=len(pair_area))
            pairs = np.unique(np.column_stack([pair_area, leaf]), axis=0)
            cand_area.append(pairs[:, 0])
            cand_id.append(ids[pairs[:, 1]])
            cand_m.append(self._people_metres(pairs[:, 0], distinct[pairs[:, 1]]))
        a, i, m = np.concatenate(cand_area), np.concatenate(cand_id), np.concatenate(cand_m)
        order = np.lexsort((i, m, a))
        a, i, m = a[order], i[order], m[order]
        head = np.r_[True, a[1:] != a[:-1]] if len(a) else np.zeros(0, dtype=bool)
        best[a[head]], metres[a[head]] = i[head], m[head]
        return best, metres / 1000.0


def pair_distances_km(
    points_xy: np.ndarray,
    area_shapes: Iterable[BaseGeometry],
    people: tuple[np.ndarray, np.ndarray] | None,
    point_i: np.ndarray,
    area_i: np.ndarray,
) -> np.ndarray:
    """:func:`distances_from_people_km` for chosen (point, area) pairs only, so the cost follows
    the pairs asked for rather than points × areas.

    Returns:
        km for each pair; NaN where the point is unknown.

    Example:
        >>> from shapely.geometry import box
        >>> people = (np.array([[500.0, 500.0]]), np.array([0]))
        >>> shapes = [box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)]
        >>> pair_distances_km(np.array([[100.0, 100.0], [2500.0, 500.0]]), shapes, people, [0, 1, 1], [0, 0, 1]).tolist()
        [0.0, 2.0, 0.5]
    """
    return PeopleDistances(points_xy, area_shapes, people).pair_metres(point_i, area_i) / 1000.0


def distances_from_people_km(
    points_xy: np.ndarray,
    area_shapes: Iterable[BaseGeometry],
    people: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """How far each point is from each area's people, in km: the one definition of "nearest".

    A point inside an area (a service based there) is 0 km from it. Otherwise it is the distance
    to the area's nearest resident, with people placed at the postcodes inside the area
    (``people = (xy, area_index)``, as in :func:`spread_shares`); an area with no postcodes is
    measured to its edge. Every distance shown for a ward (Ward profile, gap reasons, exports,
    Where we fit) follows this definition; :class:`PeopleDistances` answers the same questions
    pair by pair or nearest by nearest, without the full table, so "based here" and "nearest
    1.8 km away" cannot disagree.

    Args:
        points_xy: ``(n_points, 2)`` coordinates in metres; NaN rows are unknown points.
        area_shapes: ``n_areas`` shapely polygons in metres.
        people: postcode coordinates in metres and the index of the area each lies in.

    Returns:
        ``(n_areas, n_points)`` km; NaN where a point is unknown.

    Example:
        >>> from shapely.geometry import box
        >>> people = (np.array([[500.0, 500.0]]), np.array([0]))
        >>> distances_from_people_km(np.array([[100.0, 100.0], [2500.0, 500.0]]), [box(0, 0, 1000, 1000)], people).tolist()
        [[0.0, 2.0]]
    """
    found = PeopleDistances(points_xy, area_shapes, people)
    n_a, n_p = len(found.shapes), len(found.xy)
    area_i, point_i = np.divmod(np.arange(n_a * n_p, dtype=np.int64), max(n_p, 1))
    return (found.pair_metres(point_i, area_i) / 1000.0).reshape(n_a, n_p)


def nearest_from_people(
    points_xy: np.ndarray,
    area_shapes: Iterable[BaseGeometry],
    people: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """For each area, the nearest point by :func:`distances_from_people_km` (see
    :meth:`PeopleDistances.nearest`): ``(index, km)``, index -1 where no point is known.

    Example:
        >>> from shapely.geometry import box
        >>> people = (np.array([[900.0, 500.0]]), np.array([0]))
        >>> xy = np.array([[np.nan, np.nan], [-100.0, 500.0], [1300.0, 500.0], [1300.0, 500.0]])
        >>> index, km = nearest_from_people(xy, [box(0, 0, 1000, 1000), box(5000, 0, 6000, 1000)], people)
        >>> index.tolist(), km.round(2).tolist()
        ([2, 2], [0.4, 3.7])
    """
    return PeopleDistances(points_xy, area_shapes, people).nearest()


def distance_text(km: float) -> str:
    """A distance as people read it: "based here" at 0, "0.4 km" otherwise, "" when unknown.

    Example:
        >>> distance_text(0.0), distance_text(0.04), distance_text(1.84), distance_text(float("nan"))
        ('based here', 'under 0.1 km', '1.8 km', '')
    """
    if km != km or km is None:
        return ""
    if km == 0:
        return "based here"
    return "under 0.1 km" if km < 0.05 else f"{km:.1f} km"
