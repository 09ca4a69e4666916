"""Build recipes: a TOML file naming the official downloads a pack is built from.

A recipe is read and checked in full before anything is imported, so a typo in the last
section does not cost a ten-minute build. Relative paths resolve from the recipe's folder.
See README.md ("Build a pack for your council") for a worked example.

A recipe reads only what it means to read. A relative path that leads out of the recipe's
folder (``../../etc/os-release``) is refused unless its section (or the whole recipe) says
``allow_outside = true``; an absolute path is taken as meant. Both kinds are listed in
:attr:`Recipe.outside` and in the build summary. Every input must be an ordinary file: a
folder, named pipe, device or socket is refused by kind before anything opens it (a named pipe
would block the build for ever, ``/dev/zero`` would fill the memory).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sector_map.importers.geo_files import not_a_file
from sector_map.pack.errors import InputError

ORG_KINDS = ("ccew", "360giving", "oruk", "csv")
SOURCE_KEYS = ("title", "publisher", "vintage", "licence", "attribution", "url")

# Keys each section understands; anything else is a typo worth reporting.
_SECTIONS: dict[str, set[str]] = {
    "wards": {"path", "code", "name", "la_code", "la_lookup", "layer", "english_only", *SOURCE_KEYS},
    "imd2019": {"lsoa", "lookup", "boundaries", *SOURCE_KEYS},
    "imd2025": {
        "lsoa",
        "lookup",
        "population",
        "population_code",
        "population_value",
        "boundaries",
        *SOURCE_KEYS,
    },
    "indicators": {"path", "kind", "indicators", "source", "year", "weights", *SOURCE_KEYS},
    "population": {"path", "code", "value", *SOURCE_KEYS},
    "postcodes": {"path", *SOURCE_KEYS},
    "organisations": {
        "path",
        "kind",
        "columns",
        "themes",
        "classification",
        "area_of_operation",
        "area_names",
        "location",
        "org_kind",
        "id_prefix",
        "recipients_in",
        *SOURCE_KEYS,
    },
    "assets": {"path", "columns", "kind", "status", "id_prefix", *SOURCE_KEYS},
}
for _keys in _SECTIONS.values():
    _keys.add("allow_outside")
_TOP = {"name", "area_codes", "description", "allow_outside", *_SECTIONS}
_LISTS = {"indicators", "organisations", "assets"}
_PATH_KEYS = {
    "path",
    "lsoa",
    "lookup",
    "la_lookup",
    "classification",
    "area_of_operation",
    "population",
    "boundaries",
}
IMD_SECTIONS = ("imd2019", "imd2025")
# [[indicators]] kinds for IoD scores already aggregated to wards, and the release each holds.
IMD_WARD_KINDS = {"imd2019_ward": "2019", "imd2025_ward": "2025"}
INDICATOR_KINDS = ("table", *IMD_WARD_KINDS, "360giving_wards")

DEFAULT_SOURCES: dict[str, dict[str, str]] = {
    "wards": {
        "title": "Ward boundaries",
        "publisher": "Office for National Statistics",
        "licence": "Open Government Licence v3.0",
        "attribution": "Contains National Statistics and OS data © Crown copyright and database right",
        "url": "https://geoportal.statistics.gov.uk/",
    },
    "imd2019": {
        "title": "English Indices of Deprivation 2019",
        "publisher": "Ministry of Housing, Communities and Local Government",
        "vintage": "2019 (LSOA 2011; populations mid-2015)",
        "licence": "Open Government Licence v3.0",
        "attribution": "Contains public sector information licensed under the Open Government Licence v3.0",
        "url": "https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019",
    },
    "imd2025": {
        "title": "English Indices of Deprivation 2025",
        "publisher": "Ministry of Housing, Communities and Local Government",
        "vintage": "2025 (LSOA 2021)",
        "licence": "Open Government Licence v3.0",
        "attribution": "Contains public sector information licensed under the Open Government Licence v3.0",
        "url": "https://www.gov.uk/government/statistics/english-indices-of-deprivation-2025",
    },
    "postcodes": {
        "title": "Postcode centroids (ONS Postcode Directory)",
        "publisher": "Office for National Statistics",
        "licence": "Open Government Licence v3.0",
        "attribution": (
            "Contains OS data © Crown copyright and database right; Contains Royal Mail data © Royal "
            "Mail copyright and database right; Source: Office for National Statistics licensed under "
            "the Open Government Licence v3.0"
        ),
        "url": "https://geoportal.statistics.gov.uk/",
    },
    "ccew": {
        "title": "Register of charities",
        "publisher": "Charity Commission for England and Wales",
        "licence": "Open Government Licence v3.0",
        "attribution": "Contains public sector information licensed under the Open Government Licence v3.0",
        "url": "https://register-of-charities.charitycommission.gov.uk/register/full-register-download",
    },
    "360giving": {
        "title": "Grants data in the 360Giving Data Standard",
        "publisher": "the funders named in the data (via 360Giving)",
        "licence": "as published by each funder (most use CC BY 4.0 or the OGL)",
        "attribution": "Grants data published by funders to the 360Giving Data Standard",
        "url": "https://www.threesixtygiving.org/",
    },
    "oruk": {
        "title": "Service directory (Open Referral UK)",
        "publisher": "the directory's publisher",
        "licence": "as published",
        "attribution": "",
        "url": "https://openreferraluk.org/",
    },
    "csv": {"publisher": "supplied by the user", "licence": "as supplied", "attribution": ""},
    "indicators": {"publisher": "as named in the file", "licence": "as published", "attribution": ""},
    "population": {"publisher": "as named in the file", "licence": "as published", "attribution": ""},
    "assets": {"publisher": "supplied by the user", "licence": "as supplied", "attribution": ""},
}


@dataclass
class Recipe:
    """A checked recipe: top-level fields plus one dict per section, paths made absolute."""

    path: Path
    name: str
    area_codes: list[str] | None
    description: str = ""
    sections: dict[str, dict | list[dict]] = field(default_factory=dict)
    outside: list[str] = field(default_factory=list)
    """Inputs outside the recipe's folder, as ``"[section] `key`: path"``, for the build summary."""

    def one(self, key: str) -> dict | None:
        value = self.sections.get(key)
        return value if isinstance(value, dict) else None

    def section(self, key: str) -> dict:
        """The one-table section ``key``, which the caller knows is there (``wards`` always is)."""
        value = self.one(key)
        if value is None:
            raise KeyError(f"the recipe has no [{key}] section")
        return value

    def many(self, key: str) -> list[dict]:
        value = self.sections.get(key)
        return value if isinstance(value, list) else []

    def source_entry(self, key: str, section: dict, *, kind: str | None = None) -> dict[str, str]:
        """The manifest's source record for a section: defaults for its kind, then the recipe's own keys."""
        base = dict(DEFAULT_SOURCES.get(kind or key, {}))
        paths = section.get("path") or section.get("lsoa")
        first = paths[0] if isinstance(paths, list) else paths
        base.setdefault("title", Path(str(first)).name if first else key)
        base.setdefault("vintage", "")
        base.setdefault("url", "")
        for k in SOURCE_KEYS:
            if k in section:
                base[k] = str(section[k])
        return {k: base.get(k, "") for k in SOURCE_KEYS}


