"""Our reach on the real Trafford pack (current wards, IoD2025, real postcodes): a file with a known
bias gives that bias back within its interval and the summary says so; a ward with 3 beneficiaries
reads "fewer than 10" on the page's tables and in the command's CSV."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sector_map.pack import schema as s
from sector_map.pack.io import load_pack
from sector_map.reach import beneficiaries, catchment, report
from sector_map.reach.generate import example_file, expected_ratio
from tests.conftest import ROOT

BIAS = 0.5
MANOR = "Manor"


@pytest.fixture(scope="module")
def trafford(trafford_current_dir):
    return load_pack(trafford_current_dir)


def _analyse(pack, data: bytes, **kw) -> report.Report:
    counts = beneficiaries.read_beneficiaries(data, "beneficiaries.csv", pack)
    return report.analyse(pack, counts.by_lsoa, **kw)


def test_a_known_bias_comes_back_within_its_interval_and_the_summary_says_it(trafford):
    want = expected_ratio(trafford, BIAS)
    rep = _analyse(trafford, example_file(trafford, n=4000, bias=BIAS, seed=5))
    first = rep.result.quintiles.iloc[0]
    assert first["quintile"] == 1
    assert first["ratio_low"] <= want <= first["ratio_high"], (want, first.to_dict())
    sentence = rep.summary[0]
    assert sentence.startswith("People living in the most deprived fifth of Trafford")
    m = re.search(
        r"make up (\d+)% of residents but (\d+)% of your beneficiaries: (.*?) \(ratio (\d\.\d\d), 95% interval (\d\.\d\d)–(\d\.\d\d)\)",
        sentence,
    )
    assert m, sentence
    assert int(m.group(1)) == round(first["share_residents"] * 100)
    assert int(m.group(2)) == round(first["share_beneficiaries"] * 100)
    assert float(m.group(4)) == pytest.approx(first["ratio"], abs=0.005)
    assert "half" in m.group(3)
    # And with no bias, the interval holds 1 and the words say reach is as expected.
    even = _analyse(trafford, example_file(trafford, n=4000, bias=1.0, seed=6))
    q1 = even.result.quintiles.iloc[0]
    assert q1["ratio_low"] <= 1 <= q1["ratio_high"]


def _three_in_manor(pack) -> bytes:
    """A file of 800 people outside Manor and exactly 3 in it."""
    lsoas = pack.lsoas
    manor = pack.wards.loc[pack.wards[s.WARD_NAME] == MANOR, s.WARD_CODE].iloc[0]
    in_manor = set(lsoas.loc[lsoas[s.WARD_CODE] == manor, s.LSOA_CODE])
    pcs = pack.postcodes.dropna(subset=[s.LSOA_CODE])
    inside = pcs[pcs[s.LSOA_CODE].isin(in_manor)]["postcode"].tolist()
    outside = pcs[~pcs[s.LSOA_CODE].isin(in_manor)]["postcode"].tolist()
    rng = np.random.default_rng(3)
    rows = list(rng.choice(outside, 800)) + list(rng.choice(inside, 3))
    return pd.DataFrame({"Postcode": rows}).to_csv(index=False).encode()


def test_a_ward_with_three_beneficiaries_reads_fewer_than_10(trafford, tmp_path):
    data = _three_in_manor(trafford)
    rep = _analyse(trafford, data)
    raw = rep.result.wards.set_index(s.WARD_CODE)
    shown = rep.wards.set_index(s.WARD_NAME)
    code = trafford.wards.loc[trafford.wards[s.WARD_NAME] == MANOR, s.WARD_CODE].iloc[0]
    assert raw.loc[code, "beneficiaries"] == 3
    assert shown.loc[MANOR, "beneficiaries"] == "fewer than 10"
    assert pd.isna(shown.loc[MANOR, "ratio"]) and pd.isna(shown.loc[MANOR, "per_1000"])
    # Secondary suppression: one more ward is hidden, so Manor's 3 does not follow from the total.
    assert (shown["beneficiaries"] == "suppressed").sum() >= 1
    # The command prints the same protection.
    path = tmp_path / "beneficiaries.csv"
    path.write_bytes(data)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "sector_map",
            "reach",
            str(trafford.path),
            "--beneficiaries",
            str(path),
            "--csv",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    deciles_csv, wards_csv = run.stdout.split("\n\n")
    wards = pd.read_csv(io.StringIO(wards_csv), dtype=str).set_index(s.WARD_NAME)
    assert wards.loc[MANOR, "beneficiaries"] == "fewer than 10"
    assert list(pd.read_csv(io.StringIO(deciles_csv)).columns) == report.DECILE_COLUMNS


def test_catchments_on_trafford(trafford):
    assert len(catchment.whole(trafford).lsoas) == len(trafford.lsoas)
    two = catchment.parse(trafford, "wards:Bucklow-St Martins,E05015252")
    assert len(two.wards) == 2 and two.lsoas <= set(trafford.lsoas[s.LSOA_CODE])
    near = catchment.parse(trafford, "radius:2@M31 4PT")
    far = catchment.parse(trafford, "radius:6@M31 4PT")
    assert 0 < len(near.lsoas) < len(far.lsoas) <= len(trafford.lsoas)
    with pytest.raises(ValueError, match="not a ward of Trafford"):
        catchment.parse(trafford, "wards:Nowhere")
    with pytest.raises(ValueError, match="not among the pack's postcodes"):
        catchment.parse(trafford, "radius:2@SW1A 1AA")
