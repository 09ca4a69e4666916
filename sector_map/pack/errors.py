"""What the readers tell users: :class:`InputError` (the file cannot be used) and :class:`Notes`.

Both name the file, the column and the *file* rows (header = row 1, first record = row 2).
:mod:`sector_map.importers.tables` re-exports them; importers import them from there.
"""

from __future__ import annotations

from collections.abc import Iterable

from sector_map.pack.validate import Problem

__all__ = ["MAX_EXAMPLES", "InputError", "Notes", "examples", "file_rows"]

MAX_EXAMPLES = 5


class InputError(ValueError):
    """An input file that cannot be used; the message names file, column, rows and what to do."""

    def __init__(
        self,
        file: str,
        text: str,
        *,
        column: str | None = None,
        rows: tuple[int, ...] | list[int] = (),
        hint: str | None = None,
    ):
        self.problem = Problem(file, text, column, tuple(int(r) for r in rows))
        self.hint = hint
        msg = self.problem.message()
        super().__init__(msg + (f". {hint}" if hint else ""))


class Notes(list):
    """Warnings gathered while importing: the file can be used, but the user should know."""

    def add(
        self, file: str, text: str, *, column: str | None = None, rows: Iterable[int] = (), limit: int = 50
    ) -> None:
        self.append(Problem(file, text, column, tuple(int(r) for r in list(rows)[:limit])))


def file_rows(index: Iterable[int]) -> list[int]:
    """File row numbers (header = row 1) for positional index labels 0, 1, ..."""
    return [int(i) + 2 for i in index]


def examples(values: Iterable[object], n: int = MAX_EXAMPLES) -> str:
    """'a, b, c and 4 more' for messages."""
    texts = [str(v) for v in values]
    more = f" and {len(texts) - n} more" if len(texts) > n else ""
    return ", ".join(texts[:n]) + more
