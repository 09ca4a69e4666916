"""Fictional beneficiary files with a known bias by deprivation, for tests and "try an example".

:func:`example_file` draws people from the pack's postcodes (those placed in an LSOA), so that an
LSOA's expected number of people is proportional to its population, times ``bias`` if it lies in
the area's most deprived local fifth (:func:`deprived_fifth`). With ``bias=0.5`` the most deprived
fifth gets half the reach per resident of the rest; :func:`expected_ratio` gives the exact
representation ratio of that fifth to expect, so a test can check the analysis recovers it.

The file is messy the way real ones are: some postcodes in lower case, without the space or with
two, plus one blank postcode, one that is not a postcode and one real postcode outside the area
(in London). The people are fictional; the postcodes are the pack's own.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sector_map.pack.io import Pack

__all__ = [
    "KINDS",
    "OUTSIDE_POSTCODES",
    "SERVICES",
    "deprived_fifth",
    "example_file",
    "expected_ratio",
    "lsoa_weights",
]

KINDS = ("people", "counts_by_postcode")
SERVICES = ("Advice", "Food support", "Befriending")
_SERVICE_P = (0.5, 0.3, 0.2)
# Real postcodes far from any pack we build (the first not in the pack is used).
OUTSIDE_POSTCODES = ("SW1A 1AA", "EC1A 1BB", "CF10 1EP", "EH1 1YZ")
NOT_A_POSTCODE = "NOT KNOWN"
FIFTH = 0.2


def deprived_fifth(lsoas: pd.DataFrame, *, domain: str = "imd") -> pd.Series:
    """True for the LSOAs in the area's most deprived local fifth (population-weighted).

    LSOAs are sorted by national rank on ``domain`` (1 = most deprived); an LSOA is in the fifth
    when the midpoint of its population on the cumulative scale is below a fifth of the residents
    (the rule :mod:`sector_map.reach.stats` uses for local quintiles).

    Example:
        >>> lsoas = pd.DataFrame({"population": [100.0] * 5, "imd_rank": [50, 10, 40, 20, 30]})
        >>> deprived_fifth(lsoas).tolist()
        [False, True, False, False, False]
    """
    col = f"{domain}_rank"
    if col not in lsoas.columns:
        have = sorted(c.removesuffix("_rank") for c in lsoas.columns if c.endswith("_rank"))
        raise ValueError(f"the pack's LSOAs have no {domain} ranks (they have: {', '.join(have) or 'none'})")
    pop = pd.to_numeric(lsoas["population"], errors="coerce").fillna(0.0).to_numpy(dtype="float64")
    rank = pd.to_numeric(lsoas[col], errors="coerce").to_numpy(dtype="float64")
    order = np.argsort(rank, kind="stable")
    sorted_pop = pop[order]
    mid = (np.cumsum(sorted_pop) - sorted_pop / 2) / sorted_pop.sum()
    out = np.zeros(len(pop), dtype=bool)
    out[order] = mid < FIFTH
    return pd.Series(out, index=lsoas.index)


def _tables(pack: Pack) -> tuple[pd.DataFrame, pd.DataFrame]:
    lsoas = getattr(pack, "lsoas", None)
    postcodes = pack.postcodes
    if lsoas is None or postcodes is None or "lsoa_code" not in postcodes.columns:
        raise ValueError("the pack has no LSOAs or no postcodes placed in LSOAs: build it with IoD and LSOAs")
    placed = postcodes[postcodes["lsoa_code"].isin(set(lsoas["lsoa_code"].astype(str)))]
    return lsoas, placed


def lsoa_weights(pack: Pack, bias: float, *, domain: str = "imd") -> pd.DataFrame:
    """Per LSOA: ``lsoa_code``, ``population``, ``deprived`` (in the most deprived fifth),
    ``drawable`` (has postcodes) and ``p``, the chance a fictional person lives there."""
    lsoas, placed = _tables(pack)
    out = pd.DataFrame(
        {
            "lsoa_code": lsoas["lsoa_code"].astype(str).to_numpy(),
            "population": pd.to_numeric(lsoas["population"], errors="coerce").fillna(0.0).to_numpy(),
            "deprived": deprived_fifth(lsoas, domain=domain).to_numpy(),
        }
    )
    out["drawable"] = out["lsoa_code"].isin(set(placed["lsoa_code"].astype(str)))
    w = out["population"] * np.where(out["deprived"], bias, 1.0) * out["drawable"]
    if w.sum() <= 0:
        raise ValueError("no LSOA with residents has a postcode to draw from")
    out["p"] = w / w.sum()
    return out


def expected_ratio(pack: Pack, bias: float, *, domain: str = "imd") -> float:
    """The representation ratio of the most deprived fifth a file from :func:`example_file` has in
    expectation: its share of the people placed, over its share of the residents."""
    w = lsoa_weights(pack, bias, domain=domain)
    residents = w.loc[w["deprived"], "population"].sum() / w["population"].sum()
    return float(w.loc[w["deprived"], "p"].sum() / residents)


def _draw(pack: Pack, n: int, bias: float, domain: str, rng: np.random.Generator) -> np.ndarray:
    """``n`` postcodes: how many per LSOA from a multinomial, then one of its postcodes each."""
    w = lsoa_weights(pack, bias, domain=domain)
    _, placed = _tables(pack)
    per = rng.multinomial(n, w["p"].to_numpy())
    pcs = placed.groupby(placed["lsoa_code"].astype(str))["postcode"].apply(
        lambda x: np.asarray(x, dtype=object)
    )
    drawn = [rng.choice(pcs[code], size=k) for code, k in zip(w["lsoa_code"], per, strict=True) if k]
    out = np.concatenate(drawn) if drawn else np.array([], dtype=object)
    rng.shuffle(out)
    return out


def _messy(postcodes: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Some postcodes written as people write them: lower case, no space, two spaces."""
    out = []
    for pc in postcodes:
        roll = rng.random()
        text = str(pc)
        if roll < 0.05:
            text = text.lower()
        elif roll < 0.10:
            text = text.replace(" ", "")
        elif roll < 0.12:
            text = text.replace(" ", "  ")
        out.append(text)
    return out


