"""Print exports: valid files of the right size, searchable text, legend, source line, demo mark."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zlib
from datetime import date

import pandas as pd
import pytest
from PIL import Image

from sector_map.analysis import need
from sector_map.analysis import tables as analysis
from sector_map.analysis.subject import indicator_subject, theme_subject
from sector_map.demo.make import build_demo_pack
from sector_map.export import layout as export_layout
from sector_map.export import maps as export
from sector_map.pack import schema as s
from sector_map.views import classify, gap_colours
from tests.conftest import make_tiny_pack

MADE_ON = date(2026, 1, 2)
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def demo():
    pack = build_demo_pack()
    subject = theme_subject(pack, "poverty_food", scores=analysis.need_scores(pack))
    classes = classify.classify(subject.values)
    colours = classify.class_colours(classes.k_effective, higher_is=subject.meta.higher_is)
    return pack, subject, classes, colours


@pytest.fixture(scope="module")
def need_exports(demo):
    pack, subject, classes, colours = demo
    out = {}
    for fmt in export.FORMATS:
        options = export.ExportOptions(fmt=fmt, made_on=MADE_ON, show_organisations=fmt == "svg")
        out[fmt] = export.need_map(pack, subject, classes, colours, options=options)
    return out


def svg_texts(data: bytes) -> tuple[ET.Element, str]:
    """The parsed SVG and all its <text> content, lines joined by spaces (wrapped text rejoins)."""
    root = ET.fromstring(data)
    texts = [" ".join(t.itertext()).strip() for t in root.iter(f"{SVG_NS}text")]
    return root, " ".join(t for t in texts if t)


def pdf_text(data: bytes) -> str:
    """Text shown by the PDF's TJ/Tj operators, decoded from UTF-16BE (matplotlib's Type 42 strings).

    Finding a phrase here proves it is stored as characters, not as drawn outlines.
    """
    content = b""
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            content += zlib.decompress(stream)
        except zlib.error:
            continue
    shown = []
    for op in re.finditer(rb"\[(.*?)\]\s*TJ|(\((?:\\.|[^\\)])*\))\s*Tj", content, re.S):
        body = op.group(1) if op.group(1) is not None else op.group(2)
        raw = b"".join(_unescape(m) for m in re.findall(rb"\(((?:\\.|[^\\)])*)\)", body, re.S))
        shown.append(raw.decode("utf-16be", errors="replace"))
    return " ".join(shown)


def _unescape(literal: bytes) -> bytes:
    simple = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    return re.sub(rb"\\(.)", lambda m: simple.get(m.group(1), m.group(1)), literal, flags=re.S)


def test_png_is_a4_landscape_at_300_dpi_with_metadata(need_exports):
    data, alt = need_exports["png"]
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(data))
    width, height = image.size
    assert abs(width - 3508) <= 2 and abs(height - 2480) <= 2
    assert image.info["Title"] == "Poverty, food and money advice: need index"
    assert image.info["Description"] == alt


def test_a3_portrait_png_size(demo):
    pack, subject, classes, colours = demo
    options = export.ExportOptions(paper="a3", orientation="portrait", made_on=MADE_ON)
    data, _ = export.need_map(pack, subject, classes, colours, options=options)
    width, height = Image.open(io.BytesIO(data)).size
    # 297 × 420 mm at 300 dpi
    assert abs(width - 3508) <= 2 and abs(height - 4961) <= 2


def test_pdf_page_size_and_searchable_text(need_exports):
    data, alt = need_exports["pdf"]
    assert data.startswith(b"%PDF")
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert box is not None
    assert abs(float(box.group(1)) - 842) <= 1 and abs(float(box.group(2)) - 595) <= 1
    assert b"/ToUnicode" in data  # text extractors can map glyphs back to characters
    text = pdf_text(data)
    assert "Poverty, food and money advice: need index" in text
    assert "Fictional demo data" in text
    assert "Made with sector-map on" in text
    subject = re.search(rb"/Subject \(((?:\\.|[^\\)])*)\)", data)
    assert subject is not None and _unescape(subject.group(1)).decode("latin-1") == alt


def test_svg_parses_and_holds_title_legend_source_as_text(demo, need_exports):
    pack, subject, classes, colours = demo
    data, alt = need_exports["svg"]
    root, text = svg_texts(data)
    assert root.tag == f"{SVG_NS}svg"
    assert root.find(f"{SVG_NS}title").text == "Poverty, food and money advice: need index"
    assert root.find(f"{SVG_NS}desc").text == alt
    assert "Poverty, food and money advice: need index" in text
    for label in classes.labels:
        assert label in text
    assert "Darker = more need (need index 0–100)." in text
    assert f"{pack.name}, {len(pack.wards)} wards; darker = more need" in text
    assert "sector-map fictional demo borough (sector-map (generated), generated)" in text
    assert "Fictional demo data generated by sector-map; not a real place" in text  # the attribution
    assert "Made with sector-map on 2 January 2026." in text
    assert "Fictional demo data" in text
    assert "Organisation (" in text
    assert " km" in text and "N" in text.split()  # scale bar and north arrow
    assert "Computed by sector-map from these indicators, weighted equally:" in text
    used = need.weights_used(pack.indicator_meta, subject.weights)
    assert used and all(f"• {label}" in text for label, _ in used)
    assert "the indicators listed" not in text


def test_svg_organisation_points_are_rasterized(demo, need_exports):
    pack, subject, classes, colours = demo
    with_points, _ = need_exports["svg"]
    options = export.ExportOptions(fmt="svg", made_on=MADE_ON)
    without, _ = export.need_map(pack, subject, classes, colours, options=options)
    assert b"<image" in with_points and b"<image" not in without
    # hundreds of points cost one embedded image, not one path each
    assert len(with_points) - len(without) < 400_000


def test_colours_are_the_apps(demo, need_exports):
    pack, subject, classes, colours = demo
    data, _ = need_exports["svg"]
    for colour in colours:
        assert f"fill: {colour}" in data.decode()


def test_no_data_in_legend_and_real_pack_not_marked_demo():
    pack = make_tiny_pack()
    pack.manifest = {
        **pack.manifest,
        "demo": False,
        "sources": [
            {
                "title": "Ward boundaries",
                "publisher": "Office for National Statistics",
                "vintage": "December 2022",
                "licence": "Open Government Licence v3.0",
                "attribution": "Contains National Statistics and OS data © Crown copyright and database right",
            }
        ],
    }
    subject = indicator_subject(pack, "imd_score", wide=pack.indicator_wide())
    classes = classify.classify(subject.values, k=3)
    colours = classify.class_colours(classes.k_effective, higher_is=s.HIGHER_IS_MORE_NEED)
    options = export.ExportOptions(fmt="svg", title="My title", subtitle="My subtitle", made_on=MADE_ON)
    data, alt = export.need_map(pack, subject, classes, colours, options=options)
    _, text = svg_texts(data)
    assert "No data (1 ward)" in text
    assert "My title" in text and "My subtitle" in text
    assert "Contains National Statistics and OS data © Crown copyright and database right" in text
    assert "Ward boundaries (Office for National Statistics, December 2022)" in text
    assert "Fictional demo data" not in text
    assert "Alpha" in text and "Delta" in text  # ward names on the map


def test_gap_map_files(demo):
    pack = demo[0]
    table = analysis.gap_table_for(pack, ["poverty_food"]).table
    options = export.ExportOptions(fmt="svg", made_on=MADE_ON, show_organisations=True)
    data, alt = export.gap_map(pack, table, themes=["poverty_food"], options=options)
    root, text = svg_texts(data)
    assert root.find(f"{SVG_NS}title").text == "Poverty, food and money advice: need against provision"
    assert "more need" in text and "more provision" in text
    counts = table["gap_class"].value_counts()
    for label, n in counts.items():
        assert f"{label} ({n} ward{'' if n == 1 else 's'})" in text
    assert "Fictional demo data" in text
    listed = need.themes_weights_text(
        pack.indicator_meta, ["poverty_food"], scores=analysis.need_scores(pack)
    )
    assert listed.startswith("Poverty, food and money advice need index: ") and "(weight 1)" in listed
    assert f"{listed}." in text and f"{listed}." in alt
    custom, _ = export.gap_map(
        pack, table, themes=["poverty_food"], options=options, weights={"poverty_food": {"imd_score": 2.5}}
    )
    assert "need index: Index of Multiple Deprivation score (weight 2.5)." in svg_texts(custom)[1]
    # every ward's bivariate colour appears as a fill
    levels = zip(table["need_level"], table["provision_level"], strict=True)
    for colour in {gap_colours.bivariate_colour(n, p) for n, p in levels}:
        assert f"fill: {colour}" in data.decode()
    png, _ = export.gap_map(pack, table, themes=["poverty_food"], options=export.ExportOptions(dpi=100))
    width, height = Image.open(io.BytesIO(png)).size
    assert abs(width - 1169) <= 1 and abs(height - 827) <= 1  # 297 × 210 mm at 100 dpi


def test_options_are_checked():
    with pytest.raises(ValueError, match="paper"):
        export.ExportOptions(paper="a5")
    with pytest.raises(ValueError, match="format"):
        export.ExportOptions(fmt="jpg")
    assert export.page_mm(export.ExportOptions(paper="a3", orientation="portrait")) == (297, 420)


def test_nice_length_and_fit_limits():
    assert [export_layout.nice_length(x) for x in (0.5, 7, 19, 2_600, 9_999)] == [1, 5, 10, 2000, 5000]
    xlim, ylim = export_layout.fit_limits((0, 0, 100, 50), 200, 200, pad=0)
    assert xlim == (0, 100) and ylim == (-25, 75)  # widened upwards and downwards to a square


def test_source_line_states_shared_licence_once_and_dedupes_attributions():
    pack = make_tiny_pack()
    ogl = "Open Government Licence v3.0"
    pack.manifest = {
        "sources": [
            {"title": "A", "publisher": "P1", "vintage": "2019", "licence": ogl, "attribution": "X; Y"},
            {"title": "B", "publisher": "P2", "vintage": "", "licence": ogl, "attribution": "Y"},
        ]
    }
    line = export_layout.source_line(pack, made_on=date(2026, 3, 4))
    assert line == (
        f"Sources: A (P1, 2019); B (P2). Licence for all: {ogl}. X; Y. Made with sector-map on 4 March 2026."
    )
    pack.manifest["sources"][1]["licence"] = "CC BY 4.0"
    assert "B (P2, CC BY 4.0)" in export_layout.source_line(pack, made_on=MADE_ON)


def test_legend_rows_come_from_classify(demo):
    pack, subject, classes, colours = demo
    entries = classify.legend_entries(classes, colours, higher_is=subject.meta.higher_is)
    assert [e.colour for e in entries] == colours[::-1]  # most need first
    assert isinstance(subject.values, pd.Series)
