"""Validation of a data pack against the contract in ``docs/data-pack.md``.

Every check reports the file, the column and the (1-based) rows at fault, in plain English,
and all problems are gathered before raising so a user can fix them in one go.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sector_map.pack import schema as s

if TYPE_CHECKING:
    from sector_map.pack.io import Pack


class PackError(Exception):
    """A pack that cannot be used; the message lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = [p.message() for p in problems]
        super().__init__("This data pack cannot be used:\n- " + "\n- ".join(lines))


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth knowing) about a pack file."""

    file: str
    text: str
    column: str | None = None
    rows: tuple[int, ...] = ()

    def message(self) -> str:
        where = self.file + (f", column `{self.column}`" if self.column else "")
        msg = f"{where}: {self.text}"
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:10])
            more = f" and {len(self.rows) - 10} more" if len(self.rows) > 10 else ""
            label = "row" if len(self.rows) == 1 else "rows"
            msg += f"; {label} {shown}{more}"
        return msg


def validate_pack(pack: Pack) -> list[Problem]:
    """Check the pack against the contract.

    Raises :class:`PackError` listing every error; returns warnings (usable, but worth
    showing) when there are none.
    """
    errors: list[Problem] = []
    warnings: list[Problem] = []

    _check_manifest(pack.manifest, errors)
    _check_columns(pack.wards, s.WARDS_FILE, s.WARD_COLUMNS, errors)
    _check_columns(pack.indicators, s.INDICATORS_FILE, s.INDICATOR_COLUMNS, errors)
    _check_columns(pack.organisations, s.ORGANISATIONS_FILE, s.ORGANISATION_COLUMNS, errors)
    _check_columns(pack.services, s.SERVICES_FILE, s.SERVICE_COLUMNS, errors)
    _check_columns(pack.assets, s.ASSETS_FILE, s.ASSET_COLUMNS, errors)
    if errors:
        raise PackError(errors)

    ward_codes = _check_wards(pack.wards, errors, warnings)
    _check_indicators(pack, ward_codes, errors, warnings)
    org_ids = _check_organisations(pack.organisations, errors, warnings)
    _check_services(pack.services, org_ids, ward_codes, errors)
    _check_assets(pack.assets, errors)
    _check_lsoas(pack, ward_codes, errors, warnings)
    if errors:
        raise PackError(errors)
    return warnings


def has_location(geom: gpd.GeoSeries) -> pd.Series:
    """True where a geometry is present and not empty (no geopandas missing-vs-empty warning)."""
    arr = np.asarray(geom.values, dtype=object)
    return pd.Series(~(shapely.is_missing(arr) | shapely.is_empty(arr)), index=geom.index, dtype=bool)


def _rows(mask: pd.Series | np.ndarray) -> tuple[int, ...]:
    """1-based row numbers where ``mask`` is true, as a person counts rows."""
    return tuple(int(i) + 1 for i in np.flatnonzero(np.asarray(mask)))


def _check_manifest(manifest: object, errors: list[Problem]) -> None:
    if not isinstance(manifest, dict):
        errors.append(Problem(s.MANIFEST_FILE, "must be a JSON object"))
        return
    if not str(manifest.get("name", "")).strip():
        errors.append(Problem(s.MANIFEST_FILE, "has no `name` for the area"))
    sources = manifest.get("sources", [])
    if not isinstance(sources, list):
        errors.append(Problem(s.MANIFEST_FILE, "`sources` must be a list"))
        return
    for i, src in enumerate(sources):
        missing = [k for k in ("title", "publisher", "licence") if not str(src.get(k, "")).strip()]
        if missing:
            errors.append(
                Problem(s.MANIFEST_FILE, f"source {i + 1} has no {', '.join(missing)}", column="sources")
            )


def _check_columns(df: pd.DataFrame, file: str, required: list[str], errors: list[Problem]) -> None:
    missing = [c for c in required if c not in df.columns]
    if missing:
        cols = ", ".join(f"`{c}`" for c in missing)
        errors.append(Problem(file, f"is missing the column(s) {cols}"))


def _check_string_codes(df: pd.DataFrame, file: str, column: str, errors: list[Problem]) -> None:
    values = df[column]
    blank = values.isna() | (values.astype("string").str.strip() == "")
    if blank.any():
        errors.append(Problem(file, "has empty codes", column=column, rows=_rows(blank)))
    not_str = _not_text(values) & ~blank.to_numpy(dtype=bool)  # a missing code is reported once, as empty
    if not_str.any():
        errors.append(Problem(file, "codes must be text, not numbers", column=column, rows=_rows(not_str)))


def _not_text(values: pd.Series) -> np.ndarray:
    """Where a code is neither text nor a missing marker (None or ``pd.NA``); NaN counts as a number.

    A text column (pandas' string dtypes, as Parquet text is read) holds only text and its missing
    marker, so it is answered without visiting each value; any other column is checked value by value.
    """
    if isinstance(values.dtype, pd.StringDtype):  # text and its missing marker (pd.NA or NaN) only
        return np.zeros(len(values), dtype=bool)
    return np.array([not (isinstance(v, str) or v is None or v is pd.NA) for v in values], dtype=bool)


def _isin(values: pd.Series, allowed: Collection[object]) -> pd.Series:
    """``values.isin(allowed)``, as plain Python objects.

    pandas' Arrow-backed text columns build an Arrow scalar per allowed value; with 200,000
    organisation ids that is over a second where a hash lookup of plain objects takes milliseconds.
    """
    plain = pd.Series(values.to_numpy(dtype=object), index=values.index, dtype=object)
    return plain.isin(list(allowed))


def _check_wards(wards: gpd.GeoDataFrame, errors: list[Problem], warnings: list[Problem]) -> set[str]:
    f = s.WARDS_FILE
    if not isinstance(wards, gpd.GeoDataFrame) or wards.crs is None:
        errors.append(Problem(f, "has no coordinate reference system; save it as EPSG:4326"))
    elif not wards.crs.equals(s.PACK_CRS):
        errors.append(Problem(f, f"must be in EPSG:4326 (longitude/latitude), not {wards.crs}"))
    if len(wards) == 0:
        errors.append(Problem(f, "has no wards"))
        return set()
    _check_string_codes(wards, f, s.WARD_CODE, errors)
    dup = wards[s.WARD_CODE].duplicated(keep=False) & wards[s.WARD_CODE].notna()
    if dup.any():
        codes = sorted(set(wards.loc[dup, s.WARD_CODE]))
        errors.append(
            Problem(f, f"ward codes appear more than once ({', '.join(codes[:5])})", s.WARD_CODE, _rows(dup))
        )
    empty_geom = wards.geometry.isna() | wards.geometry.is_empty
    if empty_geom.any():
        errors.append(Problem(f, "wards have no boundary", s.GEOMETRY, _rows(empty_geom)))
    ok_geom = ~empty_geom
    bad_type = ok_geom & ~wards.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
    if bad_type.any():
        errors.append(Problem(f, "boundaries must be polygons", s.GEOMETRY, _rows(bad_type)))
    invalid = ok_geom & ~wards.geometry.is_valid
    if invalid.any():
        errors.append(
            Problem(
                f, "boundaries are invalid polygons; repair them (make_valid)", s.GEOMETRY, _rows(invalid)
            )
        )
    pop = pd.to_numeric(wards[s.POPULATION], errors="coerce")
    bad_pop = pop.notna() & (pop < 0)
    if bad_pop.any():
        errors.append(Problem(f, "population cannot be negative", s.POPULATION, _rows(bad_pop)))
    if pop.isna().any():
        warnings.append(Problem(f, "wards have no population", s.POPULATION, _rows(pop.isna())))
    return set(wards[s.WARD_CODE].dropna().astype(str).tolist())


def _check_indicators(
    pack: Pack, ward_codes: set[str], errors: list[Problem], warnings: list[Problem]
) -> None:
    f = s.INDICATORS_FILE
    ind = pack.indicators
    _check_string_codes(ind, f, s.WARD_CODE, errors)
    unknown_ward = ~_isin(ind[s.WARD_CODE], ward_codes) & ind[s.WARD_CODE].notna()
    if unknown_ward.any():
        examples = ", ".join(sorted(set(ind.loc[unknown_ward, s.WARD_CODE].astype(str)))[:5])
        errors.append(
            Problem(
                f, f"ward codes not in {s.WARDS_FILE} (e.g. {examples})", s.WARD_CODE, _rows(unknown_ward)
            )
        )
    unknown_ind = ~ind[s.INDICATOR_ID].isin(list(pack.indicator_meta))
    if unknown_ind.any():
        examples = ", ".join(sorted(set(ind.loc[unknown_ind, s.INDICATOR_ID].astype(str)))[:5])
        errors.append(
            Problem(
                f,
                f"indicators not described in {s.INDICATOR_META_FILE} ({examples})",
                s.INDICATOR_ID,
                _rows(unknown_ind),
            )
        )
    if not pd.api.types.is_numeric_dtype(ind[s.VALUE]):
        errors.append(Problem(f, "values must be numbers", s.VALUE))
    dup = ind.duplicated([s.WARD_CODE, s.INDICATOR_ID], keep=False)
    if dup.any():
        errors.append(Problem(f, "the same ward and indicator appear twice", s.INDICATOR_ID, _rows(dup)))
    mf = s.INDICATOR_META_FILE
    for i, m in enumerate(pack.indicator_meta.values()):
        if m.higher_is not in s.HIGHER_IS:
            errors.append(
                Problem(
                    mf,
                    f"`{m.id}` has higher_is {m.higher_is!r}; use 'more_need' or 'less_need'",
                    "higher_is",
                    (i + 1,),
                )
            )
        bad = [t for t in m.themes if t not in s.THEMES_BY_ID]
        if bad:
            errors.append(Problem(mf, f"`{m.id}` names unknown themes {bad}", "themes", (i + 1,)))
    with_values = set(ind[s.INDICATOR_ID])
    empty = [m for m in pack.indicator_meta if m not in with_values]
    if empty:
        warnings.append(Problem(f, f"indicators with no values at all: {', '.join(empty[:5])}"))


def _check_list_values(
    df: pd.DataFrame, file: str, column: str, allowed: Collection[object], errors: list[Problem]
) -> None:
    """Rows of a list column (a lone string counts as a list of one) with a value not in ``allowed``.

    Missing cells and empty lists are fine. The lists are flattened once and their values looked
    up together, not row by row (200,000 organisations and their services at load).
    """
    cells = df[column].reset_index(drop=True)
    flat = cells.explode()
    row = flat.index.to_numpy()
    # explode stands a missing value in for an empty list or a missing cell: neither holds a value
    has_items = (cells.str.len() > 0).to_numpy(dtype=bool, na_value=False)
    is_item = flat.notna().to_numpy() | has_items[row]
    bad_item = is_item & ~_isin(flat, allowed).to_numpy()
    if bad_item.any():
        bad = np.zeros(len(cells), dtype=bool)
        bad[row[bad_item]] = True
        seen = sorted({x for v in cells[bad] for x in _as_list(v) if x not in allowed}, key=str)
        errors.append(Problem(file, f"unknown values {seen[:5]}", column, _rows(bad)))


def _as_list(v: Any) -> list:
    """A cell of a list column as a list (only the few rows at fault are read this way)."""
    if v is None:
        return []
    if isinstance(v, float) and np.isnan(v):
        return []
    if isinstance(v, str):
        return [v]
    return list(v)


def _check_organisations(orgs: gpd.GeoDataFrame, errors: list[Problem], warnings: list[Problem]) -> set[str]:
    f = s.ORGANISATIONS_FILE
    if len(orgs) and orgs.crs is not None and not orgs.crs.equals(s.PACK_CRS):
        errors.append(Problem(f, f"must be in EPSG:4326, not {orgs.crs}"))
    _check_string_codes(orgs, f, s.ORG_ID, errors)
    dup = orgs[s.ORG_ID].duplicated(keep=False)
    if dup.any():
        errors.append(Problem(f, "organisation ids appear more than once", s.ORG_ID, _rows(dup)))
    no_name = orgs[s.ORG_NAME].isna() | (orgs[s.ORG_NAME].astype("string").str.strip() == "")
    if no_name.any():
        errors.append(Problem(f, "organisations have no name", s.ORG_NAME, _rows(no_name)))
    _check_list_values(orgs, f, s.THEMES, s.THEMES_BY_ID, errors)
    bad_q = ~orgs[s.LOCATION_QUALITY].isin(s.LOCATION_QUALITIES)
    if bad_q.any():
        errors.append(
            Problem(
                f,
                f"location_quality must be one of {list(s.LOCATION_QUALITIES)}",
                s.LOCATION_QUALITY,
                _rows(bad_q),
            )
        )
    bad_band = ~orgs[s.SIZE_BAND].isin(s.SIZE_BAND_IDS)
    if bad_band.any():
        errors.append(
            Problem(f, f"size_band must be one of {list(s.SIZE_BAND_IDS)}", s.SIZE_BAND, _rows(bad_band))
        )
    geom = orgs.geometry
    located = has_location(geom)
    not_point = located & (geom.geom_type != "Point")
    if not_point.any():
        errors.append(Problem(f, "locations must be points", s.GEOMETRY, _rows(not_point)))
    area_only_with_point = located & (orgs[s.LOCATION_QUALITY] == s.LOCATION_AREA_ONLY)
    if area_only_with_point.any():
        warnings.append(
            Problem(
                f,
                "organisations marked 'area only' carry a point",
                s.LOCATION_QUALITY,
                _rows(area_only_with_point),
            )
        )
    return set(orgs[s.ORG_ID].dropna().astype(str).tolist())


def _check_services(
    services: pd.DataFrame, org_ids: set[str], ward_codes: set[str], errors: list[Problem]
) -> None:
    f = s.SERVICES_FILE
    _check_string_codes(services, f, s.SERVICE_ID, errors)
    dup = services[s.SERVICE_ID].duplicated(keep=False)
    if dup.any():
        errors.append(Problem(f, "service ids appear more than once", s.SERVICE_ID, _rows(dup)))
    orphan = ~_isin(services[s.ORG_ID], org_ids)
    if orphan.any():
        errors.append(
            Problem(
                f, f"services belong to organisations not in {s.ORGANISATIONS_FILE}", s.ORG_ID, _rows(orphan)
            )
        )
    _check_list_values(services, f, s.THEMES, s.THEMES_BY_ID, errors)
    bad_area = ~services[s.AREA_TYPE].isin(s.AREA_TYPES)
    if bad_area.any():
        errors.append(
            Problem(f, f"area_type must be one of {list(s.AREA_TYPES)}", s.AREA_TYPE, _rows(bad_area))
        )
    radius = pd.to_numeric(services[s.RADIUS_KM], errors="coerce")
    no_radius = (services[s.AREA_TYPE] == s.AREA_RADIUS) & ~(radius > 0)
    if no_radius.any():
        errors.append(Problem(f, "radius services need a radius_km above 0", s.RADIUS_KM, _rows(no_radius)))
    _check_list_values(services, f, s.AREA_WARDS, ward_codes, errors)
    cap = pd.to_numeric(services[s.CAPACITY], errors="coerce")
    if (cap < 0).any():
        errors.append(Problem(f, "capacity cannot be negative", s.CAPACITY, _rows(cap < 0)))


def _check_assets(assets: gpd.GeoDataFrame, errors: list[Problem]) -> None:
    f = s.ASSETS_FILE
    _check_string_codes(assets, f, s.ASSET_ID, errors)
    dup = assets[s.ASSET_ID].duplicated(keep=False)
    if dup.any():
        errors.append(Problem(f, "asset ids appear more than once", s.ASSET_ID, _rows(dup)))
    bad = ~assets[s.ASSET_STATUS].isin(s.ASSET_STATUSES)
    if bad.any():
        errors.append(
            Problem(f, f"status must be one of {list(s.ASSET_STATUSES)}", s.ASSET_STATUS, _rows(bad))
        )


def _check_lsoas(pack: Pack, ward_codes: set[str], errors: list[Problem], warnings: list[Problem]) -> None:
    """The optional LSOA table, and the LSOA codes the postcode table gives (they must be in it)."""
    f, lsoas = s.LSOAS_FILE, pack.lsoas
    lsoa_codes: set[str] = set()
    if lsoas is not None:
        missing = [c for c in s.LSOA_COLUMNS if c not in lsoas.columns]
        if missing:
            errors.append(Problem(f, f"is missing the column(s) {', '.join(f'`{c}`' for c in missing)}"))
            return
        _check_string_codes(lsoas, f, s.LSOA_CODE, errors)
        dup = lsoas[s.LSOA_CODE].duplicated(keep=False) & lsoas[s.LSOA_CODE].notna()
        if dup.any():
            codes = sorted(set(lsoas.loc[dup, s.LSOA_CODE].astype(str)))
            errors.append(
                Problem(
                    f, f"LSOA codes appear more than once ({', '.join(codes[:5])})", s.LSOA_CODE, _rows(dup)
                )
            )
        unknown = ~_isin(lsoas[s.WARD_CODE], ward_codes)
        if unknown.any():
            codes = sorted(set(lsoas.loc[unknown, s.WARD_CODE].dropna().astype(str)))
            errors.append(
                Problem(
                    f,
                    f"LSOAs in wards not in {s.WARDS_FILE} (e.g. {', '.join(codes[:5])})",
                    s.WARD_CODE,
                    _rows(unknown),
                )
            )
        pop = pd.to_numeric(lsoas[s.POPULATION], errors="coerce")
        if (pop < 0).any():
            errors.append(Problem(f, "population cannot be negative", s.POPULATION, _rows(pop < 0)))
        for col in lsoas.columns:
            measure = col.rpartition("_")[2]
            if measure not in ("rank", "decile") or col.rpartition("_")[0] not in s.IOD_DOMAINS:
                continue
            if not pd.api.types.is_numeric_dtype(lsoas[col]):
                errors.append(Problem(f, "must hold numbers", col))
                continue
            v = lsoas[col]
            bad = v.notna() & ((v < 1) | (v != v.round()) | ((v > 10) if measure == "decile" else False))
            if bad.any():
                what = (
                    "deciles must be whole numbers from 1 to 10"
                    if measure == "decile"
                    else "ranks must be whole numbers from 1"
                )
                errors.append(Problem(f, what, col, _rows(bad)))
        lsoa_codes = set(lsoas[s.LSOA_CODE].dropna().astype(str))
    postcodes = pack.postcodes
    if postcodes is None or s.LSOA_CODE not in postcodes.columns:
        return
    named = postcodes[s.LSOA_CODE].notna()
    if lsoas is None:
        if named.any():
            warnings.append(Problem(s.POSTCODES_FILE, f"names LSOAs but the pack has no {f}", s.LSOA_CODE))
        return
    unknown_pc = named & ~_isin(postcodes[s.LSOA_CODE], lsoa_codes)
    if unknown_pc.any():
        errors.append(
            Problem(
                s.POSTCODES_FILE,
                f"LSOA codes not in {f} (leave the cell empty for none)",
                s.LSOA_CODE,
                _rows(unknown_pc),
            )
        )
