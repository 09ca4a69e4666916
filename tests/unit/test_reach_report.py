"""Our reach put together (sector_map/reach/report.py, catchment.py, prints.py, display.py) and the
``reach`` command, on the demo borough's fictional LSOAs."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pandas as pd
import pytest

from sector_map.cli.main import main
from sector_map.export.maps import ExportOptions
from sector_map.pack import schema as s
from sector_map.pack.io import load_pack, save_pack
from sector_map.reach import beneficiaries, catchment, display, prints, report
from sector_map.reach.generate import example_file


@pytest.fixture(scope="module")
def demo(demo_pack_dir):
    return load_pack(demo_pack_dir)


@pytest.fixture(scope="module")
def example(demo) -> bytes:
    return example_file(demo, n=2500, bias=0.5, seed=2)


@pytest.fixture(scope="module")
def rep(demo, example) -> report.Report:
    counts = beneficiaries.read_beneficiaries(example, "example.csv", demo)
    return report.analyse(demo, counts.by_lsoa)


def test_the_report_holds_protected_tables_with_names_and_whole_counts(rep, demo):
    assert list(rep.deciles.columns) == report.DECILE_COLUMNS
    assert list(rep.deciles["decile"]) == list(range(1, 11))
    assert set(rep.wards[s.WARD_CODE]) == set(demo.wards[s.WARD_CODE])
    names = demo.wards.set_index(s.WARD_CODE)[s.WARD_NAME]
    assert (rep.wards[s.WARD_NAME] == rep.wards[s.WARD_CODE].map(names)).all()
    counts = [v for v in rep.wards["beneficiaries"] if not isinstance(v, str)]
    assert all(isinstance(v, int) for v in counts)  # 69, not 69.0
    assert rep.summary[0].startswith("People living in the most deprived fifth of Marrowby")
    assert rep.indices_shown and rep.curve is not None


def test_high_need_low_reach_lists_only_needy_wards_credibly_under_reached(rep):
    raw = rep.result.wards.set_index(s.WARD_CODE)
    listed = rep.priority[s.WARD_CODE]
    assert len(listed) > 0
    assert (raw.loc[listed, "deprived_share"] >= report.HIGH_NEED_SHARE).all()
    assert (raw.loc[listed, "ratio_high"] < 1).all()
    shares = list(raw.loc[listed, "deprived_share"])
    assert shares == sorted(shares, reverse=True)


def test_a_pack_without_lsoas_is_refused_with_the_fix(demo, example):
    bare = dataclasses.replace(demo, lsoas=None)
    assert report.domains(bare) == {}
    with pytest.raises(ValueError, match=r"no LSOA table.*\[imd2025\]"):
        catchment.whole(bare)


def test_ratio_classes_are_fixed_and_hidden_wards_have_none():
    wards = pd.DataFrame(
        {
            "ratio": [0.3, 0.7, 1.0, 1.5, 2.5, np.nan, 1.0],
            "beneficiaries": [20, 20, 20, 20, 20, "fewer than 10", 20],
            "in_catchment": [True] * 6 + [False],
        },
        index=list("ABCDEFG"),
    )
    classes = display.ratio_classes(wards)
    assert list(classes.class_of) == [0, 1, 2, 3, 4, -1, -1]
    texts = display.ward_texts(wards.assign(ratio_low=0.5, ratio_high=1.5))
    assert texts["F"] == display.HIDDEN_TEXT and texts["G"] == display.OUTSIDE_TEXT


def test_the_command_prints_the_decile_table_a_blank_line_then_the_wards(
    demo_pack_dir, tmp_path, capsys, example
):
    path = tmp_path / "people.csv"
    path.write_bytes(example)
    assert (
        main(["reach", str(demo_pack_dir), "--beneficiaries", str(path), "--domain", "health", "--csv"]) == 0
    )
    out = capsys.readouterr()
    deciles, wards = out.out.split("\n\n")
    table = pd.read_csv(io.StringIO(deciles))
    assert list(table.columns) == report.DECILE_COLUMNS
    assert list(table["decile"]) == list(range(1, 11))
    assert table["share_residents"].sum() == pytest.approx(1.0, abs=0.001)
    assert "ward_name" in pd.read_csv(io.StringIO(wards)).columns
    assert "Health deprivation and disability" in out.err
    assert "placed in a neighbourhood" in out.err


def test_the_command_refuses_clearly(demo, demo_pack_dir, tmp_path, capsys, example):
    path = tmp_path / "people.csv"
    path.write_bytes(example)
    bare = tmp_path / "bare"
    save_pack(dataclasses.replace(demo, lsoas=None, path=None), bare)
    assert main(["reach", str(bare), "--beneficiaries", str(path)]) == 1
    assert "no LSOA table" in capsys.readouterr().err
    assert main(["reach", str(demo_pack_dir), "--beneficiaries", str(path), "--catchment", "radius:x"]) == 1
    assert "radius:KM@POSTCODE" in capsys.readouterr().err
    assert main(["reach", str(demo_pack_dir), "--beneficiaries", str(tmp_path / "none.csv")]) == 1
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize("chart", prints.CHARTS)
@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_every_chart_prints_in_every_format_with_the_rule(demo, rep, chart, fmt):
    data, alt = prints.make(demo, rep, chart, ExportOptions(fmt=fmt, dpi=60))
    assert alt
    magic = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}[fmt]
    assert data.startswith(magic)
    if fmt == "svg":
        text = data.decode()
        assert "fewer than 10" in text and "Fictional demo data" in text


def test_the_files_say_the_small_numbers_rule(rep):
    sheets = report.export_sheets(rep)
    first = next(iter(sheets.values()))
    assert list(first.columns) == [*report.DECILE_COLUMNS, "note"]
    assert first["note"].iloc[0] == rep.rule and (first["note"].iloc[1:] == "").all()
    assert ("Small numbers", rep.rule) in report.about_rows(rep)
