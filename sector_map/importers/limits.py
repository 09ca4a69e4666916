"""How much of a file the readers will take: unzipped bytes, rows, columns, characters in a cell.

Uploads on the Data page are read under :data:`UPLOAD`-sized limits (set per kind of data by
:mod:`sector_map.upload`); ``build-pack`` reads under :data:`BUILD`, which only stops files no
real source comes near. The readers check the limits *while* they stream a file, so a 3 MB
gzip that unzips to 1.5 GB stops at the limit instead of filling the memory.

The limits in force are a context variable (each Streamlit session runs in its own thread, so
one session's limits never leak into another's)::

    with reading_limits(UPLOAD):
        df = read_table(path)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

__all__ = ["BUILD", "UPLOAD", "UPLOAD_FIGURES", "Limits", "current_limits", "reading_limits"]


@dataclass(frozen=True)
class Limits:
    """The most a reader takes from one file, and what to tell someone whose file is bigger."""

    bytes: int
    rows: int
    columns: int
    cell_chars: int
    # A physical line longer than this is no table row (and would be held whole while parsed).
    line_bytes: int = 64_000_000
    # Who the limit is for, in messages ("the most an upload can have").
    label: str = "a file read by build-pack"
    # Said after every "over the limit" message: how else to get a bigger file in.
    elsewhere: str = ""
    # Cache parsed tables (uploads: the page reruns; build-pack reads each file once).
    cache: bool = False

    def mb(self) -> str:
        return f"{self.bytes / 1_000_000:,.0f} MB"


# Why these numbers: see README.md, "Upload limits". Excel itself stops at 1,048,576 rows,
# 16,384 columns and 32,767 characters in a cell.
UPLOAD = Limits(
    bytes=200_000_000,
    rows=100_000,
    columns=1_000,
    cell_chars=32_767,
    line_bytes=2_000_000,
    label="an upload",
    elsewhere="or build the pack with `python -m sector_map build-pack`, which takes bigger files",
    cache=True,
)
# Ward figures: a long table (one row per ward and figure) for England's 7,219 wards.
UPLOAD_FIGURES = replace(UPLOAD, rows=250_000)
BUILD = Limits(bytes=8_000_000_000, rows=20_000_000, columns=16_384, cell_chars=1_000_000)

_LIMITS: ContextVar[Limits] = ContextVar("sector_map_reading_limits", default=BUILD)


def current_limits() -> Limits:
    """The limits readers apply now (:data:`BUILD` unless inside :func:`reading_limits`)."""
    return _LIMITS.get()


@contextmanager
def reading_limits(limits: Limits) -> Iterator[Limits]:
    """Apply ``limits`` to every read inside the ``with`` block (this thread only)."""
    token = _LIMITS.set(limits)
    try:
        yield limits
    finally:
        _LIMITS.reset(token)
