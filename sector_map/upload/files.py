"""Adding a user's own file to a data pack: check it, preview it, import it, save the result.

The Data page calls these in order:

1. :func:`save_upload` puts the uploaded bytes in a temporary folder under the file's own name
   (so every message names the file the user chose; :func:`discard_upload` removes it), and
   :func:`check_upload` refuses files that are too big or plainly of another kind;
2. :func:`parts_of` lists a workbook's sheets (a GeoPackage's layers) for a chooser,
   :func:`preview` shows the first rows and :func:`guess_mapping` pre-fills the column choices;
   the file is read once, within :data:`UPLOAD_LIMITS`, and the parse is shared by every step;
3. :func:`import_upload` runs the importer and returns an :class:`UploadResult`: the rows taken,
   the rows left out and why, the notes, and the new pack (not yet saved);
4. :func:`save_as_new_pack` or :func:`add_to_current` writes it (under the pack's lock, atomically,
   and into the pack as it is now: see :mod:`sector_map.upload.save`).

Every problem with the file is an :class:`~sector_map.importers.tables.InputError` naming the file,
the column and the rows, and saying what to do.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sector_map.importers import limits as lim
from sector_map.importers import tables as tbl
from sector_map.importers.tables import InputError, Notes, find_column, read_table
from sector_map.pack.io import Pack
from sector_map.upload import merge as ui_
from sector_map.upload.merge import (
    ASSETS,
    BOUNDARIES,
    INDICATORS,
    NONE_CHOICE,
    ORGANISATIONS,
    UploadResult,
    remember_request,
)

__all__ = [
    "ALL_EXTENSIONS",
    "ASSETS",
    "BOUNDARIES",
    "INDICATORS",
    "MAPPING_FIELDS",
    "MAX_UPLOAD_MB",
    "NONE_CHOICE",
    "ORGANISATIONS",
    "STALE_AFTER_S",
    "UPLOAD_KINDS",
    "UPLOAD_LIMITS",
    "UPLOAD_PREFIX",
    "Preview",
    "UploadKind",
    "UploadResult",
    "check_upload",
    "columns_of",
    "discard_upload",
    "guess_mapping",
    "import_upload",
    "limits_text",
    "parts_of",
    "preview",
    "save_upload",
    "slugify",
    "sweep_stale_uploads",
    "template_columns",
    "template_path",
]

MAX_UPLOAD_MB = 50
# What one upload may unzip to and hold (why these numbers: README.md, "Upload limits").
UPLOAD_LIMITS: dict[str, lim.Limits] = {
    ORGANISATIONS: lim.UPLOAD,
    ASSETS: lim.UPLOAD,
    INDICATORS: lim.UPLOAD_FIGURES,
    BOUNDARIES: lim.UPLOAD,
}
PREVIEW_ROWS = 10
TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "data" / "templates"


@dataclass(frozen=True)
class UploadKind:
    """One kind of file the Data page takes."""

    id: str
    label: str
    extensions: tuple[str, ...]
    what: str
    template: str | None = None


_TABLE = ("csv", "tsv", "txt", "xlsx", "gz")
UPLOAD_KINDS: dict[str, UploadKind] = {
    k.id: k
    for k in (
        UploadKind(
            ORGANISATIONS,
            "Organisations (CSV or Excel)",
            _TABLE,
            "a table of organisations with a name column (and ideally postcode, charity number, website)",
            "organisations.csv",
        ),
        UploadKind(
            INDICATORS,
            "Ward figures / indicators (CSV)",
            _TABLE,
            "a table with a ward code column (E05...) and one column per indicator",
            "ward_indicators.csv",
        ),
        UploadKind(
            BOUNDARIES,
            "Ward boundaries (GeoJSON, GeoPackage or zipped Shapefile)",
            ("geojson", "json", "gpkg", "zip"),
            "ward boundaries as GeoJSON, GeoPackage or a zipped Shapefile (.zip with .shp, .dbf, .shx, .prj)",
        ),
        UploadKind(
            ASSETS,
            "Community buildings and land (CSV)",
            _TABLE,
            "a table of buildings or land with a name column and a postcode or coordinates",
            "assets.csv",
        ),
    )
}
ALL_EXTENSIONS = sorted({e for k in UPLOAD_KINDS.values() for e in k.extensions})

# What each template column means (shown beside the download buttons).
TEMPLATE_COLUMNS: dict[str, dict[str, str]] = {
    ORGANISATIONS: {
        "name": "The organisation's name (required).",
        "postcode": "Where it works, or its contact postcode; places it on the map.",
        "charity_number": "Registered charity number, if any; used to merge it with the register.",
        "company_number": "Companies House number, if any.",
        "website": "Its website address.",
        "email": "A contact email address.",
        "phone": "A contact phone number.",
        "activities": "What it does, in its own words; themes are read from this when none are given.",
        "themes": "Theme ids separated by ';' (e.g. poverty_food; older_people). See About the data.",
        "income": "Latest yearly income in pounds (e.g. 12,500); sets the size band.",
        "kind": "registered charity, CIO, charitable company, CIC, community group, faith group or other.",
    },
    INDICATORS: {
        "ward_code": "The ONS ward code (E05...) of the pack's wards (required).",
        "ward_name": "The ward's name (for people reading the file; not used to match).",
        "<indicator columns>": "One column per figure, numbers only (e.g. 12.5 or 1,204); empty = no data.",
    },
    ASSETS: {
        "name": "The building's or site's name.",
        "kind": "What it is, e.g. library, community centre, park, school hall.",
        "status": "in community use, available for community use, vacant or under review.",
        "postcode": "Its postcode; places it on the map when there are no coordinates.",
        "lon": "Longitude in degrees (WGS84), if known.",
        "lat": "Latitude in degrees (WGS84), if known.",
    },
}


# --- the file itself ------------------------------------------------------------------------------
UPLOAD_PREFIX = "sector-map-upload-"
STALE_AFTER_S = 24 * 3600


def save_upload(
    data: bytes, filename: str, *, folder: str | Path | None = None, replaces: str | Path | None = None
) -> Path:
    """Write uploaded bytes to a new temporary folder under the file's own (base) name.

    The folder of the upload it ``replaces`` is removed, and so are upload folders left over for
    more than a day (a session that ended without clearing its file).

    Example:
        >>> p = save_upload(b"name\\nA\\n", "../../my list.csv")
        >>> p.name, p.read_bytes()
        ('my list.csv', b'name\\nA\\n')
    """
    if replaces is not None:
        discard_upload(replaces)
    sweep_stale_uploads()
    name = Path(str(filename).replace("\\", "/")).name.strip() or "upload"
    folder = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix=UPLOAD_PREFIX))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def _is_upload_folder(folder: Path) -> bool:
    return folder.name.startswith(UPLOAD_PREFIX) and folder.parent == Path(tempfile.gettempdir())


def discard_upload(path: str | Path | None) -> None:
    """Remove an uploaded file's temporary folder (only folders :func:`save_upload` made)."""
    if not path:
        return
    folder = Path(path).parent
    if _is_upload_folder(folder) and not folder.is_symlink():
        tbl.forget_folder(folder)
        shutil.rmtree(folder, ignore_errors=True)


