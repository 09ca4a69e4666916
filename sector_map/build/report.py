"""The closing summary of a pack build: what was found, how well it is located, every warning.

Kept apart from :mod:`sector_map.build.builder` so the build steps and the report read separately;
:func:`summary_text` is still importable from :mod:`sector_map.build.builder`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from sector_map.pack import schema as s

if TYPE_CHECKING:
    from sector_map.build.builder import BuildResult

__all__ = ["summary_text"]


def summary_text(result: BuildResult) -> str:
    """The closing summary printed by ``build-pack``."""
    p, st = result.pack, result.stats
    org = p.organisations
    quality = org[s.LOCATION_QUALITY].value_counts() if len(org) else pd.Series(dtype=int)
    where = f" → {result.out}" if result.out else ""
    lines = [f"Built {p.name} in {result.seconds:.1f} s{where}"]
    lines.append(
        f"  wards:          {len(p.wards):,}"
        + (f" ({p.manifest.get('ward_vintage')})" if p.manifest.get("ward_vintage") else "")
        + (
            f"; population from {p.manifest['population_source']}"
            if p.manifest.get("population_source")
            else ""
        )
    )
    no_data = len(p.wards) - st.get("wards_with_imd", 0)
    imd = (
        f"; IMD for {st.get('wards_with_imd', 0):,} wards ({no_data:,} no data)"
        if "imd_score" in p.indicator_meta
        else ""
    )
    lines.append(f"  indicators:     {len(p.indicator_meta):,}{imd}")
    if p.lsoas is not None:
        entry = p.manifest.get(s.MANIFEST_LSOAS, {})
        placed = st.get("lsoa_postcodes")
        lines.append(
            f"  LSOAs:          {len(p.lsoas):,}"
            + (f" ({entry['lsoa_vintage']} LSOAs, IoD{entry['edition']})" if "edition" in entry else "")
            + (f"; {placed[0]:,} of {placed[1]:,} postcodes placed in an LSOA" if placed else "")
        )
    located = int(sum(quality.get(q, 0) for q in s.LOCATION_KIND))
    if len(org) == 0:
        lines.append("  organisations:  none (the recipe names no organisation sources)")
    else:
        lines.append(f"  organisations:  {len(org):,} found, {located:,} placed on the map")
        for q in s.LOCATION_QUALITIES:
            lines.append(f"                  {q}: {int(quality.get(q, 0)):,}")
    extra = (
        ("merged", "found in more than one source were merged"),
        ("postcode_not_found", "had a postcode not in the postcode file (kept as area only)"),
        ("outside_area", "are placed outside the area (their point kept, marked 'outside the area')"),
    )
    for key, text in extra:
        if st.get(key):
            lines.append(f"                  {st[key]:,} {text}")
    lines.append(f"  services:       {len(p.services):,}")
    lines.append(f"  assets:         {len(p.assets):,}")
    lines.append(f"  sources:        {len(p.sources)}")
    outside = st.get("outside_recipe", [])
    if outside:
        lines.append(f"  read from outside the recipe's folder: {len(outside)}")
        lines.extend(f"    - {o}" for o in outside)
    warnings = list(result.notes) + list(p.warnings)
    lines.append(f"  warnings:       {len(warnings)}")
    lines.extend(f"    - {w.message()}" for w in warnings)
    return "\n".join(lines)
