from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest

from knowledge.errors import IngestError
from knowledge.ingest.pipeline import iter_files, prepare_file
from knowledge.types import DocMeta
from tests.unit.knowledge.files import write_docx, write_pdf, write_zip_bomb

VI = "Hộ nghèo được hỗ trợ bảo hiểm y tế. Chuẩn nghèo nông thôn là 1.500.000 đồng/người/tháng."


def _code(exc: pytest.ExceptionInfo[IngestError]) -> str:
    return exc.value.code


def test_txt_first_line_is_title_and_decomposed_input_is_nfc(tmp_path: Path) -> None:
    path = tmp_path / "thong-bao.txt"
    path.write_text(unicodedata.normalize("NFD", f"Thông báo về hộ nghèo\n\n{VI}"), encoding="utf-8")
    doc = prepare_file(path)
    assert doc.meta.title == "Thông báo về hộ nghèo"
    assert doc.meta.lang == "vi"
    assert unicodedata.is_normalized("NFC", doc.text) and "1.500.000 đồng" in doc.text
    assert doc.source == str(path.resolve()) and doc.derived_id == "thong-bao"  # the normalized file name


def test_markdown_front_matter_heading_and_markup(tmp_path: Path) -> None:
    path = tmp_path / "asp.md"
    path.write_text(
        "---\nid: kz-asp\nregion: KZ\npublished: 2025-01-01\nverified: false\n---\n"
        "# Адресная **социальная** помощь\n\nПодать заявление можно на [портале egov.kz](https://egov.kz).\n",
        encoding="utf-8",
    )
    doc = prepare_file(path)
    assert doc.meta.doc_id == "kz-asp" and doc.meta.region == "KZ" and doc.meta.published == date(2025, 1, 1)
    assert doc.meta.title == "Адресная социальная помощь" and doc.meta.lang == "ru"
    assert doc.meta.extra["verified"] is False
    assert "**" not in doc.text and "https://" not in doc.text and "портале egov.kz" in doc.text


