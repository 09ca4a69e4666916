"""Approved directory listings laid over a pack: the pack every analysis page reads.

:func:`overlay` returns a **new** pack (the published one, often shared by every session, is never
changed) whose services are the published ones plus the directory's approved listings:

* **Same organisation.** A directory organisation is the pack organisation with the same
  ``pack_org_id`` (the pack's ``org_id``), else the same charity number, else the same company
  number (when the pack has company numbers). Its listings in provision **replace** that
  organisation's published services (a register says where a charity is run; the organisation
  says where, what and for whom it delivers). An organisation with no match is **added** to the
  pack, placed at its first site (its map point or postcode; location quality "contact address":
  the site stays a site for the listing's own service rows), else with no point ("area only").
* **How a listing reaches people** (its ``delivery``, see :mod:`sector_map.directory.models`):
  ``sites``: one service row per site at its own point (its map point, else its postcode's
  centroid in the pack's postcode table), reaching its ``reach_km`` (the catchment radius when not
  given), its capacity shared evenly over its sites; ``wards``: the wards it lists (codes not in
  the pack are reported and ignored); ``radius``: its postcode's point and ``radius_km``;
  ``whole_area``: the whole area. A site, or a listing, that cannot be placed is reported and
  left out of provision, never silently dropped.
* **Themes and client groups** are the pack's ids; others are reported and ignored.
* **Provenance** (the optional ``provenance`` column): "described by the organisation, reviewed
  2 Nov 2026" (an imported feed's listing names its feed); a published service's is its source and
  the year of that source in the pack's manifest, e.g. "Charity Commission register of charities,
  2023".
* **The staleness rule** (:func:`sector_map.directory.store.staleness`): a listing confirmed in
  the last 12 months counts in full (``supply_weight`` 1); a *stale* one (not confirmed for 12
  months) counts at :data:`STALE_WEIGHT` (half) of its supply in access, the two-step floating
  catchment figure that sets gap classes (it still counts as one service in the counts, and its
  provenance says it is stale); after 18 months, or with no confirmation date, it is *out of
  provision*: left out, and replacing nothing, until it is confirmed again. Only ``active``
  listings count: an inactive or temporarily closed one is left out like an out-of-provision one.
  Why: ``docs/decisions/0008-directory-in-provision.md``.

Plain Python: the rows come from :meth:`sector_map.directory.store.Store.services`.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import case, func, select

from sector_map.directory.models import SERVICE_NAME, Organisation, Service
from sector_map.directory.store import (
    OUT_OF_PROVISION_AFTER_MONTHS,
    STALE_AFTER_MONTHS,
    months_before,
    staleness,
)
from sector_map.pack import schema as s
from sector_map.pack.io import Pack
from sector_map.pack.values import normalise_postcode

if TYPE_CHECKING:
    from sector_map.analysis.provision import ProvisionOptions
    from sector_map.directory.store import Store

CURRENT, STALE, OUT = "current", "stale", "out of provision"
STALE_WEIGHT = 0.5
WEIGHTS = {CURRENT: 1.0, STALE: STALE_WEIGHT}
DESCRIBED = "described by the organisation"
NEW_ORG_PREFIX = "directory-"  # org_id of an organisation the pack did not have


@dataclass(frozen=True)
class Listing:
    """One approved directory service and its organisation, as plain values."""

    service_id: str
    name: str
    org_id: str
    org_name: str
    themes: tuple[str, ...] = ()
    client_groups: tuple[str, ...] = ()
    delivery: Mapping[str, Any] = field(default_factory=dict)
    capacity: str = ""
    status: str = "active"
    source: str = DESCRIBED
    assured: date | None = None
    charity_number: str | None = None
    company_number: str | None = None
    pack_org_id: str | None = None
    website: str = ""

    @classmethod
    def from_row(cls, service: Service, organisation: Organisation) -> Listing:
        return cls(
            service_id=str(service.id),
            name=str(service.name),
            org_id=str(organisation.id),
            org_name=str(organisation.name),
            themes=tuple(str(t) for t in service.themes or ()),
            client_groups=tuple(str(g) for g in service.client_groups or ()),
            delivery=dict(service.delivery or {}),
            capacity=str(service.capacity or ""),
            status=str(service.status or "active"),
            source=str(service.source or DESCRIBED),
            assured=service.assured_date,
            charity_number=organisation.charity_number,
            company_number=organisation.company_number,
            pack_org_id=organisation.pack_org_id,
            website=str(organisation.url or ""),
        )


def draft_listing(
    fields: Mapping[str, Any], organisation: Organisation, *, service_id: str | None, today: date
) -> Listing:
    """The listing a form's ``fields`` (every service field) describe, as if approved ``today``;
    ``service_id`` is the listed service it edits (None: a new service)."""
    return Listing(
        service_id=service_id or "draft",
        name=str(fields.get(SERVICE_NAME) or "this draft"),
        org_id=str(organisation.id),
        org_name=str(organisation.name),
        themes=tuple(str(x) for x in fields.get("themes") or ()),
        client_groups=tuple(str(x) for x in fields.get("client_groups") or ()),
        delivery=dict(fields.get("delivery") or {}),
        capacity=str(fields.get("capacity") or ""),
        status=str(fields.get("status") or "active"),
        source=DESCRIBED,
        assured=today,
        charity_number=organisation.charity_number,
        company_number=organisation.company_number,
        pack_org_id=organisation.pack_org_id,
        website=str(organisation.url or ""),
    )


def listings(rows: Iterable[tuple[Service, Organisation]]) -> list[Listing]:
    """:class:`Listing` values from :meth:`Store.services` rows."""
    return [Listing.from_row(svc, org) for svc, org in rows]


@dataclass
class Overlay:
    """The overlaid pack and what went into it (for the sidebar and the Review page).

    Attributes:
        pack: the new pack (the published one when there is nothing to lay over).
        added: listings in provision whose organisation is new to the pack.
        replacing: listings in provision of organisations the pack has (their published services go).
        organisations_replaced: pack organisations whose published services were replaced.
        stale: listings counted at :data:`STALE_WEIGHT`.
        out_of_provision: listings left out: not confirmed for 18 months, or not active.
        problems: plain sentences on what could not be used (unplaceable sites, unknown themes...).
    """

    pack: Pack
    added: int = 0
    replacing: int = 0
    organisations_replaced: int = 0
    stale: int = 0
    out_of_provision: int = 0
    problems: list[str] = field(default_factory=list)


def state_of(listing: Listing, today: date) -> str:
    """``"current"``, ``"stale"`` or ``"out of provision"`` (not active counts as out)."""
    if listing.status != "active":
        return OUT
    return staleness(listing.assured, today)


def provenance(listing: Listing, state: str = CURRENT) -> str:
    """E.g. "described by the organisation, reviewed 2 Nov 2026"; a stale one says so.

    Example:
        >>> provenance(Listing("s1", "Club", "o1", "Org", assured=date(2026, 11, 2)))
        'described by the organisation, reviewed 2 Nov 2026'
    """
    who = DESCRIBED if listing.source.startswith(DESCRIBED) else listing.source
    when = f"reviewed {listing.assured.day} {listing.assured:%b %Y}" if listing.assured else "never reviewed"
    return f"{who}, {when}" + ("; stale: counted at half" if state == STALE else "")


def source_years(pack: Pack) -> dict[str, str]:
    """Each published service source → its provenance ("source, year" when the manifest says).

    A service's source is matched to the manifest source whose title it is or contains
    ("Charity Commission register of charities" ↔ "Register of charities"); the year is the first
    year in that source's vintage.
    """
    out: dict[str, str] = {}
    titles = [(str(m.get("title", "")).lower(), str(m.get("vintage", ""))) for m in pack.sources]
    for source in pd.unique(pack.services[s.SOURCE].dropna().astype(str)):
        low = source.lower()
        year = ""
        for title, vintage in titles:
            if title and (title == low or title in low or low in title):
                found = re.search(r"(?:19|20)\d\d", vintage)
                if found:
                    year = found.group(0)
                    break
        out[source] = f"{source}, {year}" if year else source
    return out


def _number(value: object) -> str | None:
    """A charity or company number in one form (no spaces, upper case, leading zeros kept)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    text = re.sub(r"\s+", "", str(value)).upper()
    return text or None


