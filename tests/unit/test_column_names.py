"""Column names are written once, in ``sector_map/pack/schema.py``: the pages, the CLI and the
parts of sector_map that make and read derived tables never name a column with a string literal.

The check reads the source (``ast``). A *known column* is a name in one of schema's ``*_COLUMNS``
lists. It is flagged where code names a column of a table:

- a subscript: ``t["gap_class"]``, ``t.loc[:, "need"]``, ``t[["rank", "reason"]]``;
- a column argument: ``columns=``/``subset=``/``by=``/``on=``, the first argument of
  ``set_index``, ``sort_values``, ``groupby``, ``explode``, ``pop``, ``drop``, ``insert``'s second,
  and ``assign``'s keywords;
- in the pages and the CLI, for columns named like identifiers (``gap_class``, not
  ``Need (0–100)``), also a dict key or an item of a list, tuple or set literal
  (``{"rank": "Priority"}``, ``["rank", "ward_name"]``). In sector_map these are also plotly,
  GeoJSON and count dicts, so there only the first two rules apply.

Headers people read may stay as literals where they are the display mapping (a dict's values, a
``column_config`` label, a widget's label), and widget and session keys are never columns. A
subscript of a name bound to a dict literal in the same file (``options = {}``) is a dict's.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from sector_map.pack import schema as s

ROOT = Path(__file__).resolve().parents[2]
# Where every column is named through schema; the importers and uploads read files whose own
# headers ("name", "address", ...) are written as their sources write them.
PAGES = ["ui", "app_pages", "sector_map/cli"]
CHECKED = [*PAGES, "sector_map/analysis", "sector_map/views", "sector_map/export"]

COLUMN_ARGS = {"set_index", "sort_values", "groupby", "explode", "pop", "drop", "nlargest", "nsmallest"}
COLUMN_KEYWORDS = {"columns", "subset", "by", "on", "index"}
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def known_columns() -> set[str]:
    """Every name in one of schema's ``*_COLUMNS`` lists."""
    names: set[str] = set()
    for attr, value in vars(s).items():
        if attr.endswith("_COLUMNS") and isinstance(value, list | tuple):
            names.update(v for v in value if isinstance(v, str))
    return names


def _strings(node: ast.AST | None) -> list[ast.Constant]:
    """The string constants ``node`` is, or holds as a tuple, list or set literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [e for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def _dict_names(tree: ast.AST) -> set[str]:
    """Names bound to a dict: a dict literal or ``dict()`` (``options = {}``), or annotated as a
    dict or mapping (``counts: dict[str, int] = report()``, ``def f(click: dict | None)``)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and (
            isinstance(node.value, ast.Dict)
            or (isinstance(node.value, ast.Call) and ast.unparse(node.value.func) == "dict")
        ):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign | ast.arg):
            annotation = node.annotation
            target = node.target if isinstance(node, ast.AnnAssign) else node
            name = target.id if isinstance(target, ast.Name) else getattr(target, "arg", None)
            if annotation is not None and name and re.search(r"\b(dict|Mapping)\b", ast.unparse(annotation)):
                names.add(name)
    return names


def literal_columns(source: str, known: set[str], *, page: bool = True) -> list[tuple[int, str]]:
    """(line, name) for every known column named by a string literal in ``source``; ``page``
    adds the rules for dict keys and list items (see the module docs)."""
    found: list[ast.Constant] = []
    identifiers = {k for k in known if IDENTIFIER.match(k)} if page else set()
    tree = ast.parse(source)
    dicts = _dict_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            if isinstance(node.value, ast.Name) and node.value.id in dicts:
                continue
            found += [c for c in _strings(node.slice) if c.value in known]
            if isinstance(node.slice, ast.Tuple):  # .loc[rows, ["a", "b"]]
                for part in node.slice.elts:
                    found += [c for c in _strings(part) if c.value in known]
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else None
            args = list(node.args)
            if name in COLUMN_ARGS and args:
                found += [c for c in _strings(args[0]) if c.value in known]
            if name == "insert" and len(args) > 1:
                found += [c for c in _strings(args[1]) if c.value in known]
            for kw in node.keywords:
                if kw.arg in COLUMN_KEYWORDS:
                    found += [c for c in _strings(kw.value) if c.value in known]
                    if isinstance(kw.value, ast.Dict):  # rename(columns={"a": "A"})
                        found += [c for k in kw.value.keys for c in _strings(k) if c.value in known]
                elif name == "assign" and kw.arg in known:
                    found.append(ast.Constant(kw.arg, lineno=kw.value.lineno))
                elif name == "assign" and kw.arg is None and isinstance(kw.value, ast.Dict):
                    found += [c for k in kw.value.keys for c in _strings(k) if c.value in known]
        elif isinstance(node, ast.Dict):
            found += [c for k in node.keys for c in _strings(k) if c.value in identifiers]
        elif isinstance(node, ast.List | ast.Tuple | ast.Set):
            found += [c for c in _strings(node) if c.value in identifiers]
    return sorted({(c.lineno, c.value) for c in found})


