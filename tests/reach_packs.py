"""Packs with LSOAs for the Our reach tests.

A pack built by build-pack carries ``lsoas`` and postcodes placed in LSOAs. :func:`with_lsoas`
gives a pack that has none (an older demo pack) fictional ones, made here with a fixed seed, so the
reading tests do not depend on how the pack was built.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd

from sector_map.pack import schema as s
from sector_map.pack.io import Pack


def with_lsoas(pack: Pack, *, seed: int = 3) -> Pack:
    """A copy of ``pack`` with fictional LSOAs (4–8 a ward) and its postcodes placed in them.

    Each ward's LSOAs share its population; national IMD ranks (1 = most deprived of 33,755)
    are drawn so that some wards are mostly deprived. The last postcode of the table gets no LSOA.
    """
    if getattr(pack, "lsoas", None) is not None and "lsoa_code" in pack.postcodes.columns:
        return pack
    rng = np.random.default_rng(seed)
    rows = []
    for i, ward in enumerate(pack.wards.itertuples()):
        k = int(rng.integers(4, 9))
        share = rng.dirichlet(np.full(k, 4.0))
        centre = rng.uniform(0, 33_755)
        for j in range(k):
            rank = float(np.clip(centre + rng.normal(0, 5_000), 1, 33_755))
            rows.append(
                {
                    "lsoa_code": f"X01{i + 1:03d}{j + 1:03d}",
                    "lsoa_name": f"{ward.ward_name} {j + 1}",
                    "ward_code": ward.ward_code,
                    "population": float(ward.population) * float(share[j]),
                    "imd_rank": round(rank),
                    "imd_decile": float(min(10, 1 + int(rank // 3_375.5))),
                }
            )
    lsoas = pd.DataFrame(rows).astype({"lsoa_code": "string", "lsoa_name": "string", "ward_code": "string"})
    pc = pack.postcodes.copy()
    points = gpd.GeoDataFrame(pc, geometry=gpd.points_from_xy(pc[s.LON], pc[s.LAT]), crs=s.PACK_CRS)
    points = points.to_crs(s.METRE_CRS)
    wards = pack.wards[[s.WARD_CODE, "geometry"]].to_crs(s.METRE_CRS)
    joined = gpd.sjoin_nearest(points, wards, how="left").groupby(level=0)[s.WARD_CODE].first()
    by_ward = lsoas.groupby("ward_code")["lsoa_code"].apply(list)
    lsoa = [rng.choice(by_ward[w]) if w in by_ward.index else None for w in joined.reindex(pc.index)]
    pc["lsoa_code"] = pd.array(lsoa, dtype="string")
    pc.loc[pc.index[-1], "lsoa_code"] = pd.NA
    out = dataclasses.replace(pack, postcodes=pc)
    out.lsoas = lsoas  # type: ignore[attr-defined]  # until Pack.lsoas is on main
    return out


# The hand-made pack: tiny's four wards, six LSOAs, eight postcodes (one with no LSOA).
HAND_LSOAS = [
    # lsoa_code, ward_code, population, imd_rank
    ("X01000001", "X05000001", 6000.0, 2),
    ("X01000002", "X05000001", 2000.0, 1),
    ("X01000003", "X05000002", 9000.0, 3),
    ("X01000004", "X05000003", 5000.0, 4),
    ("X01000005", "X05000003", 5000.0, 5),
    ("X01000006", "X05000004", 11000.0, 6),
]
HAND_POSTCODES = [
    # postcode, lsoa_code: sector ZZ1 1 has two postcodes in LSOA 1, one in LSOA 2 and one with none
    ("ZZ1 1AA", "X01000001"),
    ("ZZ1 1AB", "X01000001"),
    ("ZZ1 1AD", "X01000002"),
    ("ZZ1 1AE", None),
    ("ZZ1 2AA", "X01000003"),
    ("ZZ2 3AA", "X01000004"),
    ("ZZ2 3AB", "X01000005"),
    ("ZZ2 4AA", "X01000006"),
]


def hand_pack() -> Pack:
    """The tiny pack (four wards: Alpha, Beta, Gamma, Delta) with :data:`HAND_LSOAS` and
    :data:`HAND_POSTCODES`, small enough to work every count out by hand."""
    from sector_map.demo.tiny import tiny_pack

    pack = tiny_pack()
    lsoas = pd.DataFrame(HAND_LSOAS, columns=["lsoa_code", "ward_code", "population", "imd_rank"])
    lsoas = lsoas.astype({"lsoa_code": "string", "ward_code": "string", "imd_rank": "float64"})
    lsoas["imd_decile"] = 1.0
    pc = pd.DataFrame(HAND_POSTCODES, columns=["postcode", "lsoa_code"]).astype("string")
    pc["lon"], pc["lat"] = 0.0, 0.0
    out = dataclasses.replace(pack, postcodes=pc[["postcode", "lon", "lat", "lsoa_code"]])
    out.lsoas = lsoas  # type: ignore[attr-defined]  # until Pack.lsoas is on main
    return out
