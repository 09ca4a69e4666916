"""A national-scale test pack: a real base pack's wards and indicators with N FICTIONAL organisations.

The benchmark and the scale tests need England-sized packs with tens of thousands of
organisations, which no open register provides in one consistent shape. This module takes a
real base pack (``recipes/england.toml``: every English ward with IoD2025) and adds fictional
organisations, one to three services each, placed where postcodes are dense: each organisation
sits at a live English postcode drawn at random from Code-Point Open, so a city gets many more
than a moor, and its ward is the base ward that contains the point (points in no ward, such as
postcodes beyond the generalised coastline, are drawn again).

The mix of kinds, sizes, themes and reach follows the demo borough (:mod:`sector_map.demo.orgs`,
:mod:`sector_map.demo.services`), widened for a country (:mod:`sector_map.demo.scale_services`): most services work from a site with a
reach of a few kilometres, some list the wards near their base, a few cover their whole local
authority (listed as its wards), and a handful of major charities cover the whole area. Names
come from the demo's invented place stems, so none is a real charity's. Postcodes are the
real ones sampled; charity numbers are eight digits (real ones have at most seven).

The same seed, base pack and postcode file always give the same organisations and services.

Example:
    >>> from sector_map.demo.tiny import tiny_pack
    >>> base = tiny_pack()
    >>> w = base.wards.to_crs("EPSG:27700").representative_point()
    >>> pcs = pd.DataFrame({"postcode": ["TN1 1AA", "TN1 1AB"], "x": w.x.values[:2], "y": w.y.values[:2]})
    >>> pack = scale_pack(base, pcs, organisations=50, seed=1)
    >>> len(pack.organisations), set(pack.organisations["postcode"].dropna()) <= {"TN1 1AA", "TN1 1AB"}
    (50, True)
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sector_map.demo.names import (
    DIRECTIONS,
    FAITH_PATTERNS,
    LARGE_PATTERNS,
    ORG_PATTERNS,
    SAINTS,
    SUBURBAN_STEMS,
    SUBURBAN_SUFFIXES,
    URBAN_NAMES,
    slug,
)
from sector_map.demo.orgs import (
    AFFINITY,
    BIG,
    COMPOSITION,
    FAITH_THEMES,
    INCOME_RANGES,
    REGISTERED,
    THEME_DEPRIVATION_LEAN,
    THEME_WEIGHTS,
)
from sector_map.demo.scale_services import SOURCE, categorical, national_services
from sector_map.pack import schema as s
from sector_map.pack.io import Pack, load_pack, save_pack, validate_pack

DEFAULT_SEED = 1
ENGLAND = "E92000001"  # Code-Point Open's country code for England
SHARE_AREA_ONLY = 0.10
SHARE_CONTACT = 0.15
WEBSITE_P = {"micro": 0.3, "unknown": 0.3, "small": 0.6, "medium": 0.9}
# Invented places for names: the demo's stems (checked against every UK ward and council name).
PLACES = tuple(
    sorted(
        {stem + suffix for stem in SUBURBAN_STEMS for suffix in SUBURBAN_SUFFIXES}
        | {stem + d for stem in SUBURBAN_STEMS for pair in DIRECTIONS.values() for d in pair}
        | set(URBAN_NAMES)
    )
)


def read_postcode_points(path: str | os.PathLike) -> pd.DataFrame:
    """Live English postcodes of a Code-Point Open file as ``postcode``, ``x``, ``y`` (EPSG:27700).

    Rows with no grid reference (eastings 0) and rows outside England are left out.
    """
    table = pd.read_csv(
        path,
        usecols=["Postcode", "Eastings", "Northings", "Country_code"],
        dtype={"Postcode": "string", "Eastings": "int64", "Northings": "int64", "Country_code": "string"},
    )
    keep = (table["Country_code"] == ENGLAND) & (table["Eastings"] > 0) & (table["Northings"] > 0)
    table = table[keep]
    return pd.DataFrame(
        {
            s.POSTCODE: table["Postcode"].str.strip().to_numpy(),
            "x": table["Eastings"].to_numpy(dtype="float64"),
            "y": table["Northings"].to_numpy(dtype="float64"),
        }
    )


def scale_pack(base: Pack, postcodes: pd.DataFrame, *, organisations: int, seed: int = DEFAULT_SEED) -> Pack:
    """The base pack with its organisations and services replaced by fictional ones.

    Args:
        base: a loaded pack whose wards and indicators are kept as they are.
        postcodes: ``postcode``, ``x``, ``y`` in EPSG:27700 (:func:`read_postcode_points`); each
            organisation is placed at one drawn uniformly from these, so density follows them.
        organisations: how many organisations to make.
        seed: the same seed gives the same organisations and services.

    Returns:
        A validated pack; the manifest says it is fictional (``demo``) and how it was made.

    Raises:
        ValueError: no postcode lies in any of the base pack's wards.
    """
    org_rng, name_rng, svc_rng = (np.random.default_rng(c) for c in np.random.SeedSequence(seed).spawn(3))
    wards = base.wards.to_crs(s.METRE_CRS).reset_index(drop=True)
    pick, home = _place(org_rng, wards, postcodes, organisations)
    orgs = _organisations(org_rng, name_rng, base, wards, postcodes.iloc[pick], home)
    services = national_services(svc_rng, orgs, home, wards)
    orgs = orgs.to_crs(s.PACK_CRS)[s.ORGANISATION_COLUMNS]
    manifest = {
        k: v for k, v in base.manifest.items() if k not in ("revision", "built_at", "build", "build_notes")
    }
    manifest |= {
        "name": f"{base.name} + {organisations:,} fictional organisations",
        "demo": True,
        "description": (
            f"{base.name}'s real wards and indicators with {organisations:,} FICTIONAL organisations and "
            f"{len(services):,} services, placed at random live postcodes (seed {seed}), for benchmarks."
        ),
        "sources": [*base.sources, _source()],
        "scale_fixture": {
            "base": base.name,
            "base_revision": base.revision,
            "organisations": organisations,
            "services": len(services),
            "seed": seed,
        },
    }
    pack = Pack(
        manifest=manifest,
        wards=base.wards,
        indicators=base.indicators,
        indicator_meta=base.indicator_meta,
        organisations=orgs,
        services=services,
        assets=base.assets,
        postcodes=base.postcodes,
        lsoas=base.lsoas,
    )
    pack.warnings = validate_pack(pack)
    return pack


def write_scale_pack(
    base_dir: str | os.PathLike,
    postcodes_csv: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    organisations: int,
    seed: int = DEFAULT_SEED,
) -> Path:
    """Read the base pack and the postcode file, and save the scaled pack to ``out_dir``."""
    pack = scale_pack(
        load_pack(base_dir), read_postcode_points(postcodes_csv), organisations=organisations, seed=seed
    )
    return save_pack(pack, out_dir)


def _source() -> dict:
    return {
        "title": "sector-map scale fixture: fictional organisations at sampled postcodes",
        "publisher": "sector-map (generated)",
        "vintage": "generated",
        "licence": "Fictional data; free to reuse. Postcode points: OS Code-Point Open (OGL)",
        "attribution": "Fictional organisations generated by sector-map; Contains OS data © Crown copyright",
        "url": "",
    }


def _place(
    rng: np.random.Generator, wards: gpd.GeoDataFrame, postcodes: pd.DataFrame, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``postcodes`` drawn uniformly, each in a ward, and the index of that ward."""
    tree = shapely.STRtree(wards.geometry.to_numpy())
    x, y = postcodes["x"].to_numpy(), postcodes["y"].to_numpy()
    picks: list[np.ndarray] = []
    homes: list[np.ndarray] = []
    missing, hit_rate = n, 1.0
    for _ in range(50):
        if missing <= 0:
            break
        draw = rng.integers(len(postcodes), size=min(int(missing * 1.1 / hit_rate) + 16, 5_000_000))
        point_i, ward_i = tree.query(shapely.points(x[draw], y[draw]), predicate="within")
        ward = np.full(len(draw), -1)
        ward[point_i[::-1]] = ward_i[::-1]  # the first ward listed, if a point is on a shared edge
        inside = np.flatnonzero(ward >= 0)
        hit_rate = max(len(inside) / len(draw), 1e-4)
        inside = inside[:missing]
        picks.append(draw[inside])
        homes.append(ward[inside])
        missing -= len(inside)
    if missing > 0:
        raise ValueError("too few of the postcodes lie inside the base pack's wards")
    return np.concatenate(picks), np.concatenate(homes)


