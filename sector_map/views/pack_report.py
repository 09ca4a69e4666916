"""Figures about a data pack for the Data page: what it holds, how complete it is, where it came from.

Every function takes a :class:`~sector_map.pack.io.Pack` (or a folder of packs) and returns a small
dict or DataFrame with plain-English column names, ready to show. Nothing here changes a pack.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

from sector_map.pack import schema as s
from sector_map.pack.io import Pack, find_packs
from sector_map.pack.validate import has_location
from sector_map.views import about

__all__ = [
    "counts",
    "indicator_coverage",
    "location_quality_table",
    "pack_catalogue",
    "size_band_table",
    "sources_table",
    "theme_table",
    "warnings",
]

LOCATION_LABELS = {
    s.LOCATION_SITE: "Site (where it works)",
    s.LOCATION_CONTACT: "Contact address only",
    s.LOCATION_SITE_OUTSIDE: "Site outside the area (on the map, beyond the wards)",
    s.LOCATION_CONTACT_OUTSIDE: "Contact address outside the area (on the map, beyond the wards)",
    s.LOCATION_AREA_ONLY: "Area only (not on the map)",
}


def _placed(orgs: gpd.GeoDataFrame) -> pd.Series:
    """Organisations with a point to draw."""
    return has_location(orgs.geometry)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def counts(pack: Pack) -> dict[str, int | float | None]:
    """How much the pack holds, and the share of organisations placed on the map.

    Returns:
        ``wards``, ``indicators``, ``organisations``, ``organisations_placed`` (with a point),
        ``placed_share`` (0–1, None when there are no organisations), ``services``, ``assets``,
        ``sources``.
    """
    n_orgs = len(pack.organisations)
    placed = int(_placed(pack.organisations).sum())
    return {
        "wards": len(pack.wards),
        "indicators": len(pack.indicator_meta),
        "organisations": n_orgs,
        "organisations_placed": placed,
        "placed_share": _share(placed, n_orgs),
        "services": len(pack.services),
        "assets": len(pack.assets),
        "sources": len(pack.sources),
    }


def indicator_coverage(pack: Pack) -> pd.DataFrame:
    """One row per indicator: how many of the pack's wards have a value, its source and direction.

    Values for wards that are not in the pack, and missing values, do not count.
    """
    wards = set(pack.wards[s.WARD_CODE])
    ind = pack.indicators
    have = ind[ind[s.WARD_CODE].isin(wards) & ind[s.VALUE].notna()]
    with_value = have.groupby(s.INDICATOR_ID)[s.WARD_CODE].nunique()
    total = len(wards)
    rows = []
    for m in pack.indicator_meta.values():
        n = int(with_value.get(m.id, 0))
        rows.append(
            {
                s.HEADER_INDICATOR: m.label,
                "Id": m.id,
                "Wards with a value": n,
                "Wards": total,
                "Coverage": _share(n, total),
                s.HEADER_WORSE: m.worse_phrase,
                s.HEADER_SOURCE: m.source,
                "Year": m.year,
            }
        )
    columns = [
        s.HEADER_INDICATOR,
        "Id",
        "Wards with a value",
        "Wards",
        "Coverage",
        s.HEADER_WORSE,
        s.HEADER_SOURCE,
        "Year",
    ]
    return pd.DataFrame(rows, columns=columns)


def _count_table(values: pd.Series, order: list[str], labels: dict[str, str], label: str) -> pd.DataFrame:
    total = len(values)
    counted = values.value_counts()
    rows = [
        {label: labels.get(key, key), "Organisations": int(counted.get(key, 0))}
        for key in [*order, *sorted(k for k in counted.index if k not in order)]
    ]
    out = pd.DataFrame(rows, columns=[label, "Organisations"])
    out["Share"] = out["Organisations"] / total if total else float("nan")
    return out


def location_quality_table(pack: Pack) -> pd.DataFrame:
    """Organisations by how well their location is known (site, contact address, area only);
    the 'outside the area' rows only when a pack has such organisations."""
    values = pack.organisations[s.LOCATION_QUALITY].astype("string")
    order = [q for q in s.LOCATION_QUALITIES if q not in s.LOCATION_OUTSIDE or (values == q).any()]
    return _count_table(values, order, LOCATION_LABELS, "Location")


def size_band_table(pack: Pack) -> pd.DataFrame:
    """Organisations by income size band, smallest first, 'income not known' last."""
    return _count_table(
        pack.organisations[s.SIZE_BAND].astype("string"),
        list(s.SIZE_BAND_IDS),
        s.SIZE_BAND_LABELS,
        "Size band",
    )


def theme_table(pack: Pack) -> pd.DataFrame:
    """Organisations and services per theme (one with several themes counts under each)."""

    def per_theme(frame: pd.DataFrame) -> pd.Series:
        if len(frame) == 0:
            return pd.Series(dtype="int64")
        themes = frame[s.THEMES].map(lambda v: sorted(set(v)) if v is not None and len(v) else [])
        return themes.explode().dropna().value_counts()

    orgs = per_theme(pack.organisations)
    services = per_theme(pack.services)
    rows = [
        {
            s.HEADER_THEME: t.label,
            "Organisations": int(orgs.get(t.id, 0)),
            "Services": int(services.get(t.id, 0)),
        }
        for t in s.THEMES_LIST
    ]
    none: pd.Series | list[bool] = (
        pack.organisations[s.THEMES].map(lambda v: v is None or len(v) == 0)
        if len(pack.organisations)
        else []
    )
    rows.append({s.HEADER_THEME: "No theme", "Organisations": int(sum(none)), "Services": 0})
    return pd.DataFrame(rows, columns=[s.HEADER_THEME, "Organisations", "Services"])


def sources_table(pack: Pack) -> pd.DataFrame:
    """One row per source: title, publisher, vintage, licence, attribution and link."""
    return about.sources_table(pack)


def warnings(pack: Pack) -> list[str]:
    """Everything worth knowing about the pack: validation warnings, then the build's notes.

    Repeated messages are shown once.

    Example:
        >>> from sector_map.pack.validate import Problem
        >>> p = Pack({"name": "X", "build_notes": ["a.csv: 2 rows had no name"]}, *[None] * 6,
        ...          warnings=[Problem("wards.parquet", "2 wards have no population")])
        >>> warnings(p)
        ['wards.parquet: 2 wards have no population', 'a.csv: 2 rows had no name']
    """
    out: list[str] = []
    for text in [w.message() for w in pack.warnings] + [str(n) for n in pack.manifest.get("build_notes", [])]:
        if text not in out:
            out.append(text)
    return out


def _parquet_rows(path: Path) -> int | None:
    try:
        import pyarrow.parquet as pq

        return int(pq.read_metadata(path).num_rows)
    except (OSError, ValueError, ImportError):
        return None


def pack_catalogue(root: str | os.PathLike) -> pd.DataFrame:
    """The packs in folder ``root`` (demo first) with area name, size and build date.

    Reads only each pack's manifest and its Parquet footers, so it stays quick with many packs.
    A pack whose manifest cannot be read is still listed, with the reason in ``Problem``.
    Temporary folders of pack writes are never listed; those a killed write left behind over
    :data:`~sector_map.pack.store.STALE_AFTER_S` ago are removed here (see
    :func:`~sector_map.pack.store.clean_leftovers`).
    """
    from sector_map.pack.store import clean_leftovers

    if Path(root).is_dir():
        clean_leftovers(root)
    rows = []
    for folder in find_packs(root):
        problem = ""
        try:
            manifest = json.loads((folder / s.MANIFEST_FILE).read_text(encoding="utf-8-sig"))
            if not isinstance(manifest, dict):
                raise ValueError("manifest.json is not a JSON object")
        except (OSError, ValueError) as exc:
            manifest, problem = {}, f"cannot read manifest.json ({exc})"
        rows.append(
            {
                "Folder": folder.name,
                "Area": str(manifest.get("name", folder.name)),
                "Demo": bool(manifest.get("demo", False)),
                "Wards": _parquet_rows(folder / s.WARDS_FILE),
                "Organisations": _parquet_rows(folder / s.ORGANISATIONS_FILE),
                "Built": str(manifest.get("built_at", ""))[:16].replace("T", " "),
                "Problem": problem,
            }
        )
    columns = ["Folder", "Area", "Demo", "Wards", "Organisations", "Built", "Problem"]
    out = pd.DataFrame(rows, columns=columns)
    for col in ("Wards", "Organisations"):
        out[col] = out[col].astype("Int64")
    return out
