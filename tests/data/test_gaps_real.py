"""The gaps and fit commands on the real Trafford pack: every ward gets a class and a reason."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from sector_map import gaps
from sector_map.cli import main

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
        "gap",
        "gap_class",
        "reason",
    ]
    assert len(table) == 21 and table["ward_code"].is_unique
    assert table["reason"].str.startswith("need ").all()
    if theme != "poverty_food":
        # Every Trafford service of these themes serves the whole area (charities whose area of
        # operation is Trafford): provision is the same in every ward, so no ward gets a class.
        assert (table["gap_class"] == gaps.PROVISION_UNKNOWN).all() and table["gap"].isna().all()
        assert table["reason"].str.endswith("so it cannot tell wards apart").all()
    else:
        assert set(table["gap_class"]) <= set(gaps.CLASS_ORDER)
        top_need = table.nlargest(2, "need")["ward_name"]
        assert set(top_need) == {"Bucklow-St Martins", "Clifford"}
        assert (
            table.set_index("ward_name")
            .loc[["Bucklow-St Martins", "Clifford"], "gap_class"]
            .str.startswith("high need")
            .all()
        )


def test_fit_command_for_a_partington_food_bank_puts_bucklow_first(trafford_pack_dir, capsys):
    from sector_map import matching
    from sector_map.pack import load_pack

    pack = load_pack(trafford_pack_dir)
    found = matching.find_organisations(pack, "Trussell Trust")
    partington = found[found["name"].notna()].iloc[0]["org_id"]
    offer = matching.offer_from_org(pack, partington)
    table = _csv(capsys, ["fit", str(trafford_pack_dir), "--org", offer.org_id or partington, "--csv"])
    assert list(table.columns) == ["rank", "ward_code", "ward_name", "score", "reason"]
    assert len(table) == 21 and table["reason"].str.len().gt(10).all()


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
    outside = table["reason"].str.contains("outside your reach")
    assert outside.any() and not outside.iloc[: (~outside).sum()].any()  # wards in reach come first


def test_cli_errors_are_plain(trafford_pack_dir, capsys):
    assert main(["gaps", str(trafford_pack_dir), "--theme", "food"]) == 1
    assert "unknown theme(s) food" in capsys.readouterr().err
    assert main(["fit", str(trafford_pack_dir), "--themes", "poverty_food", "--postcode", "ZZ9 9ZZ"]) == 1
    assert "ZZ9 9ZZ" in capsys.readouterr().err
