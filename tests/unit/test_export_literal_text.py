"""Names from data files reach matplotlib as literal text: ``$…$`` is never mathtext or LaTeX.

A pack, ward, source or indicator called ``Fund $5 to $10``, ``$\\frac{`` or ``$x^$`` used to make
every PNG/SVG/PDF export of the pack fail (matplotlib parsed it as mathtext).
"""

from __future__ import annotations

import io
from datetime import date

import matplotlib as mpl
import pytest
from PIL import Image

from sector_map.analysis import tables as analysis
from sector_map.analysis import ward_profile as wp
from sector_map.analysis.subject import indicator_subject
from sector_map.export import charts as export_charts
from sector_map.export import maps as export
from sector_map.pack import schema as s
from sector_map.views import classify, ward_map
from tests.conftest import make_tiny_pack
from tests.unit.test_export import pdf_text, svg_texts

MADE_ON = date(2026, 1, 2)
PACK_NAME = "Fund $5 to $10"
WARDS = [r"$\frac{", "$x^$", "Gamma $$ end", r"\$y$ Delta"]
SOURCE_TITLE = "Costs $x_1$ and $"
PUBLISHER = r"Pub $\alpha$"
INDICATOR_LABEL = "Score $^$"
TITLE = r"Title $\sqrt{$"
SUBTITLE = "Subtitle $_$ and $"
THEMES = ["poverty_food"]


def hostile_pack():
    """The tiny pack with mathtext-breaking names everywhere a name can be printed on an export."""
    pack = make_tiny_pack()
    pack.manifest["name"] = PACK_NAME
    pack.manifest["sources"] = [
        {"title": SOURCE_TITLE, "publisher": PUBLISHER, "vintage": "$2026", "licence": "$L^$"},
        {"title": "Second", "publisher": "Other", "licence": "OGL", "attribution": "© $Crown$ {"},
    ]
    pack.wards[s.WARD_NAME] = WARDS
    # A second located poverty service (s2 lists two wards), so provision can tell wards apart
    # and the chart names its points.
    pack.services[s.THEMES] = [["poverty_food"], ["disability_carers", "poverty_food"]]
    meta = pack.indicator_meta["imd_score"]
    pack.indicator_meta["imd_score"] = type(meta)(
        meta.id, INDICATOR_LABEL, "$u$", meta.higher_is, "Source $^", "$19", meta.themes, domain=meta.domain
    )
    return pack


def _exports(fmt: str, *, titled: bool) -> dict[str, tuple[bytes, str]]:
    pack = hostile_pack()
    options = export.ExportOptions(
        fmt=fmt,
        dpi=50,
        made_on=MADE_ON,
        show_organisations=True,
        title=TITLE if titled else None,
        subtitle=SUBTITLE if titled else None,
    )
    subject = indicator_subject(pack, "imd_score", wide=pack.indicator_wide())
    classes = classify.classify(subject.values)
    colours = classify.class_colours(classes.k_effective, higher_is=subject.meta.higher_is)
    table = analysis.gap_table_for(pack, THEMES).table
    return {
        "need": export.need_map(pack, subject, classes, colours, options=options),
        "gap": export.gap_map(pack, table, themes=THEMES, options=options),
        "chart": export_charts.scatter_chart(pack, table, themes=THEMES, options=options),
        "ward": export_charts.ward_map(pack, "X05000002", options=options),
    }


@pytest.fixture(scope="module")
def svgs():
    return _exports("svg", titled=False)


@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_png_and_pdf_exports_of_a_pack_with_dollar_names_are_valid(fmt):
    for kind, (data, alt) in _exports(fmt, titled=True).items():
        if fmt == "png":
            image = Image.open(io.BytesIO(data))
            image.verify()
            assert image.size[0] > 400, kind
        else:
            assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF"), kind
            text = pdf_text(data)
            assert TITLE in text and SUBTITLE in text, kind
        assert PACK_NAME in alt, kind


def test_svg_holds_every_dollar_name_literally(svgs):
    for kind, (data, _) in svgs.items():
        _, text = svg_texts(data)
        assert PACK_NAME in text, kind  # the subtitle
        assert SOURCE_TITLE in text and PUBLISHER in text and "© $Crown$ {" in text, kind
        assert "$L^$" in text and "$2026" in text, kind
    need_text = svg_texts(svgs["need"][0])[1]
    for name in WARDS:  # ward labels on the map
        assert name in need_text
    assert INDICATOR_LABEL in need_text and "Source $^" in need_text
    chart_text = svg_texts(svgs["chart"][0])[1]
    assert sum(name in chart_text for name in WARDS) >= 3  # the named points
    ward_text = svg_texts(svgs["ward"][0])[1]
    assert "$x^$ ward and its neighbours" in ward_text and r"$\frac{" in ward_text


def test_typed_title_and_subtitle_are_literal_in_svg():
    for kind, (data, _) in _exports("svg", titled=True).items():
        root, text = svg_texts(data)
        assert TITLE in text and SUBTITLE in text, kind
        assert root.find("{http://www.w3.org/2000/svg}title").text == TITLE


def test_exports_ignore_a_usetex_setting():
    """A user's matplotlibrc with ``text.usetex: True`` must not send names to LaTeX."""
    pack = hostile_pack()
    table = analysis.gap_table_for(pack, THEMES).table
    with mpl.rc_context({"text.usetex": True, "text.parse_math": True}):
        data, _ = export.gap_map(pack, table, themes=THEMES, options=export.ExportOptions(fmt="svg", dpi=50))
    assert PACK_NAME in svg_texts(data)[1]


def test_ward_profile_map_draws_dollar_neighbour_names():
    pack = hostile_pack()
    fig = ward_map.map_figure(pack, "X05000002", wp.organisations(pack, "X05000002"))
    buf = io.BytesIO()
    fig.savefig(buf, format="svg")
    svg = buf.getvalue().decode()
    assert "<svg" in svg
    drawn = [t.get_text() for t in fig.axes[0].texts]
    assert r"$\frac{" in drawn and "Gamma $$ end" in drawn


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
def test_svg_stays_well_formed_with_control_characters_in_names():
    pack = make_tiny_pack()
    pack.manifest["name"] = "Bell\x07 pack"
    pack.wards[s.WARD_NAME] = ["A\x00b", "C\x1bd", "E\x0bf", "Gamma"]
    table = analysis.gap_table_for(pack, THEMES).table
    options = export.ExportOptions(fmt="svg", dpi=50, title="T\x01")
    data, _ = export.gap_map(pack, table, themes=THEMES, options=options)
    root, text = svg_texts(data)  # parses: no control character left in the XML
    assert "Bell pack" in text and "Ab" in text and root.find("{http://www.w3.org/2000/svg}title").text == "T"