def test_sidecar_beats_front_matter_and_flags_beat_sidecar(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("---\ntitle: From front matter\nregion: A\nprogram: p1\n---\n" + VI, encoding="utf-8")
    (tmp_path / "a.md.meta.yaml").write_text("title: From sidecar\nregion: B\n", encoding="utf-8")
    doc = prepare_file(path, DocMeta(region="C"))
    assert (doc.meta.title, doc.meta.region, doc.meta.program) == ("From sidecar", "C", "p1")


def test_bad_front_matter_yaml(tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_text("---\ntitle: [unclosed\n---\n" + VI, encoding="utf-8")
    with pytest.raises(IngestError) as exc:
        prepare_file(path)
    assert _code(exc) == "ingest.bad_metadata" and "bad.md" in str(exc.value)


def test_html_title_from_h1_and_page_furniture_dropped(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        '<html lang="vi-VN"><head><title>Cổng thông tin | Tin tức</title><style>p{}</style>'
        '<meta property="article:published_time" content="2023-06-01T08:00:00+07:00"></head><body>'
        "<nav>Trang chủ | Giới thiệu</nav><h1>Hỗ trợ nhà ở cho hộ nghèo</h1>"
        f"<p>{VI}</p><p>Hộ được hỗ trợ 40 triệu đồng để xây nhà.</p><script>var x=1;</script>"
        "<footer>Bản quyền</footer><p>Chia sẻ</p></body></html>",
        encoding="utf-8",
    )
    doc = prepare_file(path)
    assert doc.meta.title == "Hỗ trợ nhà ở cho hộ nghèo" and doc.meta.lang == "vi"
    assert doc.meta.published == date(2023, 6, 1)
    for junk in ("Trang chủ", "var x", "Bản quyền", "Chia sẻ", "Cổng thông tin"):
        assert junk not in doc.text
    assert "40 triệu đồng" in doc.text


def test_pdf_text_and_title(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "notice.pdf", ["Ho ngheo duoc ho tro bao hiem y te.", "Chuan ngheo la 1.500.000 dong."])
    doc = prepare_file(path, DocMeta(lang="vi"))
    assert "1.500.000 dong" in doc.text and doc.meta.title == "Ho ngheo duoc ho tro bao hiem y te."
    assert prepare_file(path).meta.lang == "vi"  # detected without diacritics


def test_encrypted_pdf_refused(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "locked.pdf", ["secret"], password="s3cret")
    with pytest.raises(IngestError) as exc:
        prepare_file(path, DocMeta(lang="vi"))
    assert _code(exc) == "ingest.pdf_encrypted" and "locked.pdf" in str(exc.value)


@pytest.mark.parametrize("content", [b"%PDF-1.4\n garbage \x00\x01", b"not a pdf at all"])
def test_corrupt_pdf_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(content)
    with pytest.raises(IngestError) as exc:
        prepare_file(path, DocMeta(lang="vi"))
    assert _code(exc) in ("ingest.pdf_corrupt", "ingest.pdf_no_text")


def test_docx_heading_paragraphs_and_table(tmp_path: Path) -> None:
    table = [["Khu vực", "Chuẩn"], ["Thành thị", "2.000.000"]]
    path = write_docx(tmp_path / "qd.docx", "Quyết định hỗ trợ hộ nghèo", [VI], table=table, after="Hết.")
    doc = prepare_file(path)
    assert doc.meta.title == "Quyết định hỗ trợ hộ nghèo" and doc.meta.lang == "vi"
    assert doc.text.endswith("Khu vực | Chuẩn\n\nThành thị | 2.000.000\n\nHết.")


def test_docx_not_a_zip_and_zip_bomb(tmp_path: Path) -> None:
    fake = tmp_path / "fake.docx"
    fake.write_text("hello", encoding="utf-8")
    with pytest.raises(IngestError) as exc:
        prepare_file(fake)
    assert _code(exc) == "ingest.docx_corrupt"
    with pytest.raises(IngestError) as exc:
        prepare_file(write_zip_bomb(tmp_path / "bomb.docx"))
    assert _code(exc) == "ingest.docx_bomb" and "bomb.docx" in str(exc.value)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("missing.txt", None, "ingest.not_found"),
        ("empty.txt", "  \n\n Chia sẻ \n", "ingest.empty"),
        ("english.txt", "This is an English notice about the poverty line in the region.", "ingest.unknown_language"),
        ("data.xlsx", "x", "ingest.unsupported_type"),
        ("binary.txt", b"\x00\x01\x02binary", "ingest.unreadable"),
    ],
)
def test_bad_files(tmp_path: Path, name: str, content: str | bytes | None, code: str) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(IngestError) as exc:
        prepare_file(path)
    assert _code(exc) == code and name in str(exc.value)


def test_unknown_language_accepted_with_explicit_lang(tmp_path: Path) -> None:
    path = tmp_path / "english.txt"
    path.write_text("This is an English notice about the poverty line.", encoding="utf-8")
    assert prepare_file(path, DocMeta(lang="vi")).meta.lang == "vi"
    with pytest.raises(IngestError) as exc:
        prepare_file(path, DocMeta(lang="en"))
    assert _code(exc) == "ingest.bad_language"


def test_cp1251_russian_text(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes("Адресная социальная помощь в Павлодаре".encode("cp1251"))
    assert prepare_file(path).meta.lang == "ru"


def test_folder_walk_skips_sidecars_hidden_and_other_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".git").mkdir()
    for rel in ("a.txt", "sub/b.md", "sub/b.md.meta.yaml", "notes.xlsx", ".git/c.txt"):
        (tmp_path / rel).write_text(VI, encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in iter_files([tmp_path])] == ["a.txt", "sub/b.md"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(IngestError) as exc:
        iter_files([empty])
    assert _code(exc) == "ingest.no_files"
