"""Read 360Giving grants files into one row per grant, and parse recipient identifiers.

Files in the 360Giving Data Standard come as flattened CSV/XLSX, whose column titles (such as
``Recipient Org:Charity Number`` or ``Beneficiary Location:0:Geographic Code``) are matched
ignoring case, spaces and punctuation, or as the standard's JSON (``{"grants": [...]}``).
Both become the same canonical fields, so :mod:`sector_map.importers.giving360` does not care
which one it was given. Recipient org identifiers (``GB-CHC-…``, ``GB-SC-…``, ``GB-COH-…``) give
charity and company numbers where the file leaves those columns blank.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from sector_map.importers.tables import (
    InputError,
    Notes,
    examples,
    file_rows,
    find_column,
    read_bytes,
    read_json,
    read_table,
)
from sector_map.pack.values import normalise_postcode

__all__ = ["BEN_LOCS", "ID_PREFIX", "REC_LOCS", "WHAT", "read_grants", "with_recipient_ids"]

ID_PREFIX = "360g-"
_CHC_ID = re.compile(r"^GB-(CHC|SC|NIC)-(.+)$", re.IGNORECASE)
_COH_ID = re.compile(r"^GB-COH-(.+)$", re.IGNORECASE)
BEN_LOCS = "beneficiary_locations"
REC_LOCS = "recipient_locations"
WHAT = "a 360Giving grants file (CSV, Excel or JSON)"

# Canonical field → the standard's flattened column titles (matched ignoring case and punctuation).
_FIELDS = {
    "grant_id": ["Identifier"],
    "title": ["Title"],
    "description": ["Description"],
    "currency": ["Currency"],
    "amount": ["Amount Awarded"],
    "award_date": ["Award Date"],
    "recipient_id": ["Recipient Org:Identifier"],
    "recipient_name": ["Recipient Org:Name"],
    "charity_number": ["Recipient Org:Charity Number"],
    "company_number": ["Recipient Org:Company Number"],
    "postcode": ["Recipient Org:Postal Code", "Recipient Org:Postcode"],
    "funder_id": ["Funding Org:Identifier"],
    "funder_name": ["Funding Org:Name"],
}
_RECIPIENT_FIELDS = ("recipient_id", "recipient_name", "charity_number", "company_number")
# JSON keys of a grant and of its recipientOrganization, by canonical field.
_JSON_GRANT = {
    "grant_id": "id",
    "title": "title",
    "description": "description",
    "currency": "currency",
    "amount": "amountAwarded",
    "award_date": "awardDate",
}
_JSON_RECIPIENT = {
    "recipient_id": "id",
    "recipient_name": "name",
    "charity_number": "charityNumber",
    "company_number": "companyNumber",
    "postcode": "postalCode",
}
_LOCATION_COLUMN = re.compile(
    r"^(recipient org location|beneficiary location) (\d+) (geographic code type|geographic code)$"
)
# GrantNav adds these to its exports: the recipient's ward and district found from its postcode.
_GRANTNAV_RECIPIENT = ("recipient ward geographic code", "recipient district geographic code")


# --- reading ----------------------------------------------------------------------------------
def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(name).lower()).strip()


def read_grants(path: Path | str, *, notes: Notes | None = None) -> tuple[pd.DataFrame, str]:
    """One row per grant in canonical fields, and how to label its row numbers in messages.

    Location columns become lists of ``(code, code type)`` in ``beneficiary_locations`` and
    ``recipient_locations``; ``_row`` is the file row (CSV/XLSX) or 1-based grant position (JSON).
    """
    path = Path(path)
    _raw, kind = read_bytes(path, what=WHAT)
    if kind == "json":
        return _grants_from_json(read_json(path, what=WHAT), path.name), " (positions in the `grants` list)"
    table = read_table(path, what=WHAT, notes=notes)
    return _grants_from_table(table, path.name), ""


def _grants_from_table(table: pd.DataFrame, file: str) -> pd.DataFrame:
    cols = {key: find_column(table.columns, names) for key, names in _FIELDS.items()}
    if all(cols[k] is None for k in _RECIPIENT_FIELDS):
        normed = {_norm(c) for c in table.columns}
        aggregated = "recipient ward geographic code" in normed and cols["amount"] is not None
        raise InputError(
            file,
            "has no recipient organisation columns (`Recipient Org:Identifier`, `Recipient Org:Name`, "
            "`Recipient Org:Charity Number`)"
            + (
                "; it holds grants already added up by funder, year and ward, so it cannot say which "
                "organisations were funded"
                if aggregated
                else ""
            ),
            hint="Import it as ward grant indicators instead"
            if aggregated
            else f"Expected {WHAT}, such as a GrantNav download",
        )
    if cols["amount"] is None:
        raise InputError(file, "has no `Amount Awarded` column", hint=f"Expected {WHAT}")
    grants = pd.DataFrame(
        {
            key: table[col] if col else pd.Series(pd.NA, index=table.index, dtype="string")
            for key, col in cols.items()
        }
    )
    for which, prefix in ((BEN_LOCS, "beneficiary location"), (REC_LOCS, "recipient org location")):
        pairs: dict[str, dict[str, str]] = {}
        for col in table.columns:
            m = _LOCATION_COLUMN.match(_norm(col))
            if m and m.group(1) == prefix:
                pairs.setdefault(m.group(2), {})["type" if m.group(3).endswith("type") else "code"] = col
        if which == REC_LOCS:
            for i, col in enumerate(c for c in table.columns if _norm(c) in _GRANTNAV_RECIPIENT):
                pairs[f"grantnav{i}"] = {"code": col}
        grants[which] = pd.Series(
            _location_lists(table, list(pairs.values())), index=grants.index, dtype=object
        )
    grants["_row"] = file_rows(table.index)
    return grants


def _location_lists(table: pd.DataFrame, pairs: list[dict[str, str]]) -> list[list[tuple[str, str]]]:
    out: list[list[tuple[str, str]]] = [[] for _ in range(len(table))]
    for pair in pairs:
        if "code" not in pair:
            continue
        codes = table[pair["code"]].astype("string").str.strip().str.upper()
        types = table[pair["type"]].astype("string").str.strip().str.upper() if "type" in pair else None
        for i, code in enumerate(codes):
            if pd.notna(code):
                kind = types.iloc[i] if types is not None and pd.notna(types.iloc[i]) else ""
                out[i].append((str(code), str(kind)))
    return out


def _grants_from_json(data: object, file: str) -> pd.DataFrame:
    grants = data.get("grants") if isinstance(data, dict) else None
    if not isinstance(grants, list):
        keys = examples(sorted(data)) if isinstance(data, dict) else "a list"
        raise InputError(
            file,
            f"is JSON without a `grants` list (found {keys})",
            hint='Expected 360Giving JSON: {"grants": [ ... ]}',
        )
    rows = []
    for i, grant in enumerate(grants, start=1):
        grant = grant if isinstance(grant, dict) else {}
        recipient = _first(grant.get("recipientOrganization"))
        funder = _first(grant.get("fundingOrganization"))
        row = {key: grant.get(k) for key, k in _JSON_GRANT.items()}
        row |= {key: recipient.get(k) for key, k in _JSON_RECIPIENT.items()}
        row |= {"funder_id": funder.get("id"), "funder_name": funder.get("name")}
        row[BEN_LOCS] = _json_locations(grant.get("beneficiaryLocation"))
        row[REC_LOCS] = _json_locations(recipient.get("location"))
        row["_row"] = i
        rows.append(row)
    if not rows:
        raise InputError(file, "has an empty `grants` list", hint=f"Expected {WHAT}")
    frame = pd.DataFrame(rows)
    for key in [*_FIELDS]:
        text = frame[key].map(lambda v: pd.NA if _blank(v) else str(v).strip())
        frame[key] = text.astype("string")
    return frame


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == ""


def _first(value: object) -> dict:
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, dict) else {}


def _json_locations(value: object) -> list[tuple[str, str]]:
    items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    return [
        (str(loc["geoCode"]).strip().upper(), str(loc.get("geoCodeType") or "").strip().upper())
        for loc in items
        if isinstance(loc, dict) and loc.get("geoCode")
    ]


# --- recipient identifiers ------------------------------------------------------------------
def _clean_number(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.upper().str.replace(r"\s+", "", regex=True)
    return text.str.replace(r"\.0$", "", regex=True).replace("", pd.NA)  # type: ignore[call-overload]  # pandas-stubs: replace() takes no pd.NA


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")


def with_recipient_ids(grants: pd.DataFrame) -> pd.DataFrame:
    """Fill charity/company numbers from org identifiers and give each grant its recipient's org_id."""
    g = grants.copy()
    rid = g["recipient_id"].astype("string").str.strip().str.upper()
    chc = rid.str.extract(_CHC_ID)
    from_id = (chc[0].str.upper().map({"NIC": "NIC"}).fillna("") + chc[1]).where(chc[1].notna())
    g["charity_number"] = _clean_number(g["charity_number"]).fillna(_clean_number(from_id))
    company = _clean_number(g["company_number"]).fillna(_clean_number(rid.str.extract(_COH_ID)[0]))
    g["company_number"] = company.where(
        ~company.str.fullmatch(r"\d{1,7}").fillna(False), company.str.zfill(8)
    )
    g["postcode"] = normalise_postcode(g["postcode"])
    chc_id = ("GB-CHC-" + g["charity_number"]).where(~g["charity_number"].str.startswith("SC").fillna(False))
    chc_id = chc_id.fillna("GB-SC-" + g["charity_number"])
    key = rid.fillna(chc_id).fillna("name-" + g["recipient_name"].str.strip())
    g["org_id"] = ID_PREFIX + key.map(_slug)
    return g
