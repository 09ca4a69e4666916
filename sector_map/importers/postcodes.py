"""Postcode centroids: normalise UK postcodes, read a postcode directory, look postcodes up.

Reads the ONS Postcode Directory (ONSPD) and the National Statistics Postcode Lookup (NSPL) as
published (``pcds``/``pcd``/``pcd7``/``pcd8``, ``lat``/``long``, ``osward``/``ward``,
``lsoa11``/``lsoa21``, ``oslaua``/``laua``, ``doterm``), local-authority subsets such as Trafford
Data Lab's (``postcode, ward_code, ..., lon, lat``), and any table with a postcode column and
either latitude/longitude or British National Grid easting/northing.

Postcodes are compared in one form: upper case, outward code, one space, inward code
(``"M32 9AF"``).

National files (OS Code-Point Open: 1.75 million rows; the full ONSPD or NSPL: 2.7 million) are
read a chunk at a time and filtered as they are read: ``keep`` names the postcodes a pack uses
(its organisations' addresses, wherever they are) and ``near`` a box around the area (for the
assets and the uploads placed later), so only those rows are ever held and cleaned.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from sector_map.importers.table_read import RowFilter
from sector_map.importers.tables import InputError, Notes, examples, file_rows, find_column, read_table
from sector_map.pack import schema as s
from sector_map.pack.values import is_postcode, normalise_postcode

__all__ = ["Bounds", "bng_to_wgs84", "geocode", "is_postcode", "normalise_postcode", "read_postcodes"]

# A box in WGS84 degrees: (min lon, min lat, max lon, max lat).
Bounds = tuple[float, float, float, float]

LON = "lon"
LAT = "lat"
LSOA_CODE = "lsoa_code"
FOUND = "found"

# ONSPD/NSPL put postcodes with no grid reference at lat 99.999999, long 0.
_NULL_LAT = 99.0

_POSTCODE_NAMES = ["pcds", "pcd", "pcd7", "pcd8", "pcd2", "postcode", "post code", "postcode_std", "pc"]
_LAT_NAMES = ["lat", "latitude", "y_lat"]
_LON_NAMES = ["long", "lon", "longitude", "lng", "x_lon"]
_EAST_NAMES = ["oseast1m", "easting", "eastings", "os_easting", "bng_e", "east"]
_NORTH_NAMES = ["osnrth1m", "northing", "northings", "os_northing", "bng_n", "north"]
# Code-Point Open names its ward and district columns Admin_ward_code and Admin_district_code.
_WARD_NAMES = [
    *("ward_code", "osward", "ward", "wd22cd", "wd23cd", "wd24cd", "wd25cd", "wd19cd", "wd17cd"),
    *("wardcode", "admin_ward_code"),
]
_LSOA_NAMES = ["lsoa_code", "lsoa11", "lsoa21", "lsoa11cd", "lsoa21cd", "lsoa"]
# LSOA columns of one vintage (ONSPD has both lsoa11 and lsoa21), then the ones that do not say.
_LSOA_NAMES_BY_VINTAGE = {
    "2011": ["lsoa11", "lsoa11cd", "lsoa_code", "lsoa"],
    "2021": ["lsoa21", "lsoa21cd", "lsoa_code", "lsoa"],
}
_LA_NAMES = [
    *("la_code", "oslaua", "laua", "lad_code", "lad22cd", "lad23cd", "lad24cd", "lad25cd", "lad19cd"),
    *("ladcd", "admin_district_code"),
]
_TERMINATED_NAMES = ["doterm", "date_of_termination", "terminated"]


def bng_to_wgs84(easting: npt.ArrayLike, northing: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude (WGS84) for British National Grid eastings and northings (metres).

    Example:
        >>> lon, lat = bng_to_wgs84([379_510], [394_849])
        >>> round(float(lon[0]), 3), round(float(lat[0]), 3)
        (-2.31, 53.45)
    """
    from pyproj import Transformer

    east = np.asarray(easting, dtype="float64")
    north = np.asarray(northing, dtype="float64")
    tr = Transformer.from_crs(s.METRE_CRS, s.PACK_CRS, always_xy=True)
    lon, lat = tr.transform(east, north)
    return np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")


def _compact(values: pd.Series) -> pd.Series:
    """Postcodes upper case with no spaces, the cheap key used while filtering chunks."""
    return values.astype("string").str.upper().str.replace(" ", "", regex=False).str.strip()


