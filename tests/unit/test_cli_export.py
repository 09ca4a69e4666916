"""``python -m sector_map export`` writes a valid file and prints its alt text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from sector_map.cli.main import main
from sector_map.pack.io import load_pack


def test_export_need_map_svg_and_gap_map_pdf(tmp_path, capsys, demo_pack_dir):
    out = tmp_path / "imd.svg"
    assert (
        main(["export", str(demo_pack_dir), "--indicator", "imd_score", "--format", "svg", "--out", str(out)])
        == 0
    )
    printed = capsys.readouterr().out
    demo = load_pack(demo_pack_dir)
    assert f"Alt text: Map of {demo.name}'s {len(demo.wards)} wards" in printed
    root = ET.fromstring(out.read_bytes())
    assert "Fictional demo data" in "".join(root.itertext())
    pdf = tmp_path / "gap.pdf"
    args = ["export", str(demo_pack_dir), "--kind", "gap-map", "--theme", "older_people", "--format", "pdf"]
    assert main([*args, "--paper", "a3", "--out", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")


def test_export_refuses_unclear_requests(tmp_path, capsys, demo_pack_dir):
    out = tmp_path / "x.png"
    assert main(["export", str(demo_pack_dir), "--out", str(out)]) == 1
    assert "either --indicator ID or --theme THEME" in capsys.readouterr().err
    assert main(["export", str(demo_pack_dir), "--theme", "nope", "--out", str(out)]) == 1
    assert "unknown theme" in capsys.readouterr().err
    assert not out.exists()


def test_export_ward_map_and_chart(tmp_path, capsys, demo_pack_dir):
    ward = load_pack(demo_pack_dir).wards["ward_code"].iloc[0]
    out = tmp_path / "ward.png"
    assert (
        main(
            [
                "export",
                str(demo_pack_dir),
                "--kind",
                "ward-map",
                "--ward",
                ward,
                "--dpi",
                "50",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert out.read_bytes()[:4] == b"\x89PNG" and "ward in Marrowby" in capsys.readouterr().out
    chart = tmp_path / "chart.svg"
    assert (
        main(
            [
                "export",
                str(demo_pack_dir),
                "--kind",
                "chart",
                "--theme",
                "older_people",
                "--format",
                "svg",
                "--out",
                str(chart),
            ]
        )
        == 0
    )
    assert "Chart of Marrowby" in capsys.readouterr().out
    assert main(["export", str(demo_pack_dir), "--kind", "ward-map", "--out", str(tmp_path / "x.png")]) == 1
    assert "--ward CODE" in capsys.readouterr().err


def test_cli_csv_neutralises_formula_names_and_export_prints_dollar_names(tmp_path, capsys):
    import csv
    import io

    from sector_map.pack import schema as s
    from sector_map.pack.io import save_pack
    from tests.conftest import make_tiny_pack

    pack = make_tiny_pack()
    pack.manifest["name"] = "Fund $5 to $10"
    pack.wards[s.WARD_NAME] = ["=cmd|' /C calc'!A0", "+1+1", "@SUM(1)", "-2+3"]
    folder = save_pack(pack, tmp_path / "hostile")
    assert main(["gaps", str(folder), "--theme", "poverty_food", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert sorted(r["ward_name"] for r in rows) == ["'+1+1", "'-2+3", "'=cmd|' /C calc'!A0", "'@SUM(1)"]
    assert all(0 <= float(r["need"]) <= 100 for r in rows if r["need"])  # numbers stay numbers
    out = tmp_path / "need.svg"
    assert (
        main(["export", str(folder), "--indicator", "imd_score", "--format", "svg", "--out", str(out)]) == 0
    )
    assert "Fund $5 to $10" in "".join(ET.fromstring(out.read_bytes()).itertext())
