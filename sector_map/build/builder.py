"""Build a data pack from a recipe: run each importer, report progress, write the pack once.

Nothing is written until every step has succeeded and the pack validates; a failure leaves
the output folder as it was. The closing summary counts what was found and how well it is
located, and every warning gathered on the way is kept in the manifest for the Data page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from sector_map.build.postcodes import (
    NEAR_KM,
    near_box,
    postcodes_in_area,
    used_postcodes,
    ward_la_from_postcodes,
)
from sector_map.build.recipe import IMD_SECTIONS, IMD_WARD_KINDS, Recipe, load_recipe
from sector_map.build.report import summary_text
from sector_map.importers.tables import InputError, Notes, examples
from sector_map.pack import schema as s
from sector_map.pack.io import Pack, save_pack
from sector_map.pack.store import check_target

if TYPE_CHECKING:
    from sector_map.importers.imd import Release

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    """The pack built, where it was written, counts for the summary and the warnings."""

    pack: Pack
    out: Path | None
    stats: dict = field(default_factory=dict)
    notes: Notes = field(default_factory=Notes)
    seconds: float = 0.0


def empty_organisations() -> gpd.GeoDataFrame:
    cols = {c: pd.Series(dtype="string") for c in s.ORGANISATION_COLUMNS if c != s.GEOMETRY}
    for c in (s.INCOME,):
        cols[c] = pd.Series(dtype="float64")
    for c in (s.THEMES,):
        cols[c] = pd.Series(dtype=object)
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=s.PACK_CRS))


def empty_services() -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series(dtype="string") for c in s.SERVICE_COLUMNS})
    for c in (s.THEMES, s.CLIENT_GROUPS, s.AREA_WARDS):
        df[c] = pd.Series(dtype=object)
    for c in (s.CAPACITY, s.RADIUS_KM):
        df[c] = pd.Series(dtype="float64")
    return df


def empty_assets() -> gpd.GeoDataFrame:
    cols = {c: pd.Series(dtype="string") for c in s.ASSET_COLUMNS if c != s.GEOMETRY}
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=s.PACK_CRS))


class _Steps:
    """Runs the recipe's steps in order, numbering them for progress messages."""

    def __init__(self, recipe: Recipe, progress: Progress):
        self.recipe = recipe
        self.progress = progress
        self.notes = Notes()
        self.sources: list[dict] = []
        self.stats: dict = {}
        self.total = (
            2
            + sum(1 for k in (*IMD_SECTIONS, "population", "postcodes") if recipe.one(k) is not None)
            + len(recipe.many("indicators"))
            + len(recipe.many("organisations"))
            + len(recipe.many("assets"))
        )
        self.n = 0
        self.started = time.perf_counter()
        self.lsoas: pd.DataFrame | None = None  # the pack's LSOA table, from the IoD section
        self.lsoa_entry: dict = {}  # its manifest entry (schema.MANIFEST_LSOAS)

    def step(self, text: str) -> float:
        self.n += 1
        self.progress(f"[{self.n}/{self.total}] {text}…")
        return time.perf_counter()

    def done(self, t0: float, text: str) -> None:
        self.progress(f"      {text} ({time.perf_counter() - t0:.1f} s)")


def _wards(st: _Steps) -> gpd.GeoDataFrame:
    from sector_map.importers.wards import read_wards

    sec = st.recipe.section("wards")
    t0 = st.step(f"Reading ward boundaries from {sec['path'].name}")
    wards = read_wards(
        sec["path"],
        code=sec.get("code"),
        name=sec.get("name"),
        la_code=sec.get("la_code"),
        la_lookup=sec.get("la_lookup"),
        area_codes=st.recipe.area_codes,
        layer=sec.get("layer"),
        english_only=bool(sec.get("english_only", False)),
        la_fallback=lambda gdf: _ward_la_fallback(st.recipe, gdf),
        notes=st.notes,
    )
    vintage = wards.attrs.get("ward_vintage") or ""
    entry = st.recipe.source_entry("wards", sec)
    entry["vintage"] = entry["vintage"] or vintage
    st.sources.append(entry)
    # A file whose columns do not name the vintage (area_code, ...) is recorded by the recipe's word.
    st.stats["ward_vintage"] = vintage or entry["vintage"]
    st.done(t0, f"{len(wards):,} wards" + (f" ({vintage})" if vintage else ""))
    return wards