class _Linker:
    """Finds the pack organisation a directory organisation is (indexed once per pack)."""

    def __init__(self, pack: Pack) -> None:
        from sector_map.analysis.places import per_pack

        self.ids, self.by_number, self.by_company = per_pack(pack, "directory_linker", _link_index)

    def find(self, listing: Listing) -> str | None:
        if listing.pack_org_id and str(listing.pack_org_id) in self.ids:
            return str(listing.pack_org_id)
        for key, index in (
            (listing.charity_number, self.by_number),
            (listing.company_number, self.by_company),
        ):
            number = _number(key)
            if number and number in index:
                return index[number]
        return None


def _numbers(values: pd.Series) -> pd.Series:
    """:func:`_number` of a whole column."""
    text = values.astype("string").str.replace(r"\s+", "", regex=True).str.upper()
    return text.where(text.str.len() > 0)


def _link_index(pack: Pack) -> tuple[frozenset[str], dict[str, str], dict[str, str]]:
    """The pack's org ids, and org id by charity number and by company number (the first of each)."""
    orgs = pack.organisations
    ids = orgs[s.ORG_ID].astype(str).tolist()

    def by(column: str) -> dict[str, str]:
        if column not in orgs:
            return {}
        found: dict[str, str] = {}
        for key, org_id in zip(_numbers(orgs[column]).tolist(), ids, strict=True):
            if isinstance(key, str):
                found.setdefault(key, org_id)
        return found

    return frozenset(ids), by(s.CHARITY_NUMBER), by(s.COMPANY_NUMBER)


