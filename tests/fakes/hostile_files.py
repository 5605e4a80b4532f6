"""Hostile documents, generated on the fly (tests and benchmarks/hostile_files.py): zip bombs whose
headers lie, documents just under the old limits, deep nesting, entity expansion, PDFs with too many
pages, inflating streams or too much text. Sizes are parameters so tests stay fast and the benchmark
can use the tester's sizes (1.15 GB behind a lying header, 199 MB of XML)."""

from __future__ import annotations

import random
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

DOC_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
DOC_TAIL = b"</w:body></w:document>"
CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                 b'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                 b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                 b'officedocument.wordprocessingml.document.main+xml"/></Types>')
_WORD_TEXT = ("hộ nghèo chính sách hỗ trợ xã phường tỉnh thu nhập bảo hiểm y tế giáo dục nhà ở nước sạch "
              "điều kiện tiêu chí chuẩn nghèo đa chiều giai đoạn năm thủ tục hồ sơ")
RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
WORDS = tuple(_WORD_TEXT.split(" "))


def _docx(path: Path, document: Iterator[bytes], *, level: int = 6) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", RELS)
        with zf.open("word/document.xml", "w", force_zip64=True) as f:
            for part in document:
                f.write(part)
    return path


def _repeat(unit: bytes, total: int) -> Iterator[bytes]:
    block = unit * max(1, (1 << 20) // len(unit))
    yield DOC_HEAD
    written = 0
    while written < total:
        yield block
        written += len(block)
    yield DOC_TAIL


def docx_lying_header(path: Path, real_mb: int = 1180, declared: int = 20_000) -> Path:
    """A DOCX whose document.xml really inflates to `real_mb` MB while both zip headers (local and
    central directory, zip64 extra fields included) declare `declared` bytes."""
    _docx(path, _repeat(b"<w:p><w:r><w:t>a</w:t></w:r></w:p>", real_mb << 20), level=9)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("word/document.xml")
    real = info.file_size
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        start = 0
        while (at := data.find(sig, start)) >= 0:
            start = at + 4
            name_at = at + (30 if sig == b"PK\x03\x04" else 46)
            n_len = struct.unpack_from("<H", data, at + (26 if sig == b"PK\x03\x04" else 28))[0]
            if bytes(data[name_at:name_at + n_len]) != b"word/document.xml":
                continue
            size_at = at + (22 if sig == b"PK\x03\x04" else 24)
            if struct.unpack_from("<I", data, size_at)[0] != 0xFFFFFFFF:
                struct.pack_into("<I", data, size_at, declared)
            # the zip64 extra field carries the real size too: lie there as well
            needle = struct.pack("<Q", real)
            extra = data.find(needle, name_at, name_at + n_len + 64)
            if extra >= 0:
                struct.pack_into("<Q", data, extra, declared)
    path.write_bytes(bytes(data))
    return path


def docx_text_heavy(path: Path, xml_mb: int = 199, seed: int = 7) -> Path:
    """Honest headers, ordinary compression (~10:1), `xml_mb` MB of paragraphs of real words: under
    the old declared-size limits (200 MB, ratio 200), far over `MAX_DOC_CHARS`."""
    rng = random.Random(seed)
    paras = [("<w:p><w:r><w:t>" + " ".join(rng.choice(WORDS) for _ in range(40)) + "</w:t></w:r></w:p>").encode()
             for _ in range(2000)]
    block = b"".join(paras)

    def body() -> Iterator[bytes]:
        yield DOC_HEAD
        written = 0
        while written < xml_mb << 20:
            yield block
            written += len(block)
        yield DOC_TAIL

    return _docx(path, body(), level=1)


def docx_deep(path: Path, depth: int = 100_000) -> Path:
    """Tables nested `depth` deep (parsers that recurse, or keep every level, suffer)."""
    def body() -> Iterator[bytes]:
        yield DOC_HEAD
        yield b"<w:tbl><w:tr><w:tc>" * depth
        yield b"<w:p><w:r><w:t>deep</w:t></w:r></w:p>"
        yield b"</w:tc></w:tr></w:tbl>" * depth
        yield DOC_TAIL

    return _docx(path, body())


def docx_entities(path: Path) -> Path:
    """The "billion laughs": nested entities that expand to gigabytes if resolved."""
    dtd = b'<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">' + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(9)) + b"]>"
    doc = DOC_HEAD.replace(b"<w:document", dtd + b"<w:document", 1) + b"<w:p><w:r><w:t>&j;</w:t></w:r></w:p>" + DOC_TAIL
    return _docx(path, iter([doc]))