def _ward_la_fallback(recipe: Recipe, wards: gpd.GeoDataFrame) -> tuple[str, pd.DataFrame] | None:
    """Ward → local authority for a wards file that lacks it: the recipe's LSOA → ward lookup when
    it holds every ward, else its postcode file's authority codes, whichever covers more wards."""
    found = _ward_la_from_lookups(recipe)
    codes = set(wards[s.WARD_CODE].dropna())

    def covered(got: tuple[str, pd.DataFrame] | None) -> int:
        return 0 if got is None else len(codes & set(got[1][s.WARD_CODE].dropna()))

    sec = recipe.one("postcodes")
    if covered(found) == len(codes) or sec is None:
        return found
    by_postcode = ward_la_from_postcodes(sec["path"], wards)
    return by_postcode if covered(by_postcode) > covered(found) else found


def _ward_la_from_lookups(recipe: Recipe) -> tuple[str, pd.DataFrame] | None:
    """Ward → local authority from the recipe's LSOA → ward lookup, for a wards file that lacks it."""
    from sector_map.importers.imd_read import read_lookup

    for key in IMD_SECTIONS:
        sec = recipe.one(key)
        if sec is None:
            continue
        try:
            lookup = read_lookup(sec["lookup"], edition=key.removeprefix("imd"))
        except ValueError:
            return None  # the [imd] step reports the lookup's problem by name
        if s.LA_CODE not in lookup.columns:
            return None
        cols = [c for c in (s.WARD_CODE, s.LA_CODE, s.LA_NAME) if c in lookup.columns]
        out = lookup[cols].drop_duplicates(s.WARD_CODE)
        out.attrs["ward_vintage"] = lookup.attrs.get("ward_vintage")
        return f"the [{key}] lookup {sec['lookup'].name}", out
    return None


def _imd_weights(st: _Steps, key: str, sec: dict, lsoa: pd.DataFrame) -> tuple[pd.DataFrame, Release, str]:
    """The LSOA table with its weight column, the release saying which weight, and the population source."""
    from sector_map.importers.imd import IOD2019, Release, denominators
    from sector_map.importers.imd_read import LSOA_CODE, POP_TOTAL, read_lsoa_population

    edition = key.removeprefix("imd")
    has_own = POP_TOTAL in lsoa.columns and bool(lsoa[POP_TOTAL].notna().any())
    pop_file = sec.get("population")
    if has_own:
        if pop_file is not None:
            st.notes.add(
                f"[{key}]",
                f"the LSOA files give the IoD{edition} population denominators, so they weight the ward "
                f"averages and {pop_file.name} was not used",
            )
        if edition == "2019":
            return lsoa, IOD2019, "IoD2019 mid-2015 population (File 6), summed over LSOAs"
        return (
            lsoa,
            denominators(edition),
            f"IoD{edition} population denominators (File 6/7), summed over LSOAs",
        )
    if pop_file is None:
        raise InputError(
            f"[{key}]",
            f"the IoD{edition} LSOA files give no population denominators (File 6, or File 7's "
            "'Total population' column), so the ward averages have no weights",
            hint='Add File 6 or File 7 to `lsoa`, or an LSOA population file as `population = "..."`',
        )
    pop = read_lsoa_population(
        pop_file, code=sec.get("population_code"), value=sec.get("population_value"), edition=edition
    )
    lsoa = lsoa.drop(columns=[POP_TOTAL], errors="ignore")
    lsoa[POP_TOTAL] = lsoa[LSOA_CODE].map(pop).astype("float64")
    column = pop.attrs.get("column", "")
    weight = f"the LSOA population in {pop_file.name} (column {column})"
    release = Release(edition, f"{weight}, as the IoD{edition} population denominators were not given")
    st.notes.add(
        f"[{key}]",
        f"ward averages are weighted by {weight}, not by the IoD{edition} population denominators "
        "(File 6/7), which were not given; ward scores can differ a little from published ward figures",
    )
    return lsoa, release, f"{pop_file.name} (column {column}), summed over LSOAs"