_POSTCODE = re.compile(r"^(?:[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}|GIR0AA)$")


def postcode_key(text: object) -> str | None:
    """A postcode as the pack writes it ("M31 4FL"), or None when it is not postcode-shaped.

    Example:
        >>> postcode_key(" m314fl "), postcode_key("not one")
        ('M31 4FL', None)
    """
    if not text:
        return None
    code = re.sub(r"\s+", "", str(text)).upper()
    return f"{code[:-3]} {code[-3:]}" if _POSTCODE.match(code) else None


class _Postcodes:
    """The pack's postcode centroids, looked up by any spelling of a postcode.

    The table is indexed once per pack (a national pack has over a million postcodes)."""

    def __init__(self, pack: Pack) -> None:
        from sector_map.analysis.places import per_pack

        self.index, self.lon, self.lat = per_pack(pack, "directory_postcodes", _postcode_index)

    def point(self, postcode: object) -> tuple[float, float] | None:
        code = postcode_key(postcode)
        if code is None:
            return None
        try:
            i = self.index.get_loc(code)  # unique: an int, looked up in the index's hash table
        except KeyError:
            return None
        if not isinstance(i, int) or not (math.isfinite(self.lon[i]) and math.isfinite(self.lat[i])):
            return None
        return float(self.lon[i]), float(self.lat[i])


def _postcode_index(pack: Pack) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    table = pack.postcodes
    if table is None or not len(table) or not {s.POSTCODE, s.LON, s.LAT} <= set(table.columns):
        return pd.Index([], dtype=object), np.empty(0), np.empty(0)
    codes = pd.Index(normalise_postcode(table[s.POSTCODE]).astype(object))
    lon = pd.to_numeric(table[s.LON], errors="coerce").to_numpy("float64", na_value=np.nan)
    lat = pd.to_numeric(table[s.LAT], errors="coerce").to_numpy("float64", na_value=np.nan)
    first = ~codes.duplicated()
    return codes[first], lon[first], lat[first]


