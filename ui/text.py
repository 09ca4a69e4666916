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
    >>> md("![x](https://example.invalid/p.png) <img src=x> $5")
    '!\\\\[x\\\\](https:\\u2060//example.invalid/p.png) \\\\<img src=x\\\\> \\\\$5'
    >>> md("wards.parquet: 2 rows have no ward_code")
    'wards.parquet: 2 rows have no ward_code'
    >>> md_code("pack=x"), md_code("a`b")
    ('`pack=x`', '``a`b``')
"""

from __future__ import annotations

import html
import re

import pandas as pd

from sector_map.views.about import web_link

__all__ = ["html_text", "md", "md_code", "md_link", "md_table", "shown", "web_link"]

# Characters that can start inline Markdown, HTML, LaTeX or a Streamlit directive anywhere.
_ALWAYS = re.compile(r"([\\`*\[\]<>|~$#@])")
# Emphasis by "_" needs a side that is not a letter or digit ("ward_name" stays as it is).
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
# Entities (&lt;), bare web addresses (https://, www.) that GFM would turn into links.
_ENTITY = re.compile(r"&(?=#?\w+;)")
# GFM finds those in the text *after* escapes are read, so a backslash cannot stop them: an invisible
# word joiner after the ":" of "://" and after "www" breaks the pattern and shows nothing.
_AUTOLINK = re.compile(r"(?i):(?=//)|\bwww(?=\.)")
_WORD_JOINER = "\u2060"
# Block markers at the start of a line: lists, setext underlines, ordered lists.
_LINE_START = re.compile(r"(?m)^([ \t]{0,3})([-+=])|^([ \t]{0,3}\d{1,9})([.)])(?=\s|$)")
_NEWLINE = re.compile(r"\r\n|\r|\n")


def md(text: object) -> str:
    """``text`` as Markdown that shows exactly ``text``, as text: every character that could start
    Markdown, HTML, LaTeX, a link or a Streamlit directive is backslash-escaped; line breaks stay
    line breaks. Ordinary prose ("wards.parquet: 2 rows, e.g. ward_code") comes out unchanged.
    """
    if text is None:
        return ""
    out = _ALWAYS.sub(r"\\\1", shown(text))
    out = _UNDERSCORE.sub(r"\\_", out)
    out = _ENTITY.sub(r"\\&", out)
    out = _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[2] else f"{m[3]}\\{m[4]}", out)
    return _NEWLINE.sub("  \n", out)


def shown(text: object) -> str:
    """The characters a browser shows for ``md(text)``: ``text`` with an invisible word joiner
    after the ":" of "://" and after "www", so that no web address in it becomes a link.

    Example:
        >>> shown("see https://example.invalid") == "see https:\u2060//example.invalid"
        True
    """
    return _AUTOLINK.sub(lambda m: m.group(0) + _WORD_JOINER, "" if text is None else str(text))


def md_code(text: object) -> str:
    """``text`` as an inline code span (nothing inside is read as Markdown), on one line."""
    body = " ".join(_NEWLINE.split(str(text)))
    fence = "`" * (max((len(run) for run in re.findall(r"`+", body)), default=0) + 1)
    pad = " " if body[:1] in ("`", " ") or body[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{body}{pad}{fence}"


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


# In HTML the app writes, characters Markdown or LaTeX would read become character references.
_HTML_MARKDOWN = str.maketrans({c: f"&#{ord(c)};" for c in "[]!$*_`~\\|#@"})


def html_text(text: object) -> str:
    """``text`` for HTML the app writes itself (``unsafe_allow_html``): tags escaped, Markdown
    characters as character references, and on one line, so it can never start Markdown."""
    text = " ".join(str(text if text is not None else "").split())
    out = html.escape(text, quote=False).translate(_HTML_MARKDOWN)
    return _AUTOLINK.sub(lambda m: f"&#{ord(m.group(0))};", out)
