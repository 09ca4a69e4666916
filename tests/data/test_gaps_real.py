"""The gaps and fit commands on the real Trafford pack: every ward gets a class and a reason."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from sector_map.analysis import gaps
from sector_map.cli.main import main

pytestmark = pytest.mark.data


def _csv(capsys, argv) -> pd.DataFrame:
    assert main(argv) == 0
    return pd.read_csv(io.StringIO(capsys.readouterr().out), dtype={"ward_code": "string"})


@pytest.mark.parametrize("theme", ["poverty_food", "older_people", "children_young_people"])
def test_gaps_command_gives_every_trafford_ward_a_class_and_reason(trafford_pack_dir, capsys, theme):
    table = _csv(capsys, ["gaps", str(trafford_pack_dir), "--theme", theme, "--csv"])
    assert list(table.columns) == [
        "ward_code",
        "ward_name",
        "need",
        "provision",
        "provision_area_wide",
        "services_located",
        "services_area_wide",
        "gap",
        "gap_class",
        "reason",
        "need_indicators",
    ]
    assert table["need_indicators"].nunique() == 1 and "(weight 1)" in table["need_indicators"].iloc[0]
    assert len(table) == 21 and table["ward_code"].is_unique
    assert table["reason"].str.startswith("need ").all()


def test_children_provision_cannot_tell_trafford_wards_apart(trafford_pack_dir, capsys):
    assert main(["gaps", str(trafford_pack_dir), "--theme", "children_young_people", "--csv"]) == 0
    out = capsys.readouterr()
    table = pd.read_csv(io.StringIO(out.out))
    # Every children's service is a charity whose area of operation is Trafford: none has a site.
    assert (table["gap_class"] == "provision not known").all() and len(table) == 21
    assert table["gap"].isna().all() and (table["services_located"] == 0).all()
    assert table["need"].is_monotonic_decreasing  # ranked by need only
    assert not table["reason"].str.contains("well served|little provision|some provision").any()
    assert table["reason"].str.contains("provision not known: ").all()
    n = int(table["services_area_wide"].iloc[0])
    assert n > 150
    assert out.err.strip() == (
        f"Provision data cannot tell Trafford's wards apart for children and young people: {n} of {n} "
        "services serve the whole area; wards are ranked by need only. Add a service list with sites to "
        "see gaps."
    )


def test_poverty_is_classed_from_located_food_banks_and_hubs(trafford_pack_dir, capsys):
    assert main(["gaps", str(trafford_pack_dir), "--theme", "poverty_food", "--csv"]) == 0
    out = capsys.readouterr()
    table = pd.read_csv(io.StringIO(out.out)).set_index("ward_name")
    assert "Wards are classed from the 13 located" in out.err
    assert set(table["gap_class"]) <= set(gaps.CLASS_ORDER)
    assert {"Bucklow-St Martins", "Clifford"} == set(table.nlargest(2, "need").index)
    assert table.loc[["Bucklow-St Martins", "Clifford"], "gap_class"].str.startswith("high need").all()
    # No ward in the top third of need is "well served" unless a located service reaches it
    # (a food bank or hub within the 2 km catchment of its people).
    top_third = table[table["need"].rank(pct=True) > 2 / 3]
    well = top_third[top_third["gap_class"].str.endswith("well served")]
    assert len(well) and (well["services_located"] > 0).all()
    assert (well["provision"] > 0).all()
    # Every ward's reason says which part is which, and names the located services reaching it.
    located = table[table["services_located"] > 0]
    assert located["reason"].str.contains(r"located poverty, food and money advice services? reach").all()
    assert table.loc["Bucklow-St Martins", "reason"].count("Partington") >= 1
    assert table["reason"].str.contains("serve the whole area or are known only by a contact address").all()
    # Classes follow located provision alone: the ward with the least of it is never "well served".
    assert not table.loc[table["provision"].idxmin(), "gap_class"].endswith("well served")


def test_fit_command_for_a_partington_food_bank_puts_bucklow_first(trafford_pack_dir, capsys):
    from sector_map.analysis import matching
    from sector_map.pack.io import load_pack

    pack = load_pack(trafford_pack_dir)
    found = matching.find_organisations(pack, "Trussell Trust", limit=50)
    [partington] = found.loc[found["address"].str.contains("Partington", na=False), "org_id"]
    table = _csv(capsys, ["fit", str(trafford_pack_dir), "--org", partington, "--csv"])
    assert list(table.columns) == [
        "rank",
        "ward_code",
        "ward_name",
        "score",
        "in_reach",
        "reason",
        "need_indicators",
    ]
    assert len(table) == len(pack.wards) and table["reason"].str.len().gt(10).all()
    beyond = table["reason"].str.contains("beyond your reach")
    assert (table["in_reach"] == ~beyond).all() and (table["rank"].isna() == beyond).all()
    # Its base is in Partington, in Bucklow-St Martins, Trafford's most deprived ward: ranked first.
    first = table.loc[table["rank"] == 1].iloc[0]
    assert first["ward_name"] == "Bucklow-St Martins" and "your base is in this ward" in first["reason"]


def test_fit_command_for_a_described_offer(trafford_pack_dir, capsys):
    table = _csv(
        capsys,
        [
            "fit",
            str(trafford_pack_dir),
            "--themes",
            "poverty_food",
            "--postcode",
            "M31 4BU",
            "--reach-km",
            "5",
            "--csv",
        ],
    )
    home = table[table["reason"].str.contains("your base is in this ward")]
    assert list(home["ward_name"]) == ["Bucklow-St Martins"]  # M31 4BU is in Partington
    outside = table["reason"].str.contains("beyond your reach")
    assert outside.any() and not outside.iloc[: (~outside).sum()].any()  # wards in reach come first
    assert (table["in_reach"] == ~outside).all()
    assert table["need_indicators"].iloc[0].startswith("Indices of Deprivation: Income (weight 1)")


def test_cli_errors_are_plain(trafford_pack_dir, capsys):
    assert main(["gaps", str(trafford_pack_dir), "--theme", "food"]) == 1
    assert "unknown theme(s) food" in capsys.readouterr().err
    assert main(["fit", str(trafford_pack_dir), "--themes", "poverty_food", "--postcode", "ZZ9 9ZZ"]) == 1
    assert "ZZ9 9ZZ" in capsys.readouterr().err
