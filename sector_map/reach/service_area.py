"""Measured reach as a service area: with the user's say-so, the wards where an organisation
reaches at least a stated rate become one of its listings' delivery ("in listed wards"), sent to the
live directory as a change for an officer to review like any other.

Only wards whose count may be shown (10 or more beneficiaries) qualify, so a saved area never
tells more about where beneficiaries live than the page's protected tables do.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sector_map.directory.models import Revision
from sector_map.directory.store import Store
from sector_map.pack import schema as s
from sector_map.reach import suppress
from sector_map.reach.report import Report


def reach_wards(rep: Report, min_per_1000: float) -> list[str]:
    """Ward codes in the catchment with at least ``min_per_1000`` beneficiaries per 1,000 residents
    and a count that may be shown, highest rate first."""
    if not np.isfinite(min_per_1000) or min_per_1000 < 0:
        raise ValueError("the rate must be a number of beneficiaries per 1,000 residents, 0 or more")
    w = rep.result.wards
    shown = w["beneficiaries"].map(suppress.may_quote)
    mask = (
        w["in_catchment"].astype(bool)
        & shown
        & (pd.to_numeric(w["per_1000"], errors="coerce") >= min_per_1000)
    )
    mask &= w["beneficiaries"] > 0
    return w.loc[mask].sort_values("per_1000", ascending=False)[s.WARD_CODE].astype(str).tolist()


def delivery(wards: list[str]) -> dict:
    """The directory's delivery for listed wards."""
    if not wards:
        raise ValueError("no ward reaches that rate: lower it, or keep the service area you have")
    return {"mode": "wards", "wards": list(dict.fromkeys(wards))}


def send(store: Store, *, by: str, service_id: str, wards: list[str]) -> Revision:
    """A change to ``service_id``'s delivery, waiting for review (the store checks ``by`` may edit it)."""
    current = store.editable_service(service_id, by=by)
    return store.submit(
        {"delivery": delivery(wards)}, by=by, service_id=service_id, base_version=current.version
    )
