"""Warming a pack's caches in a background thread when it is opened, once per pack.

At national scale the per-pack work (the provision context, the organisation and service tables,
need and gaps for every theme) takes a minute or more, once. :func:`start` begins it in a daemon
thread of plain Python as soon as a pack is opened, so that by the time a user reaches the Gaps
page, Where we fit or the Ward profile it is done or under way. The results are kept where the
analysis keeps them anyway (:func:`sector_map.analysis.places.per_pack`, with the pack), whose
locks make a page that asks for a result the thread is building wait for that build instead of
starting a second one. A pack is warmed at most once however many sessions open it at once.

With the live directory over a pack, each approval makes a new pack (docs/decisions/0008, "Cost
of an approval"): a superseded one's warm-up is stopped (:func:`stop`) and, on a national pack,
only the Gaps page's part of the new one is warmed (:func:`lazily`).
"""

from __future__ import annotations

import logging
import threading

from sector_map.analysis.places import kept, offered_themes, places
from sector_map.analysis.provision import ProvisionOptions, provision_context
from sector_map.analysis.tables import THEME_GAPS, need_and_gap_by_theme, theme_gaps
from sector_map.pack.io import Pack

_GUARD = threading.Lock()
_THREAD = "_warming_thread"
_STOPPED = "_warming_stopped"
_LAZY = "_warming_lazy"
LAZY_WARDS = 2000  # a region or the country; a borough or a city region is warmed in full
log = logging.getLogger(__name__)

# What is warmed, in order: the Gaps page needs only the first; the Ward profile and Where we fit
# need all four.
STEPS = (
    "the provision of every service",
    "the organisation and service tables",
    "need and gaps for every theme",
    "where organisations are and whose services reach each ward",
)


def warm(pack: Pack, options: ProvisionOptions | None = None) -> None:
    """Work out (or find kept) the pack's per-pack results for ``options`` (default catchment).

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> pack = tiny_pack()
        >>> ready(pack)
        False
        >>> warm(pack)
        >>> ready(pack)
        True
    """
    options = options or ProvisionOptions()
    steps = [
        lambda: provision_context(pack, options),
        lambda: places(pack),
        lambda: theme_gaps(pack, options=options),
        lambda: need_and_gap_by_theme(pack, options=options),
        lambda: places(pack).warm(),
        lambda: offered_themes(pack),
    ]
    for step in steps[:1] if lazy(pack) else steps:
        if stopped(pack):  # superseded (a newer directory stamp): nobody will read the rest
            return
        step()


def lazily(pack: Pack) -> None:
    """Warm only the Gaps page's part of ``pack`` when it is a national one (see :func:`lazy`)."""
    pack.__dict__[_LAZY] = True


def lazy(pack: Pack) -> bool:
    """Whether only the Gaps page's part (the provision context) is warmed: on a pack marked
    :func:`lazily` (the live directory over a pack, made anew by an approval) with more than
    :data:`LAZY_WARDS` wards. Warming need and gaps for every theme and the organisation indexes
    for each approval would cost a national pack's full warm-up (half a minute of both cores, half a
    gigabyte) per approval, for pages few users open between two approvals: they are worked out
    when a page asks, under its spinner."""
    return bool(pack.__dict__.get(_LAZY)) and len(pack.wards) > LAZY_WARDS


def stop(pack: Pack) -> None:
    """Stop warming ``pack`` after the step under way (its results are still worked out when asked).

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> pack = tiny_pack()
        >>> stop(pack)
        >>> warm(pack)
        >>> ready(pack)
        False
    """
    pack.__dict__[_STOPPED] = True


def stopped(pack: Pack) -> bool:
    """Whether :func:`stop` was called for ``pack``."""
    return bool(pack.__dict__.get(_STOPPED))


def ready(pack: Pack, options: ProvisionOptions | None = None) -> bool:
    """Whether need and gaps for every theme, and the indexes (the last step), are kept for the pack."""
    return kept(pack, (THEME_GAPS, options or ProvisionOptions())) and indexed(pack)


def indexed(pack: Pack) -> bool:
    """Whether the pack's organisation and service indexes (:meth:`sector_map.analysis.places.Places.warm`) are built."""
    return kept(pack, "places") and places(pack).warmed


def start(pack: Pack, options: ProvisionOptions | None = None) -> threading.Thread:
    """The thread warming the pack: started by the first call for a pack, the same one after.

    A failure is logged and left for the page that needs the result to meet (and show) itself.
    """
    with _GUARD:
        thread = pack.__dict__.get(_THREAD)
        if thread is None:
            thread = threading.Thread(
                target=_run, args=(pack, options), name=f"warm {pack.path or pack.name}", daemon=True
            )
            pack.__dict__[_THREAD] = thread
            thread.start()
    return thread


def _run(pack: Pack, options: ProvisionOptions | None) -> None:
    try:
        warm(pack, options)
    except Exception:  # the page asking for the result works it out again and shows the error
        log.exception("warming %s failed", pack.path or pack.name)
