from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

from knowledge.ingest.clean import clean_text
from knowledge.text import normalize_text as normalize


def _clean(path: Path) -> tuple[str, date | None]:
    cleaned = clean_text(path.read_text(encoding="utf-8"))
    return cleaned.text, cleaned.published


def test_nfc_and_whitespace() -> None:
    decomposed = unicodedata.normalize("NFD", "Hộ  nghèo\u00a0được\u200b hỗ trợ")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    text = normalize(f"  {decomposed}\r\n\r\n\r\n\tdòng hai  \n\n")
    assert text == "Hộ nghèo được hỗ trợ\n\ndòng hai"
    assert unicodedata.is_normalized("NFC", text)


def test_seed_visit_counters_menus_byline_dateline(seeds: Path) -> None:
    text, published = _clean(seeds / "001_52802f68f2eac606.txt")
    for junk in ("lượt truy cập", "THỐNG KÊ", "THÔNG TIN CẢI CÁCH", "Như Thủy", "GMT", "Thông tin đối ngoại"):
        assert junk not in text
    assert published == date(2017, 3, 15)
    assert text.startswith("Kế hoạch vận động nguồn viện trợ")
    assert text.endswith("các cơ quan đại diện ngoại giao nước ngoài.")


def test_seed_source_tag_photo_credit_initials(seeds: Path) -> None:
    text, _ = _clean(seeds / "000_9d5bf54f8e0c28b5.txt")
    assert "(Vietpeace)" not in text and "Photo:" not in text
    assert "\nChiều 20/3, tại Hà Nội" in text
    assert text.endswith("để có kế hoạch hỗ trợ cụ thể.")


def test_seed_tag_and_read_more_trailer(seeds: Path) -> None:
    text, _ = _clean(seeds / "003_8cee8cff5d7a7aa8.txt")
    for junk in ("Tag:", "cùng chuyên mục", "Kéo xuống", "Xem thêm", "Bình Minh"):
        assert junk not in text
    assert text.endswith("yêu cầu của tiểu dự án.")


def test_seed_end_mark_and_author(seeds: Path) -> None:
    text, _ = _clean(seeds / "002_00e537a5f8435240.txt")
    assert "Hoàng Thạc" not in text and "./." not in text
    assert text.endswith("tích cực tham gia dự án.")


def test_seed_russian_share_and_comment_widgets(seeds: Path) -> None:
    text, published = _clean(seeds / "004_fdaeff24613343b8.txt")
    for junk in ("Поделиться", "Следите", "JavaScript", "Сообщите об ошибке", "Ошибка в тексте", "Ольга Бугаева"):
        assert junk not in text
    assert "zakon.kz" not in text.split("\n")[1]
    assert published == date(2018, 11, 7)
    assert text.endswith("достигнем всех поставленных целей.")


def test_body_text_is_kept() -> None:
    body = (
        "Hướng dẫn hộ nghèo\n\nHộ nghèo được hỗ trợ bảo hiểm y tế. Xem thêm hướng dẫn ở phụ lục.\n\n"
        "Chia sẻ kinh nghiệm của các xã là một phần của chương trình."
    )
    assert clean_text(body).text == body


def test_trailer_only_in_the_tail() -> None:
    main = "Nội dung chính của bài viết. " * 20
    body = f"Tiêu đề bài viết về chuẩn nghèo mới\n\n{main}\n\nTin liên quan\n\nBài khác"
    text = clean_text(body).text
    assert "Tin liên quan" not in text and "Bài khác" not in text
    assert text.startswith("Tiêu đề bài viết")


def test_markdown_title_is_not_taken_for_a_breadcrumb(tmp_path: Path) -> None:
    from knowledge.ingest.pipeline import prepare_file

    path = tmp_path / "doc.md"
    path.write_text("# Стандарт бедности Вьетнама\n\n## Стандарт на 2022–2025 годы и до конца 2026 года\n\n"
                    "Порог дохода в сельской местности — 1 500 000 донгов.\n", encoding="utf-8")  # fmt: skip
    assert prepare_file(path).text.startswith("Стандарт бедности Вьетнама\n")


def test_contact_lines_are_not_share_buttons() -> None:
    contacts = "Zalo: 0912 345 678\nEmail: info@example.org"
    body = f"Liên hệ Nhà NGO\n\nGọi cho nhân viên để đặt phòng họp.\n\n{contacts}\n\nZalo"
    text = clean_text(body).text
    assert "Zalo: 0912 345 678" in text and "Email: info@example.org" in text
    assert not text.endswith("\n\nZalo")