def _bng_box(near: Bounds) -> Bounds:
    """The easting/northing box that holds a WGS84 box (its edges sampled, since the grid is skewed)."""
    from pyproj import Transformer

    lon = np.linspace(near[0], near[2], 9)
    lat = np.linspace(near[1], near[3], 9)
    glon, glat = (a.ravel() for a in np.meshgrid(lon, lat))
    tr = Transformer.from_crs(s.PACK_CRS, s.METRE_CRS, always_xy=True)
    east, north = tr.transform(glon, glat)
    return float(np.min(east)), float(np.min(north)), float(np.max(east)), float(np.max(north))


def _floats(values: pd.Series) -> np.ndarray:
    """Numbers from raw text cells, NaN where empty or not a number; fast for a clean column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(values, type=pa.string(), from_pandas=True)
        arr = pc.if_else(pc.equal(pc.utf8_trim_whitespace(arr), ""), None, arr)
        return pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False).astype("float64")
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")


def _row_filter(keep: Iterable[str] | None, near: Bounds | None) -> RowFilter | None:
    """Keeps a chunk's rows whose postcode is in ``keep`` or whose point is inside ``near``."""
    if keep is None and near is None:
        return None
    wanted = set(_compact(pd.Series(list(keep) if keep is not None else [], dtype="string")).dropna())
    boxes: dict[str, Bounds] = {}

    def rows(chunk: pd.DataFrame) -> pd.DataFrame:
        cols = list(chunk.columns)
        pc_col = find_column(cols, _POSTCODE_NAMES)
        if pc_col is None:
            return chunk
        mask = _compact(chunk[pc_col]).isin(wanted).to_numpy(dtype=bool).copy()
        if near is not None:
            x_col, y_col, box = find_column(cols, _LON_NAMES), find_column(cols, _LAT_NAMES), near
            if not (x_col and y_col):
                x_col, y_col = find_column(cols, _EAST_NAMES), find_column(cols, _NORTH_NAMES)
                if "bng" not in boxes:
                    boxes["bng"] = _bng_box(near)
                box = boxes["bng"]
            if x_col and y_col:
                x, y = _floats(chunk[x_col]), _floats(chunk[y_col])
                mask |= (x >= box[0]) & (x <= box[2]) & (y >= box[1]) & (y <= box[3])
        return chunk[mask]

    return rows


def _drop(
    df: pd.DataFrame, mask: pd.Series, notes: Notes | None, file: str, text: str, column: str | None = None
) -> pd.DataFrame:
    if mask.any() and notes is not None:
        notes.add(file, f"{int(mask.sum())} {text}", column=column, rows=file_rows(df.index[mask]))
    return df[~mask]


