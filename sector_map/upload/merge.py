"""The importers behind the Data page's uploads, one per kind of file, against the current pack.

Each returns an :class:`UploadResult`: a display table of what would be added, the file rows left
out with the reason, the notes, and the new :class:`~sector_map.pack.io.Pack` (the current pack is
never changed; nothing is written here). :mod:`sector_map.upload` is the front door.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd

from sector_map.importers import records as r
from sector_map.importers.tables import InputError, Notes, examples, file_rows, read_table
from sector_map.pack import schema as s
from sector_map.pack.io import Pack
from sector_map.pack.validate import has_location
from sector_map.pack.values import is_postcode

_Frame = TypeVar("_Frame", bound=pd.DataFrame)

ORGANISATIONS = "organisations"
INDICATORS = "indicators"
BOUNDARIES = "boundaries"
ASSETS = "assets"
UPLOADED_BY = "Uploaded on the Data page"
NOT_STATED = "Not stated by the uploader"
NONE_CHOICE = "(none)"


@dataclass
class UploadResult:
    """What an upload would add: rows taken and left out, notes, and the pack it would make."""

    kind: str
    file: str
    accepted: pd.DataFrame
    rejected: pd.DataFrame
    notes: Notes
    pack: Pack
    stats: dict = field(default_factory=dict)
    # The pack revision the upload was checked against, and the import call (kind, path,
    # options) that made it, so "Add to the current pack" can redo it if the pack changed since.
    base_revision: str = ""
    request: dict = field(default_factory=dict)

    @property
    def new_pack_only(self) -> bool:
        """Boundaries make a pack of their own; everything else can be added to the current pack."""
        return self.kind == BOUNDARIES

    def summary(self) -> str:
        """One plain sentence for the page, e.g. '3 of 4 rows accepted: ...; 1 row not accepted.'."""
        st = self.stats
        if self.kind == BOUNDARIES:
            return f"{len(self.accepted):,} wards accepted; they make a new pack of their own."
        n_bad = st.get("rows_read", 0) - st.get("rows_accepted", 0)
        if self.kind == INDICATORS:
            text = (
                f"{st['indicators']:,} indicators accepted, with {st['values']:,} ward values "
                f"from {st['rows_accepted']:,} of {st['rows_read']:,} rows"
            )
        else:
            text = f"{st['rows_accepted']:,} of {st['rows_read']:,} rows accepted"
        if st.get("detail"):
            text += f" ({st['detail']})"
        if n_bad:
            text += f"; {n_bad:,} {'row' if n_bad == 1 else 'rows'} not accepted"
        if st.get("not_added"):
            text += f"; {len(st['not_added']):,} indicators already in the pack not added"
        return text + "."


def rejected_frame(rows: Sequence[tuple[int | None, str]] | None = None) -> pd.DataFrame:
    """The table of what was left out: file row (header = row 1; blank for a whole column) and why."""
    df = pd.DataFrame(rows or [], columns=["File row", "Reason"])
    df["File row"] = df["File row"].astype("Int64")
    df["Reason"] = df["Reason"].astype("string")
    return df.sort_values("File row", kind="stable", na_position="last").reset_index(drop=True)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def upload_prefix(file: str) -> str:
    """Id prefix of uploaded rows: ``upload-<file stem>`` (a re-upload of a file updates its rows)."""
    stem = re.sub(r"[^a-z0-9]+", "-", Path(file).stem.lower()).strip("-")
    return "upload-" + (stem or "file")


def _source_entry(file: str, kind: str) -> dict:
    return {
        "title": file,
        "publisher": UPLOADED_BY,
        "vintage": datetime.now(UTC).date().isoformat(),
        "licence": NOT_STATED,
        "attribution": "",
        "url": "",
        "kind": kind,
    }


def _with_upload(pack: Pack, file: str, kind: str, notes: Notes, **changes: Any) -> Pack:
    """A new Pack (the input is never changed) recording the upload in its manifest."""
    manifest = dict(pack.manifest)
    sources = [src for src in manifest.get("sources", []) if src.get("title") != file]
    manifest["sources"] = [*sources, _source_entry(file, kind)]
    manifest["build_notes"] = [*manifest.get("build_notes", []), *[n.message() for n in notes]]
    return replace(pack, manifest=manifest, path=None, warnings=[], **changes)


def import_boundaries(
    path: Path, *, pack: Pack, name: str | None, notes: Notes, layer: str | None = None
) -> UploadResult:
    """Ward boundaries as a new pack of their own; ``layer`` picks one of a GeoPackage's or zip's layers."""
    from sector_map.build.builder import empty_assets, empty_organisations, empty_services
    from sector_map.importers.wards import read_wards

    wards = read_wards(path, notes=notes, layer=layer)
    area = (name or "").strip() or path.stem.replace("_", " ").strip() or "New area"
    manifest = {
        "name": area,
        "demo": False,
        "area_codes": sorted(set(wards[s.LA_CODE].dropna().astype(str))),
        "ward_vintage": wards.attrs.get("ward_vintage") or "",
        "description": f"Ward boundaries uploaded from {path.name}.",
        "sources": [_source_entry(path.name, BOUNDARIES)],
        "built_at": now(),
        "build_notes": [n.message() for n in notes],
    }
    new = Pack(
        manifest=manifest,
        wards=gpd.GeoDataFrame(wards.reset_index(drop=True), geometry=s.GEOMETRY, crs=s.PACK_CRS),
        indicators=pd.DataFrame(
            {
                s.WARD_CODE: pd.Series(dtype="string"),
                s.INDICATOR_ID: pd.Series(dtype="string"),
                s.VALUE: pd.Series(dtype="float64"),
            }
        ),
        indicator_meta={},
        organisations=empty_organisations(),
        services=empty_services(),
        assets=empty_assets(),
    )
    accepted = pd.DataFrame(wards.drop(columns=s.GEOMETRY)).reset_index(drop=True)
    return UploadResult(BOUNDARIES, path.name, accepted, rejected_frame(), notes, new, {"wards": len(wards)})


def _rows_rejected_by_notes(notes: Notes, file: str, start: int) -> list[tuple[int, str]]:
    """(file row, reason) for the rows that notes added since ``start`` say were left out."""
    out: dict[int, str] = {}
    for note in notes[start:]:
        if note.file == file and any(w in note.text for w in ("left out", "not imported")):
            for row in note.rows:
                out.setdefault(int(row), note.text)
    return sorted(out.items())


def import_indicators(
    path: Path, *, pack: Pack, replace_existing: bool, notes: Notes, sheet: str | None = None
) -> UploadResult:
    from sector_map.importers.ward_indicators import WHAT, code_column, read_ward_indicators

    file = path.name
    table = read_table(path, what=WHAT, sheet=sheet)
    codes = table[code_column(table, file)].str.strip()
    pack_codes = set(pack.wards[s.WARD_CODE].astype(str))
    values, meta = read_ward_indicators(path, ward_codes=pack_codes, notes=notes, sheet=sheet)

    rejected: list[tuple[int | None, str]] = [
        (row, "no ward code") for row in file_rows(table.index[codes.isna()])
    ]
    unknown = codes.notna() & ~codes.isin(pack_codes)
    rejected += [
        (row, f"ward code {c} is not one of this pack's wards")
        for row, c in zip(file_rows(table.index[unknown]), codes[unknown], strict=True)
    ]
    clash = [i for i in meta if i in pack.indicator_meta]
    kept_ids = [i for i in meta if i not in clash or replace_existing]
    if not kept_ids:
        raise InputError(
            file,
            f"every indicator in the file is already in the pack ({examples(clash)})",
            hint="Tick 'Replace indicators already in the pack' to replace them, or rename the columns",
        )
    if clash and not replace_existing:
        notes.add(
            file, f"{len(clash)} indicators are already in the pack and were not added: {examples(clash)}"
        )
    elif clash:
        notes.add(
            file, f"{len(clash)} indicators replace those of the same id in the pack: {examples(clash)}"
        )
    values = values[values[s.INDICATOR_ID].isin(kept_ids)].reset_index(drop=True)
    new_meta = {i: meta[i] for i in kept_ids}

    old = pack.indicators[~pack.indicators[s.INDICATOR_ID].isin(kept_ids)]
    indicators = pd.concat([old, values], ignore_index=True).astype(
        {s.WARD_CODE: "string", s.INDICATOR_ID: "string", s.VALUE: "float64"}
    )
    merged_meta = {k: v for k, v in pack.indicator_meta.items() if k not in new_meta} | new_meta
    new = _with_upload(pack, file, INDICATORS, notes, indicators=indicators, indicator_meta=merged_meta)
    have = values[values[s.VALUE].notna()].groupby(s.INDICATOR_ID)[s.WARD_CODE].nunique()
    accepted = pd.DataFrame(
        [
            {
                "Indicator": m.label,
                "Id": m.id,
                "Wards with a value": int(have.get(m.id, 0)),
                "Which way is worse": m.worse_phrase,
                "Themes": ", ".join(s.THEMES_BY_ID[t].label for t in m.themes if t in s.THEMES_BY_ID),
                "Replaces one in the pack": m.id in clash,
            }
            for m in new_meta.values()
        ]
    )
    not_added = clash if not replace_existing else []
    stats = {
        "rows_read": len(table),
        "rows_accepted": int((codes.notna() & codes.isin(pack_codes)).sum()),
        "indicators": len(new_meta),
        "values": int(values[s.VALUE].notna().sum()),
        "unknown_codes": int(codes[unknown].nunique()),
        "not_added": not_added,
    }
    rejected += [(None, f"indicator {i!r} is already in the pack; not added") for i in not_added]
    return UploadResult(INDICATORS, file, accepted, rejected_frame(rejected), notes, new, stats)


def pack_organisations_as_raw(pack: Pack) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The pack's organisations and services as raw frames, so they can be combined with new ones.

    Points become ``lon``/``lat``; ``location_quality`` becomes the location hint.
    """
    orgs = pack.organisations
    placed = has_location(orgs.geometry).to_numpy()
    raw = pd.DataFrame(orgs.drop(columns=[orgs.geometry.name, s.LOCATION_QUALITY, s.SIZE_BAND]))
    raw[r.LON] = np.where(placed, orgs.geometry.x.where(placed), np.nan) if len(orgs) else []
    raw[r.LAT] = np.where(placed, orgs.geometry.y.where(placed), np.nan) if len(orgs) else []
    hint = orgs[s.LOCATION_QUALITY].astype("string")
    raw[r.LOCATION_HINT] = hint.map(s.LOCATION_KIND).astype("string")
    return r.raw_org_frame(raw), r.raw_service_frame(pack.services)