def _float(value: object) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return out if math.isfinite(out) else math.nan


def _site_point(site: Mapping[str, Any], postcodes: _Postcodes) -> tuple[float, float] | None:
    lat, lon = _float(site.get("latitude")), _float(site.get("longitude"))
    if not (math.isnan(lat) or math.isnan(lon)):
        return lon, lat
    return postcodes.point(site.get("postcode"))


def _rows_for(
    listing: Listing, org_id: str, wards: set[str], postcodes: _Postcodes, problems: list[str]
) -> list[dict[str, Any]]:
    """The pack service rows of one listing (without provenance and weight)."""
    themes = [t for t in listing.themes if t in s.THEMES_BY_ID]
    groups = [g for g in listing.client_groups if g in s.CLIENT_GROUP_IDS]
    name = listing.name
    unknown = [t for t in listing.themes if t not in s.THEMES_BY_ID]
    if unknown:
        problems.append(f"{name!r}: themes not known to the pack ignored: {', '.join(unknown)}")
    unknown = [g for g in listing.client_groups if g not in s.CLIENT_GROUP_IDS]
    if unknown:
        problems.append(f"{name!r}: client groups not known to the pack ignored: {', '.join(unknown)}")
    capacity = _float(listing.capacity)
    base = {
        s.ORG_ID: org_id,
        s.SERVICE_NAME: name,
        s.THEMES: themes,
        s.CLIENT_GROUPS: groups,
        s.CAPACITY: capacity,
        s.AREA_WARDS: [],
        s.RADIUS_KM: math.nan,
        s.SOURCE: listing.source,
        s.LON: math.nan,
        s.LAT: math.nan,
        s.LISTING_ID: listing.service_id,
    }
    delivery = listing.delivery or {}
    mode = delivery.get("mode", "whole_area")
    sid = f"dir-{listing.service_id}"
    if mode == "sites":
        sites = list(delivery.get("sites") or [])
        placed = []
        for k, site in enumerate(sites, start=1):
            point = _site_point(site, postcodes)
            if point is None:
                where = site.get("postcode") or "no postcode"
                problems.append(
                    f"{name!r}: site {k} ({where}) is not in this pack's postcode table and has no map "
                    "point, so it is left out of provision"
                )
                continue
            placed.append((point, _float(site.get("reach_km"))))
        share = capacity / len(placed) if placed and not math.isnan(capacity) else math.nan
        return [
            base
            | {
                s.SERVICE_ID: sid if len(placed) == 1 else f"{sid}-site{k}",
                s.AREA_TYPE: s.AREA_RADIUS,
                s.RADIUS_KM: reach if reach > 0 else math.nan,
                s.LON: point[0],
                s.LAT: point[1],
                s.CAPACITY: share,
            }
            for k, (point, reach) in enumerate(placed, start=1)
        ]
    if mode == "wards":
        listed = [str(w) for w in delivery.get("wards") or []]
        known = [w for w in listed if w in wards]
        if len(known) < len(listed):
            problems.append(
                f"{name!r}: wards not in this pack ignored: {', '.join(w for w in listed if w not in wards)}"
            )
        if not known:
            problems.append(f"{name!r} lists no ward of this pack, so it is left out of provision")
            return []
        return [base | {s.SERVICE_ID: sid, s.AREA_TYPE: s.AREA_WARDS_LIST, s.AREA_WARDS: known}]
    if mode == "radius":
        point = postcodes.point(delivery.get("postcode"))
        if point is None:
            problems.append(
                f"{name!r}: its postcode ({delivery.get('postcode') or 'none'}) is not in this pack's "
                "postcode table, so it is left out of provision"
            )
            return []
        reach = _float(delivery.get("radius_km"))
        return [
            base
            | {
                s.SERVICE_ID: sid,
                s.AREA_TYPE: s.AREA_RADIUS,
                s.RADIUS_KM: reach if reach > 0 else math.nan,
                s.LON: point[0],
                s.LAT: point[1],
            }
        ]
    return [base | {s.SERVICE_ID: sid, s.AREA_TYPE: s.AREA_WHOLE}]


