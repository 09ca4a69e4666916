"""Valid but degenerate packs, made in code from the tiny pack, for "every page works on every pack".

Each factory returns a :class:`~sector_map.pack.io.Pack` that passes validation; :func:`write_all`
saves them all under one folder (pages read packs from disk, so the tests use the saved copies).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sector_map.build.builder import empty_assets, empty_organisations, empty_services
from sector_map.pack import schema as s
from sector_map.pack.io import Pack, load_pack, save_pack
from tests.conftest import make_tiny_pack


def _named(pack: Pack, name: str) -> Pack:
    return replace(pack, manifest={**pack.manifest, "name": name, "demo": False}, path=None)


def no_organisations() -> Pack:
    """Wards and indicators but no organisations (so no services either), like the England pack."""
    pack = make_tiny_pack()
    return _named(
        replace(pack, organisations=empty_organisations(), services=empty_services()), "No organisations"
    )


def no_services() -> Pack:
    """Organisations, but none of them lists a service."""
    return _named(replace(make_tiny_pack(), services=empty_services()), "No services")


def no_assets() -> Pack:
    """No community buildings or land."""
    return _named(replace(make_tiny_pack(), assets=empty_assets()), "No assets")


def no_indicators() -> Pack:
    """Wards, organisations and services, but not one ward figure."""
    pack = make_tiny_pack()
    empty = pack.indicators.iloc[0:0].reset_index(drop=True)
    return _named(replace(pack, indicators=empty, indicator_meta={}), "No indicators")


def one_ward() -> Pack:
    """A single ward (ranks, thirds and classes of one)."""
    pack = make_tiny_pack()
    code = pack.wards[s.WARD_CODE].iloc[1]
    wards = pack.wards[pack.wards[s.WARD_CODE] == code].reset_index(drop=True)
    indicators = pack.indicators[pack.indicators[s.WARD_CODE] == code].reset_index(drop=True)
    services = pack.services.copy()
    services[s.AREA_WARDS] = services[s.AREA_WARDS].map(lambda ws: [w for w in ws if w == code])
    return _named(replace(pack, wards=wards, indicators=indicators, services=services), "One ward")


def boundaries_only(folder: Path | None = None) -> Pack:
    """Exactly what the Data page makes from an uploaded boundary file (no population either)."""
    from sector_map.importers.tables import Notes
    from sector_map.upload.merge import import_boundaries

    base = make_tiny_pack()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(folder or tmp) / "my_wards.geojson"
        base.wards[[s.WARD_CODE, s.WARD_NAME, s.GEOMETRY]].to_file(path, driver="GeoJSON")
        result = import_boundaries(path, pack=base, name="Boundaries only", notes=Notes())
    return result.pack


def organisations_without_themes() -> Pack:
    """Organisations and services with no theme at all (e.g. a list with only names and postcodes)."""
    pack = make_tiny_pack()
    orgs = pack.organisations.copy()
    orgs[s.THEMES] = [[] for _ in range(len(orgs))]
    services = pack.services.copy()
    services[s.THEMES] = [[] for _ in range(len(services))]
    return _named(replace(pack, organisations=orgs, services=services), "Organisations without themes")


FACTORIES: dict[str, Callable[[], Pack]] = {
    "no-organisations": no_organisations,
    "no-services": no_services,
    "no-assets": no_assets,
    "no-indicators": no_indicators,
    "one-ward": one_ward,
    "boundaries-only": boundaries_only,
    "orgs-without-themes": organisations_without_themes,
}


def write_all(root: Path) -> dict[str, Path]:
    """Save every degenerate pack under ``root`` and check each loads back; returns name → folder."""
    out = {}
    for name, factory in FACTORIES.items():
        path = save_pack(factory(), root / name)
        load_pack(path)
        out[name] = path
    return out
