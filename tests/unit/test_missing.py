"""sector_map.views.missing: what a degenerate pack lacks, and where on the Data page to add it."""

from __future__ import annotations

import pytest

from sector_map.analysis import gaps
from sector_map.analysis.tables import gap_table_for
from sector_map.views import missing
from tests import degenerate
from tests.conftest import make_tiny_pack


def test_a_full_pack_lacks_nothing():
    pack = make_tiny_pack()
    assert missing.no_indicators(pack) is None
    assert missing.no_theme_indicators(pack) is None
    assert missing.no_organisations(pack) is None
    assert missing.no_provision(pack, ["poverty_food"]) is None
    assert missing.no_assets(pack) is None


@pytest.mark.parametrize(
    ("factory", "check", "words"),
    [
        (degenerate.no_indicators, missing.no_indicators, "Ward figures / indicators"),
        (degenerate.boundaries_only, missing.no_theme_indicators, "no ward figures"),
        (degenerate.no_organisations, missing.no_provision, "Add your own data → Organisations"),
        (degenerate.no_services, missing.no_provision, "organisations list no services"),
        (degenerate.organisations_without_themes, missing.no_provision, "services has a theme"),
        (degenerate.no_assets, missing.no_assets, "Community buildings and land"),
    ],
)
def test_each_degenerate_pack_is_told_what_is_missing_and_where_to_add_it(factory, check, words):
    message = check(factory())
    assert message is not None and words in message and "Data page" in message


def test_indicators_with_no_theme():
    pack = make_tiny_pack()
    for meta in pack.indicator_meta.values():
        meta.themes = []
    assert "None of this pack's 2 indicators is linked to a theme" in missing.no_theme_indicators(pack)


def test_no_service_of_the_chosen_theme_names_it():
    pack = make_tiny_pack()
    text = missing.no_provision(pack, ["community_cohesion"])
    assert text.startswith("No service in this pack offers Community, faith and cohesion")
    result = gap_table_for(pack, ["community_cohesion"])
    assert gaps.unclassed_reason(result.table) == gaps.PROVISION_UNKNOWN
    assert missing.unclassed_gaps(pack, ["community_cohesion"], result) == text


def test_one_ward_is_too_few_for_gaps():
    pack = degenerate.one_ward()
    result = gap_table_for(pack, ["poverty_food"])
    assert missing.unclassed_gaps(pack, ["poverty_food"], result).startswith("Only 1 ward of One ward has")