def _imd(
    st: _Steps, wards: gpd.GeoDataFrame, key: str
) -> tuple[pd.DataFrame, dict[str, s.IndicatorMeta], pd.Series, str]:
    """IoD ward indicators from the recipe's [imd2019] or [imd2025] section.

    Returns ``(values, meta, ward population, population source)``.
    """
    from sector_map.build.lsoas import lsoa_table
    from sector_map.importers.imd import aggregate_to_wards, check_vintages
    from sector_map.importers.imd_read import POP_TOTAL, read_imd_lsoa, read_lookup

    edition = key.removeprefix("imd")
    sec = st.recipe.section(key)
    lsoa_paths = sec["lsoa"] if isinstance(sec["lsoa"], list) else [sec["lsoa"]]
    t0 = st.step(f"Aggregating IMD {edition} from {len(lsoa_paths)} LSOA file(s) to wards")
    try:
        lookup = read_lookup(sec["lookup"], edition=edition)
        check_vintages(
            edition,
            f"[{key}]",
            lookup=lookup.attrs.get("ward_vintage"),
            wards=wards.attrs.get("ward_vintage"),
        )
        lsoa = read_imd_lsoa(lsoa_paths, edition=edition)
        lsoa, release, pop_source = _imd_weights(st, key, sec, lsoa)
        la = st.recipe.area_codes
        if la is not None and s.LA_CODE not in lsoa.columns and s.LA_CODE not in lookup.columns:
            la = None
        values, meta, warnings = aggregate_to_wards(
            lsoa, lookup, la_codes=la, wards=wards[s.WARD_CODE], release=release
        )
    except ValueError as e:
        if isinstance(e, InputError):
            raise
        raise InputError(f"[{key}]", str(e)) from None
    for w in warnings:
        st.notes.add(f"[{key}]", w)
    joined = lsoa.merge(lookup[["lsoa_code", s.WARD_CODE]], on="lsoa_code", how="inner")
    population = joined.groupby(s.WARD_CODE)[POP_TOTAL].sum(min_count=1)
    st.lsoas = lsoa_table(lsoa, lookup, wards[s.WARD_CODE], n_national=release.n_lsoas)
    st.lsoa_entry = {
        "edition": edition,
        "lsoa_vintage": release.lsoa_vintage,
        "n_national": release.n_lsoas,
        "population": f"{release.population}: the same weights as the ward averages",
    }
    entry = st.recipe.source_entry(key, sec)
    entry["vintage"] = "; ".join(
        v for v in (entry["vintage"], f"ward averages weighted by {release.population}") if v
    )
    entry["weights"] = release.population
    st.sources.append(entry)
    st.done(t0, f"{len(meta)} indicators for {values[s.WARD_CODE].nunique():,} wards")
    return values, meta, population, pop_source


def _indicators(st: _Steps, wards: gpd.GeoDataFrame, have: dict) -> list[tuple[pd.DataFrame, dict]]:
    out = []
    codes = set(wards[s.WARD_CODE])
    for sec in st.recipe.many("indicators"):
        t0 = st.step(f"Reading ward indicators from {sec['path'].name}")
        if sec.get("kind") in IMD_WARD_KINDS:
            from sector_map.importers.imd_ward import PUBLISHERS_WEIGHTS, read_imd_ward_scores

            edition = IMD_WARD_KINDS[sec["kind"]]
            weights = sec.get("weights") or PUBLISHERS_WEIGHTS
            values, meta = read_imd_ward_scores(
                sec["path"], edition=edition, weights=weights, ward_codes=codes, notes=st.notes
            )
            entry = st.recipe.source_entry(f"imd{edition}", sec)
            entry["vintage"] = f"{entry['vintage']}; ward averages as published, weighted by {weights}"
            entry["weights"] = weights
        elif sec.get("kind") == "360giving_wards":
            from sector_map.importers.giving360 import ward_grant_indicators

            values, meta = ward_grant_indicators(sec["path"], ward_codes=codes, notes=st.notes)
            entry = st.recipe.source_entry("360giving", sec)
        else:
            from sector_map.importers.ward_indicators import read_ward_indicators

            values, meta = read_ward_indicators(
                sec["path"],
                ward_codes=codes,
                source=sec.get("source") or sec.get("title"),
                year=sec.get("year"),
                indicators=sec.get("indicators"),
                notes=st.notes,
            )
            entry = st.recipe.source_entry("indicators", sec)
        clash = [k for k in meta if k in have]
        if clash:
            st.notes.add(
                sec["path"].name,
                f"{len(clash)} indicator(s) already came from an earlier source, which was kept: "
                f"{examples(clash)}",
            )
            meta = {k: v for k, v in meta.items() if k not in have}
            values = values[values[s.INDICATOR_ID].isin(list(meta))]
        have.update(meta)
        st.sources.append(entry)
        out.append((values, meta))
        st.done(t0, f"{len(meta)} indicators")
    return out


