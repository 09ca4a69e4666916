"""Only located provision sets a ward's class; when it cannot tell wards apart, every ward is
"provision not known". Worked by hand on small tables and on the hand-built pack of test_provision."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sector_map.analysis import gaps
from sector_map.analysis.provision import ProvisionOptions, ProvisionResult, provision_table
from sector_map.views import missing
from tests.unit.test_provision import CODES, make_pack

WARDS = list("ABCDEF")
NEED = pd.Series([90.0, 80, 60, 40, 20, 10], index=WARDS)


def split(located, area_wide, by_reach, *, n_located=None, n_area_wide=None) -> ProvisionResult:
    """Provision with located and area-wide parts, as provision_table gives."""
    located, area_wide = np.asarray(located, float), np.asarray(area_wide, float)
    n_located = n_located if n_located is not None else [int(v > 0) for v in located]
    n_area_wide = n_area_wide if n_area_wide is not None else [5] * len(located)
    frame = pd.DataFrame(
        {
            "services": np.add(n_located, n_area_wide),
            "access": located + area_wide,
            "access_located": located,
            "access_area_wide": area_wide,
            "services_located": n_located,
            "services_area_wide": n_area_wide,
            "nearest_located_km": [2.5] + [0.0] * (len(located) - 1),
            "nearest_located_service": ["Pantry"] * len(located),
            "located_services": [None if v == 0 else "Bus" for v in located],
        },
        index=WARDS[: len(located)],
    )
    return ProvisionResult(frame, ["poverty_food"], ProvisionOptions(), "population", [], by_reach)


def gap(need: pd.Series, provision: ProvisionResult, **options) -> gaps.GapResult:
    """The gaps of ``need`` against a provision result, as gap_table_for works them out."""
    return gaps.gap_table(need, provision.table, services_by_reach=provision.services_by_reach, **options)


def test_area_wide_provision_never_makes_a_ward_well_served():
    # A has 9 contact-address services (the most access of all) but no located one.
    prov = split(
        [0, 0.5, 1.0, 0.5, 2.0, 1.5],
        [9.0, 0.1, 0.1, 0.1, 0.1, 0.1],
        {"site": 4, "whole area": 5, "contact address only": 4},
        n_area_wide=[9, 5, 5, 5, 5, 5],
    )
    result = gap(NEED, prov, radius_km=2, services_word="food service")
    table = result.table
    # Located access percentile ranks: A 0 → 1/6; B, D 0.5 → 2.5/6; C 1.0 → 4/6; F 1.5 → 5/6; E 2.0 → 1.
    assert table["gap_class"].to_dict() == {
        "A": "high need, little provision",
        "B": "high need, some provision",
        "C": "medium need, some provision",
        "D": "medium need, some provision",
        "E": "low need, well served",
        "F": "low need, well served",
    }
    assert table.loc["A", "gap"] == pytest.approx((1 - 1 / 6 + 1) / 2 * 100)  # 91.67
    assert table.loc["A", "provision"] == 0 and table.loc["A", "provision_area_wide"] == 9.0
    assert table.loc["A", "services_located"] == 0 and table.loc["A", "services_area_wide"] == 9
    assert table.loc["A", "reason"] == (
        "need 90/100, in the top 20% of wards; no located food services within 2 km "
        "(nearest located: Pantry, 2.5 km away); also 9 food services serve the whole area or are "
        "known only by a contact address (not counted in the class)"
    )
    assert table.loc["B", "reason"].startswith(
        "need 80/100, in the top 35% of wards; 1 located food service reaches it (Bus); one is based in "
        "the ward; also 5 food"
    )
    basis = gaps.provision_basis(result, "food service")
    assert basis.startswith("Wards are classed from the 4 located food services")
    assert "9 more serve the whole area or are known only by a contact address" in basis


def test_a_single_located_service_cannot_tell_wards_apart():
    prov = split([0, 0.5, 1.0, 0.5, 2.0, 1.5], [0.1] * 6, {"site": 1, "whole area": 5})
    result = gap(NEED, prov, radius_km=2, services_word="food service")
    table = result.table
    assert (table["gap_class"] == gaps.PROVISION_UNKNOWN).all()
    assert table["gap"].isna().all() and table["rank"].isna().all()
    assert list(table.index) == WARDS  # listed by need only
    assert table.loc["B", "reason"] == (
        "need 80/100, in the top 35% of wards; provision not known: 1 located food service reaches it "
        "(Bus); one is based in the ward; 5 food services serve the whole area or are known only by a "
        "contact address, only 1 "
        "has a site or listed wards, so provision cannot tell wards apart"
    )
    assert gaps.provision_basis(result, "food service") is None


def test_located_provision_alike_everywhere_cannot_tell_wards_apart():
    prov = split([0.5] * 6, [0.1] * 6, {"listed wards": 4, "whole area": 5})
    table = gap(NEED, prov, services_word="food service").table
    assert (table["gap_class"] == gaps.PROVISION_UNKNOWN).all()
    assert "located provision is the same in every ward" in table.loc["A", "reason"]
    assert not table["reason"].str.contains("well served|little provision").any()


def test_the_hand_built_pack_by_theme():
    pack = make_pack()
    need = pd.Series([80.0, 60, 40, 20], index=CODES)
    options = ProvisionOptions(demand_point="population")
    # Children: only s6 (a site in D) is located, 1 of the 1 service: provision not known.
    children = gap(need, provision_table(pack, "children_young_people", options=options))
    assert (children.table["gap_class"] == gaps.PROVISION_UNKNOWN).all()
    assert missing.provision_not_known(pack, ["children_young_people"], children) == (
        "Provision data cannot tell Handshire's wards apart for children and young people: only 1 of 1 "
        "services has a site or listed wards; wards are ranked by need only. Add a service list with "
        "sites to see gaps."
    )
    # Poverty: s1, s2 (sites) and s3 (listed wards) are located; access_located (per 1,000) is
    # A 30.33, B 10.33, C 0.33, D 10: C is the least served, A the best, whatever s4 and s7 add.
    poverty_gaps = gap(need, provision_table(pack, "poverty_food", options=options), radius_km=2)
    assert missing.provision_not_known(pack, ["poverty_food"], poverty_gaps) is None
    poverty = poverty_gaps.table
    assert poverty.loc[CODES[0], "gap_class"] == "high need, well served"
    assert poverty.loc[CODES[2], "gap_class"] == "medium need, little provision"
    assert (
        "1 located" in poverty.loc[CODES[3], "reason"] and "(Advice line)" in poverty.loc[CODES[3], "reason"]
    )
    assert "also 2 " in poverty.loc[CODES[3], "reason"]  # s4 (whole area) and s7 (contact address)


def test_the_statement_counts_each_kind():
    from tests.conftest import make_tiny_pack

    prov = split(
        [0.5] * 6, [0.1] * 6, {"site": 1, "whole area": 5, "contact address only": 1, "no location": 0}
    )
    result = gap(NEED, prov)
    assert missing.provision_not_known(make_tiny_pack(), ["children_young_people"], result) == (
        "Provision data cannot tell Testshire's wards apart for children and young people: 5 of 7 services "
        "serve the whole area; 1 is known only by a contact address (where a charity is run, not where it "
        "works); only 1 has a site or listed wards; wards are ranked by need only. Add a service list "
        "with sites to see gaps."
    )