def _resolve(folder: Path, value: object) -> Path | list:
    if isinstance(value, list):
        return [_resolve(folder, v) for v in value]
    p = Path(str(value)).expanduser()
    return p if p.is_absolute() else (folder / p).resolve()


def _path_problem(given: str, p: Path) -> str | None:
    """Why an input path cannot be read (only ``stat`` is called: a pipe or device is never opened)."""
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        return f"file not found: {given}"
    except OSError as e:
        return f"{given} cannot be read ({e.strerror or 'not allowed'})"
    kind = not_a_file(mode)
    return f"{given} is {kind}" if kind else None


def _check_paths(
    item: dict, where: str, folder: Path, allow: bool, problems: list[str], outside: list[str]
) -> dict:
    """Resolve the item's paths from the recipe's folder; refuse escapes and things that are not files."""
    item = dict(item)
    for k in sorted(_PATH_KEYS & set(item)):
        given_all = item[k] if isinstance(item[k], list) else [item[k]]
        item[k] = _resolve(folder, item[k])
        for given, p in zip(given_all, item[k] if isinstance(item[k], list) else [item[k]], strict=True):
            given = str(given)
            if not Path(given).expanduser().is_absolute() and not p.is_relative_to(folder):
                if not allow:
                    problems.append(
                        f"{where}: `{k}` {given} is outside the recipe's folder; if you mean to read it, "
                        f"add `allow_outside = true` to {where} (or give the absolute path)"
                    )
                    continue
                outside.append(f"{where} `{k}`: {given}")
            elif Path(given).expanduser().is_absolute() and not p.resolve().is_relative_to(folder):
                outside.append(f"{where} `{k}`: {given} (absolute path)")
            bad = _path_problem(given, p)
            if bad:
                problems.append(f"{where}: `{k}` {bad}")
    return item


