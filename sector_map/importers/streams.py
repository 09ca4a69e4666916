"""Reading a file's bytes and text a block at a time, within limits, naming what is odd about it.

:func:`sniff` looks at the first 64 KB only (gunzipped if the file is gzip) and says what the
file is: text (and in which encoding), JSON, markup (HTML or XML), a zip archive, a PDF, an old
Office file, an image, another archive, or binary. :class:`LimitedReader` hands out the file's
bytes (gunzipping as it goes) and stops at the byte limit. :class:`TextStream` turns them into
text a block of whole lines at a time, for ``pandas.read_csv``:

* UTF-16 (with or without a byte-order mark) is decoded as UTF-16;
* anything else line by line: UTF-8 where a line is UTF-8, Windows-1252 where it is not, so a
  file that mixes the two never turns ``Café`` into ``CafÃ©``; the Windows-1252 lines are named;
* NUL bytes are removed and the lines that held them named;
* lines that already hold ``CafÃ©``-style garbling are named;
* a line longer than ``max_line`` bytes, or more bytes than the limit, stop the stream
  (``stopped`` says why) instead of filling the memory.

Line numbers are the file's physical lines (header = line 1); they are the file rows unless a
quoted cell runs over several lines.
"""

from __future__ import annotations

import codecs
import gzip
import io
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

BLOCK = 1 << 20
HEAD = 1 << 16
_MAGIC = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"%PDF-", "pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"SQLite format 3\x00", "sqlite"),
    (b"PAR1", "parquet"),
    (b"BZh", "archive"),
    (b"\xfd7zXZ\x00", "archive"),
    (b"7z\xbc\xaf\x27\x1c", "archive"),
    (b"Rar!", "archive"),
)
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
# UTF-8 text that was read as Windows-1252 and saved again: 'CafÃ©', 'Â£5', 'donâ€™t'.
_GARBLED = re.compile("[ÃÂ][\u00a0-\u00bf]|â€[™œ\u009d˜“”¦¢–—]")


class OverLimit(Exception):
    """The file holds more bytes than the limit (raised by :class:`LimitedReader`)."""


@dataclass
class Sniffed:
    """What the start of a file says it is."""

    kind: str  # text, json, html, xml, zip, pdf, ole, image, sqlite, parquet, archive, binary, empty
    gzip: bool = False
    encoding: str | None = None  # "utf-16-le"/"utf-16-be" for UTF-16; None = UTF-8 or Windows-1252
    head: bytes = b""


def _utf16(head: bytes) -> str | None:
    if head[:2] == b"\xff\xfe":
        return "utf-16-le"
    if head[:2] == b"\xfe\xff":
        return "utf-16-be"
    sample = head[:2000]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    nul_even, nul_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if nul_odd > 0.3 and nul_even < 0.05:
        return "utf-16-le"
    if nul_even > 0.3 and nul_odd < 0.05:
        return "utf-16-be"
    return None