def _population(st: _Steps, wards: gpd.GeoDataFrame) -> pd.Series:
    from sector_map.importers.tables import find_column, read_table, to_number

    sec = st.recipe.section("population")
    t0 = st.step(f"Reading ward populations from {sec['path'].name}")
    df = read_table(sec["path"], what="a ward population table", notes=st.notes)
    code = sec.get("code") or find_column(df.columns, ["ward_code", "area_code", "code", "WD19CD", "WD22CD"])
    value = sec.get("value") or find_column(
        df.columns, ["population", "all_ages", "all ages", "total", "value"]
    )
    for key, col in (("code", code), ("value", value)):
        if col is None or col not in df.columns:
            raise InputError(
                sec["path"].name,
                f"cannot find the ward {key} column (found {examples(df.columns)})",
                hint=f'Name it with `{key} = "..."` in [population]',
            )
    gender = find_column(df.columns, ["gender", "sex"])
    if gender is not None:
        persons = df[gender].str.lower().isin(["persons", "all", "total", "all persons"])
        if persons.any():
            df = df[persons]
    nums, _ = to_number(df[value])
    pop = pd.Series(nums.to_numpy(), index=df[code].astype("string").str.strip()).groupby(level=0).first()
    pop = pop[pop.index.isin(list(wards[s.WARD_CODE]))]
    if pop.empty:
        raise InputError(sec["path"].name, "no ward code matches the pack's wards", column=code)
    st.sources.append(st.recipe.source_entry("population", sec))
    st.done(t0, f"populations for {len(pop):,} wards")
    return pop


def _postcodes(st: _Steps, wards: gpd.GeoDataFrame, used: set[str]) -> pd.DataFrame:
    """The postcode file, keeping only the organisations' postcodes and those near the area.

    A national file (Code-Point Open, ONSPD, NSPL) is filtered a chunk at a time as it is read,
    so the build never holds all of it.
    """
    from sector_map.importers.postcodes import read_postcodes

    sec = st.recipe.section("postcodes")
    t0 = st.step(
        f"Reading postcode centroids from {sec['path'].name} (the {len(used):,} postcodes the "
        f"organisations give, and those within {NEAR_KM:g} km of the area)"
    )
    vintage = st.lsoa_entry.get("lsoa_vintage")
    table = read_postcodes(sec["path"], keep=used, near=near_box(wards), notes=st.notes, lsoa_vintage=vintage)
    st.sources.append(st.recipe.source_entry("postcodes", sec))
    st.done(t0, f"{len(table):,} postcodes kept")
    return table


def _postcode_lsoas(
    st: _Steps, wards: gpd.GeoDataFrame, in_area: pd.DataFrame | None, read: pd.DataFrame | None
) -> pd.DataFrame | None:
    """The area's postcodes with their LSOA (see :mod:`sector_map.build.lsoas`), and the manifest's words."""
    from sector_map.build.lsoas import area_boundaries, place_postcodes, postcode_lsoa_words

    assert st.lsoas is not None
    key = next(k for k in IMD_SECTIONS if st.recipe.one(k) is not None)
    path = st.recipe.section(key).get("boundaries")
    st.stats["lsoas"] = len(st.lsoas)
    if in_area is None:
        st.lsoa_entry["postcode_lsoa"] = postcode_lsoa_words(None, total=0, boundaries=None)
        return None
    t0 = time.perf_counter()
    st.progress(
        f"      Placing {len(in_area):,} postcodes in the area's {len(st.lsoas):,} LSOAs"
        + (f" (boundaries from {path.name})" if path is not None else "")
        + "…"
    )
    boundaries = None
    if path is not None and (s.LSOA_CODE not in in_area.columns or in_area[s.LSOA_CODE].isna().any()):
        boundaries = area_boundaries(
            path,
            st.lsoas[s.LSOA_CODE],
            near=near_box(wards, km=1.0),
            where=f"[{key}] `boundaries`",
            vintage=st.lsoa_entry["lsoa_vintage"],
            notes=st.notes,
        )
    column = str((read.attrs if read is not None else {}).get("lsoa_column", ""))
    placed = place_postcodes(in_area, st.lsoas[s.LSOA_CODE], boundaries=boundaries, column=column)
    words = postcode_lsoa_words(placed, total=len(in_area), boundaries=path.name if path else None)
    st.lsoa_entry["postcode_lsoa"] = words
    st.stats["lsoa_postcodes"] = (placed.placed, len(in_area))
    st.done(t0, f"{placed.placed:,} of {len(in_area):,} postcodes placed in an LSOA")
    out = in_area.copy()
    if placed.how:
        out[s.LSOA_CODE] = placed.lsoa
    else:
        out = out.drop(columns=[s.LSOA_CODE], errors="ignore")
    return out


