"""The words of each ward's gap reason: its need, and its provision (located, then area-wide)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sector_map.analysis.catchment import distance_text
from sector_map.pack import schema as s

AREA_WIDE_WORDS = "serve the whole area or are known only by a contact address"


def need_phrase(value: float, level: str, from_top: float, from_bottom: float) -> str:
    """E.g. "need 82/100, in the top 20% of wards"; shares are rounded up to a multiple of 5."""
    if level == "high":
        where = f"in the top {int(np.ceil(from_top * 20 - 1e-9)) * 5}% of wards"
    elif level == "low":
        where = f"in the lowest {int(np.ceil(from_bottom * 20 - 1e-9)) * 5}% of wards"
    else:
        where = "around the middle of the area's wards"
    return f"need {value:.0f}/100, {where}"


def provision_phrase(row: Mapping, services_word: str, radius_km: float | None) -> str:
    """The provision half of a reason for a table without a located / area-wide split."""
    n = row.get(s.SERVICES)
    if n is None or pd.isna(n):
        return "provision not known"
    within = f" within {radius_km:g} km" if radius_km else ""
    n = int(n)
    text = f"{n} {services_word}{'' if n == 1 else 's'} reach{'es' if n == 1 else ''} it"
    if n == 0:
        text = f"no {services_word}s{within}"
    weak = row.get(s.SERVICES_WEAK)
    if n and weak is not None and pd.notna(weak) and int(weak):
        text += f" ({int(weak)} located only by a contact address or serving the whole area)"
    near = row.get(s.NEAREST_KM)
    if near is not None and pd.notna(near):
        text += "; one is based in the ward" if near == 0 else f"; nearest {distance_text(near)} away"
    elif n == 0:
        text += "; none located anywhere in the area"
    return text


def split_phrase(
    row: Mapping,
    services_word: str,
    radius_km: float | None,
    known: bool,
    n_located: int | None,
    min_located: int,
) -> str:
    """The provision half of a reason: the located part (named), then the area-wide part."""
    n = int(row.get(s.SERVICES_LOCATED) or 0)
    m = int(row.get(s.SERVICES_AREA_WIDE) or 0)
    near, near_name = row.get(s.NEAREST_LOCATED_KM), row.get(s.NEAREST_LOCATED_SERVICE)
    area_wide = f"{m} {services_word}{'' if m == 1 else 's'} {AREA_WIDE_WORDS}".replace(
        "1 {services_word} serve the whole area or are", f"1 {services_word} serves the whole area or is"
    )
    if n:
        names = row.get(s.LOCATED_SERVICES)
        text = f"{n} located {services_word}{'' if n == 1 else 's'} reach{'es' if n == 1 else ''} it" + (
            f" ({names})" if isinstance(names, str) else ""
        )
        if near is not None and pd.notna(near):
            text += "; one is based in the ward" if near == 0 else f"; nearest {distance_text(near)} away"
    else:
        within = f" within {radius_km:g} km" if radius_km else ""
        text = f"no located {services_word}s{within}"
        if near is not None and pd.notna(near):
            where = f"{near_name}, " if isinstance(near_name, str) else ""
            far = "based in the ward" if near == 0 else f"{distance_text(near)} away"
            text += f" (nearest located: {where}{far})"
    if not known:
        located = (
            "none has a site or listed wards"
            if not n_located
            else f"only {n_located} {'has' if n_located == 1 else 'have'} a site or listed wards"
            if n_located < min_located
            else "located provision is the same in every ward"
        )
        return (
            "provision not known: "
            + (f"{text}; " if n else "")
            + (f"{area_wide}, " if m else "")
            + f"{located}, so provision cannot tell wards apart"
        )
    if m:
        text += f"; also {area_wide} (not counted in the class)"
    return text