def docx_empty_runs(path: Path, mb: int = 100, *, varied: bool = False) -> Path:
    """One paragraph of millions of empty runs: no text to count, only elements to keep. `varied`: each
    run has a random revision id, so the part compresses only ~3:1 (no declared-ratio alarm)."""
    rng = random.Random(3)

    def body() -> Iterator[bytes]:
        yield DOC_HEAD + b"<w:p>"
        written = 0
        while written < mb << 20:
            if varied:
                unit = b"".join(b'<w:r w:rsidR="%08X"/>' % rng.getrandbits(32) for _ in range(20_000))
            else:
                unit = b"<w:r/>" * 100_000
            yield unit
            written += len(unit)
        yield b"</w:p>" + DOC_TAIL

    return _docx(path, body(), level=9)


def _pdf(path: Path, pages: list[bytes], *, compress: bool = False) -> Path:
    """A minimal PDF: one Helvetica font, each page with its content stream."""
    objs: list[bytes] = []
    n = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, content in enumerate(pages):
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                    f"/Contents {5 + 2 * i} 0 R >>".encode())
        data = content if isinstance(content, _Deflated) else (_deflate([content]) if compress else content)
        filt = b" /Filter /FlateDecode" if compress else b""
        objs.append(b"<< /Length " + str(len(data)).encode() + filt + b" >>\nstream\n" + data + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def pdf_many_pages(path: Path, pages: int = 2500) -> Path:
    return _pdf(path, [b"BT /F1 12 Tf 72 720 Td (trang) Tj ET"] * pages)


def pdf_too_much_text(path: Path, pages: int = 300, chars_per_page: int = 10_000) -> Path:
    line = ("Chuan ngheo da chieu giai doan 2022 2025 ho tro ho ngheo " * 200)[:chars_per_page]
    return _pdf(path, [f"BT /F1 8 Tf 20 760 Td ({line}) Tj ET".encode()] * pages, compress=True)


def _deflate(parts: Iterable[bytes]) -> bytes:
    z = zlib.compressobj(9)
    return b"".join(z.compress(p) for p in parts) + z.flush()


class _Deflated(bytes):
    """Content already deflated (built in pieces, never whole in memory)."""


def pdf_inflating(path: Path, mb: int = 600) -> Path:
    """One page whose content stream inflates from well under 1 MB to `mb` MB of operators."""
    unit = b"q Q " * (1 << 18)
    return _pdf(path, [_Deflated(_deflate(unit for _ in range((mb << 20) // len(unit))))], compress=True)


def pdf_slow_page(path: Path, operators: int = 2_000_000) -> Path:
    """One page of millions of tiny text-showing operators (cheap to store, slow to extract; 60 MB
    inflated for 2 M operators, under pypdf's own 75 MB stream limit)."""
    unit = b"BT /F1 1 Tf 1 1 Td (a) Tj ET\n" * 10_000
    return _pdf(path, [_Deflated(_deflate(unit for _ in range(operators // 10_000)))], compress=True)


def txt_huge(path: Path, mb: int = 60) -> Path:
    line = ("Hộ nghèo được hỗ trợ bảo hiểm y tế và học phí. " * 20 + "\n").encode()
    with path.open("wb") as f:
        for _ in range((mb << 20) // len(line)):
            f.write(line)
    return path


def html_deep(path: Path, depth: int = 200_000) -> Path:
    path.write_text("<html><body>" + "<div>" * depth + "Hộ nghèo được hỗ trợ." + "</div>" * depth + "</body></html>",
                    encoding="utf-8")
    return path


HOSTILE: dict[str, tuple[str, Callable[[Path], Path]]] = {
    "docx_lying_header_1.15GB": ("docx", docx_lying_header),
    "docx_199MB_xml_under_old_limits": ("docx", docx_text_heavy),
    "docx_nested_100k": ("docx", docx_deep),
    "docx_billion_laughs": ("docx", docx_entities),
    "docx_100MB_empty_runs": ("docx", docx_empty_runs),
    "docx_100MB_runs_honest_ratio": ("docx", lambda p: docx_empty_runs(p, varied=True)),
    "pdf_2500_pages": ("pdf", pdf_many_pages),
    "pdf_3M_chars": ("pdf", pdf_too_much_text),
    "pdf_600MB_inflating_stream": ("pdf", pdf_inflating),
    "pdf_2M_operators_one_page": ("pdf", pdf_slow_page),
    "txt_60MB": ("txt", txt_huge),
    "html_nested_200k": ("html", html_deep),
}
"""name → (extension, generator at full size)."""