def _read_org_source(sec: dict, notes: Notes, recipe: Recipe) -> tuple[pd.DataFrame, pd.DataFrame]:
    kind = sec.get("kind", "csv")
    src = sec.get("title")
    if kind == "ccew":
        from sector_map.importers.ccew import read_ccew

        return read_ccew(
            sec["path"],
            classification=sec.get("classification"),
            area_of_operation=sec.get("area_of_operation"),
            area_names=sec.get("area_names"),
            **({"source": src} if src else {}),
            notes=notes,
        )
    if kind == "360giving":
        from sector_map.importers.giving360 import read_360giving

        within = sec.get("recipients_in")
        return read_360giving(
            sec["path"], source=src, recipients_in=set(within) if within else None, notes=notes
        )
    if kind == "oruk":
        from sector_map.importers.oruk import read_oruk

        return read_oruk(sec["path"], source=src, notes=notes)
    from sector_map.importers.generic import read_generic

    return read_generic(
        sec["path"],
        columns=sec.get("columns"),
        themes=sec.get("themes"),
        kind=sec.get("org_kind"),
        location=sec.get("location"),
        source=src or sec["path"].name,
        id_prefix=sec.get("id_prefix"),
        notes=notes,
    )


def _read_organisations(st: _Steps) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """Each organisation source's raw ``(organisations, services)``, in recipe order."""
    raws = []
    for sec in st.recipe.many("organisations"):
        kind = sec.get("kind", "csv")
        t0 = st.step(f"Reading organisations ({kind}) from {sec['path'].name}")
        orgs, services = _read_org_source(sec, st.notes, st.recipe)
        raws.append((orgs, services))
        st.sources.append(st.recipe.source_entry("organisations", sec, kind=kind))
        st.done(t0, f"{len(orgs):,} organisations, {len(services):,} services")
    return raws


def _organisations(
    st: _Steps,
    raws: list[tuple[pd.DataFrame, pd.DataFrame]],
    wards: gpd.GeoDataFrame,
    postcodes: pd.DataFrame | None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, dict]:
    from sector_map.importers.organisations import combine

    if not raws:
        return empty_organisations(), empty_services(), {}
    t0 = time.perf_counter()
    st.progress("      Merging organisations found in more than one source and placing them by postcode…")
    orgs, services, stats = combine(raws, postcodes=postcodes, wards=wards, notes=st.notes)
    st.done(t0, f"{len(orgs):,} organisations after merging")
    return orgs, services, stats


def _assets(st: _Steps, postcodes: pd.DataFrame | None) -> gpd.GeoDataFrame:
    from sector_map.importers.assets import read_assets

    frames = []
    for i, sec in enumerate(st.recipe.many("assets"), 1):
        t0 = st.step(f"Reading assets from {sec['path'].name}")
        gdf = read_assets(
            sec["path"],
            columns=sec.get("columns"),
            kind=sec.get("kind"),
            status=sec.get("status"),
            postcodes=postcodes,
            source=sec.get("title"),
            id_prefix=sec.get("id_prefix") or f"asset{i}",
            notes=st.notes,
        )
        frames.append(gdf)
        st.sources.append(st.recipe.source_entry("assets", sec))
        st.done(t0, f"{len(gdf):,} assets")
    if not frames:
        return empty_assets()
    out = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry=s.GEOMETRY, crs=s.PACK_CRS)


