"""Matching on the real Trafford pack: a food bank's offer lands on the most deprived wards."""

from __future__ import annotations

import pytest

from sector_map.analysis import need
from sector_map.analysis.matching import (
    find_organisations,
    offer_from_org,
    rank_wards_for_offer,
)
from sector_map.analysis.partners import consortium, partners_and_overlap, rank_organisations_for_ward
from sector_map.pack.io import load_pack

pytestmark = pytest.mark.data

BUCKLOW, CLIFFORD = "Bucklow-St Martins", "Clifford"


@pytest.fixture(scope="module")
def pack(trafford_pack_dir):
    return load_pack(trafford_pack_dir)


@pytest.fixture(scope="module")
def need_table(pack):
    scores = need.need_score_table(pack.indicator_wide(), pack.indicator_meta)
    return need.theme_need_table(scores, pack.indicator_meta)


def test_food_bank_offer_puts_most_deprived_wards_on_top(pack, need_table):
    found = find_organisations(pack, "food")
    assert "STRETFORD FOODBANK" in found["name"].tolist()
    org_id = found.loc[found["name"] == "STRETFORD FOODBANK", "org_id"].iloc[0]
    offer = offer_from_org(pack, org_id)
    assert offer.whole_area and offer.point is not None  # whole-area charity with a contact address
    out = rank_wards_for_offer(pack, offer, need=need_table, gap=need_table).table
    assert len(out) == 21 and out["rank"].notna().all()
    top3 = out["ward_name"].head(3).tolist()
    assert BUCKLOW in top3 and CLIFFORD in top3
    assert "poverty, food and money advice" in out["reason"].iloc[0]


def test_partington_food_bank_reach_is_local(pack, need_table):
    # A Trussell Trust site in Partington with a 1.5 km radius: Bucklow-St Martins is its own ward.
    offer = offer_from_org(pack, "trafford_food_banks-2")
    assert offer.reach_km == 1.5
    out = rank_wards_for_offer(pack, offer, need=need_table, gap=None).table
    assert out["ward_name"].iloc[0] == BUCKLOW
    assert out["reason"].iloc[0].endswith("your base is in this ward")
    outside = out[~out["in_reach"]]
    assert len(outside) >= 15 and outside["rank"].isna().all()
    assert outside["reason"].str.contains("beyond your reach").all()
    assert out.loc[out["in_reach"], "rank"].tolist() == list(range(1, int(out["in_reach"].sum()) + 1))


def test_salford_food_share_puts_the_neediest_wards_first(pack):
    from sector_map.analysis.tables import need_and_gap_by_theme

    need, gap = need_and_gap_by_theme(pack)
    found = find_organisations(pack, "salford food share")
    offer = offer_from_org(pack, found["org_id"].iloc[0])
    out = rank_wards_for_offer(pack, offer, need=need, gap=gap).table
    top = out["ward_name"].head(3).tolist()
    # Ranked by unmet need (need and gap): Clifford (poverty need 99, no food bank inside) leads the
    # first two; Bucklow-St Martins is high need but has the Partington food bank and hub, so less of
    # its need is unmet; Davyhulme West (need 50) is nowhere near the top.
    assert CLIFFORD in top[:2]
    assert "Davyhulme West" not in top
    high = set(need["poverty_food"].nlargest(7).index)
    codes = dict(zip(pack.wards["ward_name"], pack.wards["ward_code"], strict=True))
    assert all(codes[w] in high for w in top), top
    assert out["in_reach"].all() and out["rank"].tolist() == list(range(1, 22))


def test_organisations_partners_and_consortium_for_bucklow(pack):
    code = pack.wards.loc[pack.wards["ward_name"] == BUCKLOW, "ward_code"].iloc[0]
    orgs = rank_organisations_for_ward(pack, code, ["poverty_food"], limit=10)
    assert len(orgs) == 10 and orgs["reaches"].all() and orgs["reason"].str.contains("poverty").all()
    partners, overlap = partners_and_overlap(pack, offer_from_org(pack, "trafford_food_banks-2"))
    assert len(partners) and len(overlap)
    assert "trafford_food_banks-2" not in set(overlap["org_id"]) | set(partners["org_id"])
    group = consortium(pack, code, ["poverty_food", "mental_health", "children_young_people", "older_people"])
    covered = {t for c in group.table["covers"] for t in c}
    assert covered | set(group.uncovered) == {
        "poverty_food",
        "mental_health",
        "children_young_people",
        "older_people",
    }
    assert 1 <= len(group.table) <= 4


def test_bucklow_food_bank_is_based_here_in_the_profile_and_the_reason(pack):
    from sector_map.analysis import ward_profile as wp
    from sector_map.analysis.provision import provision_table

    code = "E05000824"  # Bucklow-St Martins; the Partington Trussell Trust site is inside it
    orgs = wp.organisations(pack, code).set_index("org_id")
    assert orgs.loc["trafford_food_banks-2", "Where"] == wp.BASED_HERE
    assert orgs.loc["trafford_food_banks-2", "Distance"] == "based here"
    assert provision_table(pack, themes=["poverty_food"]).table.loc[code, "nearest_km"] == 0.0
    reason = wp.theme_gap_tables(pack, themes=["poverty_food"])["poverty_food"].table.loc[code, "reason"]
    assert "one is based in the ward" in reason and "km away" not in reason


def test_salford_food_share_overlap_names_trafford_food_banks_before_register_entries(pack):
    from sector_map.analysis.tables import need_and_gap_by_theme

    need, _ = need_and_gap_by_theme(pack)
    offer = offer_from_org(pack, find_organisations(pack, "salford food share")["org_id"].iloc[0])
    assert offer.whole_area
    partners, overlap = partners_and_overlap(pack, offer, need=need)
    # the food banks and hubs with sites in Trafford are the overlap that matters; charities known
    # only by the register's area of operation come after them
    where = overlap["why"].str.contains("works across the whole area")
    assert not where.iloc[:5].any() and where.is_monotonic_increasing, overlap["why"].tolist()
    assert len(partners) == 10


def test_bucklow_profile_says_when_a_rank_is_shared(pack):
    from sector_map.analysis import ward_profile as wp

    rows = wp.indicator_rows(pack, "E05000824", wide=pack.indicator_wide()).set_index("Indicator")
    # most Trafford wards have 0% of residents in England's most deprived LSOAs for some domains;
    # Bucklow's 0% then shares its place with those wards, and the rank says so
    zero = rows[rows["Value"].str.startswith("0 ")]
    assert len(zero) and zero["Rank in area"].str.contains(r"\(tied with \d+ other wards\)").all()
    imd = rows.loc[rows.index.str.startswith("Index of Multiple Deprivation: score")]
    assert imd["Rank in area"].tolist() == ["1 of 21"]


def test_bucklow_gaps_by_theme_leave_provision_blank_where_it_is_not_known(pack):
    from sector_map.analysis import ward_profile as wp

    rows = wp.gap_rows(wp.theme_gap_tables(pack), "E05000824").set_index("Theme")
    unknown = rows["Class"] == "provision not known"
    assert unknown.any() and rows.loc[unknown, ["Provision", "Gap (0–100)"]].isna().all().all()
    food = rows.loc["Poverty, food and money advice"]
    assert food["Class"] != "provision not known" and food["Provision"] > 0
