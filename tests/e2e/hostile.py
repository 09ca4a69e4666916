"""A pack whose organisation names try to run script in the map (they must run nothing)."""

from __future__ import annotations

from sector_map.pack import schema as s
from sector_map.pack.io import Pack

HOSTILE_NAMES = (
    '<img src=x onerror="window.__xss=1">',
    "Food ${window.__xss=1} Share",
    "Back`tick`${window.__xss=2}` group",
    "</script><script>window.__xss=3</script>",
    "Quote' onmouseover='window.__xss=4",
)


def make_hostile_pack(pack: Pack) -> Pack:
    """Rename the first located organisations (and one ward) with injection attempts."""
    orgs = pack.organisations.copy()
    located = orgs.index[orgs.geometry.notna() & ~orgs.geometry.is_empty]
    names = orgs[s.ORG_NAME].astype(object).copy()
    for i, name in zip(located, HOSTILE_NAMES, strict=False):
        names[i] = name
    orgs[s.ORG_NAME] = names
    wards = pack.wards.copy()
    ward_names = wards[s.WARD_NAME].astype(object).copy()
    ward_names.iloc[0] = '<img src=y onerror="window.__xss=5">'
    wards[s.WARD_NAME] = ward_names
    manifest = dict(pack.manifest, name=pack.name + " (hostile names)")
    return Pack(manifest, wards, pack.indicators, pack.indicator_meta, orgs, pack.services, pack.assets)
