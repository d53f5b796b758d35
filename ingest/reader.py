"""Read a document file (plain text, HTML, DOCX or PDF) into text.

``read_document(path)`` returns a :class:`SourceText` (the text, its format, the detected encoding,
the SHA-256 of the bytes) or raises a :class:`kb.errors.ReadError` with its ``PKB-READ-…`` code.
How each format is decoded and what text it gives: docs/pipeline.md.
"""
from __future__ import annotations

import codecs
import hashlib
import io
import os
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kb.errors import ReadError

__all__ = ["SourceText", "read_document", "decode_bytes", "SUPPORTED_SUFFIXES"]

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(
    {".txt", ".text", ".md", ".docx", ".pdf", ".html", ".htm"})
_FORMATS = {".txt": "txt", ".text": "txt", ".md": "txt", ".docx": "docx", ".pdf": "pdf",
            ".html": "html", ".htm": "html"}

#: A DOCX may declare at most this many uncompressed bytes in total ...
ZIP_MAX_UNCOMPRESSED = 1 << 30
#: ... and no member larger than ZIP_RATIO_MIN_SIZE may expand more than this ratio ...
ZIP_MAX_RATIO = 200
ZIP_RATIO_MIN_SIZE = 1 << 20
#: ... nor hold more than this many members.
ZIP_MAX_MEMBERS = 10_000

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: The most text one document may hold: UTF-8 bytes as the store receives them (N-Quads escapes
#: included). A document's whole text is one literal (``pkb:text``) and the store's N-Quads parser
#: refuses a literal over 16 MiB, so a larger text would fail only at the very end, when written
#: (after minutes of extraction); it is refused up front instead. Split such a document.
MAX_TEXT_BYTES = 15 * 2**20


@dataclass(frozen=True)
class SourceText:
    path: str             # as given
    text: str             # decoded text, paragraphs separated by "\n"
    format: str           # "txt" | "docx" | "pdf" | "html"
    encoding: str | None  # e.g. "utf-8", "utf-8-sig", "gb18030", "big5", "utf-16-le"
    sha256: str           # hex digest of the raw bytes


def read_document(path: str | os.PathLike, *, max_bytes: int = 200 * 2**20,
                  max_text_bytes: int = MAX_TEXT_BYTES) -> SourceText:
    """Read ``path`` into a :class:`SourceText`; raise ``ReadError`` when it cannot be read."""
    where = os.fspath(path)
    p = Path(where)

    def fail(code: str, message: str, hint: str) -> ReadError:
        return ReadError(message, hint=hint, path=where, code=code)

    try:
        st = p.stat()
    except FileNotFoundError:
        raise fail("PKB-READ-OPEN", "file not found", "check the path") from None
    except OSError as e:
        raise fail("PKB-READ-OPEN", f"cannot open the file: {e.strerror}",
                   "check the path and its permissions") from None
    if not p.is_file():
        raise fail("PKB-READ-OPEN", "not a regular file (a directory or a device?)",
                   "give the path of a document file")
    suffix = p.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise fail("PKB-READ-FORMAT", f"unsupported file format {suffix or '(no suffix)'!r}",
                   "supported: " + ", ".join(sorted(SUPPORTED_SUFFIXES)))
    if st.st_size > max_bytes:
        raise fail("PKB-READ-TOO-LARGE", f"file is too large ({st.st_size:,} bytes, limit "
                   f"{max_bytes:,})", "split the document or raise the size limit")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise fail("PKB-READ-OPEN", f"cannot read the file: {e.strerror}",
                   "check its permissions") from None
    if len(data) > max_bytes:
        raise fail("PKB-READ-TOO-LARGE", f"file is too large ({len(data):,} bytes)",
                   "split the document or raise the size limit")
    if not data:
        raise fail("PKB-READ-EMPTY", "file is empty", "check that the download or export worked")
    fmt = _FORMATS[suffix]
    encoding: str | None = None
    if fmt == "txt":
        text, encoding = decode_bytes(data, path=where)
    elif fmt == "html":
        text, encoding = _read_html(data, where)
    elif fmt == "docx":
        text = _read_docx(data, fail)
    else:
        text = _read_pdf(data, fail)
    if not text.strip():
        raise fail("PKB-READ-EMPTY", f"the {fmt} file holds no text",
                   "check that the export worked")
    size = _stored_size(text, max_text_bytes)
    if size > max_text_bytes:
        raise fail("PKB-READ-TOO-LARGE", f"the text is too large for one document ({size:,} bytes of "
                   f"text, limit {max_text_bytes:,})", "split it into parts (e.g. by chapter) and "
                   "ingest those")
    return SourceText(path=where, text=text, format=fmt, encoding=encoding,
                      sha256=hashlib.sha256(data).hexdigest())


def _stored_size(text: str, limit: int) -> int:
    """The UTF-8 size of ``text`` as an N-Quads literal; for a text surely under ``limit``, a bound."""
    if len(text) * 4 <= limit:   # at most 4 bytes per character, an escape ("\n" → "\\n") included
        return len(text)
    return (len(text.encode("utf-8", "surrogatepass")) + text.count("\n") + text.count("\r")
            + text.count('"') + text.count("\\"))


# -- plain text -------------------------------------------------------------------------------

_BOMS = [(codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be")]
_CONTROL_RX = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_SAMPLE = 1 << 16   # characters scored per candidate decoding


@lru_cache(maxsize=None)
def _common_chars() -> frozenset[str]:
    """Characters plausible in a Chinese document: common hanzi, ASCII, CJK punctuation."""
    def block(encoding: str, leads: range, trails: range) -> set[str]:
        out = set()
        for a in leads:
            for b in trails:
                try:
                    c = bytes((a, b)).decode(encoding)
                except UnicodeDecodeError:
                    continue
                if "\u4e00" <= c <= "\u9fff":
                    out.add(c)
        return out
    chars = block("gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF))          # GB2312 level 1
    chars |= block("big5", range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)])
    chars |= {chr(c) for c in range(0x20, 0x7F)} | set("\t\n\r\f")
    chars |= {chr(c) for c in range(0x3000, 0x3040)} | {chr(c) for c in range(0xFF01, 0xFF5F)}
    chars |= set("“”‘’…—·")
    return frozenset(chars)


_ASCII_RX = re.compile("[\x00-\x7f]+")


def _plausibility(text: str) -> float:
    """The share of common characters among the non-ASCII characters of a sample (1.0 if none).

    ASCII is left out: it reads the same in every candidate encoding, so in a mostly-ASCII
    text (a Western document in Latin-1) it would make any decoding look plausible.
    """
    sample = text[:_SAMPLE]
    if not sample:
        return 0.0
    wide = _ASCII_RX.sub("", sample)
    if not wide:
        return 1.0
    return len(_uncommon_rx().sub("", wide)) / len(wide)


@lru_cache(maxsize=1)
def _uncommon_rx() -> re.Pattern:
    """Any character that is not one of :func:`_common_chars` (one class: a scan in C)."""
    return re.compile("[^" + "".join(map(re.escape, sorted(_common_chars()))) + "]")


def _looks_binary(text: str) -> bool:
    controls = len(_CONTROL_RX.findall(text[:_SAMPLE]))
    return "\x00" in text or controls > max(2, len(text[:_SAMPLE]) // 200)


def _utf16_or_32_without_bom(data: bytes) -> tuple[str, str] | None:
    """Decode BOM-less UTF-16 (or UTF-32) when NUL bytes say so and the result reads as text.

    ASCII characters (newlines, digits) put a NUL byte on one side of their byte pair, so NUL
    bytes in an even-length file suggest UTF-16; both byte orders are tried strictly and the
    most plausible decoding wins (the wrong order gives rare or unassigned characters).
    """
    if len(data) % 2 or b"\x00" not in data:
        return None
    best = None
    wide = ("utf-32-le", "utf-32-be") if len(data) % 4 == 0 else ()
    for enc in (*wide, "utf-16-le", "utf-16-be"):
        text = _strict(data, enc)
        if text is not None and not _looks_binary(text):
            score = _plausibility(text)
            if score >= 0.8 and (best is None or score > best[0]):
                best = (score, text, enc)
    return (best[1], best[2]) if best else None


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _junk(path: str | None, why: str) -> ReadError:
    return ReadError(f"not a text file: {why}", path=path, code="PKB-READ-BINARY",
                     hint="it may be a binary file with a text suffix, or use an encoding "
                          "other than UTF-8/16/32, GB18030/GBK/GB2312 or Big5")


def decode_bytes(data: bytes, *, path: str | None = None) -> tuple[str, str]:
    """Decode the bytes of a text file; returns ``(text, encoding)`` (BOM removed)."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            text = _strict(data[len(bom):], "utf-8" if enc == "utf-8-sig" else enc)
            if text is None or _looks_binary(text):
                raise _junk(path, f"it starts with a {enc} byte-order mark but does not "
                                  f"decode as {enc}")
            return text, enc
    utf16 = _utf16_or_32_without_bom(data)
    if utf16:
        return utf16
    if b"\x00" in data:
        raise _junk(path, "it contains NUL bytes (binary data)")
    utf8 = _strict(data, "utf-8")
    if utf8 is not None:
        if _looks_binary(utf8):
            raise _junk(path, "it contains control characters (binary data)")
        if data.isascii() or _plausibility(utf8) >= 0.9:
            return utf8, "utf-8"
    candidates: list[tuple[float, str, str]] = []
    for family in (("gb18030",), ("big5", "cp950", "big5hkscs")):
        for enc in family:          # the first of a family that decodes strictly
            t = _strict(data, enc)
            if t is not None:
                if not _looks_binary(t):
                    candidates.append((_plausibility(t), enc, t))
                break
    if len(data) % 2 == 0:          # UTF-16 of pure CJK text has no NUL bytes at all
        for enc in ("utf-16-le", "utf-16-be"):
            t = _strict(data, enc)
            if t is not None and not _looks_binary(t):
                candidates.append((_plausibility(t), enc, t))
    best = max(candidates, key=lambda c: c[0], default=None)   # ties: earlier wins
    if best is not None and best[0] >= 0.9:
        return best[2], best[1]
    if utf8 is not None:            # valid UTF-8 that is not Chinese (Russian, French, ...)
        return utf8, "utf-8"
    # Chinese text with a few damaged bytes: accept when the damage is tiny.
    for enc in ("gb18030", "utf-8", "big5"):
        t = data.decode(enc, errors="replace")
        repaired = t.replace("\ufffd", "")
        if (t.count("\ufffd") <= max(4, len(t) // 500) and not _looks_binary(t)
                and not repaired.isascii() and _plausibility(repaired) >= 0.9):
            return t, enc
    # Not convincingly Chinese: let charset-normalizer name a (maybe non-CJK) encoding.
    guess = _charset_normalizer_guess(data)
    if guess is not None and not guess.replace("_", "-").startswith(("utf-16", "utf-32")):
        t = _strict(data, guess)
        if t is not None and not _looks_binary(t):
            return t, guess
    if best is not None and best[0] >= 0.5:
        return best[2], best[1]
    raise _junk(path, "its bytes do not decode as text in any supported encoding")


def _charset_normalizer_guess(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:   # pragma: no cover - a declared dependency
        return None
    match = from_bytes(data[:1 << 20]).best()
    if match is None:
        return None
    try:
        return codecs.lookup(match.encoding).name
    except LookupError:
        return None


# -- HTML -------------------------------------------------------------------------------------

_META_CHARSET_RX = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([-\w.:]+)", re.I)
_DROP_TAGS = frozenset({"script", "style", "nav", "header", "footer", "aside", "noscript",
                        "template", "iframe", "head", "svg", "canvas", "object", "embed",
                        "select", "button"})
_BLOCK_TAGS = frozenset({"address", "article", "blockquote", "body", "caption", "center", "dd",
                         "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption",
                         "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "html",
                         "li", "main", "ol", "p", "section", "summary", "table", "tbody",
                         "td", "tfoot", "th", "thead", "tr", "ul"})
_HTML_SPACE_RX = re.compile(r"[ \t\r\n\f]+")


def _declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET_RX.search(data[:8192])
    if not m:
        return None
    try:
        name = codecs.lookup(m.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    return "gb18030" if name in ("gb2312", "gbk") else name


def _decode_html(data: bytes, path: str) -> tuple[str, str]:
    """Honour <meta charset> when it is consistent with the bytes, else detect."""
    declared = _declared_charset(data)
    if declared and not any(data.startswith(bom) for bom, _ in _BOMS):
        text = _strict(data, declared)
        if text is not None and not _looks_binary(text):
            if declared != "utf-8" and _strict(data, "utf-8") is not None and not data.isascii():
                return data.decode("utf-8"), "utf-8"   # valid UTF-8 is strong evidence
            return text, declared
    return decode_bytes(data, path=path)


def _read_html(data: bytes, path: str) -> tuple[str, str]:
    from bs4 import BeautifulSoup
    from bs4.element import NavigableString, PreformattedString, Tag

    markup, encoding = _decode_html(data, path)
    soup = BeautifulSoup(markup, "html.parser")
    parts: list[str] = []
    stack: list = [soup]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
                parts.append(_HTML_SPACE_RX.sub(" ", node))
            elif not isinstance(node, NavigableString):     # a "\n" marker pushed below
                parts.append(node)
            continue
        if not isinstance(node, Tag) or node.name in _DROP_TAGS:
            continue
        if node.name == "br":
            parts.append("\n")
        elif node.name == "pre":
            parts.append("\n" + node.get_text() + "\n")
        else:
            if node.name in _BLOCK_TAGS:
                parts.append("\n")
                stack.append("\n")
            stack.extend(reversed(node.contents))
    lines = (line.strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line), encoding


# -- DOCX -------------------------------------------------------------------------------------

def _read_docx(data: bytes, fail) -> str:
    if data.startswith(_OLE_MAGIC):
        raise fail("PKB-READ-FORMAT", "not a .docx: an old Word 97-2003 (.doc) file or a "
                   "password-protected Office file", "open it in Word and save as .docx")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise fail("PKB-READ-CORRUPT", "the .docx file is truncated or corrupt (not a readable "
                   "zip archive)", "download or export it again") from None
    total = sum(i.file_size for i in infos)
    if len(infos) > ZIP_MAX_MEMBERS or total > ZIP_MAX_UNCOMPRESSED or any(
            i.file_size > ZIP_RATIO_MIN_SIZE and i.file_size > ZIP_MAX_RATIO * max(
                i.compress_size, 1) for i in infos):
        raise fail("PKB-READ-BOMB", f"the .docx would expand to {total:,} bytes in "
                   f"{len(infos):,} parts (a zip bomb?); refusing to open it",
                   "check where the file came from")
    import docx
    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs = list(_docx_paragraphs(document))
    except Exception as e:   # python-docx and lxml raise many types on damaged input
        raise fail("PKB-READ-CORRUPT", f"the .docx file is truncated or corrupt "
                   f"({type(e).__name__}: {e})", "download or export it again") from None
    return "\n".join(paragraphs)


def _docx_paragraphs(container):
    """Paragraph texts in document order; table cells (merged cells once) become paragraphs."""
    from docx.table import Table
    for block in container.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    yield from _docx_paragraphs(cell)
        else:
            yield block.text


# -- PDF --------------------------------------------------------------------------------------

#: Fewer non-space characters than this per page means there is no real text layer.
PDF_MIN_CHARS_PER_PAGE = 3


def _read_pdf(data: bytes, fail) -> str:
    if b"%PDF-" not in data[:1024]:
        raise fail("PKB-READ-CORRUPT", "not a PDF file (no %PDF header): truncated or corrupt",
                   "download or export it again")
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError) as e:
                raise fail("PKB-READ-ENCRYPTED", f"the PDF is encrypted with a scheme that cannot "
                           f"be opened here ({e})", "save an unencrypted copy") from None
            if not opened:
                raise fail("PKB-READ-ENCRYPTED", "the PDF is encrypted and needs a password",
                           "save an unencrypted copy")
        pages = reader.pages
        texts = []
        for number, page in enumerate(pages, 1):
            try:
                texts.append(page.extract_text() or "")
            except FileNotDecryptedError:
                raise fail("PKB-READ-ENCRYPTED", "the PDF is encrypted and needs a password",
                           "save an unencrypted copy") from None
            except Exception as e:   # pypdf raises many types on damaged pages
                raise fail("PKB-READ-CORRUPT", f"page {number} of the PDF cannot be read "
                           f"({type(e).__name__}: {e})", "the file may be corrupt") from None
    except ReadError:
        raise
    except Exception as e:   # pypdf raises many types on damaged files
        raise fail("PKB-READ-CORRUPT", f"the PDF is truncated or corrupt ({type(e).__name__}: "
                   f"{e})", "download or export it again") from None
    text = "\n".join(texts)
    if len("".join(text.split())) < PDF_MIN_CHARS_PER_PAGE * max(len(texts), 1):
        raise fail("PKB-READ-NO-TEXT-LAYER", f"the PDF has no text layer ({len(texts)} page(s) of "
                   "images, e.g. a scan): it needs OCR", "run OCR on it (e.g. ocrmypdf) first")
    return text