def _outside(pack: Pack) -> str:
    inside = set(pack.postcodes["postcode"].astype(str)) if pack.postcodes is not None else set()
    return next(p for p in OUTSIDE_POSTCODES if p not in inside)


def example_file(
    pack: Pack,
    *,
    n: int = 2000,
    bias: float = 0.5,
    seed: int = 0,
    kind: str = "people",
    domain: str = "imd",
    end: dt.date | None = None,
) -> bytes:
    """A fictional beneficiary CSV (UTF-8) for ``pack``: ``n`` people from its postcodes, plus
    three rows that cannot be placed (a blank postcode, one that is not a postcode, one outside
    the area).

    Args:
        kind: ``"people"`` (``Postcode, Date, Service``: one row a person, dated within the year
            before ``end``, default today) or ``"counts_by_postcode"`` (``Postcode, People``:
            one row a postcode; counts of 1,000 or more written with a thousands separator).
        bias: reach per resident of the most deprived local fifth, relative to the rest.
        domain: the deprivation domain whose national ranks define that fifth.
        seed: the same seed, pack and arguments give the same bytes.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    rng = np.random.default_rng(seed)
    drawn = _draw(pack, n, bias, domain, rng)
    odd = ["", NOT_A_POSTCODE, _outside(pack)]
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    if kind == "people":
        end = end or dt.date.today()
        postcodes = _messy(drawn, rng) + odd
        days = rng.integers(0, 365, size=len(postcodes))
        services = rng.choice(len(SERVICES), size=len(postcodes), p=_SERVICE_P)
        order = rng.permutation(len(postcodes))
        out.writerow(["Postcode", "Date", "Service"])
        for i in order:
            out.writerow(
                [postcodes[i], (end - dt.timedelta(days=int(days[i]))).isoformat(), SERVICES[services[i]]]
            )
    else:
        counts = pd.Series(drawn, dtype=object).value_counts(sort=False)
        postcodes = _messy(counts.index.to_numpy(), rng) + odd
        people = [*counts.to_numpy().tolist(), 1, 1, 1]
        out.writerow(["Postcode", "People"])
        for i in rng.permutation(len(postcodes)):
            out.writerow([postcodes[i], f"{int(people[i]):,}"])
    return buf.getvalue().encode("utf-8")