def _file_row_of(ids: pd.Series) -> pd.Series:
    """The file row from generic importer ids ``<prefix>-<file row>``."""
    return ids.astype("string").str.rsplit("-", n=1).str[-1].astype("int64")


def _match_keys(orgs: pd.DataFrame) -> list[pd.Series]:
    from sector_map.importers.ccew import normalise_charity_number
    from sector_map.importers.organisations import normalise_company_number, normalise_name
    from sector_map.pack.values import normalise_postcode

    return [
        normalise_charity_number(orgs[s.CHARITY_NUMBER]),
        normalise_company_number(orgs[r.COMPANY_NUMBER])
        if r.COMPANY_NUMBER in orgs.columns
        else pd.Series(pd.NA, index=orgs.index, dtype="string"),
        normalise_name(orgs[s.ORG_NAME]) + "|" + normalise_postcode(orgs[s.POSTCODE]),
    ]


def _merged_into(rows: pd.DataFrame, result: pd.DataFrame) -> pd.Series:
    """For uploaded rows that combine merged away: the org_id they became part of (<NA> if unsure)."""
    target = pd.Series(pd.NA, index=rows.index, dtype="string")
    for mine, theirs in zip(_match_keys(rows), _match_keys(result), strict=True):
        lookup = pd.Series(result[s.ORG_ID].to_numpy(), index=theirs.to_numpy())
        lookup = lookup[lookup.index.notna() & ~lookup.index.duplicated()]
        target = target.fillna(mine.map(lookup).astype("string"))
    return target


