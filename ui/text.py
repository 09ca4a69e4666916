"""Text from data files shown as text, never as Markdown.

Streamlit reads Markdown (with LaTeX, colour and icon directives) in ``st.markdown``, ``st.caption``,
``st.title``/``header``/``subheader``, ``st.success``/``info``/``warning``/``error``, ``st.write``,
``st.spinner``, every cell of ``st.table``, and the labels and help of metrics, expanders, tabs,
buttons and widgets. A ward called ``![x](https://…/pixel.png)`` would load a remote image on every
visit, and ``[click](javascript:…)`` would be a link. So every string that comes from a pack or an
uploaded file (names, notes, statuses, sources, file names, error messages quoting a file) reaches
those calls through :func:`md`, :func:`md_code` or :func:`md_table`; HTML written by the app uses
:func:`html_text`. ``tests/app/test_markdown_safe.py`` checks the convention on a hostile pack.

Example:
    >>> md("![x](https://example.invalid/p.png)")
    '\\\\!\\\\[x\\\\]\\\\(https\\\\:\\\\/\\\\/example\\\\.invalid\\\\/p\\\\.png\\\\)'
    >>> md_code("a`b")
    '`` a`b ``'
    >>> web_link("javascript:alert(1)"), web_link(" https://example.org/a b ")
    ('', 'https://example.org/a%20b')
"""

from __future__ import annotations

import html
import re

import pandas as pd

from sector_map.about import web_link

__all__ = ["html_text", "md", "md_code", "md_link", "md_table", "web_link"]

# Every ASCII punctuation mark: CommonMark shows each one literally after a backslash.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_NEWLINE = re.compile(r"\r\n|\r|\n")


def md(text: object) -> str:
    """``text`` as Markdown that shows exactly ``text``: punctuation escaped, line breaks kept."""
    if text is None:
        return ""
    return _NEWLINE.sub("  \n", _PUNCTUATION.sub(r"\\\1", str(text)))


def md_code(text: object) -> str:
    """``text`` as an inline code span (nothing inside is read as Markdown), on one line."""
    body = " ".join(_NEWLINE.split(str(text)))
    fence = "`" * (max((len(run) for run in re.findall(r"`+", body)), default=0) + 1)
    return f"{fence} {body} {fence}"


def md_link(label: object, url: object) -> str:
    """A Markdown link to ``url`` when it is http(s); otherwise ``label`` as plain text."""
    target = web_link(url)
    return f"[{md(label)}](<{target}>)" if target else md(label)


def md_table(table: pd.DataFrame, *, links: tuple[str, ...] = ()) -> pd.DataFrame:
    """A copy of ``table`` for ``st.table`` (which reads Markdown in every cell, header and index):
    text escaped with :func:`md`; columns named in ``links`` become http(s) links or plain text."""

    def cell(value: object) -> object:
        return md(value) if isinstance(value, str) else value

    out = table.copy()
    for i, name in enumerate(out.columns):
        col = out.iloc[:, i]
        if name in links:
            out.isetitem(i, col.map(lambda u: md_link(u, u) if isinstance(u, str) else u))
        elif not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_datetime64_any_dtype(col)):
            out.isetitem(i, col.astype(object).map(cell))
    out.columns = [cell(c) for c in out.columns]
    out.index = out.index.map(cell)
    out.index.name = cell(table.index.name)
    return out


def html_text(text: object) -> str:
    """``text`` for HTML the app writes itself (``unsafe_allow_html``): tags escaped, and on one
    line, so a blank line in it cannot end the HTML block and start Markdown."""
    return html.escape(" ".join(str(text if text is not None else "").split()))
