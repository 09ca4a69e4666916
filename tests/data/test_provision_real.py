"""Provision on the real Trafford pack (built from ../shared/data)."""

from __future__ import annotations

import numpy as np
import pytest

from sector_map.analysis.provision import (
    ProvisionOptions,
    provision_by_theme,
    provision_table,
    service_locations,
)
from sector_map.pack import schema as s
from sector_map.pack.io import load_pack

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def trafford(trafford_pack_dir):
    return load_pack(trafford_pack_dir)


def test_every_theme_every_ward(trafford):
    by = provision_by_theme(trafford)
    assert list(by) == list(s.THEME_IDS)  # Trafford has services in all 13 themes
    codes = trafford.wards[s.WARD_CODE].tolist()
    for theme, result in by.items():
        table = result.table
        assert table.index.tolist() == codes, theme
        assert (table["services"] >= table["services_weak"]).all(), theme
        assert table["access"].ge(0).all() and table["access"].notna().all(), theme
        assert table["access_weak_share"].dropna().between(0, 1 + 1e-9).all(), theme
        assert result.demand_point == "postcodes"


def test_poverty_food_counts_and_conservation(trafford):
    svc = service_locations(trafford)
    food = svc[[("poverty_food" in t) for t in svc[s.THEMES]]]
    # The recipe places 7 food banks and 6 hubs at their own sites, each with a 1.5 km reach.
    sites = food[(food[s.AREA_TYPE] == s.AREA_RADIUS) & (food[s.LOCATION_QUALITY] == s.LOCATION_SITE)]
    assert len(sites) == 13
    assert len(food) >= 13
    result = provision_table(trafford, "poverty_food")
    t = result.table
    whole = int((food[s.AREA_TYPE] == s.AREA_WHOLE).sum())
    # Every ward is reached by every whole-area service (all weak), and some by sites as well.
    assert (t["services"] >= whole).all() and (t["services_weak"] >= whole).all()
    assert t["services"].max() > whole  # some ward has a food bank or hub within reach
    # Supply is conserved: each service's one unit is shared over the people it reaches, so
    # sum(access x population) / 1000 is the number of services (no capacities in this pack) once
    # every located service reaches some postcode, which they all do.
    pop = trafford.wards.set_index(s.WARD_CODE)[s.POPULATION]
    assert float((t["access"] * pop).sum() / 1000) == pytest.approx(len(food), rel=1e-9)
    assert not [n for n in result.notes if "reach no ward" in n]
    # Bucklow-St Martins holds the two Partington food services: it has the most access.
    names = trafford.wards.set_index(s.WARD_CODE)[s.WARD_NAME]
    assert names[t["access"].idxmax()] == "Bucklow-St Martins"
    assert (t["nearest_km"] < 3).all()


def test_one_point_per_ward_loses_partington(trafford):
    # The classic single-point version misses the Partington services (their 1.5 km circles do
    # not reach the ward's mean postcode point), and says so.
    result = provision_table(trafford, "poverty_food", options=ProvisionOptions(demand_point="population"))
    assert any("reach no ward" in n and "Partington" in n for n in result.notes)


def test_radius_what_if_changes_access(trafford):
    base = provision_table(trafford, "poverty_food").table
    options = ProvisionOptions(radius_km=4, own_radius=False)
    wide = provision_table(trafford, "poverty_food", options=options).table
    assert (wide["services"] >= base["services"]).all() and (wide["services"] > base["services"]).any()
    assert not np.allclose(wide["access"], base["access"])