def _location_reason(lon: Any, postcode: Any, quality: str, pack: Pack, *, well_formed: bool = True) -> str:
    if quality == s.LOCATION_SITE:
        return "on the map (site)"
    if quality == s.LOCATION_CONTACT:
        return "on the map (contact address)"
    if quality in s.LOCATION_OUTSIDE:
        return f"on the map ({quality}): its point is outside this pack's wards"
    if pd.notna(lon):
        return "not on the map: its point is outside this pack's wards"
    if pd.isna(postcode):
        return "not on the map: no postcode or coordinates"
    if not well_formed:
        return "not on the map: its postcode is not a UK postcode (check it for a typo)"
    if pack.postcodes is None:
        return "not on the map: this pack has no postcode table to look the postcode up"
    return "not on the map: its postcode is not in this pack's postcode table, so it is probably outside the area"


def import_organisations(
    path: Path,
    *,
    pack: Pack,
    mapping: dict[str, str | None] | None,
    themes: list[str] | None,
    location: str | None,
    notes: Notes,
    keep_outside: bool = False,
    sheet: str | None = None,
) -> UploadResult:
    from sector_map.importers.generic import read_generic
    from sector_map.importers.organisations import combine

    file = path.name
    start = len(notes)
    table = read_table(path, what="a list of organisations with a header row", sheet=sheet)
    new_raw, new_sv = read_generic(
        path,
        columns=_clean(mapping),
        themes=themes or None,
        location=location,
        source=file,
        id_prefix=upload_prefix(file),
        notes=notes,
        sheet=sheet,
    )
    old_raw, old_sv = pack_organisations_as_raw(pack)
    orgs, services, _ = combine(
        [(old_raw, old_sv), (new_raw, new_sv)], postcodes=pack.postcodes, wards=pack.wards, notes=Notes()
    )
    orgs, services = _keep_old_locations(pack, orgs, services)
    orgs = _keep_other_columns(pack.organisations, orgs, s.ORG_ID)
    services = _keep_other_columns(pack.services, services, s.SERVICE_ID)

    old_ids = set(pack.organisations[s.ORG_ID].astype(str))
    out_ids = set(orgs[s.ORG_ID].astype(str))
    gone = ~new_raw[s.ORG_ID].isin(out_ids)
    became = new_raw[s.ORG_ID].astype("string").copy()
    became[gone] = _merged_into(new_raw[gone], orgs[~orgs[s.ORG_ID].isin(new_raw.loc[gone, s.ORG_ID])])
    by_id = orgs.set_index(s.ORG_ID)
    name_of = by_id[s.ORG_NAME]
    file_row = _file_row_of(new_raw[s.ORG_ID])
    row_of_id = dict(zip(new_raw[s.ORG_ID], file_row, strict=True))
    outcome, where = [], []
    # Plain dicts: a pandas lookup per row costs a second per ten thousand rows.
    shaped = is_postcode(new_raw[s.POSTCODE]).to_dict()
    lons, postcodes = new_raw[r.LON].to_dict(), new_raw[s.POSTCODE].to_dict()
    became_, gone_ = became.to_dict(), gone.to_dict()
    quality_of = by_id[s.LOCATION_QUALITY].to_dict()
    for i, new_id in new_raw[s.ORG_ID].items():
        target = became_[i]
        if new_id in old_ids:
            outcome.append("updates the same row uploaded before")
        elif not gone_[i]:
            outcome.append("added")
        elif pd.isna(target):
            outcome.append("merged with another organisation")
        elif target in old_ids:
            outcome.append(f"merged with '{name_of[target]}', already in the pack")
        else:
            outcome.append(f"merged with row {row_of_id.get(target, '?')} of this file")
        quality = quality_of.get(target, "") if pd.notna(target) else ""
        where.append(_location_reason(lons[i], postcodes[i], quality, pack, well_formed=bool(shaped[i])))
    accepted = pd.DataFrame(
        {
            "File row": file_row.to_numpy(),
            "Name": new_raw[s.ORG_NAME].to_numpy(),
            "Postcode": new_raw[s.POSTCODE].to_numpy(),
            "Charity number": new_raw[s.CHARITY_NUMBER].to_numpy(),
            "Themes": new_raw[s.THEMES]
            .map(lambda ts: ", ".join(s.THEMES_BY_ID[t].label for t in ts))
            .to_numpy(),
            "What happens": outcome,
            "Map": where,
        }
    )
    merged_old = accepted["What happens"].str.contains("already in the pack")
    if merged_old.any():
        notes.add(
            file,
            f"{int(merged_old.sum())} rows are organisations already in the pack (same charity number, company "
            "number, or name and postcode) and were merged with them, not added twice",
            rows=accepted.loc[merged_old, "File row"],
        )
    added = accepted["What happens"] == "added"
    outside = added & accepted["Map"].str.contains("outside", regex=False)
    left_out: list[tuple[int, str]] = []
    if outside.any() and not keep_outside:
        gone_ids = set(new_raw.loc[outside.to_numpy(), s.ORG_ID])
        orgs = orgs[~orgs[s.ORG_ID].isin(gone_ids)].reset_index(drop=True)
        services = services[~services[s.ORG_ID].isin(gone_ids)].reset_index(drop=True)
        why = accepted.loc[outside, "Map"].str.split(": ", n=1).str[-1]
        left_out = [(int(row), w) for row, w in zip(accepted.loc[outside, "File row"], why, strict=True)]
        notes.add(
            file,
            f"{int(outside.sum())} organisations seem to be outside this pack's area and were left out "
            "(tick 'Keep organisations outside the area' to add them: one with a point keeps it, marked "
            "'outside the area', the others are 'area only')",
            rows=accepted.loc[outside, "File row"],
        )
        accepted, added = accepted[~outside].reset_index(drop=True), added[~outside].reset_index(drop=True)
    off_map = added & accepted["Map"].str.startswith("not on the map")
    for reason, group in accepted[off_map].groupby("Map"):
        because = str(reason).removeprefix("not on the map: ")
        notes.add(
            file,
            f"{len(group)} new organisations are not on the map ('area only'): {because}",
            rows=group["File row"],
        )

    rejected = dict(_rows_rejected_by_notes(notes, file, start))
    taken = set(file_row)
    rejected_rows = [
        (row, rejected.get(row, "no name")) for row in file_rows(table.index) if row not in taken
    ] + left_out
    new = _with_upload(pack, file, ORGANISATIONS, notes, organisations=orgs, services=services)
    stats: dict[str, int | str] = {
        "rows_read": len(table),
        "rows_accepted": len(accepted),
        "added": int(added.sum()),
        "merged": int(gone.sum()),
        "merged_existing": int(merged_old.sum()),
        "outside": int(outside.sum()),
        "placed": int((added & ~off_map).sum()),
        "area_only": int(off_map.sum()),
        "organisations": len(orgs),
    }
    stats["detail"] = f"{stats['added']:,} new organisations ({stats['placed']:,} on the map)" + (
        f", {stats['merged']:,} merged with organisations already listed" if stats["merged"] else ""
    )
    return UploadResult(ORGANISATIONS, file, accepted, rejected_frame(rejected_rows), notes, new, stats)


