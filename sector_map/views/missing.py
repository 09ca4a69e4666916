"""What a pack lacks for a page, in plain words that say how to add it (no streamlit here).

Each function returns a message, or None when the pack has what the page needs. Pages show the
message instead of a table, map or number the data cannot support.
"""

from __future__ import annotations

from collections.abc import Sequence

from sector_map.analysis import gaps, service_reach
from sector_map.analysis.places import offered_themes
from sector_map.pack import schema as s
from sector_map.pack.io import Pack

ADD_ORGANISATIONS = (
    "Add a list on the Data page (Add your own data → Organisations): a CSV or Excel file with a name "
    "and postcode for each organisation, and a themes or activities column so its services can be placed"
)
ADD_INDICATORS = (
    "Add ward figures on the Data page (Add your own data → Ward figures / indicators): a CSV with a "
    "ward code column (E05…) and one column per figure"
)
ADD_ASSETS = (
    "Add them on the Data page (Add your own data → Community buildings and land): a CSV with a name "
    "and a postcode or coordinates for each"
)


def _labels(themes: Sequence[str]) -> str:
    return " + ".join(s.THEMES_BY_ID[t].label for t in themes if t in s.THEMES_BY_ID)


def no_indicators(pack: Pack) -> str | None:
    """The pack holds no ward figures at all (e.g. a pack made from uploaded boundaries)."""
    if pack.indicator_meta:
        return None
    return (
        f"{pack.name} has no ward figures (indicators) yet, so there is no need to map or compare. "
        f"{ADD_INDICATORS}."
    )


def no_theme_indicators(pack: Pack) -> str | None:
    """No indicator is linked to a theme, so no theme has a need index (and no gap)."""
    missing = no_indicators(pack)
    if missing or any(m.themes for m in pack.indicator_meta.values()):
        return missing
    n = len(pack.indicator_meta)
    return (
        f"None of this pack's {n} indicator{'s' if n != 1 else ''} is linked to a theme, so no theme has "
        "a need index to compare with provision. Themes are matched from a figure's name (e.g. 'child "
        f"poverty' → Children and young people). {ADD_INDICATORS}; the Need map shows each figure on its own."
    )


def one_ward(pack: Pack) -> str | None:
    """A pack of a single ward: need scores and ranks compare wards, so they say nothing here."""
    if len(pack.wards) != 1:
        return None
    return (
        f"{pack.name} has only one ward, so need scores and ranks (which compare wards within the area) "
        "say nothing about it: read its own figures in the Indicator view or on its Ward profile, or add "
        "the neighbouring wards' boundaries on the Data page (Add your own data → Ward boundaries)."
    )


def no_organisations(pack: Pack) -> str | None:
    """The pack lists no organisations (e.g. the England pack, or uploaded boundaries)."""
    if len(pack.organisations):
        return None
    return (
        f"This pack has no organisations yet, so there is no provision to compare with need. "
        f"{ADD_ORGANISATIONS}."
    )


def no_provision(pack: Pack, themes: Sequence[str] = ()) -> str | None:
    """Why the pack has no provision to compare with need for ``themes`` (any theme if empty)."""
    missing = no_organisations(pack)
    if missing:
        return missing
    n_orgs = len(pack.organisations)
    if not len(pack.services):
        return (
            f"This pack's {n_orgs:,} organisations list no services, so there is no provision to compare "
            f"with need. {ADD_ORGANISATIONS}."
        )
    offered = offered_themes(pack)
    if not offered:
        return (
            f"None of this pack's {len(pack.services):,} services has a theme, so none can be counted as "
            f"provision for a need. {ADD_ORGANISATIONS}."
        )
    if themes and not offered & set(themes):
        return (
            f"No service in this pack offers {_labels(themes)}, so there is no provision of it to compare "
            f"with need. Choose another theme, or {ADD_ORGANISATIONS[0].lower()}{ADD_ORGANISATIONS[1:]}."
        )
    return None


def unclassed_gaps(pack: Pack, themes: Sequence[str], result: gaps.GapResult) -> str | None:
    """Why gaps (:func:`sector_map.analysis.gaps.gap_table`) give no ward a class, or None."""
    reason = gaps.unclassed_reason(result.table)
    if reason is None:
        return None
    if reason == gaps.TOO_FEW_WARDS:
        n = int(result.table[s.NEED].notna().sum())
        return (
            f"Only {n} ward{'s' if n != 1 else ''} of {pack.name} {'has' if n == 1 else 'have'} need data "
            f"for {_labels(themes)}, so wards cannot be placed in thirds of need and provision (at least "
            f"{gaps.MIN_WARDS} are needed). The Need map shows each ward's figures."
        )
    if reason == gaps.NO_DATA:
        return (
            f"No ward of {pack.name} has need data for {_labels(themes)}, so there is no need to compare "
            f"with provision. {ADD_INDICATORS}."
        )
    return no_provision(pack, themes) or provision_not_known(pack, themes, result)


ADD_SITES = "Add a service list with sites to see gaps"


def provision_not_known(pack: Pack, themes: Sequence[str], result: gaps.GapResult) -> str | None:
    """The plain statement shown above a gap table whose provision cannot tell wards apart.

    E.g. "Provision data cannot tell Trafford's wards apart for children and young people: 203 of
    203 services serve the whole area; wards are ranked by need only. Add a service list with sites
    to see gaps." None when the table's wards are classed (or unclassed for another reason).
    """
    if gaps.unclassed_reason(result.table) != gaps.PROVISION_UNKNOWN:
        return None
    label = _labels(themes)
    label = label[:1].lower() + label[1:]
    owner = f"{pack.name}'" if pack.name.endswith("s") else f"{pack.name}'s"
    n = gaps.services_count(result)
    total = n["total"]
    parts = [
        (n.get(service_reach.REACH_WHOLE, 0), "serve{s} the whole area"),
        (
            n.get(service_reach.REACH_CONTACT, 0),
            "{are} known only by a contact address (where a charity is run, not where it works)",
        ),
        (n.get(service_reach.REACH_NONE, 0), "{have} no location"),
    ]
    said: list[str] = []
    for count, verb in parts:
        if count:
            one = count == 1
            words = verb.format(
                s="s" if one else "", are="is" if one else "are", have="has" if one else "have"
            )
            said.append(f"{count} of {total} services {words}" if not said else f"{count} {words}")
    located = n["located"]
    of = "" if said else f" of {total} services"
    if located and located < gaps.MIN_LOCATED:
        said.append(f"only {located}{of} {'has' if located == 1 else 'have'} a site or listed wards")
    elif located:
        said.append(f"the {located}{of} with a site or listed wards reach every ward alike")
    if not total:
        said = ["no service in this pack offers it" if len(themes) == 1 else "no service offers them"]
    return (
        f"Provision data cannot tell {owner} wards apart for {label}: {'; '.join(said)}; wards are "
        f"ranked by need only. {ADD_SITES}."
    )


def no_assets(pack: Pack) -> str | None:
    """The pack lists no community buildings or land."""
    if len(pack.assets):
        return None
    return f"This pack has no community buildings or land. {ADD_ASSETS}."


def no_income(pack: Pack) -> str | None:
    """No organisation in the pack has a known income, so size bands say nothing."""
    orgs = pack.organisations
    if not len(orgs) or orgs[s.SIZE_BAND].fillna(s.SIZE_BAND_UNKNOWN).ne(s.SIZE_BAND_UNKNOWN).any():
        return None
    return (
        f"Income is not known for any of {pack.name}'s {len(orgs):,} organisations, so they cannot be "
        "told apart by size. Add an income column to an organisation list on the Data page to use it."
    )