def read_postcodes(
    path: Path | str,
    *,
    keep: Iterable[str] | None = None,
    near: Bounds | None = None,
    notes: Notes | None = None,
    lsoa_vintage: str | None = None,
) -> pd.DataFrame:
    """Read a postcode centroid file into ``postcode, lon, lat`` (+ ward/LSOA/LA codes if given).

    ``lsoa_vintage`` (``"2011"`` or ``"2021"``) picks that vintage's LSOA column (``lsoa21``
    of ONSPD, which has both) and never the other's; ``attrs["lsoa_column"]`` names the column read.

    With ``keep`` (postcodes in any spacing or case) and/or ``near`` (a WGS84 box), only the rows
    with one of those postcodes or a point inside the box are kept, chunk by chunk as the file is
    read; with neither, every row is. Rows dropped, each with a note naming the file rows:
    terminated postcodes (``doterm`` filled in), ONSPD's "no grid reference" rows (latitude
    99.999999) and Code-Point Open's (easting and northing 0), rows with a postcode that is not
    postcode-shaped or coordinates that are missing, and repeats of a postcode (the first is kept).

    Raises:
        InputError: no postcode column, or neither latitude/longitude nor easting/northing.

    Example:
        >>> import tempfile, os
        >>> d = tempfile.mkdtemp(); p = os.path.join(d, "pc.csv")
        >>> _ = open(p, "w").write("pcds,lat,long,doterm\\nM32 9AF,53.45,-2.31,\\nM1 1AA,53.4,-2.2,200101\\n")
        >>> read_postcodes(p)[["postcode", "lat"]].values.tolist()
        [['M32 9AF', 53.45]]
    """
    path = Path(path)
    file = path.name
    df = read_table(
        path,
        what="a postcode file (ONSPD, NSPL, Code-Point Open, or postcode with lat/lon)",
        notes=notes,
        rows=_row_filter(keep, near),
    )
    cols = list(df.columns)
    pc_col = find_column(cols, _POSTCODE_NAMES)
    if pc_col is None:
        raise InputError(
            file,
            "has no postcode column",
            hint="Expected a column called postcode, pcds, pcd, pcd7 or pcd8 (ONSPD/NSPL use pcds)",
        )
    lat_col, lon_col = find_column(cols, _LAT_NAMES), find_column(cols, _LON_NAMES)
    east_col, north_col = find_column(cols, _EAST_NAMES), find_column(cols, _NORTH_NAMES)
    if not (lat_col and lon_col) and not (east_col and north_col):
        raise InputError(
            file,
            "has no coordinates",
            hint="Expected lat and long (or latitude/longitude), or British National Grid easting and northing",
        )

    term_col = find_column(cols, _TERMINATED_NAMES)
    if term_col is not None:
        df = _drop(df, df[term_col].notna(), notes, file, "terminated postcodes left out", column=term_col)

    if lat_col and lon_col:
        lat, bad_lat = _number(df[lat_col])
        lon, bad_lon = _number(df[lon_col])
        null_pos = lat >= _NULL_LAT
        df = _drop(
            df, null_pos, notes, file, "postcodes with no grid reference (latitude 99.999999) left out"
        )
        lat, lon = lat[~null_pos], lon[~null_pos]
    else:
        east, _ = _number(df[east_col])
        north, _ = _number(df[north_col])
        null_pos = (east == 0) & (north == 0)
        df = _drop(
            df, null_pos, notes, file, "postcodes with no grid reference (easting and northing 0) left out"
        )
        east, north = east[~null_pos], north[~null_pos]
        lon_a, lat_a = bng_to_wgs84(east.to_numpy(), north.to_numpy())
        lon = pd.Series(lon_a, index=df.index).where(east.notna() & north.notna())
        lat = pd.Series(lat_a, index=df.index).where(east.notna() & north.notna())
    no_xy = lat.isna() | lon.isna()
    df = _drop(df, no_xy, notes, file, "postcodes with missing or unreadable coordinates left out")
    lat, lon = lat[~no_xy], lon[~no_xy]

    postcode = normalise_postcode(df[pc_col])
    bad_pc = postcode.isna()
    if bad_pc.any() and notes is not None:
        notes.add(
            file,
            f"{int(bad_pc.sum())} values are not postcodes and were left out "
            f"(e.g. {examples(df.loc[bad_pc, pc_col].dropna().unique())})",
            column=pc_col,
            rows=file_rows(df.index[bad_pc]),
        )
    out = pd.DataFrame({s.POSTCODE: postcode, LON: lon.astype("float64"), LAT: lat.astype("float64")})
    lsoa_names = _LSOA_NAMES_BY_VINTAGE.get(lsoa_vintage or "", _LSOA_NAMES)
    found: dict[str, str] = {}
    for name, cands in ((s.WARD_CODE, _WARD_NAMES), (LSOA_CODE, lsoa_names), (s.LA_CODE, _LA_NAMES)):
        col = find_column(cols, cands)
        if col is not None:
            out[name] = df[col].astype("string")
            found[name] = str(col)
    if LSOA_CODE in out.columns:  # a blank cell is no LSOA
        code = out[LSOA_CODE].str.strip()
        out[LSOA_CODE] = code.mask(code == "")
    out = out[~bad_pc]
    dup = out[s.POSTCODE].duplicated(keep="first")
    out = _drop(out, dup, notes, file, "repeated postcodes left out (the first row of each is kept)")
    out = out.reset_index(drop=True)
    if LSOA_CODE in found:
        out.attrs["lsoa_column"] = found[LSOA_CODE]
    return out


def _number(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    nums = pd.to_numeric(values.astype("string").str.strip(), errors="coerce").astype("float64")
    return nums, nums.isna() & values.notna()


def geocode(postcodes: pd.Series, table: pd.DataFrame) -> pd.DataFrame:
    """Centroids for postcodes (any spacing or case), index-aligned with ``postcodes``.

    Returns ``lon``, ``lat`` (NaN when not found), ``found``, and ``ward_code`` when the table
    has one.

    Example:
        >>> table = pd.DataFrame({"postcode": ["M32 9AF"], "lon": [-2.31], "lat": [53.45]})
        >>> geocode(pd.Series(["m329af", "ZZ1 1ZZ", None]), table)["found"].tolist()
        [True, False, False]
    """
    key = normalise_postcode(postcodes)
    keep = [c for c in (LON, LAT, s.WARD_CODE) if c in table.columns]
    lookup = table.drop_duplicates(s.POSTCODE).set_index(s.POSTCODE)[keep]
    out = lookup.reindex(key.to_numpy())
    out.index = postcodes.index
    out[LON] = out[LON].astype("float64")
    out[LAT] = out[LAT].astype("float64")
    out[FOUND] = out[LON].notna() & out[LAT].notna()
    return out