def _top_weighted(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """``k`` rows drawn without replacement with the given weights (Efraimidis–Spirakis keys)."""
    with np.errstate(divide="ignore"):
        keys = np.log(rng.random(len(weights))) / weights
    return np.argsort(-keys, kind="stable")[:k]


def _deprivation(base: Pack, codes: pd.Series) -> np.ndarray:
    """Standardised IMD score of each ward (0 where there is none), high = more deprived."""
    imd = [m.id for m in base.indicator_meta.values() if m.domain == s.DOMAIN_IMD]
    if not imd:
        return np.zeros(len(codes))
    rows = base.indicators[base.indicators[s.INDICATOR_ID] == imd[0]]
    value = pd.to_numeric(codes.map(rows.set_index(s.WARD_CODE)[s.VALUE]), errors="coerce").to_numpy(float)
    z = (value - np.nanmean(value)) / (np.nanstd(value) or 1.0)
    return np.nan_to_num(z)


def _organisations(
    rng: np.random.Generator,
    name_rng: np.random.Generator,
    base: Pack,
    wards: gpd.GeoDataFrame,
    sites: pd.DataFrame,
    home: np.ndarray,
) -> gpd.GeoDataFrame:
    n = len(sites)
    pairs = [(k, b, c) for k, bands in COMPOSITION.items() for b, c in bands.items()]
    pair = categorical(rng, np.tile([c for _, _, c in pairs], (n, 1)).astype(float))
    kinds = np.array([k for k, _, _ in pairs], dtype=object)[pair]
    bands = np.array([b for _, b, _ in pairs], dtype=object)[pair]
    themes = _themes(rng, kinds, bands, _deprivation(base, wards[s.WARD_CODE])[home])
    quality = _quality(rng, kinds, bands)
    income = _income(rng, bands)
    registered = np.isin(kinds, REGISTERED)
    numbers = rng.choice(10_000_000, size=int(registered.sum()), replace=False) + 90_000_000
    charity = np.full(n, None, dtype=object)
    charity[registered] = [str(x) for x in numbers]
    names = _org_names(name_rng, kinds, bands, themes)
    web_u = rng.random(n)
    websites = [
        f"https://www.{slug(nm)}-{i + 1}.example" if u < WEBSITE_P.get(b, 1.0) else None
        for i, (nm, b, u) in enumerate(zip(names, bands, web_u, strict=True))
    ]
    points = np.asarray(shapely.points(sites["x"].to_numpy(), sites["y"].to_numpy()))
    points[quality == s.LOCATION_AREA_ONLY] = None
    frame = pd.DataFrame(
        {
            s.ORG_ID: [f"SCALE-ORG-{i + 1:06d}" for i in range(n)],
            s.ORG_NAME: names,
            s.ORG_KIND: kinds.astype(str),
            s.CHARITY_NUMBER: charity,
            s.INCOME: income,
            s.SIZE_BAND: bands.astype(str),
            s.POSTCODE: sites[s.POSTCODE].to_numpy(),
            s.WEBSITE: websites,
            s.THEMES: themes,
            s.LOCATION_QUALITY: quality.astype(str),
            s.SOURCE: SOURCE,
        }
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(points, crs=s.METRE_CRS), crs=s.METRE_CRS)


def _themes(rng: np.random.Generator, kinds: np.ndarray, bands: np.ndarray, deprivation: np.ndarray) -> list:
    """A main theme leaning with the ward's deprivation (faith groups their own mix), and 0–2 more."""
    ids = list(THEME_WEIGHTS)
    lean = np.array([THEME_DEPRIVATION_LEAN.get(t, 0.0) for t in ids])
    weights = np.array([THEME_WEIGHTS[t] for t in ids]) * np.exp(np.outer(deprivation, lean))
    faith = kinds == "faith group"
    weights[faith] = [FAITH_THEMES.get(t, 0.0) for t in ids]
    main = categorical(rng, weights)
    p_extra = np.array(
        [
            {"small": (0.4, 0.45, 0.15)}.get(b, (0.2, 0.45, 0.35) if b in BIG else (0.6, 0.35, 0.05))
            for b in bands
        ]
    )
    extra = categorical(rng, p_extra)
    affinity = [AFFINITY[t] for t in ids]
    order = np.argsort(rng.random((len(kinds), 4)), axis=1)
    out = []
    for m, e, o in zip(main, extra, order, strict=True):
        near = affinity[m]
        out.append([ids[m], *[near[j] for j in o if j < len(near)][:e]])
    return out


def _quality(rng: np.random.Generator, kinds: np.ndarray, bands: np.ndarray) -> np.ndarray:
    """10% 'area only' and 15% 'contact address', mostly small groups without premises."""
    n = len(kinds)
    kind_w = np.where(kinds == "community group", 3.0, np.where(kinds == "faith group", 0.2, 1.0))
    band_w = np.array(
        [{"micro": 1.5, "unknown": 1.5, "small": 0.7, "medium": 0.1}.get(b, 0.0) for b in bands]
    )
    quality = np.full(n, s.LOCATION_SITE, dtype=object)
    area = _top_weighted(rng, kind_w * band_w, round(SHARE_AREA_ONLY * n))
    quality[area] = s.LOCATION_AREA_ONLY
    contact_w = np.array(
        [{"micro": 2.0, "unknown": 2.0, "small": 2.0, "medium": 0.8}.get(b, 0.0) for b in bands]
    )
    contact_w = contact_w * np.where(kinds == "faith group", 0.2, 1.0)
    contact_w[area] = 0.0
    quality[_top_weighted(rng, contact_w, round(SHARE_CONTACT * n))] = s.LOCATION_CONTACT
    return quality


def _income(rng: np.random.Generator, bands: np.ndarray) -> np.ndarray:
    low = np.array([INCOME_RANGES.get(b, (1, 2))[0] for b in bands], dtype=float)
    high = np.array([INCOME_RANGES.get(b, (1, 2))[1] for b in bands], dtype=float)
    u = rng.random(len(bands)) ** np.where(np.isin(bands, ("large", "major")), 1.5, 1.0)
    income = np.minimum(np.round(low * (high / low) ** u), high - 1)
    income[bands == s.SIZE_BAND_UNKNOWN] = np.nan
    return income


def _org_names(rng: np.random.Generator, kinds: np.ndarray, bands: np.ndarray, themes: list) -> list[str]:
    """Names from the demo's patterns and invented places; a repeated name gets a number."""
    n = len(kinds)
    u = rng.random((n, 5))
    seen: Counter[str] = Counter()
    out = []
    for i, (kind, band, th) in enumerate(zip(kinds, bands, themes, strict=True)):
        if kind == "faith group":
            patterns: tuple[str, ...] = FAITH_PATTERNS
        elif band in ("large", "major") and th[0] in LARGE_PATTERNS and u[i, 0] < 0.5:
            patterns = LARGE_PATTERNS[th[0]]
        else:
            patterns = ORG_PATTERNS[th[0]]
            if band not in BIG and u[i, 0] < 0.75:
                patterns = tuple(p for p in patterns if "{borough}" not in p) or patterns
        place = PLACES[int(u[i, 2] * len(PLACES))]
        saint = SAINTS[int(u[i, 3] * len(SAINTS))]
        name = patterns[int(u[i, 1] * len(patterns))].format(place=place, borough=place, saint=saint)
        if kind == "CIC":
            name += " CIC"
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out
