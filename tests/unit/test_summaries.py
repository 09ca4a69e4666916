from sector_map.pack import schema as s
from sector_map.pack.io import load_pack
from sector_map.views import summaries, web_map


def test_filter_by_theme_and_size(tiny_pack):
    orgs = tiny_pack.organisations
    assert list(summaries.filter_organisations(orgs, themes=["older_people"])[s.ORG_ID]) == ["o2"]
    assert list(summaries.filter_organisations(orgs, size_bands=["micro", "unknown"])[s.ORG_ID]) == [
        "o2",
        "o3",
    ]
    both = summaries.filter_organisations(
        orgs, themes=["poverty_food", "community_cohesion"], size_bands=["small"]
    )
    assert list(both[s.ORG_ID]) == ["o1"]
    assert len(summaries.filter_organisations(orgs, themes=[])) == 0
    assert len(summaries.filter_organisations(orgs)) == 3


def test_organisations_in_ward_uses_points(tiny_pack):
    assert list(summaries.organisations_in_ward(tiny_pack, "X05000001")[s.ORG_ID]) == ["o1"]
    assert list(summaries.organisations_in_ward(tiny_pack, "X05000002")[s.ORG_ID]) == ["o2"]
    assert summaries.organisations_in_ward(tiny_pack, "X05000004").empty
    assert summaries.organisations_in_ward(tiny_pack, "nope").empty


def test_ward_key_figures_rank_and_no_data(tiny_pack):
    fig = summaries.ward_key_figures(tiny_pack, "X05000002", wide=tiny_pack.indicator_wide())
    assert fig.set_index("Indicator").loc["IMD score", "Rank in area"] == "1 of 3"
    assert fig.set_index("Indicator").loc["IMD rank", "Rank in area"] == "1 of 4"
    missing = summaries.ward_key_figures(tiny_pack, "X05000004", wide=tiny_pack.indicator_wide())
    assert missing.set_index("Indicator").loc["IMD score", "Value"] == "no data"
    assert missing.set_index("Indicator").loc["IMD score", "Rank in area"] == "no data"
    assert summaries.ward_label(tiny_pack, "X05000003") == "Gamma (X05000003)"


def test_ward_labels_match_ward_label_in_label_order(tiny_pack):
    wards = tiny_pack.wards
    wards[s.WARD_NAME] = ["Park", "Abbey", "Park", "Abbey"]  # two pairs of wards share a name
    wards[s.WARD_CODE] = ["X05000004", "X05000003", "X05000001", "X05000002"]
    labels = summaries.ward_labels(wards)
    assert labels == {c: summaries.ward_label(tiny_pack, c) for c in wards[s.WARD_CODE]}
    assert list(labels.values()) == [
        "Abbey (X05000002)",
        "Abbey (X05000003)",
        "Park (X05000001)",
        "Park (X05000004)",
    ]
    assert list(labels) == ["X05000002", "X05000003", "X05000001", "X05000004"]


def test_ward_labels_keep_a_ward_with_no_name(tiny_pack):
    tiny_pack.wards.loc[1, s.WARD_NAME] = None
    labels = summaries.ward_labels(tiny_pack.wards)
    assert labels["X05000002"] == summaries.ward_label(tiny_pack, "X05000002")
    assert len(labels) == 4


def test_organisations_in_ward_from_the_packs_ward_of_each_organisation_is_the_same(demo_pack_dir):
    pack = load_pack(demo_pack_dir)
    where = web_map.ward_of_points(pack.wards, pack.organisations)
    found = 0
    for code in pack.wards[s.WARD_CODE]:
        tested = summaries.organisations_in_ward(pack, code)
        looked_up = summaries.organisations_in_ward(pack, code, ward_of_each=where)
        assert list(looked_up[s.ORG_ID]) == list(tested[s.ORG_ID]), code
        found += len(tested)
    assert found > 0
    assert summaries.organisations_in_ward(pack, "nope", ward_of_each=where).empty


def test_main_themes_is_each_organisations_first_theme(tiny_pack):
    orgs = tiny_pack.organisations
    expected = [ts[0] if ts is not None and len(ts) else None for ts in orgs[s.THEMES]]
    assert summaries.main_themes(orgs).tolist() == expected
