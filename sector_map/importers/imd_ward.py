"""IoD2019 or IoD2025 already aggregated to wards: files that hold ward domain *scores* as they are.

IoD2019 domain scores are not published at LSOA level in open CSVs, only pre-aggregated to
wards (population-weighted means of LSOA scores, the same method as :mod:`imd`), and councils
publish their own ward figures for either release. This reads such a file (``ward_code`` or
``WDyyCD`` plus ``Score``, ``Income_Score``, ... columns) into the same indicator ids and
metadata that :func:`imd.aggregate_to_wards` uses, so both routes give one vocabulary, naming the
release and the weights its publisher used (:data:`PUBLISHERS_WEIGHTS` when the recipe does not
say). Proportion and extent columns are left out: they are not scores.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from sector_map.importers.imd import Release, indicator_meta
from sector_map.importers.tables import InputError, Notes, examples, file_rows, read_table, to_number
from sector_map.pack import schema as s

_DOMAIN_WORDS = (
    ("income deprivation affecting children", s.DOMAIN_IDACI),
    ("income deprivation affecting older", s.DOMAIN_IDAOPI),
    ("idaci", s.DOMAIN_IDACI),
    ("idaopi", s.DOMAIN_IDAOPI),
    ("income", s.DOMAIN_INCOME),
    ("employment", s.DOMAIN_EMPLOYMENT),
    ("education", s.DOMAIN_EDUCATION),
    ("health", s.DOMAIN_HEALTH),
    ("crime", s.DOMAIN_CRIME),
    ("housing", s.DOMAIN_HOUSING),
    ("barriers", s.DOMAIN_HOUSING),
    ("environment", s.DOMAIN_LIVING_ENV),
    ("multiple deprivation", s.DOMAIN_IMD),
    ("imd", s.DOMAIN_IMD),
)
_CODE = re.compile(r"^(ward_code|wd\d\dcd|area_code|code)$", re.IGNORECASE)
EDITIONS = ("2019", "2025")
PUBLISHERS_WEIGHTS = "the population its publisher chose (not named in the recipe)"


def score_column_domain(column: str) -> str | None:
    """The IMD domain whose ward score ``column`` holds, or None if it is not a score column.

    Example:
        >>> score_column_domain("Housing_and_Access_Score"), score_column_domain("Score")
        ('housing', 'imd')
        >>> score_column_domain("Income_Proportion") is None
        True
    """
    name = column.strip().lower().replace("_", " ")
    if not re.search(r"\bscore\b", name) and name != "score":
        return None
    rest = re.sub(r"\bscore\b.*$", "", name).strip(" :-()")
    if not rest:
        return s.DOMAIN_IMD
    for word, domain in _DOMAIN_WORDS:
        if word in rest:
            return domain
    return None


def read_imd_ward_scores(
    path: Path | str,
    *,
    edition: str = "2019",
    weights: str | None = None,
    ward_codes: set[str] | None = None,
    notes: Notes | None = None,
) -> tuple[pd.DataFrame, dict[str, s.IndicatorMeta]]:
    """Read ward-level IoD domain scores of one release.

    Args:
        edition: the release the file holds, ``"2019"`` or ``"2025"``.
        weights: the population its publisher weighted the LSOA scores by, as the indicator
            descriptions should say it; else :data:`PUBLISHERS_WEIGHTS`.

    Returns:
        ``(values, meta)``: long table (``ward_code``, ``indicator_id``, ``value``) using the
        ids ``imd_score``, ``income_score`` ...; and their metadata, naming the release and weights.

    Raises:
        InputError: no ward code column, no score columns, or no code among ``ward_codes``.
        ValueError: an edition other than 2019 or 2025.
    """
    if edition not in EDITIONS:
        raise ValueError(f"IoD edition {edition!r} is not one of {', '.join(EDITIONS)}")
    release = Release(edition, weights or PUBLISHERS_WEIGHTS)
    iod = f"IoD{edition}"
    path = Path(path)
    notes = notes if notes is not None else Notes()
    df = read_table(
        path, what=f"a ward table of {iod} scores (ward code, Score, Income_Score ...)", notes=notes
    )
    code_col = next((c for c in df.columns if _CODE.match(c)), None)
    if code_col is None:
        raise InputError(
            path.name,
            f"no ward code column (expected ward_code or WD19CD); found {examples(df.columns)}",
        )
    scores = {c: score_column_domain(c) for c in df.columns if c != code_col}
    scores = {c: d for c, d in scores.items() if d}
    if not scores:
        raise InputError(path.name, f"no {iod} score columns (expected Score, Income_Score ...)")
    codes = df[code_col].astype("string").str.strip()
    keep = codes.notna()
    if ward_codes is not None:
        inside = codes.isin(list(ward_codes))
        if not inside.any():
            raise InputError(
                path.name,
                f"none of its {int(keep.sum()):,} ward codes are wards of this pack "
                f"(file: {examples(codes.dropna().unique())}; pack: {examples(sorted(ward_codes))})",
                column=code_col,
                hint="Use the file for the same ward vintage as the boundaries",
            )
        keep &= inside
    parts, meta = [], {}
    for col, domain in scores.items():
        ind = f"{domain}_score"
        if ind in meta:
            notes.add(path.name, f"two columns hold the {domain} score; used the first", column=col)
            continue
        values, bad = to_number(df[col])
        if bad.any():
            notes.add(
                path.name,
                "values that are not numbers were left out",
                column=col,
                rows=file_rows(df.index[bad]),
            )
        parts.append(pd.DataFrame({s.WARD_CODE: codes[keep], s.INDICATOR_ID: ind, s.VALUE: values[keep]}))
        meta[ind] = indicator_meta(ind, release)
    out = pd.concat(parts, ignore_index=True).dropna(subset=[s.VALUE])
    out = out.astype({s.WARD_CODE: "string", s.INDICATOR_ID: "string", s.VALUE: "float64"})
    if ward_codes is not None:
        missing = set(ward_codes) - set(out[s.WARD_CODE])
        if missing:
            notes.add(
                path.name,
                f"{len(missing):,} wards have no {iod} ward score, shown as no data: {examples(sorted(missing))}",
            )
    return out.reset_index(drop=True), meta