def sweep_stale_uploads(*, older_than_s: float = STALE_AFTER_S) -> int:
    """Remove upload folders (our prefix only) untouched for ``older_than_s`` seconds; how many."""
    cutoff = time.time() - older_than_s
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(UPLOAD_PREFIX + "*"):
        try:
            if folder.is_dir() and not folder.is_symlink() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed


def _extension(path: Path) -> str:
    suffixes = [x.lower().lstrip(".") for x in path.suffixes]
    if len(suffixes) >= 2 and suffixes[-1] == "gz":
        return suffixes[-2] if suffixes[-2] in ("csv", "tsv", "txt", "geojson", "json") else "gz"
    return suffixes[-1] if suffixes else ""


def check_upload(path: str | Path, kind: str) -> None:
    """Refuse a file that is too big, or whose type cannot be the kind chosen.

    Raises:
        InputError: unknown kind, a missing file, a file over :data:`MAX_UPLOAD_MB`, or a file
            type the kind does not take (naming the kind that does). What a file unzips to, and
            its rows, are checked as it is read (:func:`preview`, :func:`import_upload`).
    """
    path = Path(path)
    if kind not in UPLOAD_KINDS:
        raise InputError(
            path.name, f"unknown kind of upload {kind!r}", hint=f"Choose one of {list(UPLOAD_KINDS)}"
        )
    if not path.is_file():
        raise InputError(path.name, "file not found", hint="Upload the file again")
    size_mb = path.stat().st_size / 1_000_000
    if size_mb > MAX_UPLOAD_MB:
        raise InputError(
            path.name,
            f"the file is {size_mb:,.1f} MB; uploads are limited to {MAX_UPLOAD_MB} MB",
            hint="Cut it down to your area (or zip it) and upload it again, or build the pack with "
            "`python -m sector_map build-pack`, which has no limit",
        )
    ext = _extension(path)
    spec = UPLOAD_KINDS[kind]
    if ext and ext not in spec.extensions:
        fits = [k.label for k in UPLOAD_KINDS.values() if ext in k.extensions]
        other = f"; a .{ext} file goes in as {' or '.join(fits)}" if fits else ""
        raise InputError(
            path.name,
            f"this is a .{ext} file, but {spec.label} takes {', '.join('.' + e for e in spec.extensions)}{other}",
            hint=f"Expected {spec.what}. Choose the kind of data that matches the file",
        )


