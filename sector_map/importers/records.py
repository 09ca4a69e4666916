"""The frames organisation importers hand over before merging and geocoding.

Each source importer (CCEW, 360Giving, ORUK, generic CSV) returns *raw* organisation and
service records in the shapes below. :mod:`sector_map.importers.organisations` then merges
the same organisation across sources, geocodes by postcode (coordinates given in a file win)
and sets ``location_quality``, giving the pack's ``organisations.parquet``.

Columns beyond the pack contract (``schema.ORGANISATION_COLUMNS``) are kept in the pack as
optional extras: pages show them when present.
"""

from __future__ import annotations

import pandas as pd

from sector_map.pack import schema as s
from sector_map.pack.schema import ADDRESS, LAT, LON, THEMES_REASON
from sector_map.pack.values import as_list

# Optional extra organisation columns (kept in organisations.parquet when present).
COMPANY_NUMBER = "company_number"
ORG_IDENTIFIER = "org_identifier"  # 360Giving / org-id.guide identifier, e.g. GB-CHC-1234567
EMAIL = "email"
PHONE = "phone"
ACTIVITIES = "activities"
GRANTS_TOTAL = "grants_total"  # £ awarded in the grants imported
GRANTS_COUNT = "grants_count"
FUNDERS = "funders"  # list of funder names
LATEST_AWARD = "latest_award"  # ISO date of the latest grant
LOCATION_HINT = "location_hint"  # what a given postcode/point is: schema.LOCATION_SITE or _CONTACT

RAW_ORG_COLUMNS = [
    s.ORG_ID,
    s.ORG_NAME,
    s.ORG_KIND,
    s.CHARITY_NUMBER,
    COMPANY_NUMBER,
    ORG_IDENTIFIER,
    s.INCOME,
    s.POSTCODE,
    ADDRESS,
    s.WEBSITE,
    EMAIL,
    PHONE,
    ACTIVITIES,
    s.THEMES,
    THEMES_REASON,
    s.CLIENT_GROUPS,
    GRANTS_TOTAL,
    GRANTS_COUNT,
    FUNDERS,
    LATEST_AWARD,
    LON,
    LAT,
    LOCATION_HINT,
    s.SOURCE,
]
LIST_COLUMNS = (s.THEMES, s.CLIENT_GROUPS, FUNDERS)
FLOAT_COLUMNS = (s.INCOME, GRANTS_TOTAL, GRANTS_COUNT, LON, LAT)

# Services: the pack contract plus optional own coordinates (an ORUK service location);
# a service without coordinates is placed at its organisation.
RAW_SERVICE_COLUMNS = [*s.SERVICE_COLUMNS, LON, LAT]


def raw_org_frame(rows: list[dict] | pd.DataFrame | None = None) -> pd.DataFrame:
    """A raw organisation frame with every column, in order and with the right dtypes.

    Missing columns are added empty; list columns hold Python lists (never NaN).

    Example:
        >>> df = raw_org_frame([{"org_id": "x-1", "name": "Hale Food Bank"}])
        >>> df.loc[0, "themes"], bool(pd.isna(df.loc[0, "income"]))
        ([], True)
    """
    df = pd.DataFrame(rows if rows is not None else [])
    return _conform(df, RAW_ORG_COLUMNS)


def raw_service_frame(rows: list[dict] | pd.DataFrame | None = None) -> pd.DataFrame:
    """A raw service frame with every column of :data:`RAW_SERVICE_COLUMNS`."""
    df = pd.DataFrame(rows if rows is not None else [])
    return _conform(df, RAW_SERVICE_COLUMNS)


def _conform(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    df = df.copy()
    for col in columns:
        if col not in df.columns:
            df[col] = pd.NA
    list_cols = [c for c in (*LIST_COLUMNS, s.AREA_WARDS) if c in columns]
    for col in list_cols:
        df[col] = pd.Series([as_list(v) for v in df[col]], index=df.index, dtype=object)
    for col in (*FLOAT_COLUMNS, s.CAPACITY, s.RADIUS_KM):
        if col in columns:
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    for col in columns:
        if col not in list_cols and (df[col].dtype == object or str(df[col].dtype) == "str"):
            df[col] = df[col].astype("string")
    extra = [c for c in df.columns if c not in columns]
    return df[columns + extra].reset_index(drop=True)
