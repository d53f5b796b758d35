"""Tests for ingest.reader: real files of every kind written to tmp_path."""
from __future__ import annotations

import hashlib
import io
import os
import struct
import zipfile
from pathlib import Path

import pytest

from ingest.reader import SUPPORTED_SUFFIXES, SourceText, decode_bytes, read_document
from kb.errors import ReadError

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DOCS = ROOT / "source_docs"

SIMPLIFIED = ("张掖中学集团化办学工作方案\n一、总体要求\n坚持以习近平新时代中国特色社会主义思想为指导，"
              "以办人民满意的教育为宗旨，推进区域普通高中办学质量整体提升。\n集团设视导员2名。\n")
TRADITIONAL = ("寶塔區集團化辦學\n推進寶塔教育優質均衡發展，努力實現所有適齡兒童“上好學”的需求。\n"
               "集團化辦學成效逐步顯現。\n")


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def read_code(path, **kw) -> str:
    with pytest.raises(ReadError) as info:
        read_document(path, **kw)
    err = info.value
    assert err.path == str(path)
    assert err.message and err.hint
    assert err.code in str(err)
    return err.code


# -- plain text in every encoding ------------------------------------------------------------

@pytest.mark.parametrize("encoding, expected", [
    ("utf-8", "utf-8"),
    ("utf-8-sig", "utf-8-sig"),
    ("gb18030", "gb18030"),
    ("gbk", "gb18030"),
    ("gb2312", "gb18030"),
    ("utf-16-le", "utf-16-le"),
    ("utf-16-be", "utf-16-be"),
    ("utf-32-le", "utf-32-le"),
])
def test_simplified_text_in_each_encoding(tmp_path, encoding, expected):
    p = write(tmp_path, "doc.txt", SIMPLIFIED.encode(encoding))
    src = read_document(p)
    assert src == SourceText(path=str(p), text=SIMPLIFIED, format="txt", encoding=expected,
                             sha256=hashlib.sha256(p.read_bytes()).hexdigest())