def load_recipe(path: Path | str) -> Recipe:
    """Read and check a recipe; every problem is reported at once.

    Raises:
        InputError: unreadable TOML (with line), unknown sections or keys, a section given the
            wrong shape, a missing ``[wards]`` section, an unknown organisation kind, input
            files that do not exist or are not ordinary files (folders, named pipes, devices),
            or relative paths leading out of the recipe's folder without ``allow_outside``.
    """
    given = str(path)
    path = Path(path).resolve()
    file = path.name
    bad = _path_problem(given, path)
    if bad:
        raise InputError(
            file, "recipe not found" if "not found" in bad else bad, hint=f"Check the path {given}"
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as e:
        raise InputError(
            file, f"is not valid TOML ({e})", hint="Check quotes and brackets on that line"
        ) from None
    except UnicodeDecodeError:
        raise InputError(file, "is not a UTF-8 text file", hint="Save the recipe as UTF-8 text") from None

    problems: list[str] = []
    outside: list[str] = []
    if not isinstance(raw.get("allow_outside", False), bool):
        problems.append("allow_outside must be true or false")
    unknown = sorted(set(raw) - _TOP)
    if unknown:
        problems.append(f"unknown keys or sections {', '.join(unknown)} (known: {', '.join(sorted(_TOP))})")
    if "wards" not in raw:
        problems.append("has no [wards] section; a pack needs ward boundaries")
    sections: dict[str, dict | list[dict]] = {}
    for key, allowed in _SECTIONS.items():
        if key not in raw:
            continue
        value = raw[key]
        if key in _LISTS:
            items = value if isinstance(value, list) else [value] if isinstance(value, dict) else None
            if items is None or not all(isinstance(v, dict) for v in items):
                problems.append(f"[[{key}]] must be a table or a list of tables")
                continue
        elif isinstance(value, dict):
            items = [value]
        else:
            problems.append(f"[{key}] must be a table (a [{key}] section)")
            continue
        checked = []
        for i, item in enumerate(items, 1):
            where = f"[[{key}]] number {i}" if key in _LISTS else f"[{key}]"
            extra = sorted(set(item) - allowed)
            if extra:
                problems.append(
                    f"{where}: unknown keys {', '.join(extra)} (known: {', '.join(sorted(allowed))})"
                )
            need = ("lsoa", "lookup") if key in IMD_SECTIONS else ("path",)
            for n in need:
                if n not in item:
                    problems.append(f"{where}: needs `{n}`")
            if key == "organisations" and item.get("kind", "csv") not in ORG_KINDS:
                problems.append(f"{where}: kind {item.get('kind')!r} is not one of {', '.join(ORG_KINDS)}")
            if key == "indicators" and item.get("kind", "table") not in INDICATOR_KINDS:
                problems.append(
                    f"{where}: kind {item.get('kind')!r} is not one of {', '.join(INDICATOR_KINDS)}"
                )
            if key == "indicators" and "weights" in item and item.get("kind") not in IMD_WARD_KINDS:
                problems.append(
                    f"{where}: `weights` is for ward IoD scores (kind = {' or '.join(IMD_WARD_KINDS)})"
                )
            allow = item.get("allow_outside", raw.get("allow_outside", False))
            if not isinstance(allow, bool):
                problems.append(f"{where}: allow_outside must be true or false")
                allow = False
            item = _check_paths(item, where, path.parent, allow, problems, outside)
            checked.append(item)
        sections[key] = checked if key in _LISTS else checked[0]

    if all(k in raw for k in IMD_SECTIONS):
        problems.append(
            "has both [imd2019] and [imd2025]; a pack holds one IoD release (they measure the same "
            "domains on different LSOAs): keep one"
        )
    area_codes = raw.get("area_codes")
    if area_codes is not None and (
        not isinstance(area_codes, list) or not all(isinstance(c, str) for c in area_codes)
    ):
        problems.append('area_codes must be a list of strings, e.g. ["E08000009"]')
    if problems:
        raise InputError(file, "the recipe has problems:\n  - " + "\n  - ".join(problems))
    return Recipe(
        path=path,
        name=str(raw.get("name") or path.stem),
        area_codes=[c.strip() for c in area_codes] if area_codes else None,
        description=str(raw.get("description", "")),
        sections=sections,
        outside=outside,
    )
