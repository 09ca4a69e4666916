"""Repeat a scenario, time each named step with ``time.perf_counter``, and summarise the samples.

A scenario is a function that takes a :class:`Laps` and runs its steps through
:meth:`Laps.run`; each repeat records one sample per step, so a total over several steps is
summed repeat by repeat (the median of sums, not the sum of medians).
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Stats:
    """Timing samples of one step, in seconds, in the order they were taken."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def minimum(self) -> float:
        return min(self.samples)

    @property
    def maximum(self) -> float:
        return max(self.samples)

    @property
    def quartiles(self) -> tuple[float, float]:
        """(25th, 75th) percentile; both equal the one sample when there is only one."""
        if len(self.samples) < 2:
            return self.samples[0], self.samples[0]
        q = statistics.quantiles(self.samples, n=4, method="inclusive")
        return q[0], q[2]

    def as_dict(self) -> dict[str, Any]:
        """Milliseconds, for the JSON report."""
        q1, q3 = self.quartiles
        ms = [round(x * 1000, 3) for x in self.samples]
        return {
            "median_ms": round(self.median * 1000, 3),
            "q1_ms": round(q1 * 1000, 3),
            "q3_ms": round(q3 * 1000, 3),
            "min_ms": round(self.minimum * 1000, 3),
            "max_ms": round(self.maximum * 1000, 3),
            "samples_ms": ms,
        }


class Laps:
    """Records how long each named step of one scenario takes, repeat after repeat."""

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.recording = True

    def run(self, name: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call ``fn(*args, **kwargs)``, record its wall time under ``name`` and return its result."""
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        elapsed = time.perf_counter() - start
        if self.recording:
            self.samples[name].append(elapsed)
        return result

    def stats(self) -> dict[str, Stats]:
        return {name: Stats(tuple(xs)) for name, xs in self.samples.items()}


def repeat(scenario: Callable[[Laps, int], None], *, repeats: int, warmup: int = 1) -> dict[str, Stats]:
    """Run ``scenario(laps, i)`` ``warmup`` times unrecorded, then ``repeats`` times recorded.

    ``i`` counts the recorded repeats from 0 (warm-up runs get -1), so a scenario can vary its
    input from one repeat to the next, as a user moving a slider would.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, not {repeats}")
    laps = Laps()
    laps.recording = False
    for _ in range(warmup):
        scenario(laps, -1)
    laps.recording = True
    for i in range(repeats):
        scenario(laps, i)
    return laps.stats()


def total(stats: dict[str, Stats], names: Iterable[str]) -> Stats:
    """Per-repeat sum of the steps ``names`` (all must have the same number of samples)."""
    columns = [stats[n].samples for n in names]
    return Stats(tuple(sum(xs) for xs in zip(*columns, strict=True)))