def limits_for(kind: str) -> lim.Limits:
    """The reading limits of an upload of ``kind``."""
    return UPLOAD_LIMITS.get(kind, lim.UPLOAD)


def limits_text() -> str:
    """The upload limits in words, for the Data page.

    Example:
        >>> limits_text()
        'unzipping to at most 200 MB, with up to 100,000 rows (250,000 of ward figures) and 1,000 columns'
    """
    base = lim.UPLOAD
    return (
        f"unzipping to at most {base.mb()}, with up to {base.rows:,} rows "
        f"({UPLOAD_LIMITS[INDICATORS].rows:,} of ward figures) and {base.columns:,} columns"
    )


def parts_of(path: str | Path, kind: str) -> list[str]:
    """The sheets of a workbook, or the layers of a GeoPackage (boundaries); [] for other files.

    The Data page offers a chooser when there are several.
    """
    path = Path(path)
    check_upload(path, kind)
    with lim.reading_limits(limits_for(kind)):
        if kind == BOUNDARIES:
            try:
                from sector_map.importers.geo import list_layers
            except (ImportError, AttributeError):
                return []
            return [str(n) for n in list_layers(path)]
        return tbl.sheet_names(path)


def _layer(part: str | None) -> dict:
    return {"layer": part} if part else {}


@dataclass(frozen=True)
class Preview:
    """The first rows of a file as read, and what reading it noticed (encodings, repeated
    column names, other sheets), one plain sentence each."""

    table: pd.DataFrame
    notes: list[str]


def preview(path: str | Path, kind: str, *, rows: int = PREVIEW_ROWS, part: str | None = None) -> Preview:
    """The first rows of the file as read (boundaries: their attributes, without shapes).

    ``part`` is the sheet of a workbook, or the layer of a GeoPackage.
    """
    path = Path(path)
    check_upload(path, kind)
    with lim.reading_limits(limits_for(kind)):
        if kind == BOUNDARIES:
            from sector_map.importers.wards import read_geo

            gdf = read_geo(path, **_layer(part))
            out = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).head(rows)
            out["shape"] = gdf.geometry.geom_type.head(rows).astype("string")
            return Preview(out.reset_index(drop=True), [])
        notes = Notes()
        out = read_table(path, what=UPLOAD_KINDS[kind].what, sheet=part, notes=notes).head(rows)
    return Preview(out, [n.message() for n in notes])


def columns_of(path: str | Path, kind: str, *, part: str | None = None) -> list[str]:
    """The file's column names (for the mapping form)."""
    columns = preview(path, kind, rows=1, part=part).table.columns
    return [c for c in columns if c != "shape" or kind != BOUNDARIES]


def slugify(name: str) -> str:
    """A safe folder name for a pack: lower case ASCII letters, digits and dashes.

    Example:
        >>> slugify("  Trafford — food & advice (2026) ")
        'trafford-food-advice-2026'
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")


def template_columns(kind: str) -> pd.DataFrame:
    """Column, and what it means, for a kind's CSV template."""
    cols = TEMPLATE_COLUMNS.get(kind, {})
    return pd.DataFrame({"Column": list(cols), "What it means": list(cols.values())})


def template_path(kind: str) -> Path | None:
    """The CSV template for a kind (None for boundaries)."""
    name = UPLOAD_KINDS[kind].template
    return TEMPLATES_DIR / name if name else None