@pytest.mark.parametrize("bom, encoding", [
    (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
])
def test_utf16_and_utf32_with_bom(tmp_path, bom, encoding):
    p = write(tmp_path, "doc.txt", bom + SIMPLIFIED.encode(encoding))
    src = read_document(p)
    assert src.text == SIMPLIFIED and src.encoding == encoding


@pytest.mark.parametrize("encoding", ["big5", "cp950", "gb18030", "utf-16-le", "utf-8"])
def test_traditional_text(tmp_path, encoding):
    p = write(tmp_path, "doc.txt", TRADITIONAL.encode(encoding))
    src = read_document(p)
    assert src.text == TRADITIONAL
    assert src.encoding == ("big5" if encoding == "cp950" else encoding)


def _encodable(encodings):
    for doc in sorted(SOURCE_DOCS.glob("*.txt")):
        text = doc.read_text(encoding="utf-8")
        for enc in encodings:
            try:
                text.encode(enc)
            except UnicodeEncodeError:     # simplified documents have no Big5 form
                continue
            yield pytest.param(doc, enc, id=f"{doc.stem}-{enc}")


@pytest.mark.parametrize("doc, encoding",
                         list(_encodable(["gb18030", "big5", "utf-16-le", "utf-16-be"])))
def test_real_documents_in_legacy_encodings(doc, encoding):
    text = doc.read_text(encoding="utf-8")
    assert decode_bytes(text.encode(encoding)) == (text, encoding)


def test_utf16_without_bom_and_without_ascii():
    text = "优质均衡发展集团化办学"          # no ASCII: no NUL bytes at all
    assert decode_bytes(text.encode("utf-16-le")) == (text, "utf-16-le")
    assert decode_bytes(text.encode("utf-16-be")) == (text, "utf-16-be")


def test_big5_is_not_mistaken_for_gbk():
    for text in ("中文", "學校", "教育集團"):
        assert decode_bytes(text.encode("big5")) == (text, "big5")
    for text in ("中文", "学校", "教育集团"):
        assert decode_bytes(text.encode("gbk")) == (text, "gb18030")


def test_a_few_damaged_bytes_are_tolerated():
    data = (SOURCE_DOCS / "luohe-shiyan-group.txt").read_text(encoding="utf-8").encode("gbk")
    text, enc = decode_bytes(data[:3001] + b"\xff" + data[3001:])
    assert enc == "gb18030" and 1 <= text.count("\ufffd") <= 4


def test_non_chinese_text_is_not_an_error(tmp_path):
    p = write(tmp_path, "en.txt", b"A plain English note.\nSecond line.\n")
    assert read_document(p).text == "A plain English note.\nSecond line.\n"
    assert decode_bytes("Привет, мир".encode("utf-8")) == ("Привет, мир", "utf-8")


@pytest.mark.parametrize("data", [
    os.urandom(4096),
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
    b"ELF\x7f\x02\x01\x01" + b"\x00" * 64 + os.urandom(512),
    "正常文本".encode("utf-8") + b"\x00\x01\x02\x03" * 50,
], ids=["random", "png", "elf", "text-with-nuls"])
def test_binary_junk(tmp_path, data):
    assert read_code(write(tmp_path, "junk.txt", data)) == "PKB-READ-BINARY"


def test_bom_that_lies(tmp_path):
    assert read_code(write(tmp_path, "x.txt", b"\xef\xbb\xbf\xff\xfe\xfd")) == "PKB-READ-BINARY"


# -- file-level errors ------------------------------------------------------------------------

def test_missing_file(tmp_path):
    assert read_code(tmp_path / "nope.txt") == "PKB-READ-OPEN"


def test_directory_is_not_a_file(tmp_path):
    d = tmp_path / "dir.txt"
    d.mkdir()
    assert read_code(d) == "PKB-READ-OPEN"


def test_empty_file(tmp_path):
    assert read_code(write(tmp_path, "empty.txt", b"")) == "PKB-READ-EMPTY"
    assert read_code(write(tmp_path, "blank.txt", b" \n\r\n\t ")) == "PKB-READ-EMPTY"


def test_unsupported_format(tmp_path):
    assert read_code(write(tmp_path, "sheet.xlsx", b"PK\x03\x04")) == "PKB-READ-FORMAT"
    assert read_code(write(tmp_path, "noext", b"hello")) == "PKB-READ-FORMAT"


def test_too_large(tmp_path):
    p = write(tmp_path, "big.txt", "集团".encode() * 100)
    assert read_code(p, max_bytes=100) == "PKB-READ-TOO-LARGE"
    assert read_document(p, max_bytes=600).text == "集团" * 100


def test_supported_suffixes_and_path_as_given(tmp_path):
    assert SUPPORTED_SUFFIXES == {".txt", ".text", ".md", ".docx", ".pdf", ".html", ".htm"}
    p = write(tmp_path, "NOTE.MD", "# 标题\n正文".encode())
    src = read_document(str(p))
    assert src.format == "txt" and src.path == str(p) and src.text == "# 标题\n正文"


def test_error_message_names_file_and_problem(tmp_path):
    p = tmp_path / "缺失文件.txt"
    with pytest.raises(ReadError) as info:
        read_document(p)
    assert str(p) in str(info.value) and "not found" in str(info.value)
    assert info.value.to_dict()["code"] == "PKB-READ-OPEN"


# -- HTML -------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>集团化办学方案_范文网</title>
<style>p {{ color: red }}</style><script>var x = "不要这个";</script></head>
<body>
<header>网站首页 | 新闻中心</header>
<nav><a href="/">首页</a> &gt; <a href="/news">新闻</a></nav>
<div class="content">
  <h1>实验中学教育集团
      办学工作实施方案</h1>
  <p>为进一步深化基础教育综合改革，<b>创新办学模式</b>，特制定本方案。</p>
  <!-- 注释不要 -->
  <p>&nbsp;&nbsp;一、工作目标<br>整合优化教育资源。</p>
  <ul><li>第一项</li><li>第二项</li></ul>
  <table><tr><td>组长</td><td>赵明烨</td></tr></table>
</div>
<aside>热门文章</aside>
<footer>版权所有 (c) 2024</footer>
<script>document.write("广告")</script>
</body></html>"""


def test_html_with_chrome_and_meta_charset(tmp_path):
    p = write(tmp_path, "page.html", PAGE.format().encode("gbk"))
    src = read_document(p)
    assert src.format == "html" and src.encoding == "gb18030"
    assert src.text.split("\n") == [
        "实验中学教育集团 办学工作实施方案",
        "为进一步深化基础教育综合改革，创新办学模式，特制定本方案。",
        "一、工作目标",
        "整合优化教育资源。",
        "第一项", "第二项", "组长", "赵明烨"]
    for junk in ("不要这个", "广告", "首页", "热门文章", "版权所有", "注释", "color", "范文网"):
        assert junk not in src.text


def test_html_meta_charset_inconsistent_with_bytes(tmp_path):
    page = '<html><head><meta charset="gb2312"></head><body><p>教育集团方案</p></body></html>'
    src = read_document(write(tmp_path, "p.htm", page.encode("utf-8")))
    assert src.text == "教育集团方案" and src.encoding == "utf-8"


def test_html_without_meta_big5(tmp_path):
    page = "<html><body><p>寶塔區教育集團</p><p>優質均衡發展</p></body></html>"
    src = read_document(write(tmp_path, "p.html", page.encode("big5")))
    assert src.text == "寶塔區教育集團\n優質均衡發展" and src.encoding == "big5"


def test_html_pre_keeps_lines(tmp_path):
    page = "<html><body><pre>第一行\n第二行</pre><p>后文</p></body></html>"
    assert read_document(write(tmp_path, "p.html", page.encode())).text == "第一行\n第二行\n后文"


# -- DOCX -------------------------------------------------------------------------------------

def make_docx(path: Path) -> Path:
    import docx
    d = docx.Document()
    d.add_heading("张掖中学集团化办学工作方案", level=1)
    d.add_paragraph("一、总体要求")
    d.add_paragraph("坚持以习近平新时代中国特色社会主义思想为指导。")
    table = d.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "组长"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "赵明烨"
    table.cell(1, 0).text = "成员"
    table.cell(1, 1).text = "王学舜"
    table.cell(1, 2).text = "屈军"
    d.add_paragraph("推进组办公室设在市教育局。")
    d.save(path)
    return path


def test_docx(tmp_path):
    p = make_docx(tmp_path / "plan.docx")
    src = read_document(p)
    assert src.format == "docx" and src.encoding is None
    assert src.text.split("\n") == ["张掖中学集团化办学工作方案", "一、总体要求",
                                    "坚持以习近平新时代中国特色社会主义思想为指导。",
                                    "组长", "赵明烨", "成员", "王学舜", "屈军",
                                    "推进组办公室设在市教育局。"]


def test_truncated_docx(tmp_path):
    data = make_docx(tmp_path / "plan.docx").read_bytes()
    for cut in (len(data) // 2, len(data) - 30, 100):
        assert read_code(write(tmp_path, f"cut{cut}.docx", data[:cut])) == "PKB-READ-CORRUPT"


def test_docx_that_is_not_a_zip_or_not_word(tmp_path):
    assert read_code(write(tmp_path, "a.docx", "只是文本".encode())) == "PKB-READ-CORRUPT"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "not a word document")
    assert read_code(write(tmp_path, "b.docx", buf.getvalue())) == "PKB-READ-CORRUPT"


def test_old_word_doc_renamed(tmp_path):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    assert read_code(write(tmp_path, "old.docx", data)) == "PKB-READ-FORMAT"


def test_zip_bomb_by_ratio(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\x00" * (4 << 20))   # 4 MiB -> a few KiB
    assert len(buf.getvalue()) < 64 << 10
    assert read_code(write(tmp_path, "bomb.docx", buf.getvalue())) == "PKB-READ-BOMB"


def test_zip_bomb_by_declared_size(tmp_path):
    """A tiny archive whose central directory declares a 4 GB member is refused unopened."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("word/document.xml", b"<w:document/>")
    data = bytearray(buf.getvalue())
    cd = data.index(b"PK\x01\x02")
    data[cd + 20:cd + 28] = struct.pack("<II", 13, 0xFFFFFFF0)  # compressed, uncompressed
    assert read_code(write(tmp_path, "bomb.docx", bytes(data))) == "PKB-READ-BOMB"


# -- PDF --------------------------------------------------------------------------------------

def _pdf(objects: list[bytes]) -> bytes:
    """Assemble a PDF from object bodies (object i+1 is objects[i]) with a correct xref."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds ``lines``, drawn with a Type0 font.

    Glyph ids are 1..n and a ToUnicode CMap maps them back to the characters, which is all a
    text extractor needs (no font program is embedded, so this is tiny and pure Python).
    """
    chars = sorted(set("".join(lines)))
    cid = {c: i + 1 for i, c in enumerate(chars)}
    bfchar = b"".join(b"<%04X> <%s>\n" % (cid[c], c.encode("utf-16-be").hex().upper().encode())
                      for c in chars)
    cmap = (b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            b"%d beginbfchar\n" % len(chars) + bfchar + b"endbfchar\nendcmap\n"
            b"CMapName currentdict /CMap defineresource pop\nend\nend")
    content = b"BT\n/F1 14 Tf\n72 760 Td\n16 TL\n" + b"".join(
        b"<" + "".join(f"{cid[c]:04X}" for c in line).encode() + b"> Tj T*\n"
        for line in lines) + b"ET"
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(content),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /STSong-Light /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
        _stream(cmap),
    ])