def _keep_old_locations(
    pack: Pack, orgs: gpd.GeoDataFrame, services: pd.DataFrame
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Organisations already placed keep their point and location quality; services their own points.

    :func:`combine` re-places every row it is given; the pack's existing placements were decided at
    build time (with the build's postcode table) and must not change because a file was added.
    """
    old = pack.organisations.set_index(s.ORG_ID)
    old_placed = old.index[has_location(old.geometry).to_numpy()]
    keep = orgs[s.ORG_ID].isin(old_placed).to_numpy()
    if keep.any():
        ids = orgs.loc[keep, s.ORG_ID]
        geom = orgs.geometry.copy()
        geom[keep] = np.asarray(old.geometry.reindex(ids))
        orgs = orgs.set_geometry(geom)
        orgs.loc[keep, s.LOCATION_QUALITY] = old[s.LOCATION_QUALITY].reindex(ids).to_numpy()
    if {r.LON, r.LAT} <= set(pack.services.columns):
        old_xy = pack.services.set_index(s.SERVICE_ID)[[r.LON, r.LAT]]
        is_old = services[s.SERVICE_ID].isin(old_xy.index).to_numpy()
        services.loc[is_old, [r.LON, r.LAT]] = old_xy.reindex(services.loc[is_old, s.SERVICE_ID]).to_numpy()
    else:
        services = services.drop(columns=[r.LON, r.LAT])
    return orgs, services


def _keep_other_columns(old: pd.DataFrame, new: _Frame, key: str) -> _Frame:
    """Columns of the pack that :func:`combine` does not know are carried over by id, never dropped."""
    other = [c for c in old.columns if c not in new.columns]
    if not other or not len(old):
        return new
    values = old.drop_duplicates(key).set_index(key)[other]
    out = new.copy()
    for col in other:
        out[col] = pd.Series(
            values[col].reindex(out[key]).to_numpy(), index=out.index, dtype=values[col].dtype
        )
    return out


def _clean(mapping: dict[str, str | None] | None) -> dict[str, str] | None:
    if mapping is None:
        return None
    return {k: v for k, v in mapping.items() if v not in (None, "", NONE_CHOICE)}


def import_assets(
    path: Path, *, pack: Pack, mapping: dict[str, str | None] | None, notes: Notes, sheet: str | None = None
) -> UploadResult:
    from sector_map.importers.assets import read_assets

    file = path.name
    start = len(notes)
    table = read_table(path, what="a table of community buildings and land", sheet=sheet)
    gdf = read_assets(
        path,
        columns=_clean(mapping) or None,
        postcodes=pack.postcodes,
        source=file,
        id_prefix=upload_prefix(file),
        notes=notes,
        sheet=sheet,
    )
    only_postcode: set[int] = set()
    if pack.postcodes is None:  # the importer's advice ("pass a postcodes table") is for recipes
        said = [n for n in notes[start:] if "only a postcode" in n.text]
        only_postcode = {row for n in said for row in n.rows}
        notes[:] = [n for n in notes if n not in said]
        if said:
            notes.add(
                file,
                f"{len(only_postcode)} rows have only a postcode, and this pack has no postcode table to "
                "place them, so they were left out; add lon/lat columns to place them",
                rows=sorted(only_postcode),
            )
    rejected = [
        (
            row,
            "only a postcode, and this pack has no postcode table to place it"
            if row in only_postcode
            else why,
        )
        for row, why in _rows_rejected_by_notes(notes, file, start)
    ]
    replaced = gdf[s.ASSET_ID].isin(pack.assets[s.ASSET_ID])
    if replaced.any():
        notes.add(
            file, f"{int(replaced.sum())} assets replace those uploaded before from a file of this name"
        )
    inside = gpd.sjoin(gdf[[s.GEOMETRY]], pack.wards[[s.GEOMETRY]], how="inner", predicate="intersects").index
    outside = ~gdf.index.isin(inside)
    if outside.any():
        notes.add(
            file,
            f"{int(outside.sum())} assets are outside this pack's wards (kept): "
            f"{examples(gdf.loc[outside, s.ASSET_NAME])}",
        )
    kept = pack.assets[~pack.assets[s.ASSET_ID].isin(gdf[s.ASSET_ID])]
    assets = gpd.GeoDataFrame(pd.concat([kept, gdf], ignore_index=True), geometry=s.GEOMETRY, crs=s.PACK_CRS)
    new = _with_upload(pack, file, ASSETS, notes, assets=assets)
    accepted = pd.DataFrame(
        {
            "Name": gdf[s.ASSET_NAME].to_numpy(),
            "Kind": gdf[s.ASSET_KIND].to_numpy(),
            "Status": gdf[s.ASSET_STATUS].to_numpy(),
            "Longitude": gdf.geometry.x.round(5).to_numpy(),
            "Latitude": gdf.geometry.y.round(5).to_numpy(),
            "In the area": ~outside,
        }
    )
    stats = {"rows_read": len(table), "rows_accepted": len(gdf), "replaced": int(replaced.sum())}
    return UploadResult(ASSETS, file, accepted, rejected_frame(rejected), notes, new, stats)


def remember_request(import_upload: Callable[..., UploadResult]) -> Callable[..., UploadResult]:
    """Record on each :class:`UploadResult` what is needed to run the same import again.

    Wraps :func:`sector_map.upload.import_upload`: the result gets the revision of the pack it
    was checked against (``base_revision``) and the call's arguments other than the pack
    (``request``: kind, path and options), so :func:`add_to_current` can redo it against the
    pack as it is now.
    """
    signature = inspect.signature(import_upload)

    @functools.wraps(import_upload)
    def wrapper(*args: Any, **kwargs: Any) -> UploadResult:
        result = import_upload(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        request: dict = {}
        for name, value in bound.arguments.items():
            if signature.parameters[name].kind is inspect.Parameter.VAR_KEYWORD:
                request.update(value)
            else:
                request[name] = value
        pack = request.pop("pack", None)
        return replace(result, base_revision=getattr(pack, "revision", "") or "", request=request)

    return wrapper