def build_pack(
    recipe: Recipe | Path | str,
    out: Path | str | None = None,
    *,
    progress: Progress | None = None,
) -> BuildResult:
    """Build (and, when ``out`` is given, write) the pack a recipe describes.

    ``out`` must be a new folder, an empty one, or a pack folder: anything else is refused before
    the build starts (and again, under the pack's lock, when writing), and nothing in it is
    deleted. A pack folder is replaced atomically (see :mod:`sector_map.pack.store`).

    Raises:
        InputError: for any input that cannot be used, naming file, column and rows, or an
            ``out`` that is a file or a non-empty folder that is not a pack. The output folder
            is left untouched.
        PackError: if the assembled pack fails validation (a bug or an unusual input).
    """
    if out is not None:
        check_target(Path(out), new=False)
    recipe = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
    st = _Steps(recipe, progress or (lambda _msg: None))

    wards = _wards(st)
    indicator_parts: list[tuple[pd.DataFrame, dict]] = []
    meta: dict[str, s.IndicatorMeta] = {}
    population = None
    pop_source = ""
    for key in IMD_SECTIONS:
        if recipe.one(key) is not None:
            values, imd_meta, population, pop_source = _imd(st, wards, key)
            indicator_parts.append((values, imd_meta))
            meta.update(imd_meta)
    indicator_parts += _indicators(st, wards, meta)
    if recipe.one("population") is not None:
        population = _population(st, wards)
        st.stats["population_source"] = recipe.section("population")["path"].name
    elif population is not None:
        st.stats["population_source"] = pop_source
    if population is not None:
        wards[s.POPULATION] = wards[s.WARD_CODE].map(population).astype("float64")

    raws = _read_organisations(st)
    postcodes = _postcodes(st, wards, used_postcodes(raws)) if recipe.one("postcodes") is not None else None
    orgs, services, org_stats = _organisations(st, raws, wards, postcodes)
    del raws
    assets = _assets(st, postcodes)

    in_area = postcodes_in_area(postcodes, wards)
    if st.lsoas is not None:
        in_area = _postcode_lsoas(st, wards, in_area, postcodes)

    t0 = st.step("Checking and writing the pack" if out else "Checking the pack")
    if indicator_parts:
        indicators = pd.concat([v for v, _ in indicator_parts], ignore_index=True)
    else:
        indicators = pd.DataFrame({c: pd.Series(dtype="string") for c in s.INDICATOR_COLUMNS})
    indicators = indicators.astype({s.WARD_CODE: "string", s.INDICATOR_ID: "string", s.VALUE: "float64"})
    for _, m in indicator_parts:
        meta.update(m)
    manifest = {
        "name": recipe.name,
        "demo": False,
        "area_codes": recipe.area_codes or sorted(set(wards[s.LA_CODE].dropna())),
        "ward_vintage": st.stats.get("ward_vintage", ""),
        "description": recipe.description,
        "sources": st.sources,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "recipe": str(recipe.path),
        "population_source": st.stats.get("population_source", ""),
        "build": org_stats,
        "build_notes": [n.message() for n in st.notes],
    }
    if st.lsoas is not None:
        manifest[s.MANIFEST_LSOAS] = st.lsoa_entry
    pack = Pack(
        postcodes=in_area,
        lsoas=st.lsoas,
        manifest=manifest,
        wards=wards.reset_index(drop=True),
        indicators=indicators,
        indicator_meta=meta,
        organisations=orgs,
        services=services,
        assets=assets,
    )
    if out is not None:
        save_pack(pack, out)
    else:
        from sector_map.pack.validate import validate_pack

        pack.warnings = validate_pack(pack)
    st.done(t0, "valid")
    stats = dict(org_stats)
    stats.update({k: v for k, v in st.stats.items() if k.startswith("lsoa")})
    stats.update(
        outside_recipe=list(recipe.outside),
        wards=len(wards),
        indicators=len(meta),
        services=len(services),
        assets=len(assets),
        wards_with_imd=int(
            indicators.loc[indicators[s.INDICATOR_ID].str.startswith("imd_"), s.WARD_CODE].nunique()
        ),
    )
    return BuildResult(
        pack=pack,
        out=Path(out) if out is not None else None,
        stats=stats,
        notes=st.notes,
        seconds=time.perf_counter() - st.started,
    )


__all__ = ["BuildResult", "build_pack", "summary_text"]