PDF_LINES = ["张掖中学集团化办学工作方案", "一、总体要求", "集团设视导员2名。"]


def test_pdf_with_text_layer(tmp_path):
    p = write(tmp_path, "plan.pdf", make_pdf(PDF_LINES))
    src = read_document(p)
    assert src.format == "pdf" and src.encoding is None
    assert [line.strip() for line in src.text.split("\n") if line.strip()] == PDF_LINES


def test_pdf_without_text_layer_needs_ocr(tmp_path):
    from pypdf import PdfWriter
    w = PdfWriter()
    w.add_blank_page(width=595, height=842)
    w.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    w.write(buf)
    p = write(tmp_path, "scan.pdf", buf.getvalue())
    assert read_code(p) == "PKB-READ-NO-TEXT-LAYER"
    with pytest.raises(ReadError, match="OCR"):
        read_document(p)


def _encrypted(tmp_path, user: str, owner: str) -> Path:
    from pypdf import PdfReader, PdfWriter
    w = PdfWriter()
    w.append(PdfReader(io.BytesIO(make_pdf(PDF_LINES))))
    w.encrypt(user_password=user, owner_password=owner, algorithm="RC4-128")
    buf = io.BytesIO()
    w.write(buf)
    return write(tmp_path, f"enc-{bool(user)}.pdf", buf.getvalue())


def test_encrypted_pdf(tmp_path):
    assert read_code(_encrypted(tmp_path, "secret", "owner")) == "PKB-READ-ENCRYPTED"


def test_pdf_with_only_an_owner_password_is_read(tmp_path):
    src = read_document(_encrypted(tmp_path, "", "owner"))
    assert "集团设视导员2名。" in src.text


def test_corrupt_pdf(tmp_path):
    assert read_code(write(tmp_path, "x.pdf", b"not a pdf at all")) == "PKB-READ-CORRUPT"
    data = make_pdf(PDF_LINES)
    assert read_code(write(tmp_path, "cut.pdf", data[:60])) == "PKB-READ-CORRUPT"