def _first_place(listing: Listing, postcodes: _Postcodes) -> tuple[str | None, tuple[float, float] | None]:
    """The postcode and point of a listing's first site that can be placed (or of its radius)."""
    delivery = listing.delivery or {}
    if delivery.get("mode") == "radius":
        return delivery.get("postcode") or None, postcodes.point(delivery.get("postcode"))
    for site in delivery.get("sites") or []:
        point = _site_point(site, postcodes)
        if point is not None:
            return (str(site["postcode"]) if site.get("postcode") else None), point
    return None, None


def _new_organisations(
    pack: Pack, new: dict[str, list[Listing]], postcodes: _Postcodes, rows: list[dict[str, Any]]
) -> gpd.GeoDataFrame:
    """One pack organisation per directory organisation the pack did not have."""
    columns = list(pack.organisations.columns)
    records = []
    by_org: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_org.setdefault(row[s.ORG_ID], []).append(row)
    for org_id, group in new.items():
        first = group[0]
        postcode, point = next(
            (place for place in (_first_place(g, postcodes) for g in group) if place[1] is not None),
            (None, None),
        )
        mine = by_org.get(org_id, [])
        themes = [t for t in s.THEME_IDS if any(t in r[s.THEMES] for r in mine)]
        groups = [g for g in s.CLIENT_GROUP_IDS if any(g in r[s.CLIENT_GROUPS] for r in mine)]
        records.append(
            dict.fromkeys(columns)
            | {
                s.ORG_ID: org_id,
                s.ORG_NAME: first.org_name,
                s.ORG_KIND: "other",
                s.CHARITY_NUMBER: _number(first.charity_number),
                s.INCOME: math.nan,
                s.SIZE_BAND: s.SIZE_BAND_UNKNOWN,
                s.POSTCODE: postcode_key(postcode),
                s.WEBSITE: first.website or None,
                s.THEMES: themes,
                s.CLIENT_GROUPS: groups,
                s.LOCATION_QUALITY: s.LOCATION_CONTACT if point else s.LOCATION_AREA_ONLY,
                s.SOURCE: DESCRIBED,
                s.GEOMETRY: shapely.Point(point) if point else shapely.Point(),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=columns)
    return gpd.GeoDataFrame(frame, geometry=s.GEOMETRY, crs=s.PACK_CRS)


def overlay(pack: Pack, given: Sequence[Listing], *, today: date | None = None, stamp: str = "") -> Overlay:
    """The pack with the approved listings ``given`` laid over it (see the module docstring).

    ``stamp`` names the directory's state (:func:`stamp`); the new pack carries it in
    ``Pack.overlay`` so caches keyed on it never mix results with and without the directory.
    """
    today = today or datetime.now(UTC).date()
    result = Overlay(pack)
    if not given:
        return result
    linker = _Linker(pack)
    postcodes = _Postcodes(pack)
    wards = set(pack.wards[s.WARD_CODE].astype(str).tolist())
    rows: list[dict[str, Any]] = []
    replaced: set[str] = set()
    new: dict[str, list[Listing]] = {}
    for listing in given:
        state = state_of(listing, today)
        if state == OUT:
            result.out_of_provision += 1
            continue
        linked = linker.find(listing)
        org_id = linked or f"{NEW_ORG_PREFIX}{listing.org_id}"
        mine = _rows_for(listing, org_id, wards, postcodes, result.problems)
        if not mine:
            continue
        result.stale += state == STALE
        text = provenance(listing, state)
        for row in mine:
            row[s.PROVENANCE], row[s.SUPPLY_WEIGHT] = text, WEIGHTS[state]
        rows.extend(mine)
        if linked:
            replaced.add(linked)
            result.replacing += 1
        else:
            new.setdefault(org_id, []).append(listing)
            result.added += 1
    result.organisations_replaced = len(replaced)
    published = pack.services
    if replaced:
        published = published[~published[s.ORG_ID].isin(list(replaced)).to_numpy()]
    published = published.copy()
    codes, sources = pd.factorize(published[s.SOURCE], use_na_sentinel=True)
    said = source_years(pack)
    texts = np.array([said.get(str(v), str(v)) for v in sources] + [""], dtype=object)
    published[s.PROVENANCE] = texts[codes]  # -1 (no source) picks the last: ""
    published[s.SUPPLY_WEIGHT] = 1.0
    published[s.LISTING_ID] = ""
    if rows:
        for column in (s.LON, s.LAT):  # a listing's site has a point of its own
            if column not in published:
                published[column] = np.nan
        listed = pd.DataFrame.from_records(rows, columns=list(published.columns))
        # listings first: where services tie (two inside a ward), reasons name the organisation's own first
        services = pd.concat([listed, published], ignore_index=True)
    else:
        services = published
    organisations = pack.organisations
    if new:
        organisations = pd.concat(
            [organisations, _new_organisations(pack, new, postcodes, rows)], ignore_index=True
        )
    result.pack = dataclasses.replace(pack, services=services, organisations=organisations, overlay=stamp)
    return result


def stamp(store: Store, today: date | None = None) -> str:
    """A cheap name for the directory's approved listings as of today (one small query): how many,
    the last change, and how many are current and how many in provision under the staleness rule (a
    confirmation changes only the date it was confirmed). Empty when there are none, so a pack
    without listings keeps its key."""
    today = today or datetime.now(UTC).date()
    stale_from = months_before(today, STALE_AFTER_MONTHS)
    out_from = months_before(today, OUT_OF_PROVISION_AFTER_MONTHS)

    def since(day: date) -> Any:  # how many listings were confirmed on or after ``day``
        return func.sum(case((Service.assured_date >= day, 1), else_=0))

    with store.transaction() as session:
        count, last, current, kept = session.execute(
            select(func.count(), func.max(Service.last_modified), since(stale_from), since(out_from)).where(
                Service.version > 0
            )
        ).one()
    if not count:
        return ""
    return f"{count}@{last.isoformat() if last else ''}@{current or 0}/{kept or 0}@{today.isoformat()}"


def preview(
    pack: Pack,
    approved: Sequence[Listing],
    draft: Sequence[Listing],
    themes: Sequence[str],
    *,
    today: date | None = None,
    options: ProvisionOptions | None = None,
) -> pd.DataFrame:
    """How the ``draft`` listings would change the gaps for ``themes``: the wards whose gap class or
    located provision changes, when they are approved on top of the ``approved`` ones.

    A draft listing with the service id of an approved one stands in for it. Columns: ward code
    (index), ward name, class before and after, located provision before and after (the Gaps
    page's default measure, access), and the reason after.
    """
    from sector_map.analysis import tables

    ids = {d.service_id for d in draft}
    before = overlay(pack, approved, today=today).pack
    after = overlay(pack, [a for a in approved if a.service_id not in ids] + list(draft), today=today).pack
    old = tables.gap_table_for(before, list(themes), options=options).table
    new = tables.gap_table_for(after, list(themes), options=options).table.reindex(old.index)
    changed = (old[s.GAP_CLASS] != new[s.GAP_CLASS]) | ~np.isclose(
        old[s.PROVISION].astype(float).fillna(-1), new[s.PROVISION].astype(float).fillna(-1)
    )
    return pd.DataFrame(
        {
            s.WARD_NAME: old[s.WARD_NAME],
            "class_before": old[s.GAP_CLASS],
            "class_after": new[s.GAP_CLASS],
            "provision_before": old[s.PROVISION],
            "provision_after": new[s.PROVISION],
            s.REASON: new[s.REASON],
        }
    )[changed.to_numpy()]