def kind_of(head: bytes) -> Sniffed:
    """Classify the (gunzipped) first bytes of a file."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return Sniffed(kind, head=head)
    encoding = _utf16(head)
    if encoding:
        text = head[2:] if head[:2] in (b"\xff\xfe", b"\xfe\xff") else head
        head_text = text[: len(text) // 2 * 2].decode(encoding, errors="replace").encode("utf-8")
    else:
        head_text = head
    lead = head_text.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not lead:
        return Sniffed("empty", encoding=encoding, head=head)
    if lead[:1] in (b"{", b"["):
        return Sniffed("json", encoding=encoding, head=head)
    if lead[:1] == b"<":
        start = lead[:4096]
        if any(t in start for t in (b"<html", b"<!doctype html", b"<table", b"<body", b"<head", b"<tr")):
            return Sniffed("html", encoding=encoding, head=head)
        return Sniffed("xml", encoding=encoding, head=head)
    if not encoding:
        sample = head_text[:4096]
        control = sum(sample.count(bytes([b])) for b in _CONTROL)
        if control > 8 and control > 0.05 * len(sample):
            return Sniffed("binary", head=head)
    return Sniffed("text", encoding=encoding, head=head)


def sniff_bytes(data: bytes) -> Sniffed:
    """What bytes held in memory are, like :func:`sniff` (gunzipping their start if they are gzip).

    Raises:
        OSError, EOFError, zlib.error: damaged gzip bytes.
    """
    if data[:2] != b"\x1f\x8b":
        return kind_of(data[:HEAD])
    with gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb") as g:
        head = g.read(HEAD)
    found = kind_of(head)
    found.gzip = True
    return found


def sniff(path: Path) -> Sniffed:
    """What the file is, from its first 64 KB (gunzipped first if it is a gzip file).

    Raises:
        OSError, EOFError, zlib.error: a damaged gzip file.
    """
    with open(path, "rb") as f:
        raw = f.read(HEAD)
    if raw[:2] != b"\x1f\x8b":
        return kind_of(raw)
    with gzip.open(path, "rb") as g:
        head = g.read(HEAD)
    found = kind_of(head)
    found.gzip = True
    return found


class LimitedReader(io.RawIOBase):
    """The file's bytes, gunzipped if ``gz``; raises :class:`OverLimit` past ``max_bytes``.

    ``path`` may be an open binary file (an upload held in memory as :class:`io.BytesIO`)."""

    def __init__(self, path: Path | BinaryIO, *, gz: bool, max_bytes: int):
        self._file: BinaryIO = open(path, "rb") if isinstance(path, (str, Path)) else path  # noqa: SIM115 (closed in close())
        self._src = gzip.GzipFile(fileobj=self._file, mode="rb") if gz else self._file
        self.max_bytes = max_bytes
        self.total = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        room = self.max_bytes + 1 - self.total
        data = self._src.read(room if size is None or size < 0 else min(size, room))
        self.total += len(data)
        if self.total > self.max_bytes:
            raise OverLimit
        return data

    def read_all(self) -> bytes:
        chunks = []
        while chunk := self.read(BLOCK):
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        if self._src is not self._file:
            self._src.close()
        self._file.close()
        super().close()


@dataclass
class Findings:
    """What a :class:`TextStream` noticed: lines by what was odd about them, and why it stopped."""

    cp1252: list[int] = field(default_factory=list)
    utf8_non_ascii: bool = False
    nul: list[int] = field(default_factory=list)
    garbled: list[int] = field(default_factory=list)
    stopped: str | None = None  # "bytes", "line" or "damaged"
    stopped_line: int = 0
    damage: str = ""


def _count_lines(data: bytes | str) -> int:
    if isinstance(data, bytes):
        return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    return data.count("\n") + data.count("\r") - data.count("\r\n")


def _lines_with(block: bytes | str, test: Callable[[Any], object]) -> list[int]:
    """0-based line offsets within ``block`` of the lines for which ``test(line)`` holds."""
    lines = block.splitlines() if isinstance(block, bytes) else re.split("\r\n|\r|\n", block)
    return [i for i, line in enumerate(lines) if test(line)]


class TextStream(io.TextIOBase):
    """Decoded text of a file, a block of whole lines at a time (see the module docstring)."""

    def __init__(self, reader: LimitedReader, *, encoding: str | None, max_line: int = 64_000_000):
        self.reader = reader
        self.max_line = max_line
        self.encoding_ = encoding
        self._decoder = codecs.getincrementaldecoder(encoding)("replace") if encoding else None
        self._buf = ""
        self._carry = b""
        self._line = 1
        self._first = True
        self._eof = False
        self._run = 0  # characters since the last line break (UTF-16)
        self.found = Findings()

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        while not self._eof and (size is None or size < 0 or len(self._buf) < size):
            self._fill()
        if size is None or size < 0:
            out, self._buf = self._buf, ""
        else:
            out, self._buf = self._buf[:size], self._buf[size:]
        return out

    def peek_text(self, size: int) -> str:
        """The next ``size`` characters (fewer at the end), without consuming them."""
        while not self._eof and len(self._buf) < size:
            self._fill()
        return self._buf[:size]

    def buffered(self) -> str:
        """The text decoded but not yet read (whole lines, unless the file ended)."""
        return self._buf

    def _stop(self, why: str, damage: str = "") -> None:
        self.found.stopped, self.found.stopped_line, self.found.damage = why, self._line, damage
        self._eof = True

    def _fill(self) -> None:
        try:
            data = self.reader.read(BLOCK)
        except OverLimit:
            return self._stop("bytes")
        except (OSError, EOFError, zlib.error) as e:
            return self._stop("damaged", str(e))
        final = not data
        if self._decoder is not None:
            text = self._decoder.decode(data, final=final)
            if self._first:
                text = text.removeprefix("\ufeff")
            self._take_text(text)
        else:
            block = self._carry + data
            if final and not block:
                self._eof = True
                return None
            cut = block.rfind(b"\n")
            cut = len(block) if final else (cut if cut >= 0 else block.rfind(b"\r")) + 1
            if cut <= 0:
                self._carry = block
                if len(block) > self.max_line:
                    self._stop("line")
                return None
            self._carry = block[cut:]
            self._take_bytes(block[:cut])
        self._first = False
        if final:
            self._eof = True
        return None

    def _take_text(self, text: str) -> None:
        end = max(text.rfind("\n"), text.rfind("\r"))
        self._run = self._run + len(text) if end < 0 else len(text) - end - 1
        if self._run > self.max_line:
            return self._stop("line")
        if "\x00" in text:
            self.found.nul += [self._line + i for i in _lines_with(text, lambda ln: "\x00" in ln)]
            text = text.replace("\x00", "")
        self._note_garbled(text)
        self._line += _count_lines(text)
        self._buf += text

    def _take_bytes(self, block: bytes) -> None:
        if self._first:
            block = block.removeprefix(b"\xef\xbb\xbf")
        if b"\x00" in block:
            self.found.nul += [self._line + i for i in _lines_with(block, lambda ln: b"\x00" in ln)]
            block = block.replace(b"\x00", b"")
        try:
            text = block.decode("utf-8")
            if not self.found.utf8_non_ascii and not block.isascii():
                self.found.utf8_non_ascii = True
        except UnicodeDecodeError:
            parts = []
            for i, line in enumerate(block.splitlines(keepends=True)):
                try:
                    parts.append(line.decode("utf-8"))
                    self.found.utf8_non_ascii |= not line.isascii()
                except UnicodeDecodeError:
                    parts.append(line.decode("cp1252", errors="replace"))
                    self.found.cp1252.append(self._line + i)
            text = "".join(parts)
        self._note_garbled(text)
        self._line += _count_lines(block)
        self._buf += text

    def _note_garbled(self, text: str) -> None:
        if text.isascii() or not ("Ã" in text or "Â" in text or "â€" in text):
            return
        if _GARBLED.search(text):
            self.found.garbled += [self._line + i for i in _lines_with(text, _GARBLED.search)]
