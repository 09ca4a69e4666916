"""An organisation's catchment: the LSOAs whose residents it means to reach.

Reach is compared with the residents of the catchment only: a lunch club working in two wards is
not under-reaching the rest of the borough. Three kinds, as the command line writes them:

- ``whole``: every LSOA in the pack;
- ``wards:CODE,CODE`` (codes or names): the LSOAs best-fitted to those wards;
- ``radius:KM@POSTCODE``: the LSOAs whose centre lies within KM of the postcode. An LSOA's centre is
  the mean position of its postcodes in the pack (where its people live, near enough); an LSOA with
  no postcode in the pack takes its ward's centre.

The postcode of a radius is the organisation's own base, not a beneficiary's, so it may be shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sector_map.pack import schema as s
from sector_map.pack.io import Pack
from sector_map.pack.values import normalise_postcode

WHOLE = "whole"
WARDS = "wards"
RADIUS = "radius"
KINDS = (WHOLE, WARDS, RADIUS)
MAX_RADIUS_KM = 200.0
_EARTH_KM = 6371.0088


@dataclass(frozen=True)
class Catchment:
    """Which LSOAs are in, and the catchment in words (for the page, the command and exports)."""

    kind: str
    lsoas: frozenset[str]
    words: str
    wards: tuple[str, ...] = ()
    radius_km: float | None = None
    postcode: str | None = None


def lsoa_table(pack: Pack) -> pd.DataFrame:
    """The pack's LSOA table; a ValueError that says how to get one when the pack has none."""
    if pack.lsoas is None or not len(pack.lsoas):
        raise ValueError(
            f"the pack {pack.name!r} has no LSOA table, so reach cannot be compared with residents by "
            "deprivation: rebuild it with build-pack from a recipe with an [imd2025] or [imd2019] "
            "section (the LSOA scores and a best-fit lookup)"
        )
    return pack.lsoas


def whole(pack: Pack) -> Catchment:
    lsoas = lsoa_table(pack)
    return Catchment(WHOLE, frozenset(lsoas[s.LSOA_CODE].astype(str)), f"the whole of {pack.name}")


def of_wards(pack: Pack, wards: list[str]) -> Catchment:
    """The LSOAs of the listed wards (codes or names, any case)."""
    lsoas = lsoa_table(pack)
    table = pack.wards[[s.WARD_CODE, s.WARD_NAME]].astype(str)
    by_code = {c.upper(): c for c in table[s.WARD_CODE]}
    by_name = {n.casefold(): c for c, n in zip(table[s.WARD_CODE], table[s.WARD_NAME], strict=True)}
    codes, unknown = [], []
    for w in (w.strip() for w in wards):
        if not w:
            continue
        code = by_code.get(w.upper()) or by_name.get(w.casefold())
        (codes.append(code) if code else unknown.append(w))
    if unknown:
        raise ValueError(
            f"not a ward of {pack.name}: {', '.join(unknown[:5])}"
            + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        )
    codes = list(dict.fromkeys(codes))
    if not codes:
        raise ValueError("no ward given: list ward codes or names after 'wards:'")
    inside = lsoas.loc[lsoas[s.WARD_CODE].astype(str).isin(codes), s.LSOA_CODE].astype(str)
    names = table.set_index(s.WARD_CODE)[s.WARD_NAME]
    shown = ", ".join(names[c] for c in codes[:4]) + (f" and {len(codes) - 4} more" if len(codes) > 4 else "")
    words = f"{len(codes)} ward{'s' if len(codes) != 1 else ''} ({shown})"
    return Catchment(WARDS, frozenset(inside), words, wards=tuple(codes))


def lsoa_centres(pack: Pack) -> pd.DataFrame:
    """Each LSOA's centre (lon, lat): the mean of its postcodes, else its ward's centre."""
    lsoas = lsoa_table(pack)
    out = pd.DataFrame(index=pd.Index(lsoas[s.LSOA_CODE].astype(str), name=s.LSOA_CODE))
    pcs = pack.postcodes
    if pcs is not None and s.LSOA_CODE in pcs.columns:
        mean = pcs.dropna(subset=[s.LSOA_CODE]).groupby(s.LSOA_CODE)[["lon", "lat"]].mean()
        mean.index = mean.index.astype(str)
        out = out.join(mean)
    else:
        out["lon"], out["lat"] = np.nan, np.nan
    gaps = out["lon"].isna()
    if gaps.any():
        pts = pack.wards.set_index(s.WARD_CODE).geometry.to_crs(s.METRE_CRS).centroid.to_crs(s.PACK_CRS)
        ward_of = lsoas.set_index(lsoas[s.LSOA_CODE].astype(str))[s.WARD_CODE].astype(str)
        wards = ward_of.reindex(out.index[gaps])
        out.loc[gaps, "lon"] = wards.map(pts.x).to_numpy()
        out.loc[gaps, "lat"] = wards.map(pts.y).to_numpy()
    return out


def _km(lon: np.ndarray, lat: np.ndarray, lon0: float, lat0: float) -> np.ndarray:
    """Great-circle distance in km (haversine)."""
    p1, p2 = np.radians(lat), np.radians(lat0)
    dl = np.radians(lon - lon0)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def within_radius(pack: Pack, radius_km: float, postcode: str) -> Catchment:
    """The LSOAs whose centre is within ``radius_km`` of ``postcode`` (a postcode in the pack)."""
    if not np.isfinite(radius_km) or not 0 < radius_km <= MAX_RADIUS_KM:
        raise ValueError(f"a radius must be more than 0 and at most {MAX_RADIUS_KM:g} km")
    code = normalise_postcode(pd.Series([postcode])).iloc[0]
    pcs = pack.postcodes
    if pd.isna(code) or pcs is None:
        raise ValueError("the radius needs a postcode the pack knows (the pack has no postcode table)")
    hit = pcs.loc[pcs["postcode"].astype(str) == code]
    if hit.empty:
        raise ValueError(f"{code} is not among the pack's postcodes: give a postcode in or near {pack.name}")
    lon0, lat0 = float(hit["lon"].iloc[0]), float(hit["lat"].iloc[0])
    centres = lsoa_centres(pack)
    km = _km(centres["lon"].to_numpy("float64"), centres["lat"].to_numpy("float64"), lon0, lat0)
    inside = centres.index[np.nan_to_num(km, nan=np.inf) <= radius_km]
    words = f"within {radius_km:g} km of {code}"
    return Catchment(RADIUS, frozenset(inside.astype(str)), words, radius_km=float(radius_km), postcode=code)


def parse(pack: Pack, spec: str | None) -> Catchment:
    """A catchment from the command line's ``whole``, ``wards:A,B`` or ``radius:KM@POSTCODE``."""
    text = (spec or WHOLE).strip()
    kind, _, rest = text.partition(":")
    kind = kind.strip().lower()
    if kind == WHOLE and not rest:
        return whole(pack)
    if kind == WARDS:
        return of_wards(pack, rest.split(","))
    if kind == RADIUS:
        km, at, postcode = rest.partition("@")
        try:
            radius = float(km.strip().lower().removesuffix("km"))
        except ValueError:
            radius = float("nan")
        if not at or not postcode.strip() or not np.isfinite(radius):
            raise ValueError("write a radius as radius:KM@POSTCODE, e.g. radius:3@M33 7FT")
        return within_radius(pack, radius, postcode)
    raise ValueError(f"unknown catchment {text!r}: use whole, wards:CODE,CODE or radius:KM@POSTCODE")
