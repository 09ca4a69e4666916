"""How values in a pack are written and read: list cells, UK postcodes, numbers with their units.

Small helpers every layer shares, so that a postcode, a theme list or "23.4%" means the same in an
importer, in the analysis and on a page.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd


def as_list(value: object) -> list:
    """A list column's cell as a Python list: lists, tuples and numpy arrays (how Parquet hands
    list columns back) keep their items; anything else (None, NaN, a stray string) is empty.

    Example:
        >>> as_list(np.array(["poverty_food"], dtype=object)), as_list(("a", "b")), as_list(None)
        (['poverty_food'], ['a', 'b'], [])
    """
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return list(value)
    return []


# UK postcode shape once spaces are removed: outward A9, A99, AA9, AA99, A9A or AA9A; inward 9AA.
_POSTCODE_SHAPE = r"^(?:[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}|GIR0AA)$"


def normalise_postcode(values: pd.Series) -> pd.Series:
    """UK postcodes in one form, ``"OUTWARD INWARD"``; anything not postcode-shaped becomes <NA>.

    Example:
        >>> normalise_postcode(pd.Series(["m329af", "M32  9AF", " M32 9AF ", "not one", None])).tolist()
        ['M32 9AF', 'M32 9AF', 'M32 9AF', <NA>, <NA>]
    """
    text = values.astype("string").str.upper().str.replace(r"\s+", "", regex=True)
    ok = text.str.match(_POSTCODE_SHAPE).fillna(False).astype(bool)
    out = text.str[:-3] + " " + text.str[-3:]
    return out.where(ok).astype("string")  # a string column fills the rest with <NA>


def is_postcode(values: pd.Series) -> pd.Series:
    """True where a value has the shape of a UK postcode (whether or not it exists); False for <NA>.

    Tells ``NOTAPOSTCODE`` or ``M32 9A`` (a typo) from a real-looking postcode that is simply
    not in the area's postcode table.

    Example:
        >>> is_postcode(pd.Series(["m32 9af", "NOTAPOSTCODE", "ZZ9 9ZZ", None])).tolist()
        [True, False, True, False]
    """
    return normalise_postcode(values).notna().astype(bool)


def format_number(x: float, decimals: int) -> str:
    """``12345.678, 1`` -> ``"12,345.7"``; avoids ``"-0.0"``."""
    text = f"{x:,.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text


_SILENT_UNITS = {"", "score", "rank", "index", "need index", "ratio", "number", "count"}


def format_value(
    value: float | None, *, unit: str = "", value_format: str | Callable[[float], str] | None = None
) -> str:
    """A number as a person reads it: ``"12,345"``, ``"23.4%"``, ``"£1,200"``, ``"78.5 years"``.

    Args:
        value: the number; missing gives ``"no data"``.
        unit: the indicator's unit; ``%`` and ``£`` attach to the number, words follow it,
            and units that go without saying (score, rank, index) are left out.
        value_format: a ``str.format`` pattern such as ``"{:,.2f}"`` or a function; by default
            decimals follow the size of the number (none for ranks and whole numbers).
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    x = float(value)
    u = unit.strip()
    if u.lower().startswith("proportion"):
        # IoD "rate" domains are proportions; people read them as percentages.
        return f"{format_number(x * 100, 1)}%"
    if value_format is None:
        whole = x.is_integer() or "rank" in u.lower()
        decimals = 0 if whole or abs(x) >= 100 else 1 if abs(x) >= 1 else 2
        text = format_number(x, decimals)
    elif callable(value_format):
        text = value_format(x)
    else:
        text = value_format.format(x)
    if u in ("%", "percent", "per cent"):
        return f"{text}%"
    if u in ("£", "GBP", "pounds"):
        return f"-£{text[1:]}" if text.startswith("-") else f"£{text}"
    if u.lower().split("(")[0].strip() in _SILENT_UNITS:
        return text
    return f"{text} {u}"


def value_format_for(values: pd.Series, *, unit: str = "") -> str:
    """One number format for a whole indicator, so every ward shows the same decimals.

    Whole numbers and ranks get none; otherwise the typical size of the values decides
    (``"{:,.0f}"`` from 100 up, ``"{:,.1f}"`` from 1, else ``"{:,.2f}"``).
    """
    x = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype="float64")
    if x.size == 0 or "rank" in unit.lower() or bool(np.all(np.mod(x, 1) == 0)):
        return "{:,.0f}"
    typical = float(np.median(np.abs(x)))
    return "{:,.0f}" if typical >= 100 else "{:,.1f}" if typical >= 1 else "{:,.2f}"