def test_known_columns_come_from_the_schema_lists():
    known = known_columns()
    assert {s.GAP_CLASS, s.NEED, s.RANK, s.SCORE, s.WHY, s.ORG_NAME, s.WARD_NAME} <= known
    assert {s.HEADER_NEED, s.HEADER_WHERE, s.HEADER_CLASS} <= known
    assert "gp_themes" not in known and "last_clicked" not in known  # widget and map keys


@pytest.mark.parametrize(
    "code",
    [
        't["gap_class"]',
        'table.loc[ward, "need"]',
        'table.loc[:, ["rank", "reason"]]',
        't[["ward_name", "score"]]',
        'pd.DataFrame(rows, columns=["member", "covers"])',
        't.drop(columns=["distance_km"])',
        't.rename(columns={"why": "Why"})',
        't.set_index("Organisation")',
        't.sort_values("score", ascending=False)',
        't.insert(0, "rank", values)',
        "t.assign(gap=1)",
        't.assign(**{"Need (0–100)": 1})',
        'rows["Class"].eq("no data")',
        'HEADERS = {"rank": "Priority"}',
        'COLS = ["rank", "ward_name"]',
        'if c in ("provision", "gap"): pass',
    ],
)
def test_a_literal_column_name_is_found(code):
    assert literal_columns(code, known_columns()), code


@pytest.mark.parametrize(
    "code",
    [
        "t[s.GAP_CLASS]",
        "t.loc[ward, [s.RANK, s.REASON]]",
        'st.session_state["fit_org"]',
        'st.query_params["org"]',
        'st.multiselect("Themes", options, key="gp_themes")',
        'st.column_config.TextColumn("Why", width="large")',
        'HEADERS = {s.RANK: "Priority", s.NEED: "Need (0–100)"}',
        'CONFIG = {"Need (0–100)": st.column_config.NumberColumn(format="%.0f")}',
        'cache.need_table(key, "rank")',
        'st.subheader("Priority list")',
        'st_folium(m, returned_objects=["last_clicked"])',
        'event["selection"]["points"]',
        'options = {}\noptions["themes"] = chosen',
        'counts: dict[str, int] = report(pack)\ncounts["services"]',
        'def f(click: dict | None):\n    return click["lat"]',
    ],
)
def test_keys_labels_and_display_headers_are_not_column_names(code):
    assert literal_columns(code, known_columns()) == [], code


def test_outside_the_pages_plotly_and_geojson_dicts_are_not_column_names():
    code = 'fig.update_layout(title={"text": title, "x": 0})\nfeature = {"geometry": shape}'
    assert literal_columns(code, known_columns(), page=False) == []
    assert literal_columns('t["x"]', known_columns(), page=False) == [(1, "x")]


def _files() -> list[Path]:
    return sorted(p for folder in CHECKED for p in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_pages_cli_and_analysis_name_columns_through_the_schema(path):
    page = any(path.is_relative_to(ROOT / folder) for folder in PAGES)
    found = literal_columns(path.read_text(encoding="utf-8"), known_columns(), page=page)
    assert not found, f"{path.relative_to(ROOT)}: use the schema constants for " + ", ".join(
        f"{name!r} (line {line})" for line, name in found
    )