# --- importing ----------------------------------------------------------------------------------
@remember_request
def import_upload(
    kind: str,
    path: str | Path,
    *,
    pack: Pack,
    mapping: dict[str, str | None] | None = None,
    themes: list[str] | None = None,
    name: str | None = None,
    replace_indicators: bool = False,
    location: str | None = None,
    keep_outside: bool = False,
    part: str | None = None,
) -> UploadResult:
    """Import an uploaded file against the current pack; nothing is written.

    Args:
        kind: one of :data:`UPLOAD_KINDS`.
        path: the uploaded file (its name is used in messages).
        pack: the current pack (never changed).
        mapping: field → column of the file, for organisations and assets (None: guessed).
        themes: theme ids given to every uploaded organisation (added to any it has).
        name: the area name of the new pack made from boundaries (default: the file's name).
        replace_indicators: an uploaded indicator whose id is already in the pack replaces it;
            otherwise it is reported as not accepted.
        location: what an organisation file's addresses are, "site" or "contact address"
            (None: decided by the importer, see :mod:`sector_map.importers.generic`).
        keep_outside: keep new organisations whose point is outside the pack's wards, or whose
            postcode is not in the pack's postcode table, as 'area only'; otherwise they are
            reported as not accepted (a county-wide list added to one borough's pack).
        part: the sheet of a workbook, or the layer of a GeoPackage (None: the first / the only).

    Raises:
        InputError: the file cannot be used at all (wrong kind, empty, no usable rows...).
    """
    path = Path(path)
    check_upload(path, kind)
    notes = Notes()
    with lim.reading_limits(limits_for(kind)):
        if kind == BOUNDARIES:
            return ui_.import_boundaries(path, pack=pack, name=name, notes=notes, layer=part)
        if kind == INDICATORS:
            return ui_.import_indicators(
                path, pack=pack, replace_existing=replace_indicators, notes=notes, sheet=part
            )
        if kind == ORGANISATIONS:
            return ui_.import_organisations(
                path,
                pack=pack,
                mapping=mapping,
                themes=themes,
                location=location,
                notes=notes,
                keep_outside=keep_outside,
                sheet=part,
            )
        return ui_.import_assets(path, pack=pack, mapping=mapping, notes=notes, sheet=part)


# --- the column-mapping form ----------------------------------------------------------------------
MAPPING_FIELDS: dict[str, dict[str, str]] = {
    ORGANISATIONS: {
        "name": "Name (required)",
        "postcode": "Postcode",
        "charity_number": "Charity number",
        "company_number": "Company number",
        "website": "Website",
        "address": "Address",
        "email": "Email",
        "phone": "Phone",
        "activities": "Activities / description",
        "themes": "Themes",
        "client_groups": "Who it helps",
        "income": "Yearly income (£)",
        "kind": "Kind of organisation",
        "lon": "Longitude",
        "lat": "Latitude",
        "easting": "Easting (metres)",
        "northing": "Northing (metres)",
        "radius_km": "Reach (km)",
    },
    ASSETS: {
        "name": "Name",
        "kind": "Kind (library, hall...)",
        "status": "Status",
        "postcode": "Postcode",
        "lon": "Longitude",
        "lat": "Latitude",
        "easting": "Easting (metres)",
        "northing": "Northing (metres)",
        "asset_id": "Id",
    },
}


def guess_mapping(kind: str, columns: list[str]) -> dict[str, str | None]:
    """Field → the file's column that looks like it (None when none does), for the mapping form.

    Example:
        >>> guess_mapping("organisations", ["Organisation Name", "Post Code", "Notes"])["postcode"]
        'Post Code'
        >>> guess_mapping("indicators", ["ward_code", "x"])
        {}
    """
    if kind == ORGANISATIONS:
        from sector_map.importers.generic import guess_columns

        found = guess_columns(list(columns))
    elif kind == ASSETS:
        from sector_map.importers import assets as a

        names = {
            "name": a.NAME_NAMES,
            "kind": a.KIND_NAMES,
            "status": a.STATUS_NAMES,
            "postcode": a.POSTCODE_NAMES,
            "lon": a.LON_NAMES,
            "lat": a.LAT_NAMES,
            "easting": a.EAST_NAMES,
            "northing": a.NORTH_NAMES,
            "asset_id": a.ID_NAMES,
        }
        found = {}
        for field_, candidates in names.items():
            hit = find_column([c for c in columns if c not in found.values()], candidates)
            if hit is not None:
                found[field_] = hit
    else:
        return {}
    return {f: found.get(f) for f in MAPPING_FIELDS[kind]}
